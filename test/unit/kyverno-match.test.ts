// Which resources a Kyverno rule matches, and the rules Kyverno generates for Pod controllers (autogen).
import { describe, expect, it } from "vitest";
import { computeRules } from "../../src/policy/kyverno/autogen.ts";
import { kindMatches, matchesBlock, ruleApplies, wildcardMatch } from "../../src/policy/kyverno/match.ts";

const pod = (labels: Record<string, string> = {}, namespace = "shop", annotations: Record<string, string> = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web-1", namespace, labels, annotations },
  spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
});

describe("wildcards and kinds", () => {
  it.each([
    { pattern: "web-*", value: "web-1", expected: true },
    { pattern: "web-?", value: "web-12", expected: false },
    { pattern: "*", value: "", expected: true },
    { pattern: "kube-system", value: "kube-system", expected: true },
    { pattern: "a.b", value: "axb", expected: false },
  ])("wildcard $pattern ~ $value: $expected", ({ pattern, value, expected }) => {
    expect(wildcardMatch(pattern, value)).toBe(expected);
  });

  it.each([
    { selector: "Pod", apiVersion: "v1", kind: "Pod", expected: true },
    { selector: "v1/Pod", apiVersion: "v1", kind: "Pod", expected: true },
    { selector: "apps/v1/Deployment", apiVersion: "apps/v1", kind: "Deployment", expected: true },
    { selector: "apps/v1beta1/Deployment", apiVersion: "apps/v1", kind: "Deployment", expected: false },
    { selector: "apps/*/Deployment", apiVersion: "apps/v1", kind: "Deployment", expected: true },
    { selector: "*", apiVersion: "networking.k8s.io/v1", kind: "Ingress", expected: true },
    { selector: "Deployment/scale", apiVersion: "apps/v1", kind: "Deployment", expected: false },
    { selector: "Deploy*", apiVersion: "apps/v1", kind: "Deployment", expected: true },
  ])("kind $selector ~ $apiVersion $kind: $expected", ({ selector, apiVersion, kind, expected }) => {
    expect(kindMatches(selector, apiVersion, kind)).toBe(expected);
  });

  it("a subresource selector matches the subresource only", () => {
    expect(kindMatches("Deployment/scale", "apps/v1", "Deployment", "scale")).toBe(true);
    expect(kindMatches("Deployment", "apps/v1", "Deployment", "scale")).toBe(false);
  });
});

describe("match and exclude", () => {
  const subject = (object: Record<string, unknown>, namespaceLabels?: Record<string, string>) => ({ object, operation: "CREATE", ...(namespaceLabels ? { namespaceLabels } : {}) });
  it.each([
    { name: "kinds", block: { any: [{ resources: { kinds: ["Pod"] } }] }, object: pod(), expected: true },
    { name: "other kind", block: { any: [{ resources: { kinds: ["Deployment"] } }] }, object: pod(), expected: false },
    { name: "names with wildcard", block: { any: [{ resources: { kinds: ["Pod"], names: ["web-*"] } }] }, object: pod(), expected: true },
    { name: "namespaces", block: { any: [{ resources: { kinds: ["Pod"], namespaces: ["kube-*"] } }] }, object: pod(), expected: false },
    { name: "selector", block: { any: [{ resources: { kinds: ["Pod"], selector: { matchLabels: { app: "web" } } } }] }, object: pod({ app: "web" }), expected: true },
    { name: "selector with a wildcard value", block: { any: [{ resources: { kinds: ["Pod"], selector: { matchLabels: { app: "w*" } } } }] }, object: pod({ app: "web" }), expected: true },
    { name: "selector expression NotIn", block: { any: [{ resources: { kinds: ["Pod"], selector: { matchExpressions: [{ key: "app", operator: "NotIn", values: ["web"] }] } } }] }, object: pod({ app: "web" }), expected: false },
    { name: "annotations", block: { any: [{ resources: { kinds: ["Pod"], annotations: { "team/*": "shop" } } }] }, object: pod({}, "shop", { "team/owner": "shop" }), expected: true },
    { name: "all: every filter", block: { all: [{ resources: { kinds: ["Pod"] } }, { resources: { namespaces: ["shop"] } }] }, object: pod(), expected: true },
    { name: "all: one fails", block: { all: [{ resources: { kinds: ["Pod"] } }, { resources: { namespaces: ["prod"] } }] }, object: pod(), expected: false },
    { name: "legacy form", block: { resources: { kinds: ["Pod"] } }, object: pod(), expected: true },
    { name: "operations", block: { any: [{ resources: { kinds: ["Pod"], operations: ["DELETE"] } }] }, object: pod(), expected: false },
    { name: "a Namespace is matched by its own name", block: { any: [{ resources: { kinds: ["Namespace"], namespaces: ["shop"] } }] }, object: { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } }, expected: true },
  ])("$name", ({ block, object, expected }) => {
    expect(matchesBlock(block, subject(object))).toBe(expected);
  });

  it("namespaceSelector needs the namespace's labels", () => {
    const block = { any: [{ resources: { kinds: ["Pod"], namespaceSelector: { matchLabels: { env: "prod" } } } }] };
    expect(matchesBlock(block, subject(pod(), { env: "prod" }))).toBe(true);
    expect(matchesBlock(block, subject(pod(), { env: "dev" }))).toBe(false);
    expect(matchesBlock(block, subject(pod()))).toBe(false);
  });

  it("exclude wins over match", () => {
    const rule = { match: { any: [{ resources: { kinds: ["Pod"] } }] }, exclude: { any: [{ resources: { namespaces: ["shop"] } }] } };
    expect(ruleApplies(rule, subject(pod()))).toBe(false);
    expect(ruleApplies(rule, subject(pod({}, "other")))).toBe(true);
  });
});

describe("autogen (pkg/autogen/v1)", () => {
  const policy = (rules: unknown[], annotations: Record<string, string | undefined> = {}) => ({ apiVersion: "kyverno.io/v1", kind: "ClusterPolicy", metadata: { name: "p", annotations }, spec: { rules } });
  const podRule = {
    name: "check-image",
    match: { any: [{ resources: { kinds: ["Pod"] } }] },
    validate: { message: "{{ request.object.metadata.name }} needs a tag", pattern: { spec: { containers: [{ image: "*:*" }] } } },
  };

  it("adds autogen- and autogen-cronjob- rules with the pattern moved into the templates", () => {
    const rules = computeRules(policy([podRule]));
    expect(rules.map((rule) => rule.name)).toEqual(["check-image", "autogen-check-image", "autogen-cronjob-check-image"]);
    const [, controllers, cronjob] = rules as Array<{ match: unknown; validate: { message: string; pattern: unknown } }>;
    expect(controllers!.match).toEqual({ any: [{ resources: { kinds: ["DaemonSet", "Deployment", "Job", "ReplicaSet", "ReplicationController", "StatefulSet"] } }] });
    expect(controllers!.validate.pattern).toEqual({ spec: { template: { spec: { containers: [{ image: "*:*" }] } } } });
    expect(controllers!.validate.message).toBe("{{ request.object.spec.template.metadata.name }} needs a tag");
    expect(cronjob!.match).toEqual({ any: [{ resources: { kinds: ["CronJob"] } }] });
    expect(cronjob!.validate.pattern).toEqual({ spec: { jobTemplate: { spec: { template: { spec: { containers: [{ image: "*:*" }] } } } } } });
    expect(cronjob!.validate.message).toBe("{{ request.object.spec.jobTemplate.spec.template.metadata.name }} needs a tag");
  });

  it.each([
    { name: "the annotation names the controllers", annotations: { "pod-policies.kyverno.io/autogen-controllers": "Deployment" }, rules: [podRule], expected: ["check-image", "autogen-check-image"] },
    { name: "none switches it off", annotations: { "pod-policies.kyverno.io/autogen-controllers": "none" }, rules: [podRule], expected: ["check-image"] },
    { name: "names in the match stop it", annotations: {}, rules: [{ ...podRule, match: { any: [{ resources: { kinds: ["Pod"], names: ["web"] } }] } }], expected: ["check-image"] },
    { name: "Pod mixed with other kinds stops it", annotations: {}, rules: [{ ...podRule, match: { any: [{ resources: { kinds: ["Pod", "Service"] } }] } }], expected: ["check-image"] },
    { name: "rules not about Pods get none", annotations: {}, rules: [{ ...podRule, name: "svc", match: { any: [{ resources: { kinds: ["Service"] } }] } }], expected: ["svc"] },
  ])("$name", ({ annotations, rules, expected }) => {
    expect(computeRules(policy(rules, annotations)).map((rule) => rule.name)).toEqual(expected);
  });

  it("a deny rule keeps its conditions, with request.object.spec rewritten into the template", () => {
    const rule = { name: "no-host", match: { any: [{ resources: { kinds: ["Pod"] } }] }, validate: { deny: { conditions: { any: [{ key: "{{ request.object.spec.hostNetwork }}", operator: "Equals", value: true }] } } } };
    const [, generated] = computeRules(policy([rule])) as Array<{ validate: { deny: unknown } }>;
    expect(generated!.validate.deny).toEqual({ conditions: { any: [{ key: "{{ request.object.spec.template.spec.hostNetwork }}", operator: "Equals", value: true }] } });
  });
});
