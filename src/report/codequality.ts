// GitLab code quality report: a JSON array of issues the merge request widget shows on the diff.
import type { Finding, RunReport } from "../model.ts";
import { allFindings, findingFingerprint } from "./fingerprint.ts";

const SEVERITIES: Record<Finding["severity"], "info" | "minor" | "major" | "critical" | "blocker"> = {
  error: "major",
  warning: "minor",
  notice: "info",
};

export function renderCodeQuality(report: RunReport): string {
  // GitLab requires a location with a path; a finding with no file is attached to nothing on the diff
  const issues = allFindings(report)
    .filter((finding) => finding.location)
    .map((finding) => ({
      type: "issue",
      description: finding.environment ? `${finding.environment}: ${finding.message}` : finding.message,
      check_name: finding.ruleId,
      fingerprint: findingFingerprint(finding),
      severity: SEVERITIES[finding.severity],
      location: { path: finding.location!.file, lines: { begin: finding.location!.line ?? 1 } },
    }));
  return `${JSON.stringify(issues, null, 2)}\n`;
}
