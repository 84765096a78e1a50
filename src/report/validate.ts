// The terminal report of `gitops-verify validate`: one line per finding, as a compiler prints them
// (file:line: object: message [rule]), then a summary line in kubeconform's words.
import type { Finding, ValidateReport } from "../model.ts";
import { objectLabel } from "../model.ts";

const SEVERITY_RANK: Record<Finding["severity"], number> = { error: 3, warning: 2, notice: 1 };
const FAIL_ON_RANK = { error: 3, warning: 2, notice: 1, never: Infinity } as const;

/** True when no finding is at or above the failing severity. */
export function validateGate(report: ValidateReport, failOn: keyof typeof FAIL_ON_RANK): boolean {
  return !report.findings.some((finding) => SEVERITY_RANK[finding.severity] >= FAIL_ON_RANK[failOn]);
}

export function validateReportText(report: ValidateReport, options: { color: boolean }): string {
  const paint = (code: number, text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const colour = { error: 31, warning: 33, notice: 36 } as const;
  const lines: string[] = [];
  const sorted = [...report.findings].sort(
    (a, b) =>
      (a.location?.file ?? "").localeCompare(b.location?.file ?? "") || (a.location?.line ?? 0) - (b.location?.line ?? 0) || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity],
  );
  for (const finding of sorted) {
    const where = finding.location ? `${finding.location.file}${finding.location.line ? `:${finding.location.line}` : ""}: ` : "";
    const object = finding.object ? `${objectLabel(finding.object)}: ` : "";
    lines.push(`${where}${paint(colour[finding.severity], finding.severity)}: ${object}${finding.message} [${finding.ruleId}]`);
  }
  const s = report.summary;
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
  lines.push(
    `Summary: ${plural(s.resources, "resource")} found in ${plural(s.files, "file")} - Valid: ${s.valid}, Invalid: ${s.invalid}, Skipped: ${s.skipped}` +
      ` (${plural(s.findings.error, "error")}, ${plural(s.findings.warning, "warning")}, ${plural(s.findings.notice, "notice")}; Kubernetes ${report.kubernetesVersion}${report.strict ? ", strict" : ""})`,
  );
  return `${lines.join("\n")}\n`;
}
