// SARIF, JUnit and GitLab code quality: each checked against what its consumer reads.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import Ajv04Module from "ajv-draft-04";
import type { Ajv, Options } from "ajv";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { renderCodeQuality, renderJunit, renderSarif } from "../../src/report/index.ts";
import { environment, report, sampleReport } from "../helpers/report-builders.ts";

const require = createRequire(import.meta.url);
// ajv-draft-04 is CommonJS: its class is the default export's default
type Ajv04Class = new (options: Options) => Ajv;
const Ajv04: Ajv04Class = (Ajv04Module as unknown as { default?: Ajv04Class }).default ?? (Ajv04Module as unknown as Ajv04Class);
const sarifSchema = JSON.parse(readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"));

function withFindings() {
  return report(
    [
      environment("apps/broken", "failed", [], [
        { ruleId: "render-failed", severity: "error", environment: "apps/broken", message: 'render failed: "gone.yaml" & <missing>', location: { file: "apps/broken/kustomization.yaml", line: 4 } },
      ]),
      environment("apps/ok", "changed", [], [{ ruleId: "remote-resource", severity: "warning", message: "a warning without a line", location: { file: "apps/ok/kustomization.yaml" } }]),
      environment("apps/quiet", "unaffected"),
    ],
    { findings: [{ ruleId: "config-invalid", severity: "notice", message: "a run-level notice with no file" }] },
  );
}

describe("SARIF 2.1.0", () => {
  const validate = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false, validateFormats: false }).compile(sarifSchema);

  it.each([
    { name: "findings of every severity", report: withFindings() },
    { name: "a report without findings", report: sampleReport() },
  ])("is valid against the SARIF schema: $name", ({ report: input }) => {
    const sarif = JSON.parse(renderSarif(input));
    validate(sarif);
    expect(validate.errors ?? []).toEqual([]);
  });

  it("has stable rule IDs, levels, locations and fingerprints", () => {
    const first = JSON.parse(renderSarif(withFindings()));
    const second = JSON.parse(renderSarif(withFindings()));
    const run = first.runs[0];
    expect(run.tool.driver.rules.map((rule: { id: string }) => rule.id)).toEqual(["config-invalid", "remote-resource", "render-failed"]);
    expect(run.results.map((result: { ruleId: string; level: string }) => [result.ruleId, result.level])).toEqual([
      ["config-invalid", "note"],
      ["render-failed", "error"],
      ["remote-resource", "warning"],
    ]);
    expect(run.results[1].locations[0].physicalLocation).toEqual({ artifactLocation: { uri: "apps/broken/kustomization.yaml", uriBaseId: "%SRCROOT%" }, region: { startLine: 4 } });
    expect(run.results[1].ruleIndex).toBe(2);
    expect(run.results.map((r: { partialFingerprints: object }) => r.partialFingerprints)).toEqual(second.runs[0].results.map((r: { partialFingerprints: object }) => r.partialFingerprints));
    expect(new Set(run.results.map((r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints["gitopsVerify/v1"])).size).toBe(3);
  });
});

describe("JUnit XML", () => {
  it("is well-formed JUnit with a suite per environment and failures for errors", () => {
    const xml = renderJunit(withFindings());
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    const suites = parsed.testsuites.testsuite;
    expect(parsed.testsuites).toMatchObject({ name: "gitops-verify", tests: "5", failures: "1" });
    expect(suites.map((suite: { name: string }) => suite.name)).toEqual(["gitops-verify", "apps/broken", "apps/ok", "apps/quiet"]);
    const broken = suites[1];
    expect(broken.testcase.failure.message).toBe('apps/broken/kustomization.yaml:4: render failed: "gone.yaml" & <missing>');
  });

  it("an environment that cannot be rendered here is a skipped test, with the reason", () => {
    const notice = { ruleId: "environment-skipped", severity: "notice" as const, message: "no helm binary on PATH" };
    const xml = renderJunit(report([environment("production/HelmRelease/podinfo/podinfo", "skipped", [], [notice])]));
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    const suite = [parsed.testsuites.testsuite].flat().find((candidate: { name: string }) => candidate.name === "production/HelmRelease/podinfo/podinfo");
    expect(suite.skipped).toBe("1");
    expect([suite.testcase].flat()[0].skipped.message).toBe("no helm binary on PATH");
  });
});

describe("GitLab code quality", () => {
  it("has the documented fields, only for findings with a file", () => {
    const issues = JSON.parse(renderCodeQuality(withFindings()));
    expect(issues).toHaveLength(2);
    for (const issue of issues) {
      expect(Object.keys(issue).sort()).toEqual(["check_name", "description", "fingerprint", "location", "severity", "type"]);
      expect(issue.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(["info", "minor", "major", "critical", "blocker"]).toContain(issue.severity);
      expect(issue.location).toEqual({ path: expect.any(String), lines: { begin: expect.any(Number) } });
    }
    expect(issues[0]).toMatchObject({ check_name: "render-failed", severity: "major", location: { path: "apps/broken/kustomization.yaml", lines: { begin: 4 } } });
    expect(issues[1]).toMatchObject({ check_name: "remote-resource", severity: "minor", location: { lines: { begin: 1 } } });
  });
});
