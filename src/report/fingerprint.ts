import { createHash } from "node:crypto";
import type { Finding } from "../model.ts";
import { objectKey } from "../model.ts";

/**
 * A fingerprint that survives unrelated edits: rule, environment, file, object and message,
 * but not the line (moving a line should not make a finding new).
 */
export function findingFingerprint(finding: Finding): string {
  const parts = [finding.ruleId, finding.environment ?? "", finding.location?.file ?? "", finding.object ? objectKey(finding.object) : "", finding.path ?? "", finding.message];
  return createHash("sha256").update(parts.join("\u0000")).digest("hex");
}

/** Every finding of the report, run-level and per environment, with the environment filled in. */
export function allFindings(report: { findings: Finding[]; environments: Array<{ environment: { name: string }; findings: Finding[] }> }): Finding[] {
  return [
    ...report.findings,
    ...report.environments.flatMap((result) => result.findings.map((finding) => ({ environment: result.environment.name, ...finding }))),
  ];
}
