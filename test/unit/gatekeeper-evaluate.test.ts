// Gatekeeper semantics end to end with the real Rego evaluator: enforcement actions, CREATE and UPDATE reviews,
// data.inventory, namespaceSelector against the environment's Namespaces, templates compiled once, and every kind
// of bad input reported as a problem naming file and line while the rest keeps running.
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import reportSchema from "../../schemas/validate.v1.json" with { type: "json" };
import type { Manifest } from "../../src/model.ts";
import type { Files } from "../../src/ports.ts";
import { findGatekeeperPolicies } from "../../src/policy/gatekeeper/documents.ts";
import { evaluateGatekeeper, type GatekeeperOptions } from "../../src/policy/gatekeeper/evaluate.ts";
import { gatorTest } from "../../src/policy/gatekeeper/gator.ts";
import { TemplateCache } from "../../src/policy/gatekeeper/template.ts";
import { parseManifests } from "../../src/render/manifests.ts";
import { SourceLocator } from "../../src/schema/locate.ts";
import { parseYaml } from "../../src/util/yaml.ts";

function fromYaml(text: string, file: string): Manifest[] {
  return parseManifests(text, file).map((manifest) => ({ ...manifest, source: { file, line: manifest.rendered.line } }));
}

/** A template of the given kind whose Rego (v0 unless the code engine says otherwise) is indented into place. */
function template(kind: string, rego: string, extra = ""): string {
  return `apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: ${kind.toLowerCase()}
spec:
  crd:
    spec:
      names:
        kind: ${kind}
  targets:
    - target: admission.k8s.gatekeeper.sh
${extra}      rego: |
${rego
  .trim()
  .split("\n")
  .map((line) => `        ${line}`)
  .join("\n")}
`;
}

function constraint(kind: string, name: string, spec = "  match:\n    kinds: [{apiGroups: ['*'], kinds: ['*']}]\n"): string {
  return `apiVersion: constraints.gatekeeper.sh/v1beta1
kind: ${kind}
metadata:
  name: ${name}
spec:
${spec}`;
}

const NAME_NOT_BAD = template(
  "K8sNoBadName",
  `package k8snobadname
violation[{"msg": msg, "details": {"name": name}}] {
  name := input.review.object.metadata.name
  startswith(name, "bad")
  msg := sprintf("%v %v is a bad name", [input.review.kind.kind, name])
}`,
);
const configMap = (name: string, namespace = "shop", extra = "") => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${namespace}
${extra}`;

function run(policies: string, objects: string, options: GatekeeperOptions = {}) {
  const set = findGatekeeperPolicies(fromYaml(policies, "policies/gatekeeper.yaml"));
  return evaluateGatekeeper(set, fromYaml(objects, "apps/objects.yaml"), options);
}

const summary = (outcome: ReturnType<typeof run>) => outcome.results.map((r) => `${r.manifest.id.name} ${r.policy}/${r.rule} ${r.result}${r.message ? `: ${r.message}` : ""}`);

describe("enforcement actions", () => {
  it.each([
    { action: "deny", severity: "error", result: "fail" },
    { action: "warn", severity: "warning", result: "warn" },
    { action: "dryrun", severity: "notice", result: "warn" },
  ])("$action: a $severity finding, a $result result", ({ action, severity, result }) => {
    const outcome = run(`${NAME_NOT_BAD}---\n${constraint("K8sNoBadName", "no-bad", `  enforcementAction: ${action}\n`)}`, `${configMap("bad-one")}---\n${configMap("good")}`);
    expect(summary(outcome)).toEqual([`bad-one k8snobadname/no-bad ${result}: ConfigMap bad-one is a bad name`, "good k8snobadname/no-bad pass"]);
    expect(outcome.results[0]).toMatchObject({ engine: "gatekeeper", enforcementAction: action, details: { name: "bad-one" } });
    expect(outcome.findings).toEqual([
      {
        ruleId: "gatekeeper:K8sNoBadName/no-bad",
        severity,
        message: `K8sNoBadName/no-bad${action === "dryrun" ? " (dryrun)" : ""}: ConfigMap bad-one is a bad name`,
        object: { group: "", version: "v1", kind: "ConfigMap", namespace: "shop", name: "bad-one" },
        location: { file: "apps/objects.yaml", line: 1 },
      },
    ]);
  });
});

describe("input.review and data.inventory", () => {
  const REPLICAS = template(
    "K8sFixedReplicas",
    `package k8sfixedreplicas
violation[{"msg": msg}] {
  input.review.operation == "UPDATE"
  old := input.review.oldObject.spec.replicas
  new := input.review.object.spec.replicas
  old != new
  msg := sprintf("replicas changed from %v to %v by %v", [old, new, input.review.userInfo.username])
}`,
  );
  const deployment = (name: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: shop
spec:
  replicas: ${replicas}
`;

  it("an object of the base rendering is an UPDATE with oldObject; a new one a CREATE", () => {
    const baseObjects = fromYaml(deployment("web", 2), "base.yaml");
    const outcome = run(`${REPLICAS}---\n${constraint("K8sFixedReplicas", "fixed")}`, `${deployment("web", 3)}---\n${deployment("api", 3)}`, { baseObjects });
    expect(summary(outcome)).toEqual(["web k8sfixedreplicas/fixed fail: replicas changed from 2 to 3 by gitops-verify", "api k8sfixedreplicas/fixed pass"]);
  });

  it("data.inventory holds the environment's objects by namespace, groupVersion, kind and name", () => {
    const UNIQUE_HOST = template(
      "K8sUniqueHost",
      `package k8suniquehost
violation[{"msg": msg}] {
  host := input.review.object.spec.rules[_].host
  other := data.inventory.namespace[ns][apiversion]["Ingress"][name]
  re_match("^(extensions|networking.k8s.io)/.+$", apiversion)
  other.spec.rules[_].host == host
  not identical(other, input.review)
  msg := sprintf("host %v is used by %v/%v too", [host, ns, name])
}
identical(obj, review) {
  obj.metadata.namespace == review.namespace
  obj.metadata.name == review.name
}`,
    );
    const ingress = (name: string, namespace: string, host: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  rules:
  - host: ${host}
`;
    const outcome = run(`${UNIQUE_HOST}---\n${constraint("K8sUniqueHost", "unique-host")}`, [ingress("a", "shop", "shop.example.com"), ingress("b", "ads", "shop.example.com"), ingress("c", "ads", "ads.example.com")].join("---\n"));
    expect(summary(outcome)).toEqual([
      "a k8suniquehost/unique-host fail: host shop.example.com is used by ads/b too",
      "b k8suniquehost/unique-host fail: host shop.example.com is used by shop/a too",
      "c k8suniquehost/unique-host pass",
    ]);
  });

  it("cluster-scoped objects are under data.inventory.cluster[groupVersion][kind]", () => {
    const CLUSTER = template(
      "K8sKnownClass",
      `package k8sknownclass
violation[{"msg": msg}] {
  class := input.review.object.spec.storageClassName
  not data.inventory.cluster["storage.k8s.io/v1"].StorageClass[class]
  msg := sprintf("no StorageClass %v", [class])
}`,
    );
    const objects = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: x
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ok, namespace: shop}
spec: {storageClassName: fast}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: missing, namespace: shop}
spec: {storageClassName: slow}
`;
    const outcome = run(`${CLUSTER}---\n${constraint("K8sKnownClass", "known", "  match:\n    kinds: [{apiGroups: [''], kinds: [PersistentVolumeClaim]}]\n")}`, objects);
    expect(summary(outcome)).toEqual(["ok k8sknownclass/known pass", "missing k8sknownclass/known fail: no StorageClass slow"]);
  });

  it("parameters reach input.parameters; a constraint without them has none", () => {
    const PARAMS = template(
      "K8sParams",
      `package k8sparams
violation[{"msg": msg}] {
  not input.parameters
  msg := "no parameters"
}
violation[{"msg": msg}] {
  msg := sprintf("prefix %v", [input.parameters.prefix])
}`,
    );
    const outcome = run(`${PARAMS}---\n${constraint("K8sParams", "with", "  parameters: {prefix: x}\n")}---\n${constraint("K8sParams", "without", "")}`, configMap("a"));
    expect(summary(outcome)).toEqual(["a k8sparams/with fail: prefix x", "a k8sparams/without fail: no parameters"]);
  });
});

describe("match against the environment", () => {
  const BY_TEAM = constraint("K8sNoBadName", "shop-only", "  match:\n    kinds: [{apiGroups: [''], kinds: [ConfigMap]}]\n    namespaceSelector:\n      matchLabels: {team: shop}\n");
  const ns = (name: string, labels: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels: ${labels}\n`;

  it("namespaceSelector reads the labels of the environment's Namespace objects", () => {
    const outcome = run(`${NAME_NOT_BAD}---\n${BY_TEAM}`, [ns("shop", "{team: shop}"), ns("ads", "{team: ads}"), configMap("bad-1", "shop"), configMap("bad-2", "ads")].join("---\n"));
    expect(summary(outcome)).toEqual(["bad-1 k8snobadname/shop-only fail: ConfigMap bad-1 is a bad name"]);
  });

  it("Namespaces given by the caller serve too; an unknown one has only its name label", () => {
    const namespaces = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", labels: { team: "shop" } } }];
    const outcome = run(`${NAME_NOT_BAD}---\n${BY_TEAM}`, [configMap("bad-1", "shop"), configMap("bad-2", "elsewhere")].join("---\n"), { namespaces });
    expect(summary(outcome)).toEqual(["bad-1 k8snobadname/shop-only fail: ConfigMap bad-1 is a bad name"]);
    const byName = constraint("K8sNoBadName", "by-name", "  match:\n    namespaceSelector:\n      matchLabels: {kubernetes.io/metadata.name: elsewhere}\n");
    expect(summary(run(`${NAME_NOT_BAD}---\n${byName}`, configMap("bad-2", "elsewhere")))).toEqual(["bad-2 k8snobadname/by-name fail: ConfigMap bad-2 is a bad name"]);
  });

  it("namespaces Gatekeeper's Config excludes from the webhook are not reviewed", () => {
    const config = `apiVersion: config.gatekeeper.sh/v1alpha1
kind: Config
metadata:
  name: config
  namespace: gatekeeper-system
spec:
  match:
    - excludedNamespaces: ["kube-*"]
      processes: ["*"]
    - excludedNamespaces: ["audit-only"]
      processes: ["audit"]
    - excludedNamespaces: ["legacy"]
      processes: ["webhook"]
`;
    const objects = [configMap("bad-1", "kube-system"), configMap("bad-2", "audit-only"), configMap("bad-3", "legacy"), configMap("bad-4", "shop")].join("---\n");
    const outcome = run(`${NAME_NOT_BAD}---\n${constraint("K8sNoBadName", "no-bad")}---\n${config}`, objects);
    expect(summary(outcome).map((line) => line.split(" ")[0])).toEqual(["bad-2", "bad-4"]);
  });

  it("namespaces labelled admission.gatekeeper.sh/ignore (Gatekeeper's exempt ones) are not reviewed", () => {
    const objects = [ns("gatekeeper-system", "{admission.gatekeeper.sh/ignore: no-self-managing}"), configMap("bad-1", "gatekeeper-system"), configMap("bad-2", "shop")].join("---\n");
    const outcome = run(`${NAME_NOT_BAD}---\n${constraint("K8sNoBadName", "no-bad")}`, objects);
    expect(summary(outcome).map((line) => line.split(" ")[0])).toEqual(["bad-2"]);
  });

  it("Gatekeeper's own objects are not reviewed", () => {
    const outcome = run(`${NAME_NOT_BAD}---\n${constraint("K8sNoBadName", "bad-constraint")}`, configMap("good"));
    expect(summary(outcome)).toEqual(["good k8snobadname/bad-constraint pass"]);
  });
});

describe("templates", () => {
  it("compile once: the same template in another environment (or document) reuses the program", () => {
    const cache = new TemplateCache();
    const first = findGatekeeperPolicies(fromYaml(NAME_NOT_BAD, "a.yaml")).templates[0]!;
    const second = findGatekeeperPolicies(fromYaml(NAME_NOT_BAD, "b.yaml")).templates[0]!;
    const compiled = cache.get(first);
    expect(compiled.program).toBeDefined();
    expect(cache.get(second).program).toBe(compiled.program);
    expect(cache.get(second).document).toBe(second);
  });

  it("Rego v1 through code[].engine Rego with version v1; CEL engines beside it are ignored", () => {
    const V1 = `apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8sv1
spec:
  crd:
    spec:
      names:
        kind: K8sV1
  targets:
    - target: admission.k8s.gatekeeper.sh
      code:
        - engine: K8sNativeValidation
          source:
            validations:
              - expression: "false"
                message: "CEL says no"
        - engine: Rego
          source:
            version: v1
            rego: |
              package k8sv1
              violation contains {"msg": msg} if {
                some key, value in input.review.object.data
                value == ""
                msg := sprintf("data.%s is empty", [key])
              }
`;
    const outcome = run(`${V1}---\n${constraint("K8sV1", "v1")}`, configMap("a", "shop", "data: {x: '', y: 'set'}\n"));
    expect(summary(outcome)).toEqual(["a k8sv1/v1 fail: data.x is empty"]);
    expect(outcome.findings.filter((f) => f.ruleId.startsWith("policy-"))).toEqual([]);
  });

  it("the rego field is Rego v0, where `import rego.v1` (as newer library templates have) turns v1 on", () => {
    const V1_IMPORT = template(
      "K8sNoTty",
      `package k8snotty

import rego.v1

violation contains {"msg": msg, "details": {}} if {
  some type in ["containers", "initContainers"]
  some container in input.review.object.spec[type]
  container.tty == true
  msg := sprintf("Containers using tty (%v) are not allowed", [container.name])
}`,
    );
    const pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  containers: [{name: a, image: x, tty: true}, {name: b, image: x}]\n";
    expect(summary(run(`${V1_IMPORT}---\n${constraint("K8sNoTty", "no-tty")}`, pod))).toEqual(["p k8snotty/no-tty fail: Containers using tty (a) are not allowed"]);
  });

  const celTemplate = (kind: string, code: string) => `apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: ${kind.toLowerCase()}
spec:
  crd:
    spec:
      names:
        kind: ${kind}
  targets:
    - target: admission.k8s.gatekeeper.sh
      code:
${code}`;

  it("a CEL-only template (K8sNativeValidation) is evaluated with variables.params and variables.anyObject", () => {
    const CEL = celTemplate(
      "K8sCelLabels",
      `        - engine: K8sNativeValidation
          source:
            variables:
              - name: labels
                expression: 'has(variables.anyObject.metadata.labels) ? variables.anyObject.metadata.labels : {}'
            validations:
              - expression: 'variables.params.labels.all(l, l in variables.labels)'
                messageExpression: '"missing required labels: " + variables.params.labels.filter(l, !(l in variables.labels)).join(", ")'
              - expression: 'params.metadata.name != "" && object.kind == "ConfigMap"'
                message: "only ConfigMaps"
`,
    );
    const objects = [configMap("labelled", "shop", "  labels: {team: shop, tier: web}\n"), configMap("bare"), "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: shop, labels: {team: a, tier: b}}\n"].join("---\n");
    const outcome = run(`${CEL}---\n${constraint("K8sCelLabels", "cel", "  parameters:\n    labels: [team, tier]\n")}`, objects);
    expect(summary(outcome)).toEqual(["labelled k8scellabels/cel pass", "bare k8scellabels/cel fail: missing required labels: team, tier", "s k8scellabels/cel fail: only ConfigMaps"]);
    expect(outcome.findings.filter((f) => f.ruleId.startsWith("policy-"))).toEqual([]);
  });

  it("a CEL source that does not compile is a problem naming its path", () => {
    const CEL = celTemplate("K8sCelBroken", "        - engine: K8sNativeValidation\n          source:\n            validations:\n              - expression: 'object.metadata.name =='\n");
    const outcome = run(`${CEL}---\n${constraint("K8sCelBroken", "cel")}`, configMap("a"));
    expect(summary(outcome)).toEqual([]);
    expect(outcome.findings).toEqual([expect.objectContaining({ ruleId: "policy-invalid", message: expect.stringMatching(/^ConstraintTemplate k8scelbroken: validations\[0\]\.expression: /) })]);
  });

  it("a CEL validation erroring at runtime: an error result, a problem at the template", () => {
    const CEL = celTemplate("K8sCelError", "        - engine: K8sNativeValidation\n          source:\n            validations:\n              - expression: 'object.spec.missing == 1'\n");
    const outcome = run(`${CEL}---\n${constraint("K8sCelError", "cel")}`, configMap("a"));
    expect(outcome.results.map((r) => r.result)).toEqual(["error"]);
    expect(outcome.findings).toEqual([expect.objectContaining({ ruleId: "policy-invalid", message: expect.stringMatching(/^ConstraintTemplate k8scelerror: evaluating K8sNativeValidation: validations\[0\]\.expression: /) })]);
  });

  it("a template with only an engine we do not know: a notice, and its constraints' objects are skipped", () => {
    const OTHER = celTemplate("K8sOther", "        - engine: SomethingElse\n          source: {}\n");
    const outcome = run(`${OTHER}---\n${constraint("K8sOther", "other")}`, configMap("a"));
    expect(summary(outcome)).toEqual(["a k8sother/other skip: ConstraintTemplate k8sother is not evaluated (no Rego, no K8sNativeValidation)"]);
    expect(outcome.findings.map((f) => [f.ruleId, f.severity, f.message])).toEqual([
      ["policy-not-evaluated", "notice", "ConstraintTemplate k8sother: uses SomethingElse only: not evaluated (Rego and K8sNativeValidation are)"],
      ["policy-not-evaluated", "notice", "K8sOther other: not evaluated: its ConstraintTemplate k8sother has neither Rego nor K8sNativeValidation"],
    ]);
  });
});

describe("ExpansionTemplates: constraints on Pods see the Pods a workload implies", () => {
  const PRIVILEGED = template(
    "K8sNoPrivileged",
    `package k8snoprivileged
violation[{"msg": msg}] {
  c := input.review.object.spec.containers[_]
  c.securityContext.privileged
  msg := sprintf("%v %v: container %v is privileged (labels %v)", [input.review.kind.kind, input.review.object.metadata.name, c.name, input.review.object.metadata.labels])
}`,
  );
  const ON_PODS = constraint("K8sNoPrivileged", "no-privileged", "  match:\n    kinds: [{apiGroups: [''], kinds: [Pod]}]\n    labelSelector: {matchLabels: {app: web}}\n");
  const expansion = (extra = "") => `apiVersion: expansion.gatekeeper.sh/v1beta1
kind: ExpansionTemplate
metadata:
  name: expand-deployments
spec:
  applyTo:
    - groups: ["apps"]
      kinds: ["DaemonSet", "Deployment", "StatefulSet"]
      versions: ["v1"]
  templateSource: "spec.template"
  generatedGVK:
    kind: "Pod"
    group: ""
    version: "v1"
${extra}`;
  const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx
        securityContext: {privileged: true}
`;

  it("the implied Pod is reviewed; the violation is reported on the Deployment, marked", () => {
    const outcome = run([PRIVILEGED, ON_PODS, expansion()].join("---\n"), DEPLOYMENT);
    expect(summary(outcome)).toEqual(['web k8snoprivileged/no-privileged fail: [Implied by expand-deployments] Pod web-pod: container nginx is privileged (labels {"app": "web"})']);
    expect(outcome.findings).toEqual([expect.objectContaining({ severity: "error", object: expect.objectContaining({ kind: "Deployment", name: "web" }), message: expect.stringContaining("[Implied by expand-deployments] Pod web-pod") })]);
  });

  it("the template's enforcementAction overrides the constraint's", () => {
    const outcome = run([PRIVILEGED, ON_PODS, expansion('  enforcementAction: "warn"\n')].join("---\n"), DEPLOYMENT);
    expect(outcome.results.map((r) => [r.result, r.enforcementAction])).toEqual([["warn", "warn"]]);
    expect(outcome.findings.map((f) => f.severity)).toEqual(["warning"]);
  });

  it("the Pods of a workload the base already had are still new ones: CREATE", () => {
    const OPERATION = template("K8sOperation", 'package k8soperation\nviolation[{"msg": msg}] {\n  msg := sprintf("%v %v", [input.review.operation, input.review.kind.kind])\n}');
    const everything = constraint("K8sOperation", "operation");
    const outcome = run([OPERATION, everything, expansion()].join("---\n"), DEPLOYMENT, { baseObjects: fromYaml(DEPLOYMENT, "base.yaml") });
    expect(outcome.results.map((r) => r.message)).toEqual(["UPDATE Deployment", "[Implied by expand-deployments] CREATE Pod"]);
  });

  it("match.source: Original leaves the implied Pods out", () => {
    const original = ON_PODS.replace("  match:\n", "  match:\n    source: Original\n");
    expect(summary(run([PRIVILEGED, original, expansion()].join("---\n"), DEPLOYMENT))).toEqual([]);
  });

  it("without an ExpansionTemplate a constraint on Pods does not see Deployments", () => {
    expect(summary(run([PRIVILEGED, ON_PODS].join("---\n"), DEPLOYMENT))).toEqual([]);
  });

  it("a workload without the template source is a problem of the ExpansionTemplate", () => {
    const outcome = run([PRIVILEGED, ON_PODS, expansion().replace("spec.template", "spec.podTemplate")].join("---\n"), DEPLOYMENT);
    expect(outcome.findings).toEqual([expect.objectContaining({ ruleId: "policy-invalid", message: 'ExpansionTemplate expand-deployments: could not find source field "spec.podTemplate" in Deployment web' })]);
  });
});

describe("bad input: a problem naming file and line, the rest keeps running", () => {
  const BROKEN = template(
    "K8sBroken",
    `package k8sbroken
violation[{"msg": msg}] {
  msg := "unterminated
}`,
  );
  const CONFLICT = template(
    "K8sConflict",
    `package k8sconflict
level = "a" { true }
level = "b" { true }
violation[{"msg": level}] { true }`,
  );
  const NO_REGO = `apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8snorego
spec:
  crd:
    spec:
      names:
        kind: K8sNoRego
  targets:
    - target: admission.k8s.gatekeeper.sh
`;
  const NO_VIOLATION = template("K8sNoViolation", "package k8snoviolation\ndeny[msg] { msg := \"x\" }");
  const policies = [
    NAME_NOT_BAD,
    constraint("K8sNoBadName", "still-runs"),
    BROKEN,
    constraint("K8sBroken", "broken"),
    CONFLICT,
    constraint("K8sConflict", "conflict"),
    NO_REGO,
    constraint("K8sNoRego", "no-rego"),
    NO_VIOLATION,
    constraint("K8sUnknown", "unknown"),
    constraint("K8sNoBadName", "bad-action", "  enforcementAction: block\n"),
    constraint("K8sNoBadName", "bad-selector", "  match:\n    labelSelector:\n      matchExpressions: [{key: a, operator: Like}]\n"),
  ].join("---\n");

  async function outcome() {
    const file = "policies/gatekeeper.yaml";
    const locator = new SourceLocator("/repo", { readText: () => Promise.reject(new Error("no files here")) } as unknown as Files);
    locator.seed(file, parseYaml(policies, file));
    const manifests = fromYaml(policies, file);
    const locate = await locator.prepare(manifests);
    return evaluateGatekeeper(findGatekeeperPolicies(manifests), fromYaml(`${configMap("bad-1")}---\n${configMap("good")}`, "apps/objects.yaml"), { locate, environment: "prod" });
  }
  const lineOf = (text: string) => policies.split("\n").indexOf(text) + 1;

  it("the good constraint still runs on every object", async () => {
    const result = await outcome();
    expect(summary(result).filter((line) => line.includes("still-runs"))).toEqual(["bad-1 k8snobadname/still-runs fail: ConfigMap bad-1 is a bad name", "good k8snobadname/still-runs pass"]);
  });

  it("a Rego parse error: the template's file, and the line in it", async () => {
    const result = await outcome();
    const problem = result.findings.find((f) => f.message.startsWith("ConstraintTemplate k8sbroken"))!;
    expect(problem).toMatchObject({ ruleId: "policy-invalid", severity: "error", environment: "prod", location: { file: "policies/gatekeeper.yaml", line: lineOf('          msg := "unterminated') } });
    expect(problem.message).toMatch(/^ConstraintTemplate k8sbroken: spec\.targets\.0\.rego line 3, column \d+: rego_parse_error: /);
  });

  it("a rule erroring at runtime: an error result per object, one problem at the template's Rego line", async () => {
    const result = await outcome();
    expect(result.results.filter((r) => r.rule === "conflict").map((r) => r.result)).toEqual(["error", "error"]);
    const problems = result.findings.filter((f) => f.message.startsWith("ConstraintTemplate k8sconflict"));
    expect(problems).toHaveLength(1);
    const regoLines = ['        level = "a" { true }', '        level = "b" { true }', '        violation[{"msg": level}] { true }'].map(lineOf);
    expect(problems[0]).toMatchObject({ ruleId: "policy-invalid", severity: "error", location: { file: "policies/gatekeeper.yaml", line: expect.toBeOneOf(regoLines) } });
    expect(problems[0]!.message).toMatch(/^ConstraintTemplate k8sconflict: evaluating: spec\.targets\.0\.rego line \d+, column \d+: .*conflict/i);
  });

  it.each([
    { name: "a template without rego", start: "ConstraintTemplate k8snorego", message: /has no Rego/ },
    { name: "a template without a violation rule", start: "ConstraintTemplate k8snoviolation", message: /package k8snoviolation has no violation rule/ },
    { name: "a constraint for an unknown template kind", start: "K8sUnknown unknown", message: /no ConstraintTemplate defines the kind K8sUnknown/ },
    { name: "an unknown enforcement action", start: "K8sNoBadName bad-action", message: /spec\.enforcementAction "block"/ },
    { name: "an invalid label selector", start: "K8sNoBadName bad-selector", message: /spec\.match: labelSelector: matchExpressions\[0\]\.operator/ },
  ])("$name", async ({ start, message }) => {
    const result = await outcome();
    const problems = result.findings.filter((f) => f.message.startsWith(start));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ ruleId: "policy-invalid", severity: "error", location: { file: "policies/gatekeeper.yaml", line: expect.any(Number) } });
    expect(problems[0]!.message).toMatch(message);
  });

  it("a template whose name is not its kind in lower case", () => {
    const misnamed = NAME_NOT_BAD.replace("name: k8snobadname", "name: no-bad-name");
    const result = run(`${misnamed}---\n${constraint("K8sNoBadName", "x")}`, configMap("bad"));
    expect(result.findings.find((f) => f.ruleId === "policy-invalid")!.message).toMatch(/metadata\.name must be the constraint kind in lower case \(k8snobadname\)/);
    expect(summary(result)).toEqual(["bad no-bad-name/x fail: ConfigMap bad is a bad name"]);
  });

  it("two templates of one kind: the first is used, the second is a problem", () => {
    const result = run(`${NAME_NOT_BAD}---\n${NAME_NOT_BAD}---\n${constraint("K8sNoBadName", "x")}`, configMap("bad"));
    expect(result.findings.filter((f) => f.ruleId === "policy-invalid").map((f) => f.message)).toEqual([expect.stringMatching(/kind K8sNoBadName is defined by another ConstraintTemplate too/)]);
    expect(summary(result)).toEqual(["bad k8snobadname/x fail: ConfigMap bad is a bad name"]);
  });
});

describe("gator test over plain manifests (validate)", () => {
  it("finds the templates and constraints among the files and lists every result as policyResults", () => {
    const manifests = fromYaml(`${NAME_NOT_BAD}---\n${constraint("K8sNoBadName", "no-bad")}---\n${configMap("bad-1")}---\n${configMap("good")}`, "all.yaml");
    const outcome = gatorTest(manifests);
    expect(outcome.evaluated).toBe(true);
    expect(outcome.verdicts).toEqual([
      { policy: "k8snobadname", rule: "no-bad", kind: "ConfigMap", namespace: "shop", name: "bad-1", file: "all.yaml", line: expect.any(Number), result: "fail", message: "ConfigMap bad-1 is a bad name" },
      { policy: "k8snobadname", rule: "no-bad", kind: "ConfigMap", namespace: "shop", name: "good", file: "all.yaml", line: expect.any(Number), result: "pass", message: "" },
    ]);
    const ajv = new Ajv({ strict: false });
    ajv.addSchema(reportSchema);
    const validate = ajv.getSchema(`${reportSchema.$id}#/definitions/policyResult`)!;
    for (const verdict of outcome.verdicts) expect(validate(verdict), JSON.stringify(validate.errors)).toBe(true);
  });

  it("policies from further files (--policy) apply to the objects", () => {
    const policies = fromYaml(`${NAME_NOT_BAD}---\n${constraint("K8sNoBadName", "no-bad")}`, "policies.yaml");
    expect(gatorTest(fromYaml(configMap("bad-1"), "objects.yaml"), { policies }).verdicts.map((v) => v.result)).toEqual(["fail"]);
  });

  it("no Gatekeeper objects: nothing evaluated", () => {
    expect(gatorTest(fromYaml(configMap("bad-1"), "objects.yaml"))).toMatchObject({ evaluated: false, results: [], verdicts: [] });
  });
});
