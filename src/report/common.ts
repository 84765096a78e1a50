// Small pieces every report format shares.
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
};

export const CHANGE_SIGNS: Record<ObjectDiff["change"], string> = { added: "+", removed: "-", changed: "~" };

/** "main (merge-base 1a2b3c4d5e6f)"; the working tree has no SHA to show. */
export function describeRevision(revision: { ref: string; sha: string }, role?: string): string {
  if (revision.sha === "WORKTREE") return revision.ref;
  return `${revision.ref} (${role ? `${role} ` : ""}${revision.sha.slice(0, 12)})`;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** "~ Deployment prod/web (renamed from web-abc)" */
export function diffTitle(diff: ObjectDiff): string {
  const renamed = diff.previousName ? ` (was ${diff.previousName})` : "";
  return `${CHANGE_SIGNS[diff.change]} ${objectLabel(diff.id)}${renamed}`;
}

export function describeSecretKey(change: SecretKeyChange): string {
  const side = (value: SecretKeyChange["before"]) => (value ? `${value.length} bytes, fp ${value.fingerprint}` : "");
  if (change.change === "added") return `${change.key}: added (${side(change.after)})`;
  if (change.change === "removed") return `${change.key}: removed (${side(change.before)})`;
  return `${change.key}: changed (${side(change.before)} → ${side(change.after)})`;
}

export function describeFinding(finding: Finding): string {
  const where = formatLocation(finding.location);
  return `${where ? `${where}: ` : ""}${finding.message}`;
}

/** Environments worth a section of their own: the ones with something to show. */
export function isNotable(result: EnvironmentResult): boolean {
  return result.status !== "unaffected" && result.status !== "unchanged";
}

export function countsText(result: EnvironmentResult): string {
  const { added, changed, removed } = result.counts;
  return `+${added} ~${changed} -${removed}`;
}

export function headline(report: RunReport): string {
  const { summary } = report;
  const changedEnvironments = summary.changed + summary.added + summary.removed;
  const parts = [
    changedEnvironments === 0 ? "no rendered changes" : `${plural(changedEnvironments, "environment")} changed`,
  ];
  if (summary.failed > 0) parts.push(`${summary.failed} failed to render`);
  return parts.join(", ");
}

export const GATE_WORDS: Record<RunReport["gate"]["result"], string> = { pass: "passed", fail: "failed", error: "could not complete" };
