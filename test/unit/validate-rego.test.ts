// `gitops-verify validate` evaluates Rego policies too: Gatekeeper ConstraintTemplates and Constraints among the
// inputs or named with --policy (as `gator test` does), and conftest-style .rego files with their data files named
// with --policy (as `conftest test` does); every result in the JSON's policyResults. Real files, the CLI's entry.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Ajv } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import reportSchema from "../../schemas/validate.v1.json" with { type: "json" };
import { runCli } from "../../src/entrypoints/cli.ts";
import type { ValidateReport } from "../../src/model.ts";

// a required-labels template in Rego v0, as most Gatekeeper templates are written
const TEMPLATE = `apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: requiredlabels
spec:
  crd:
    spec:
      names:
        kind: RequiredLabels
  targets:
  - target: admission.k8s.gatekeeper.sh
    rego: |
      package requiredlabels

      violation[{"msg": msg}] {
        required := {key | key := input.parameters.labels[_]}
        present := {key | input.review.object.metadata.labels[key]}
        missing := required - present
        count(missing) > 0
        msg := sprintf("missing labels: %v", [missing])
      }
`;
const CONSTRAINT = `apiVersion: constraints.gatekeeper.sh/v1beta1
kind: RequiredLabels
metadata:
  name: team-label
spec:
  match:
    kinds:
    - apiGroups: [""]
      kinds: [ConfigMap]
  parameters:
    labels: [team]
`;
const OBJECTS = `apiVersion: v1
kind: ConfigMap
metadata:
  name: good
  namespace: shop
  labels: {team: shop}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: bad
  namespace: shop
`;
// conftest style, Rego v1, with a data file beside it
const CONFTEST = `package main
import rego.v1

deny contains msg if {
  input.kind == "ConfigMap"
  not input.metadata.labels.team in data.teams.allowed
  msg := sprintf("ConfigMap %s: team must be one of %v", [input.metadata.name, data.teams.allowed])
}

warn_no_data contains msg if {
  input.kind == "ConfigMap"
  not input.data
  msg := sprintf("ConfigMap %s has no data", [input.metadata.name])
}
`;

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function validate(files: Record<string, string>, args: string[]): Promise<{ code: number; report: ValidateReport }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gv-validate-rego-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  let stdout = "";
  const code = await runCli(["validate", ...args, "--format", "json", "--quiet"], { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true }, env: {}, cwd: dir });
  return { code, report: JSON.parse(stdout) as ValidateReport };
}

const notNotices = (report: ValidateReport) => report.findings.filter((finding) => finding.severity !== "notice");

describe("validate: Rego policies", () => {
  it("a ConstraintTemplate and its Constraint among the inputs: every result listed, the violation an error on the object", async () => {
    const { code, report } = await validate({ "template.yaml": TEMPLATE, "constraint.yaml": CONSTRAINT, "objects.yaml": OBJECTS }, ["template.yaml", "constraint.yaml", "objects.yaml"]);
    expect(report.policyResults?.map((result) => [result.name, result.result])).toEqual([
      ["good", "pass"],
      ["bad", "fail"],
    ]);
    expect(notNotices(report)).toMatchObject([
      { ruleId: "gatekeeper:RequiredLabels/team-label", severity: "error", object: { name: "bad" }, message: expect.stringMatching(/missing labels: \{"team"\}/), location: { file: "objects.yaml" } },
    ]);
    expect(code).toBe(1);
    const check = new Ajv({ allErrors: true, strict: true }).compile(reportSchema);
    expect(check(report), JSON.stringify(check.errors)).toBe(true);
  });

  it("enforcementAction warn reports without failing", async () => {
    const warn = CONSTRAINT.replace("spec:\n", "spec:\n  enforcementAction: warn\n");
    const { code, report } = await validate({ "policy.yaml": `${TEMPLATE}---\n${warn}`, "objects.yaml": OBJECTS }, ["objects.yaml", "--policy", "policy.yaml"]);
    expect(notNotices(report).map((finding) => [finding.ruleId, finding.severity, finding.object?.name])).toEqual([["gatekeeper:RequiredLabels/team-label", "warning", "bad"]]);
    expect(code).toBe(0);
  });

  it("conftest policies with their data file, named with --policy: deny fails, warn_ rules warn", async () => {
    const files = { "policy/labels.rego": CONFTEST, "policy/teams/data.yaml": "allowed: [shop, payments]\n", "objects.yaml": OBJECTS.replace("  labels: {team: shop}", "  labels: {team: shop}\ndata: {a: b}") };
    const { code, report } = await validate(files, ["objects.yaml", "--policy", "policy"]);
    expect(notNotices(report).map((finding) => [finding.ruleId, finding.severity, finding.object?.name, finding.message])).toEqual([
      ["conftest:main/deny", "error", "bad", 'main.deny: ConfigMap bad: team must be one of ["shop", "payments"]'],
      ["conftest:main/warn_no_data", "warning", "bad", "main.warn_no_data: ConfigMap bad has no data"],
    ]);
    expect(code).toBe(1);
  });

  it("a template whose Rego does not parse is a finding naming its file and line; the other policies still run", async () => {
    const broken = TEMPLATE.replace("requiredlabels", "brokenlabels").replace("RequiredLabels", "BrokenLabels").replace("count(missing) > 0", "count(missing) > > 0");
    const brokenConstraint = CONSTRAINT.replace("RequiredLabels", "BrokenLabels").replace("team-label", "broken");
    const { report } = await validate({ "broken.yaml": `${broken}---\n${brokenConstraint}`, "ok.yaml": `${TEMPLATE}---\n${CONSTRAINT}`, "objects.yaml": OBJECTS }, ["objects.yaml", "--policy", "broken.yaml", "--policy", "ok.yaml"]);
    const problem = report.findings.find((finding) => finding.ruleId === "policy-invalid" && finding.location?.file === "broken.yaml");
    expect(problem?.message).toMatch(/rego_parse_error/);
    expect(problem?.location?.line, problem?.message).toBe(19);
    expect(report.findings.some((finding) => finding.ruleId === "gatekeeper:RequiredLabels/team-label" && finding.object?.name === "bad")).toBe(true);
  });

  it("--namespace picks the conftest packages whose rules apply; --all-namespaces takes every package", async () => {
    const other = CONFTEST.replace("package main", "package k8s.labels");
    const files = { "policy/labels.rego": other, "policy/teams/data.yaml": "allowed: [shop]\n", "objects.yaml": OBJECTS };
    const ids = (report: ValidateReport) => notNotices(report).map((finding) => finding.ruleId).sort();
    expect(ids((await validate(files, ["objects.yaml", "--policy", "policy"])).report)).toEqual([]);
    expect(ids((await validate(files, ["objects.yaml", "--policy", "policy", "--namespace", "k8s.labels"])).report)).toEqual(["conftest:k8s.labels/deny", "conftest:k8s.labels/warn_no_data", "conftest:k8s.labels/warn_no_data"]);
    expect(ids((await validate(files, ["objects.yaml", "--policy", "policy", "--all-namespaces"])).report)).toEqual(["conftest:k8s.labels/deny", "conftest:k8s.labels/warn_no_data", "conftest:k8s.labels/warn_no_data"]);
  });
});
