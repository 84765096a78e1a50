// An apply's result for a terminal or a CI log (the command line and the Action print the same).
import type { ApplyReport } from "../app/apply.ts";
import { describeRef } from "../cluster/objects.ts";

export function applyText(report: ApplyReport): string {
  const lines = [`apply ${report.environment} at ${report.revision.sha.slice(0, 12)} to ${report.cluster.server} (context ${report.cluster.context})${report.dryRun ? ", dry run" : ""}`];
  for (const finding of report.findings.filter((finding) => finding.severity !== "notice")) {
    const where = finding.location ? `${finding.location.file}${finding.location.line ? `:${finding.location.line}` : ""}: ` : "";
    lines.push(`  ${where}${finding.severity} ${finding.ruleId}: ${finding.message}`);
  }
  for (const change of report.changes) {
    const id = change.id;
    lines.push(`  ${change.change === "missing" ? "create" : "update"} ${id.kind} ${id.namespace ? `${id.namespace}/` : ""}${id.name}`);
    if (change.change === "changed" && change.patch) lines.push(...indent(change.patch));
  }
  for (const conflict of report.conflicts) {
    lines.push(`  conflict ${describeRef(conflict.ref)}: ${conflict.fields.map((field) => `${field.field ?? ""} ${field.message}`.trim()).join("; ")}`);
  }
  for (const ref of report.prune.result?.deleted ?? report.prune.planned) lines.push(`  ${report.prune.result ? "pruned" : "prune"} ${describeRef(ref)}`);
  for (const kept of report.prune.kept) lines.push(`  kept ${describeRef(kept.ref)}: ${kept.reason}`);
  if (report.wait) lines.push(`  wait: ${report.wait.outcome} after ${(report.wait.elapsedMs / 1000).toFixed(1)} s`);
  if (report.rollback) lines.push(`  rollback: ${report.rollback.outcome}: ${report.rollback.message}`);
  lines.push(`${report.result}: ${report.message}`);
  return `${lines.join("\n")}\n`;
}

/** The same as markdown, for the Action's step summary and GitLab job artifacts. */
export function applyMarkdown(report: ApplyReport): string {
  return `### gitops-verify apply: ${report.environment} — ${report.result}\n\n${report.message}\n\n\`\`\`\n${applyText(report)}\`\`\`\n`;
}

function indent(patch: string): string[] {
  return patch
    .trimEnd()
    .split("\n")
    .filter((line) => !line.startsWith("---") && !line.startsWith("+++"))
    .map((line) => `      ${line}`);
}
