// SARIF 2.1.0 for code scanning: one run, the rules used, one result per finding.
import type { Finding, RunReport } from "../model.ts";
import { allFindings, findingFingerprint } from "./fingerprint.ts";
import { describeRule } from "./rules.ts";

const LEVELS: Record<Finding["severity"], "error" | "warning" | "note"> = { error: "error", warning: "warning", notice: "note" };
export const SARIF_MAX_RESULTS = 25_000; // GitHub's limit per run

export function renderSarif(report: RunReport, options: { informationUri?: string } = {}): string {
  const findings = allFindings(report).slice(0, SARIF_MAX_RESULTS);
  const ruleIds = [...new Set(findings.map((finding) => finding.ruleId))].sort();
  const rules = ruleIds.map((id) => {
    const rule = describeRule(id);
    return {
      id: rule.id,
      name: rule.name,
      shortDescription: { text: rule.description },
      fullDescription: { text: rule.description },
      help: { text: rule.help },
      defaultConfiguration: { level: "error" },
    };
  });
  const results = findings.map((finding) => ({
    ruleId: finding.ruleId,
    ruleIndex: ruleIds.indexOf(finding.ruleId),
    level: LEVELS[finding.severity],
    message: { text: finding.environment ? `${finding.environment}: ${finding.message}` : finding.message },
    ...(finding.location
      ? {
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: finding.location.file, uriBaseId: "%SRCROOT%" },
                ...(finding.location.line ? { region: { startLine: finding.location.line, ...(finding.location.column ? { startColumn: finding.location.column } : {}) } } : {}),
              },
            },
          ],
        }
      : {}),
    partialFingerprints: { "gitopsVerify/v1": findingFingerprint(finding) },
    ...(finding.environment ? { properties: { environment: finding.environment } } : {}),
  }));
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "gitops-verify",
            version: report.tool.version,
            informationUri: options.informationUri ?? "https://github.com/gitops-verify/gitops-verify",
            rules,
          },
        },
        automationDetails: { id: "gitops-verify/" },
        results,
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
