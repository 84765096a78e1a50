// Small pieces every report format shares: words for statuses, labels for objects, one-line descriptions.
import { formatLocation } from "../errors.ts";
import type { EnvironmentResult, EnvironmentStatus, Finding, ObjectDiff, RunReport, SecretKeyChange } from "../model.ts";
import { objectLabel } from "../model.ts";

export const STATUS_WORDS: Record<EnvironmentStatus, string> = {
  changed: "changed",
  unchanged: "no change",
  unaffected: "unaffected",
  added: "new",
  removed: "deleted",
  failed: "failed",
  skipped: "not rendered",
};

export const CHANGE_SIGNS: Record<ObjectDiff["change"], string> = { added: "+", removed: "-", changed: "~" };

export const GATE_WORDS: Record<RunReport["gate"]["result"], string> = { pass: "passed", fail: "failed", error: "could not complete" };

/** "main (111111111111)"; the working tree has no SHA to show. */
export function describeRevision(revision: { ref: string; sha: string }, role?: string): string {
  if (revision.sha === "WORKTREE") return revision.ref;
  return `${revision.ref} (${role ? `${role} ` : ""}${revision.sha.slice(0, 12)})`;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** "~ Deployment prod/web (was web-abc)" */
export function diffTitle(diff: ObjectDiff): string {
  const renamed = diff.previousName ? ` (was ${diff.previousName})` : "";
  return `${CHANGE_SIGNS[diff.change]} ${objectLabel(diff.id)}${renamed}`;
}

/** "password: changed (16 bytes, fp 0a1b2c3d → 24 bytes, fp 9f8e7d6c)": only what the model carries, lengths and fingerprints. */
export function describeSecretKey(change: SecretKeyChange): string {
  const side = (value: SecretKeyChange["before"]) => (value ? `${value.length} bytes, fp ${value.fingerprint}` : "?");
  if (change.change === "added") return `${change.key}: added (${side(change.after)})`;
  if (change.change === "removed") return `${change.key}: removed (${side(change.before)})`;
  return `${change.key}: changed (${side(change.before)} → ${side(change.after)})`;
}

/** "file:line: message", or the message alone when the finding has no place. */
export function describeFinding(finding: Finding): string {
  const where = formatLocation(finding.location);
  return `${where ? `${where}: ` : ""}${finding.message}`;
}

/** "apps/base/web.yaml:12", or "" when unknown. */
export function describeSource(diff: ObjectDiff): string {
  return formatLocation(diff.source);
}

/** The path an environment renders, when its name does not already say it (a puller object's name). */
export function pathBeside(result: EnvironmentResult): string | undefined {
  const { name, path } = result.environment;
  return path && path !== name ? path : undefined;
}

/** True when any environment belongs to a known cluster: reports then group by cluster. */
export function hasClusters(environments: EnvironmentResult[]): boolean {
  return environments.some((result) => result.environment.cluster !== undefined);
}

/** Stable order by cluster (environments without one first), keeping the given order within each. */
export function byCluster(environments: EnvironmentResult[]): EnvironmentResult[] {
  return environments
    .map((result, index) => ({ result, index }))
    .sort((a, b) => {
      const clusterA = a.result.environment.cluster ?? "";
      const clusterB = b.result.environment.cluster ?? "";
      return clusterA === clusterB ? a.index - b.index : clusterA < clusterB ? -1 : 1;
    })
    .map(({ result }) => result);
}

/** Environments whose objects differ or that failed: the ones a reviewer must look at. */
export function isNotable(result: EnvironmentResult): boolean {
  return result.status !== "unaffected" && result.status !== "unchanged";
}

/** Environments with something to show beyond their status: notable ones, and quiet ones with findings. */
export function hasDetails(result: EnvironmentResult): boolean {
  return isNotable(result) || result.findings.length > 0;
}

/** Object counts are meaningful only for environments that rendered with a difference. */
export function showsCounts(result: EnvironmentResult): boolean {
  return isNotable(result) && result.status !== "failed" && result.status !== "skipped";
}

export function countsText(result: EnvironmentResult): string {
  const { added, changed, removed } = result.counts;
  return `+${added} ~${changed} -${removed}`;
}

/** "2 environments changed, 1 failed to render" */
export function headline(report: RunReport): string {
  const { summary } = report;
  const changedEnvironments = summary.changed + summary.added + summary.removed;
  const parts = [changedEnvironments === 0 ? "no rendered changes" : `${plural(changedEnvironments, "environment")} changed`];
  if (summary.failed > 0) parts.push(`${summary.failed} failed to render`);
  if (summary.skipped > 0) parts.push(`${summary.skipped} not rendered here`);
  return parts.join(", ");
}

/** "5 environments: 2 changed, 1 failed, 2 unaffected; objects +1 ~2 -0; findings: 1 error" (zero counts left out). */
export function summaryLine(report: RunReport): string {
  const { summary } = report;
  const statuses = (
    [
      [summary.changed, "changed"],
      [summary.added, "new"],
      [summary.removed, "deleted"],
      [summary.failed, "failed"],
      [summary.skipped, "not rendered"],
      [summary.unchanged, "no change"],
      [summary.unaffected, "unaffected"],
    ] as const
  )
    .filter(([count]) => count > 0)
    .map(([count, word]) => `${count} ${word}`);
  const { added, changed, removed } = summary.objects;
  const parts = [`${plural(summary.environments, "environment")}${statuses.length ? `: ${statuses.join(", ")}` : ""}`, `objects +${added} ~${changed} -${removed}`];
  const findings = (["error", "warning", "notice"] as const).filter((severity) => summary.findings[severity] > 0);
  if (findings.length) parts.push(`findings: ${findings.map((severity) => plural(summary.findings[severity], severity)).join(", ")}`);
  return parts.join("; ");
}

/** The lines of a unified diff without its "---"/"+++" file headers, which repeat the object label. */
export function patchBody(patch: string): string[] {
  const lines = patch.replace(/\n$/, "").split("\n");
  let start = 0;
  if (lines[start]?.startsWith("--- ")) start++;
  if (lines[start]?.startsWith("+++ ")) start++;
  const body = lines.slice(start);
  return body.length === 1 && body[0] === "" ? [] : body;
}

/** Number of lines of a patch as printed (headers included). */
export function patchLineCount(patch: string): number {
  if (patch === "") return 0;
  let newlines = 0;
  for (let at = patch.indexOf("\n"); at >= 0; at = patch.indexOf("\n", at + 1)) newlines++;
  return patch.endsWith("\n") ? newlines : newlines + 1;
}

/** Cuts text to at most `max` characters, marking the cut, without splitting a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return "";
  let end = max - 1;
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
  return `${text.slice(0, end)}…`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Names, messages and patch lines come from the repository and the cluster: control characters and bidi overrides are shown escaped. */
export function clean(text: string): string {
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A multi-line text cleaned line by line, continued at `indent`. */
export function cleanLines(text: string, indent: string): string {
  return text.replace(/\n+$/, "").split("\n").map(clean).join(`\n${indent}`);
}

/** A diff fence longer than any backtick run inside, so a patch containing ``` cannot close it. */
export function fenced(patch: string): string {
  let longest = 0;
  for (const match of patch.matchAll(/`+/g)) longest = Math.max(longest, match[0].length);
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}diff\n${patch.replace(/\n$/, "")}\n${fence}`;
}
