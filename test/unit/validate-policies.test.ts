// `gitops-verify validate` evaluates the policies among its inputs (and --policy, --builtin) as `kyverno apply`
// does, listing every result; real files in a temporary directory, the CLI's own entry function.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Ajv } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import reportSchema from "../../schemas/validate.v1.json" with { type: "json" };
import { runCli } from "../../src/entrypoints/cli.ts";
import type { ValidateReport } from "../../src/model.ts";

const POLICY = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-team
spec:
  validationFailureAction: Enforce
  rules:
  - name: team-label
    match:
      any:
      - resources:
          kinds: [ConfigMap]
    validate:
      message: "label team is required"
      pattern:
        metadata:
          labels:
            team: "?*"
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
const VAP = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: small-configmaps
spec:
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: [v1]
      operations: [CREATE, UPDATE]
      resources: [configmaps]
  validations:
  - expression: "!has(object.data) || size(object.data) <= 1"
    message: at most one key
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: small-configmaps
spec:
  policyName: small-configmaps
  validationActions: [Deny]
`;

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function validate(files: Record<string, string>, args: string[]): Promise<{ code: number; report: ValidateReport }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gv-validate-policies-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  let stdout = "";
  const code = await runCli(["validate", ...args, "--format", "json", "--quiet"], { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true }, env: {}, cwd: dir });
  return { code, report: JSON.parse(stdout) as ValidateReport };
}

describe("validate: policies", () => {
  it("a Kyverno policy among the inputs: every result listed, the failure a finding at the object's line", async () => {
    const { code, report } = await validate({ "policy.yaml": POLICY, "objects.yaml": OBJECTS }, ["policy.yaml", "objects.yaml"]);
    expect(report.policyResults?.map((result) => [result.policy, result.rule, result.name, result.result])).toEqual([
      ["require-team", "team-label", "good", "pass"],
      ["require-team", "team-label", "bad", "fail"],
    ]);
    // the labels are missing: the finding points at the metadata that should hold them
    expect(report.findings.filter((finding) => finding.severity !== "notice")).toMatchObject([
      { ruleId: "kyverno:require-team/team-label", severity: "error", object: { name: "bad" }, path: "metadata.labels", location: { file: "objects.yaml", line: 10 } },
    ]);
    expect(code).toBe(1);
    const check = new Ajv({ allErrors: true, strict: true }).compile(reportSchema);
    expect(check(report), JSON.stringify(check.errors)).toBe(true);
  });

  it("--policy names policies outside the inputs; a ValidatingAdmissionPolicy with its binding", async () => {
    const objects = OBJECTS.replace("  labels: {team: shop}", "  labels: {team: shop}\ndata: {a: '1', b: '2'}");
    const { code, report } = await validate({ "vap.yaml": VAP, "objects.yaml": objects }, ["objects.yaml", "--policy", "vap.yaml"]);
    expect(report.policyResults?.map((result) => [result.policy, result.name, result.result])).toEqual([
      ["small-configmaps", "good", "fail"],
      ["small-configmaps", "bad", "pass"],
    ]);
    expect(report.findings.filter((finding) => finding.severity !== "notice").map((finding) => [finding.ruleId, finding.severity, finding.object?.name])).toEqual([["vap:small-configmaps", "error", "good"]]);
    expect(code).toBe(1);
  });

  it("--builtin evaluates the built-in pack", async () => {
    const privileged = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: shop\nspec:\n  containers:\n  - name: c\n    image: ghcr.io/x/y:1.0\n    securityContext:\n      privileged: true\n";
    const { report } = await validate({ "pod.yaml": privileged }, ["pod.yaml", "--builtin"]);
    expect(report.findings.find((finding) => finding.ruleId === "GV-SEC-002")).toMatchObject({ severity: "error", location: { file: "pod.yaml", line: 11 } });
    const without = await validate({ "pod.yaml": privileged }, ["pod.yaml"]);
    expect(without.report.policyResults).toBeUndefined();
  });
});

describe("validate: bad policies are findings on the policy, and the rest still runs", () => {
  const badJmespath = POLICY.replace("name: require-team", "name: bad-jmespath").replace(
    `      pattern:
        metadata:
          labels:
            team: "?*"`,
    `      deny:
        conditions:
          any:
          - key: "{{ request.object.metadata.labels.[ }}"
            operator: Equals
            value: x`,
  );
  const badPattern = POLICY.replace("name: require-team", "name: bad-pattern").replace('team: "?*"', 'team: "?*"\n            +(owner): someone');
  const badCel = VAP.replace('expression: "!has(object.data) || size(object.data) <= 1"', 'expression: "object.data.size( <= 1"');
  const missingParam = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: max-keys
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: [v1]
      operations: [CREATE]
      resources: [configmaps]
  validations:
  - expression: "!has(object.data) || size(object.data) <= int(params.data.max)"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: max-keys
spec:
  policyName: max-keys
  paramRef: {name: limits, namespace: shop, parameterNotFoundAction: Deny}
  validationActions: [Deny]
`;

  it.each([
    { name: "a JMESPath expression that does not compile", files: { "p.yaml": badJmespath }, policy: "bad-jmespath", expected: /ClusterPolicy bad-jmespath rule team-label: .*(JMESPath|parse|Unexpected|token)/i },
    { name: "an invalid pattern (a mutate anchor in a validate pattern)", files: { "p.yaml": badPattern }, policy: "bad-pattern", expected: /ClusterPolicy bad-pattern rule team-label: .*anchor/i },
    { name: "a CEL expression that does not compile", files: { "p.yaml": badCel }, policy: "small-configmaps", expected: /ValidatingAdmissionPolicy small-configmaps .*(compile|Unexpected)/i },
    { name: "a binding to a param that is not there", files: { "p.yaml": missingParam }, policy: "max-keys", expected: /max-keys/ },
  ])("$name", async ({ files, policy, expected }) => {
    const { report } = await validate({ ...files, "ok.yaml": POLICY, "objects.yaml": OBJECTS }, ["p.yaml", "ok.yaml", "objects.yaml"]);
    const problems = report.findings.filter((finding) => finding.ruleId === "policy-invalid" || finding.ruleId.endsWith(policy));
    expect(problems.length, JSON.stringify(report.findings, null, 1)).toBeGreaterThan(0);
    expect(problems.map((finding) => finding.message).join("\n")).toMatch(expected);
    // named at its file
    expect(problems.some((finding) => finding.location?.file === "p.yaml")).toBe(true);
    // the good policy still ran
    expect(report.findings.some((finding) => finding.ruleId === "kyverno:require-team/team-label" && finding.object?.name === "bad")).toBe(true);
  });
});
