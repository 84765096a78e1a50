// verify evaluates policies on what it renders: the built-in pack and the Kyverno policies an environment renders
// itself (as the cluster's admission control would apply them); only what the change introduces fails the gate.
// Real git, real files, real `kubectl kustomize`.
import { afterEach, describe, expect, it } from "vitest";
import type { Finding, RunReport } from "../../src/model.ts";
import type { TempRepo } from "../helpers/repo.ts";
import { disposeAll, verifyChange } from "../helpers/verify-change.ts";

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app.kubernetes.io/name: web}
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
`;

const REQUIRE_TEAM = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-team-label
spec:
  validationFailureAction: Enforce
  rules:
  - name: team-label
    match:
      any:
      - resources:
          kinds: [Deployment]
    validate:
      message: "the label team is required"
      pattern:
        metadata:
          labels:
            team: "?*"
`;

const FILES: Record<string, string> = {
  "apps/kustomization.yaml": "namespace: shop\nresources: [deployment.yaml, policy.yaml]\n",
  "apps/deployment.yaml": DEPLOYMENT.replace("labels: {app.kubernetes.io/name: web}", "labels: {app.kubernetes.io/name: web, team: shop}"),
  "apps/policy.yaml": REQUIRE_TEAM,
};

afterEach(disposeAll);

const verify = (change: (repo: TempRepo) => void, files = FILES) => verifyChange(files, change);

const findings = (report: RunReport): Finding[] => report.environments.flatMap((result) => result.findings);
const notNotices = (report: RunReport) => findings(report).filter((finding) => finding.severity !== "notice");

describe("verify: policies", () => {
  it("a privileged container is a new built-in violation: an error at the line that sets it", async () => {
    const { code, report } = await verify((repo) =>
      repo.write({ "apps/deployment.yaml": FILES["apps/deployment.yaml"]! + "        securityContext:\n          privileged: true\n" }),
    );
    expect(code).toBe(1);
    const errors = notNotices(report).filter((finding) => finding.severity === "error");
    expect(errors).toMatchObject([
      { ruleId: "GV-SEC-002", object: { kind: "Deployment", name: "web" }, path: "spec.template.spec.containers[0].securityContext.privileged", location: { file: "apps/deployment.yaml", line: 18 } },
    ]);
    // the violations the base already had are counted, not listed
    expect(findings(report).find((finding) => finding.ruleId === "policy-existing")?.message).toMatch(/^\d+ policy violations? already at the base revision/);
  });

  it("a Kyverno policy the environment renders is enforced on its other objects", async () => {
    const { code, report } = await verify((repo) => repo.write({ "apps/deployment.yaml": DEPLOYMENT }));
    expect(code).toBe(1);
    const violation = findings(report).find((finding) => finding.ruleId === "kyverno:require-team-label/team-label");
    expect(violation).toMatchObject({ severity: "error", object: { kind: "Deployment", name: "web" } });
    expect(violation!.message).toMatch(/the label team is required/);
  });

  it("a waiver annotation with a reason turns the violation into a notice that says why", async () => {
    const waived = DEPLOYMENT.replace(
      "  labels: {app.kubernetes.io/name: web}",
      '  labels: {app.kubernetes.io/name: web}\n  annotations:\n    gitops-verify.io/ignore: "require-team-label"\n    gitops-verify.io/ignore-reason: "legacy app, ticket OPS-12"',
    );
    const { code, report } = await verify((repo) => repo.write({ "apps/deployment.yaml": waived }));
    expect(code).toBe(0);
    expect(findings(report).find((finding) => finding.ruleId === "kyverno:require-team-label/team-label")).toMatchObject({
      severity: "notice",
      message: expect.stringMatching(/^waived \(legacy app, ticket OPS-12\)/),
    });
  });

  it("a violation the change removes is reported as fixed", async () => {
    const broken = { ...FILES, "apps/deployment.yaml": DEPLOYMENT };
    const { code, report } = await verify((repo) => repo.write({ "apps/deployment.yaml": FILES["apps/deployment.yaml"]! }), broken);
    expect(code).toBe(0);
    expect(findings(report).find((finding) => finding.ruleId === "kyverno:require-team-label/team-label")).toMatchObject({
      severity: "notice",
      message: expect.stringMatching(/^fixed by this change: /),
    });
  });

  it("policies.severities switches a built-in check off; policies.enabled: false switches policies off", async () => {
    const privileged = FILES["apps/deployment.yaml"]! + "        securityContext:\n          privileged: true\n";
    const off = await verify((repo) => repo.write({ "apps/deployment.yaml": privileged, ".gitops-verify.yaml": "policies:\n  severities:\n    GV-SEC-002: \"off\"\n" }));
    expect(findings(off.report).some((finding) => finding.ruleId === "GV-SEC-002")).toBe(false);
    const disabled = await verify((repo) => repo.write({ "apps/deployment.yaml": DEPLOYMENT, ".gitops-verify.yaml": "policies:\n  enabled: false\n" }));
    expect(disabled.code).toBe(0);
    expect(findings(disabled.report).filter((finding) => /^(GV-|kyverno:|policy-)/.test(finding.ruleId))).toEqual([]);
  });

  it("an object the base has too is an UPDATE with the base's object as oldObject: an immutable-field policy catches the change", async () => {
    const immutableSelector = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: selector-immutable
spec:
  matchConstraints:
    resourceRules:
    - apiGroups: [apps]
      apiVersions: [v1]
      operations: [UPDATE]
      resources: [deployments]
  validations:
  - expression: "object.spec.selector == oldObject.spec.selector"
    message: "spec.selector cannot change: the API server refuses it"
`;
    const files = { ...FILES, "apps/kustomization.yaml": "namespace: shop\nresources: [deployment.yaml, policy.yaml, immutable.yaml]\n", "apps/immutable.yaml": immutableSelector };
    const changed = FILES["apps/deployment.yaml"]!.replace("matchLabels: {app: web}", "matchLabels: {app: web, tier: front}").replace("labels: {app: web}", "labels: {app: web, tier: front}");
    const { code, report } = await verify((repo) => repo.write({ "apps/deployment.yaml": changed }), files);
    expect(code).toBe(1);
    expect(findings(report).find((finding) => finding.ruleId === "vap:selector-immutable")).toMatchObject({
      severity: "error",
      object: { kind: "Deployment", name: "web" },
      message: expect.stringMatching(/spec.selector cannot change/),
    });
    // a change that keeps the selector passes
    const kept = await verify((repo) => repo.write({ "apps/deployment.yaml": FILES["apps/deployment.yaml"]!.replace("replicas: 1", "replicas: 2") }), files);
    expect(findings(kept.report).some((finding) => finding.ruleId === "vap:selector-immutable")).toBe(false);
  });

  it("a policy that matches CREATE only does not see an update, at head or at base: nothing is new and nothing is fixed", async () => {
    const createOnly = REQUIRE_TEAM.replace("          kinds: [Deployment]", "          kinds: [Deployment]\n          operations: [CREATE]");
    const broken = { ...FILES, "apps/deployment.yaml": DEPLOYMENT, "apps/policy.yaml": createOnly };
    const { code, report } = await verify((repo) => repo.write({ "apps/deployment.yaml": DEPLOYMENT.replace("replicas: 1", "replicas: 2") }), broken);
    expect(code).toBe(0);
    expect(findings(report).filter((finding) => finding.ruleId === "kyverno:require-team-label/team-label")).toEqual([]);
  });

  it("Gatekeeper: a ConstraintTemplate and Constraint the environment renders are enforced; conftest policies in policy/ run on every object", async () => {
    const template = `apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: replicalimits
spec:
  crd:
    spec:
      names:
        kind: ReplicaLimits
  targets:
  - target: admission.k8s.gatekeeper.sh
    rego: |
      package replicalimits

      violation[{"msg": msg}] {
        replicas := input.review.object.spec.replicas
        replicas > input.parameters.max
        msg := sprintf("%v replicas, at most %v", [replicas, input.parameters.max])
      }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: ReplicaLimits
metadata:
  name: at-most-three
spec:
  match:
    kinds:
    - apiGroups: [apps]
      kinds: [Deployment]
  parameters:
    max: 3
`;
    const conftest = `package main
import rego.v1

deny contains msg if {
  input.kind == "Deployment"
  some container in input.spec.template.spec.containers
  endswith(container.image, ":latest")
  msg := sprintf("%s uses a latest tag", [container.name])
}
`;
    const files = { ...FILES, "apps/kustomization.yaml": "namespace: shop\nresources: [deployment.yaml, policy.yaml, gatekeeper.yaml]\n", "apps/gatekeeper.yaml": template, "policy/deployments.rego": conftest };
    const scaled = FILES["apps/deployment.yaml"]!.replace("replicas: 1", "replicas: 5").replace("web:1.0.0", "web:latest");
    const { code, report } = await verify((repo) => repo.write({ "apps/deployment.yaml": scaled }), files);
    expect(code).toBe(1);
    expect(findings(report).find((finding) => finding.ruleId === "gatekeeper:ReplicaLimits/at-most-three")).toMatchObject({
      severity: "error",
      object: { kind: "Deployment", name: "web" },
      message: "ReplicaLimits/at-most-three: 5 replicas, at most 3",
    });
    expect(findings(report).find((finding) => finding.ruleId === "conftest:main/deny")).toMatchObject({ severity: "error", message: "main.deny: web uses a latest tag" });
    // within the limit and pinned: nothing new
    const fine = await verify((repo) => repo.write({ "apps/deployment.yaml": FILES["apps/deployment.yaml"]!.replace("replicas: 1", "replicas: 2") }), files);
    expect(notNotices(fine.report).filter((finding) => /^(gatekeeper|conftest):/.test(finding.ruleId))).toEqual([]);
  });
});
