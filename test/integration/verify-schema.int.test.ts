// verify runs schema validation on what it renders: a change that breaks an object fails the gate with the file and
// line of the offending value (through an overlay's patch too); what the base already had is only a notice.
// Real git, real files, real `kubectl kustomize`.
import { afterEach, describe, expect, it } from "vitest";
import type { Finding, RunReport } from "../../src/model.ts";
import type { TempRepo } from "../helpers/repo.ts";
import { disposeAll, verifyChange } from "../helpers/verify-change.ts";

const FILES: Record<string, string> = {
  "base/kustomization.yaml": "resources: [deployment.yaml]\n",
  "base/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ghcr.io/example/web:1.0.0
`,
  "staging/kustomization.yaml": "namespace: staging\nresources: [../base]\n",
  "production/kustomization.yaml": "namespace: production\nresources: [../base]\npatches:\n- path: resources.yaml\n",
  "production/resources.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        resources:
          limits: {memory: 256Mi}
`,
};

afterEach(disposeAll);

const verify = (change: (repo: TempRepo) => void, files = FILES) => verifyChange({ ".gitops-verify.yaml": "policies:\n  builtin: false\n", ...files }, change);

// these tests are about schema findings: the built-in policy pack's are left out (policies.builtin: false)
const findingsOf = (report: RunReport, environment: string): Finding[] => report.environments.find((result) => result.environment.name === environment)!.findings;

describe("verify: schema findings", () => {
  it("a misspelt field in a patch: an error in the environment that uses the patch, at the patch's line", async () => {
    const { code, report } = await verify((repo) =>
      repo.write({ "production/resources.yaml": FILES["production/resources.yaml"]!.replace("limits: {memory: 256Mi}", "limits: {memory: 256Mi}\n        imagePullPolicey: Always") }),
    );
    expect(code).toBe(1);
    expect(findingsOf(report, "production")).toEqual([
      {
        ruleId: "schema-unknown-field",
        severity: "error",
        message: 'spec.template.spec.containers[0].imagePullPolicey: unknown field "imagePullPolicey": did you mean "imagePullPolicy"?',
        environment: "production",
        object: { group: "apps", version: "v1", kind: "Deployment", namespace: "production", name: "web" },
        path: "spec.template.spec.containers[0].imagePullPolicey",
        location: { file: "production/resources.yaml", line: 12 },
      },
    ]);
    expect(report.gate.result).toBe("fail");
  });

  it("a wrong type in the shared base: an error in every environment, at the base file's line", async () => {
    const { code, report } = await verify((repo) => repo.write({ "base/deployment.yaml": FILES["base/deployment.yaml"]!.replace("replicas: 1", 'replicas: "two"') }));
    expect(code).toBe(1);
    for (const environment of ["staging", "production"]) {
      expect(findingsOf(report, environment).map((finding) => [finding.ruleId, finding.path, finding.location])).toEqual([
        ["schema-type", "spec.replicas", { file: "base/deployment.yaml", line: 6 }],
      ]);
    }
  });

  it("an error the base already had is a notice, and the gate passes", async () => {
    const broken = { ...FILES, "base/deployment.yaml": FILES["base/deployment.yaml"]!.replace("replicas: 1", 'replicas: "two"') };
    const { code, report } = await verify((repo) => repo.write({ "base/deployment.yaml": broken["base/deployment.yaml"]!.replace("web:1.0.0", "web:1.1.0") }), broken);
    expect(code).toBe(0);
    const [finding] = findingsOf(report, "staging");
    expect(finding).toMatchObject({ ruleId: "schema-type", severity: "notice", message: 'already at the base revision: spec.replicas: must be integer, not "two"' });
  });

  it("a removed apiVersion is an error naming the replacement; schemas.kubernetesVersion picks the cluster's version", async () => {
    const pdb = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n  minAvailable: 1\n  selector: {matchLabels: {app: web}}\n";
    const add = (repo: TempRepo) => repo.write({ "base/pdb.yaml": pdb, "base/kustomization.yaml": "resources: [deployment.yaml, pdb.yaml]\n" });
    const current = await verify(add);
    expect(current.code).toBe(1);
    expect(findingsOf(current.report, "staging")).toMatchObject([
      { ruleId: "api-removed", message: "policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25 (deprecated since 1.21): use policy/v1 PodDisruptionBudget", location: { file: "base/pdb.yaml", line: 1 } },
    ]);
    const old = await verify((repo) => {
      add(repo);
      repo.write({ ".gitops-verify.yaml": "policies:\n  builtin: false\nschemas:\n  kubernetesVersion: \"1.21\"\n" });
    });
    expect(old.code).toBe(0);
    expect(findingsOf(old.report, "staging")).toMatchObject([{ ruleId: "api-deprecated", severity: "warning" }]);
  });

  it("schemas.enabled: false switches validation off", async () => {
    const { code, report } = await verify((repo) =>
      repo.write({ "base/deployment.yaml": FILES["base/deployment.yaml"]!.replace("replicas: 1", 'replicas: "two"'), ".gitops-verify.yaml": "policies:\n  builtin: false\nschemas:\n  enabled: false\n" }),
    );
    expect(code).toBe(0);
    expect(findingsOf(report, "staging")).toEqual([]);
  });
});
