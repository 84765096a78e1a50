// A promotion's result for a terminal or a CI log (the command line and the Action print the same).
import type { PromoteResult } from "../app/promote.ts";

/** The promotion for a terminal or a CI log: the plan, the diff, and what was done. */
export function promotionText(result: PromoteResult): string {
  const lines = [result.planText];
  for (const notice of result.notices.filter((notice) => !result.planText.includes(notice))) lines.push(`  note: ${notice}`);
  if (result.diff) lines.push("", result.diff.trimEnd());
  lines.push("");
  switch (result.status) {
    case "unchanged":
      lines.push(`nothing to promote: ${result.target} already runs ${result.images.length > 0 ? result.images.join(", ") : "what was asked"}`);
      break;
    case "dry-run":
      lines.push("dry run: nothing was written");
      break;
    case "refused":
      lines.push(`refused: the promotion to ${result.target} did not pass the check; the files are as they were`, ...result.problems.map((problem) => `  ${problem}`));
      break;
    case "promoted": {
      const where = result.request
        ? `; ${result.request.action} ${result.request.url}`
        : result.pushedTo
          ? `; pushed to ${result.pushedTo}${result.rebases > 0 ? ` after ${result.rebases} rebase${result.rebases === 1 ? "" : "s"}` : ""}`
          : "; not pushed (--push pushes it)";
      lines.push(`promoted: commit ${result.commit?.slice(0, 12)}${where}`);
      break;
    }
  }
  return `${lines.join("\n")}\n`;
}
