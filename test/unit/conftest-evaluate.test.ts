// conftest semantics end to end with the real Rego evaluator: Kubernetes policies written in the style of conftest's
// examples (our own, Rego v1, test/fixtures/rego/conftest), prefixed rules, object messages, exceptions, namespaces, data files, and bad
// policies reported with file and line while the others keep running.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Manifest } from "../../src/model.ts";
import type { PolicyFile } from "../../src/policy/conftest/data.ts";
import { evaluateConftest, type ConftestOptions } from "../../src/policy/conftest/evaluate.ts";
import { loadConftestPolicy, type ConftestLoadOptions } from "../../src/policy/conftest/load.ts";
import { conftestTest } from "../../src/policy/conftest/run.ts";
import { parseManifests } from "../../src/render/manifests.ts";

const EXAMPLES = path.resolve(import.meta.dirname, "../fixtures/rego/conftest/policy");

function fromYaml(text: string, file = "apps/objects.yaml"): Manifest[] {
  return parseManifests(text, file).map((manifest) => ({ ...manifest, source: { file, line: manifest.rendered.line } }));
}

function policyFiles(files: Record<string, string>, root = "policy"): PolicyFile[] {
  return Object.entries(files).map(([name, text]) => ({ root, file: `${root}/${name}`, text }));
}

function run(files: PolicyFile[], objects: string, options: ConftestOptions = {}, load: ConftestLoadOptions = {}) {
  const loaded = loadConftestPolicy(files, load);
  const outcome = loaded.policy ? evaluateConftest(loaded.policy, fromYaml(objects), options) : { results: [], findings: [] };
  return { loaded, outcome, summary: outcome.results.map((r) => `${r.manifest.id.name} ${r.policy}.${r.rule} ${r.result}${r.message ? `: ${r.message}` : ""}`) };
}

describe("Kubernetes policies in the style of conftest's examples", () => {
  // each policy on its own beside the library it imports: all of them are package main, so loaded together
  // their deny rules would merge and a case would see the others' messages
  const example = (name: string) => ["kubernetes.rego", name].map((file) => ({ root: "policy", file: `policy/${file}`, text: readFileSync(path.join(EXAMPLES, file), "utf8") }));
  const deployment = (labels: string, securityContext: string, selector: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello-kubernetes
  labels: ${labels}
spec:
  replicas: 3
  selector:
    matchLabels: ${selector}
  template:
    metadata:
      labels: {app: hello-kubernetes}
    spec:
      securityContext: ${securityContext}
      containers:
      - name: hello-kubernetes
        image: paulbouwer/hello-kubernetes:1.5
`;
  const RECOMMENDED = "{app.kubernetes.io/name: hello, app.kubernetes.io/instance: a, app.kubernetes.io/version: '1.5', app.kubernetes.io/component: web, app.kubernetes.io/part-of: demo, app.kubernetes.io/managed-by: flux}";
  const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: hello-kubernetes
spec:
  type: LoadBalancer
  ports:
  - port: 80
    targetPort: 8080
  selector:
    app: hello-kubernetes
`;
  const EXAMPLE_DEPLOYMENT = deployment("{}", "{}", "{app: hello-kubernetes}");
  const GOOD_DEPLOYMENT = deployment(RECOMMENDED, "{runAsNonRoot: true}", "{app: hello-kubernetes, release: stable}");

  it.each([
    {
      name: "deny.rego: the example deployment runs as root without a release selector",
      policy: "deny.rego",
      objects: EXAMPLE_DEPLOYMENT,
      expected: [
        "hello-kubernetes main.deny fail: Deployment hello-kubernetes: the pod template must set securityContext.runAsNonRoot",
        "hello-kubernetes main.deny fail: Deployment hello-kubernetes: spec.selector.matchLabels needs app and release, missing release",
      ],
    },
    { name: "deny.rego: a deployment that follows it", policy: "deny.rego", objects: GOOD_DEPLOYMENT, expected: ["hello-kubernetes main.deny pass"] },
    { name: "deny.rego: a Service is not a deployment", policy: "deny.rego", objects: SERVICE, expected: ["hello-kubernetes main.deny pass"] },
    {
      name: "labels.rego: the recommended labels are missing",
      policy: "labels.rego",
      objects: EXAMPLE_DEPLOYMENT,
      expected: ["hello-kubernetes main.deny fail: Deployment hello-kubernetes lacks recommended labels (https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/): app.kubernetes.io/component, app.kubernetes.io/instance, app.kubernetes.io/managed-by, app.kubernetes.io/name, app.kubernetes.io/part-of, app.kubernetes.io/version"],
    },
    { name: "labels.rego: all of them are there", policy: "labels.rego", objects: GOOD_DEPLOYMENT, expected: ["hello-kubernetes main.deny pass"] },
    { name: "warn.rego: a Service is warned about", policy: "warn.rego", objects: SERVICE, expected: ["hello-kubernetes main.warn warn: Service hello-kubernetes: Services are not allowed here"] },
    { name: "warn.rego: a deployment is not", policy: "warn.rego", objects: GOOD_DEPLOYMENT, expected: ["hello-kubernetes main.warn pass"] },
  ])("$name", ({ policy, objects, expected }) => {
    const { loaded, outcome, summary } = run(example(policy), objects);
    expect(loaded.findings).toEqual([]);
    expect(summary.sort()).toEqual(expected.sort());
    expect(outcome.findings.filter((f) => f.severity === "error")).toHaveLength(expected.filter((line) => line.includes(" fail: ")).length);
    expect(outcome.findings.filter((f) => f.severity === "warning")).toHaveLength(expected.filter((line) => line.includes(" warn: ")).length);
  });

  it("findings name the rule, the object and where it was written", () => {
    const { outcome } = run(example("warn.rego"), SERVICE);
    expect(outcome.findings).toEqual([
      {
        ruleId: "conftest:main/warn",
        severity: "warning",
        message: "main.warn: Service hello-kubernetes: Services are not allowed here",
        object: { group: "", version: "v1", kind: "Service", namespace: "", name: "hello-kubernetes" },
        location: { file: "apps/objects.yaml", line: 1 },
      },
    ]);
  });
});

const CONFIGMAP = (name: string, data = "{}") => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: shop
data: ${data}
`;

describe("rules, messages and exceptions", () => {
  const POLICY = `package main

deny_empty_value contains {"msg": msg, "key": key} if {
  some key, value in input.data
  value == ""
  msg := sprintf("data.%s is empty", [key])
}

violation_name contains msg if {
  startswith(input.metadata.name, "tmp-")
  msg := "temporary names are not allowed"
}

warn_big contains msg if {
  count(input.data) > 2
  msg := sprintf("%d keys", [count(input.data)])
}

# not a check rule: never reported
denied contains "x" if true

exception contains rules if {
  input.metadata.labels.legacy == "true"
  rules := ["empty_value"]
}
`;
  it.each([
    {
      name: "object results keep their other fields",
      objects: CONFIGMAP("a", "{x: '', y: set}"),
      expected: ["a main.deny_empty_value fail: data.x is empty", "a main.violation_name pass", "a main.warn_big pass"],
    },
    { name: "a violation_ rule fails", objects: CONFIGMAP("tmp-a"), expected: ["tmp-a main.deny_empty_value pass", "tmp-a main.violation_name fail: temporary names are not allowed", "tmp-a main.warn_big pass"] },
    { name: "a warn_ rule warns", objects: CONFIGMAP("b", "{x: '1', y: '2', z: '3'}"), expected: ["b main.deny_empty_value pass", "b main.violation_name pass", "b main.warn_big warn: 3 keys"] },
    {
      name: "an exception names the rule without its prefix: skipped",
      objects: CONFIGMAP("c", "{x: ''}").replace("namespace: shop", "namespace: shop\n  labels: {legacy: 'true'}"),
      expected: ["c main.deny_empty_value skip: exception for rule empty_value", "c main.violation_name pass", "c main.warn_big pass"],
    },
  ])("$name", ({ objects, expected }) => {
    const { outcome, summary } = run(policyFiles({ "main.rego": POLICY }), objects);
    expect(summary).toEqual(expected);
    const failed = outcome.results.find((r) => r.rule === "deny_empty_value" && r.result === "fail");
    if (failed) expect(failed.details).toEqual({ key: "x" });
  });

  it("namespaces: main by default, a list, or all packages", () => {
    const files = policyFiles({
      "main.rego": 'package main\ndeny contains "main says no" if true\n',
      "k8s.rego": 'package k8s.security\ndeny contains "security says no" if true\n',
      "lib.rego": "package lib.util\nhelper := 1\n",
    });
    expect(run(files, CONFIGMAP("a")).summary).toEqual(["a main.deny fail: main says no"]);
    expect(run(files, CONFIGMAP("a"), { namespaces: ["k8s.security"] }).summary).toEqual(["a k8s.security.deny fail: security says no"]);
    expect(run(files, CONFIGMAP("a"), { namespaces: "all" }).summary.sort()).toEqual(["a k8s.security.deny fail: security says no", "a main.deny fail: main says no"]);
    const missing = run(files, CONFIGMAP("a"), { namespaces: ["nothing"] });
    expect(missing.summary).toEqual([]);
    expect(missing.outcome.findings.map((f) => [f.ruleId, f.severity])).toEqual([["policy-not-evaluated", "notice"]]);
  });

  it("data files beside the policies are data, at their directory's path", () => {
    const files = policyFiles({
      "registries.rego": `package main
deny contains msg if {
  some c in input.spec.containers
  not startswith(c.image, data.registries.allowed)
  msg := sprintf("%s is not from %s (team %s)", [c.image, data.registries.allowed, data.owner])
}
`,
      "registries/allowed.yaml": "allowed: ghcr.io/acme/\n",
      "owner.json": '{"owner": "platform"}',
    });
    const pod = (image: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: "${image}"}]\n`;
    expect(run(files, pod("ghcr.io/acme/app:1")).summary).toEqual(["p main.deny pass"]);
    expect(run(files, pod("docker.io/app:1")).summary).toEqual(["p main.deny fail: docker.io/app:1 is not from ghcr.io/acme/ (team platform)"]);
  });

  it("Rego v0 policies with the v0 option (conftest --rego-version v0)", () => {
    const files = policyFiles({ "old.rego": 'package main\ndeny[msg] {\n  input.kind == "ConfigMap"\n  msg := "old style"\n}\n' });
    expect(run(files, CONFIGMAP("a"), {}, { regoVersion: "v0" }).summary).toEqual(["a main.deny fail: old style"]);
  });
});

describe("bad policies: problems naming file and line, the rest keeps running", () => {
  it("a file that does not parse is left out; the others still run", () => {
    const files = policyFiles({
      "good.rego": 'package main\ndeny contains "good rule ran" if true\n',
      "broken.rego": 'package main\n\ndeny contains msg if {\n  msg := "unterminated\n}\n',
    });
    const { loaded, summary } = run(files, CONFIGMAP("a"));
    expect(summary).toEqual(["a main.deny fail: good rule ran"]);
    expect(loaded.policy!.files).toEqual(["policy/good.rego"]);
    expect(loaded.findings).toEqual([
      { ruleId: "policy-invalid", severity: "error", message: expect.stringMatching(/^policy\/broken\.rego:4: rego_parse_error: /), location: { file: "policy/broken.rego", line: 4, column: expect.any(Number) } },
    ]);
  });

  it("a compile error (an unsafe variable) names its file and line", () => {
    const files = policyFiles({ "unsafe.rego": "package main\n\ndeny contains msg if {\n  x > 1\n  msg := \"x\"\n}\n" });
    const { loaded } = run(files, CONFIGMAP("a"));
    expect(loaded.policy).toBeUndefined();
    expect(loaded.findings).toEqual([expect.objectContaining({ ruleId: "policy-invalid", message: "policy/unsafe.rego:4: rego_unsafe_var_error: var x is unsafe", location: expect.objectContaining({ file: "policy/unsafe.rego", line: 4 }) })]);
  });

  it("a data file that does not parse is a problem; the policies still run", () => {
    const files = policyFiles({ "main.rego": 'package main\ndeny contains "ran" if true\n', "bad.yaml": "a: [\n" });
    const { loaded, summary } = run(files, CONFIGMAP("a"));
    expect(summary).toEqual(["a main.deny fail: ran"]);
    expect(loaded.findings).toEqual([expect.objectContaining({ ruleId: "policy-invalid", location: expect.objectContaining({ file: "policy/bad.yaml" }) })]);
  });

  it("a rule erroring at runtime: error results, one problem for the rule, the other rules still run", () => {
    const files = policyFiles({
      "main.rego": `package main
level = "a" if input.kind == "ConfigMap"
level = "b" if input.metadata.name != ""
deny_conflict contains level if true
deny_other contains "other ran" if true
`,
    });
    const { outcome, summary } = run(files, `${CONFIGMAP("a")}---\n${CONFIGMAP("b")}`);
    expect(summary.filter((line) => line.includes("deny_other"))).toEqual(["a main.deny_other fail: other ran", "b main.deny_other fail: other ran"]);
    expect(outcome.results.filter((r) => r.rule === "deny_conflict").map((r) => r.result)).toEqual(["error", "error"]);
    const problems = outcome.findings.filter((f) => f.ruleId === "policy-invalid");
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/^conftest main\.deny_conflict: policy\/main\.rego:\d+: eval_conflict_error: /);
    expect(problems[0]!.location).toEqual({ file: "policy/main.rego", line: expect.any(Number), column: expect.any(Number) });
  });

  it("a rule that runs too long is stopped: an error result, the next object still runs", () => {
    const files = policyFiles({
      "main.rego": `package main
deny contains "slow" if {
  input.metadata.name == "slow"
  count([1 | some i in numbers.range(1, 5000); some j in numbers.range(1, 5000); i + j < 0]) > 0
}
deny contains "quick" if input.metadata.name == "quick"
`,
    });
    const started = performance.now();
    const { summary } = run(files, `${CONFIGMAP("slow")}---\n${CONFIGMAP("quick")}`, { timeoutMs: 100 });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(summary[0]).toMatch(/^slow main\.deny error: .*(timeout|deadline|cancel)/i);
    expect(summary[1]).toBe("quick main.deny fail: quick");
  });

  it("an object result without msg is an error result and a problem", () => {
    const files = policyFiles({ "main.rego": 'package main\ndeny contains {"message": "no msg"} if true\n' });
    const { outcome, summary } = run(files, CONFIGMAP("a"));
    expect(summary).toEqual(['a main.deny error: rule result missing msg field: {"message":"no msg"}']);
    expect(outcome.findings.map((f) => f.ruleId)).toEqual(["policy-invalid"]);
  });
});

describe("conftest test over plain manifests (validate)", () => {
  it("loads, evaluates and lists every result as policyResults, problems first", () => {
    const files = policyFiles({ "main.rego": 'package main\ndeny contains "no ConfigMaps" if input.kind == "ConfigMap"\n', "broken.rego": "package main\ndeny contains if\n" });
    const outcome = conftestTest(files, fromYaml(CONFIGMAP("a"), "cm.yaml"));
    expect(outcome.findings.map((f) => f.ruleId)).toEqual(["policy-invalid", "conftest:main/deny"]);
    expect(outcome.verdicts).toEqual([{ policy: "main", rule: "deny", kind: "ConfigMap", namespace: "shop", name: "a", file: "cm.yaml", line: 1, result: "fail", message: "no ConfigMaps" }]);
  });
});
