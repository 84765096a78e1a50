// Which objects a Gatekeeper Constraint selects (spec.match, as pkg/mutation/match does it), what its enforcement
// action does, and the input.review and data.inventory its template sees.
import { describe, expect, it } from "vitest";
import { enforcementOf } from "../../src/policy/gatekeeper/enforcement.ts";
import { expandObject } from "../../src/policy/gatekeeper/expansion.ts";
import { buildInventory } from "../../src/policy/gatekeeper/inventory.ts";
import { excludedByConfig, ignoredByWebhook, matchConstraint, wildcardMatches, type MatchTarget } from "../../src/policy/gatekeeper/match.ts";
import { buildReview, PLACEHOLDER_USER } from "../../src/policy/gatekeeper/review.ts";

const pod = (namespace = "shop", labels: Record<string, string> = {}, name = "web-1") => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, ...(namespace ? { namespace } : {}), labels },
  spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
});
const namespace = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
const deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop" } };
const clusterRole = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "reader" } };

describe("wildcards", () => {
  it.each([
    { pattern: "kube-*", candidate: "kube-system", expected: true },
    { pattern: "kube-*", candidate: "my-kube-system", expected: false },
    { pattern: "*-system", candidate: "gatekeeper-system", expected: true },
    { pattern: "*-system", candidate: "system-x", expected: false },
    { pattern: "*ops*", candidate: "devops-tools", expected: true },
    { pattern: "*", candidate: "", expected: true },
    { pattern: "shop", candidate: "shop", expected: true },
    { pattern: "shop", candidate: "shop2", expected: false },
    { pattern: "sh*p", candidate: "shop", expected: false },
  ])("$pattern ~ $candidate: $expected", ({ pattern, candidate, expected }) => {
    expect(wildcardMatches(pattern, candidate)).toBe(expected);
  });
});

describe("match", () => {
  const cases: Array<{ name: string; match: unknown; target: MatchTarget; expected: boolean | "error" }> = [
    { name: "no match criteria select everything", match: undefined, target: { object: pod() }, expected: true },
    { name: "kinds: core group", match: { kinds: [{ apiGroups: [""], kinds: ["Pod"] }] }, target: { object: pod() }, expected: true },
    { name: "kinds: other group", match: { kinds: [{ apiGroups: ["apps"], kinds: ["Pod"] }] }, target: { object: pod() }, expected: false },
    { name: "kinds: apiGroups *", match: { kinds: [{ apiGroups: ["*"], kinds: ["Deployment"] }] }, target: { object: deployment }, expected: true },
    { name: "kinds: kinds *", match: { kinds: [{ apiGroups: ["apps"], kinds: ["*"] }] }, target: { object: deployment }, expected: true },
    { name: "kinds: empty kinds list is any kind", match: { kinds: [{ apiGroups: ["apps"] }] }, target: { object: deployment }, expected: true },
    { name: "kinds: one of several entries", match: { kinds: [{ apiGroups: [""], kinds: ["Service"] }, { apiGroups: ["apps"], kinds: ["Deployment"] }] }, target: { object: deployment }, expected: true },
    { name: "kinds: other kind", match: { kinds: [{ apiGroups: [""], kinds: ["Service"] }] }, target: { object: pod() }, expected: false },
    { name: "namespaces: listed", match: { namespaces: ["shop"] }, target: { object: pod() }, expected: true },
    { name: "namespaces: prefix glob", match: { namespaces: ["sh*"] }, target: { object: pod() }, expected: true },
    { name: "namespaces: not listed", match: { namespaces: ["prod"] }, target: { object: pod() }, expected: false },
    { name: "namespaces: a Namespace is matched by its own name", match: { namespaces: ["shop"] }, target: { object: namespace("shop") }, expected: true },
    { name: "namespaces: cluster-scoped objects are not excluded", match: { namespaces: ["prod"] }, target: { object: clusterRole }, expected: true },
    { name: "excludedNamespaces: suffix glob", match: { excludedNamespaces: ["*-system"] }, target: { object: pod("kube-system") }, expected: false },
    { name: "excludedNamespaces: other namespace", match: { excludedNamespaces: ["kube-*"] }, target: { object: pod() }, expected: true },
    { name: "excludedNamespaces: the Namespace itself", match: { excludedNamespaces: ["kube-system"] }, target: { object: namespace("kube-system") }, expected: false },
    { name: "excludedNamespaces: cluster-scoped objects stay", match: { excludedNamespaces: ["*"] }, target: { object: clusterRole }, expected: true },
    { name: "labelSelector: matchLabels", match: { labelSelector: { matchLabels: { app: "web" } } }, target: { object: pod("shop", { app: "web" }) }, expected: true },
    { name: "labelSelector: not matching", match: { labelSelector: { matchLabels: { app: "web" } } }, target: { object: pod("shop", { app: "api" }) }, expected: false },
    { name: "labelSelector: DoesNotExist", match: { labelSelector: { matchExpressions: [{ key: "exempt", operator: "DoesNotExist" }] } }, target: { object: pod("shop", { exempt: "yes" }) }, expected: false },
    { name: "labelSelector: invalid operator", match: { labelSelector: { matchExpressions: [{ key: "a", operator: "Like" }] } }, target: { object: pod() }, expected: "error" },
    { name: "namespaceSelector: the namespace's labels", match: { namespaceSelector: { matchLabels: { team: "shop" } } }, target: { object: pod(), namespace: namespace("shop", { team: "shop" }) }, expected: true },
    { name: "namespaceSelector: other labels", match: { namespaceSelector: { matchLabels: { team: "shop" } } }, target: { object: pod(), namespace: namespace("shop", { team: "ads" }) }, expected: false },
    { name: "namespaceSelector: a Namespace's own labels", match: { namespaceSelector: { matchLabels: { team: "shop" } } }, target: { object: namespace("shop", { team: "shop" }) }, expected: true },
    { name: "namespaceSelector: cluster-scoped objects match", match: { namespaceSelector: { matchLabels: { team: "shop" } } }, target: { object: clusterRole }, expected: true },
    { name: "namespaceSelector: namespace unknown", match: { namespaceSelector: { matchLabels: { team: "shop" } } }, target: { object: pod() }, expected: "error" },
    { name: "scope Namespaced: a Pod", match: { scope: "Namespaced" }, target: { object: pod() }, expected: true },
    { name: "scope Namespaced: a Namespace", match: { scope: "Namespaced" }, target: { object: namespace("shop") }, expected: false },
    { name: "scope Cluster: a ClusterRole", match: { scope: "Cluster" }, target: { object: clusterRole }, expected: true },
    { name: "scope Cluster: a Namespace", match: { scope: "Cluster" }, target: { object: namespace("shop") }, expected: true },
    { name: "scope Cluster: a Pod", match: { scope: "Cluster" }, target: { object: pod() }, expected: false },
    { name: "scope *", match: { scope: "*" }, target: { object: pod() }, expected: true },
    { name: "scope: a typo is *", match: { scope: "cluster" }, target: { object: pod() }, expected: true },
    { name: "name: exact", match: { name: "web-1" }, target: { object: pod() }, expected: true },
    { name: "name: prefix glob", match: { name: "web-*" }, target: { object: pod() }, expected: true },
    { name: "name: other", match: { name: "api-*" }, target: { object: pod() }, expected: false },
    { name: "source: unset selects originals", match: {}, target: { object: pod() }, expected: true },
    { name: "source: All selects generated objects", match: { source: "All" }, target: { object: pod(), source: "Generated" }, expected: true },
    { name: "source: Generated only", match: { source: "Generated" }, target: { object: pod() }, expected: false },
    { name: "source: Original excludes generated objects", match: { source: "Original" }, target: { object: pod(), source: "Generated" }, expected: false },
    { name: "every criterion must agree", match: { kinds: [{ apiGroups: [""], kinds: ["Pod"] }], namespaces: ["shop"], name: "api" }, target: { object: pod() }, expected: false },
  ];
  it.each(cases)("$name", ({ match, target, expected }) => {
    const result = matchConstraint(match, target);
    if (expected === "error") expect("error" in result ? result.error : result).toEqual(expect.any(String));
    else expect(result.matches).toBe(expected);
  });

  it("says which criterion did not select the object", () => {
    expect(matchConstraint({ namespaces: ["prod"] }, { object: pod() })).toEqual({ matches: false, reason: "not selected by match.namespaces" });
  });
});

describe("enforcement actions", () => {
  const constraint = (spec: Record<string, unknown>) => ({ apiVersion: "constraints.gatekeeper.sh/v1beta1", kind: "K8sRequiredLabels", metadata: { name: "x" }, spec });
  it.each([
    { name: "deny by default", spec: {}, expected: { ok: true, action: "deny" } },
    { name: "warn", spec: { enforcementAction: "warn" }, expected: { ok: true, action: "warn" } },
    { name: "dryrun", spec: { enforcementAction: "dryrun" }, expected: { ok: true, action: "dryrun" } },
    { name: "Deny in other case", spec: { enforcementAction: "Deny" }, expected: { ok: true, action: "deny" } },
    {
      name: "scoped: the admission point",
      spec: { enforcementAction: "scoped", scopedEnforcementActions: [{ action: "warn", enforcementPoints: [{ name: "validation.gatekeeper.sh" }] }, { action: "deny", enforcementPoints: [{ name: "audit.gatekeeper.sh" }] }] },
      expected: { ok: true, action: "warn" },
    },
    {
      name: "scoped: the strictest of several",
      spec: { enforcementAction: "scoped", scopedEnforcementActions: [{ action: "dryrun", enforcementPoints: [{ name: "*" }] }, { action: "deny", enforcementPoints: [{ name: "gator.gatekeeper.sh" }] }] },
      expected: { ok: true, action: "deny" },
    },
  ])("$name", ({ spec, expected }) => {
    expect(enforcementOf(constraint(spec))).toEqual(expected);
  });

  it.each([
    { name: "an unknown action", spec: { enforcementAction: "block" } },
    { name: "scoped without actions", spec: { enforcementAction: "scoped" } },
    { name: "scoped with an unknown action", spec: { enforcementAction: "scoped", scopedEnforcementActions: [{ action: "block", enforcementPoints: [{ name: "*" }] }] } },
  ])("refuses $name", ({ spec }) => {
    expect(enforcementOf(constraint(spec))).toMatchObject({ ok: false, problem: expect.any(String) });
  });

  it("scoped to audit only: not evaluated here, and says why", () => {
    const result = enforcementOf(constraint({ enforcementAction: "scoped", scopedEnforcementActions: [{ action: "deny", enforcementPoints: [{ name: "audit.gatekeeper.sh" }] }] }));
    expect(result).toMatchObject({ ok: true, action: undefined, reason: expect.stringContaining("validation.gatekeeper.sh") });
  });
});

describe("input.review", () => {
  it("a new object is a CREATE", () => {
    const review = buildReview({ object: deployment });
    expect(review).toMatchObject({
      kind: { group: "apps", version: "v1", kind: "Deployment" },
      resource: { group: "apps", version: "v1", resource: "deployments" },
      name: "web",
      namespace: "shop",
      operation: "CREATE",
      object: deployment,
      userInfo: PLACEHOLDER_USER,
      dryRun: false,
    });
    expect(review).not.toHaveProperty("oldObject");
  });

  it("an object the base rendering had is an UPDATE with oldObject", () => {
    const old = { ...deployment, spec: { replicas: 1 } };
    const review = buildReview({ object: { ...deployment, spec: { replicas: 2 } }, oldObject: old });
    expect(review).toMatchObject({ operation: "UPDATE", oldObject: old, object: { spec: { replicas: 2 } } });
  });

  it("the core group is empty, a cluster-scoped object has no namespace", () => {
    expect(buildReview({ object: namespace("shop") })).toMatchObject({ kind: { group: "", version: "v1", kind: "Namespace" }, name: "shop" });
    expect(buildReview({ object: clusterRole })).not.toHaveProperty("namespace");
  });
});

describe("data.inventory", () => {
  it("cluster-scoped objects by groupVersion, kind and name; namespaced ones under their namespace", () => {
    const inventory = buildInventory([deployment, clusterRole, namespace("shop"), pod("shop", {}, "a"), pod("ads", {}, "b")]);
    expect(Object.keys(inventory.cluster).sort()).toEqual(["rbac.authorization.k8s.io/v1", "v1"]);
    expect(inventory.cluster["v1"]!["Namespace"]!["shop"]).toEqual(namespace("shop"));
    expect(inventory.namespace["shop"]!["apps/v1"]!["Deployment"]!["web"]).toBe(deployment);
    expect(Object.keys(inventory.namespace["shop"]!["v1"]!["Pod"]!)).toEqual(["a"]);
    expect(Object.keys(inventory.namespace["ads"]!["v1"]!["Pod"]!)).toEqual(["b"]);
  });

  it("objects without a name or kind are left out; keys like __proto__ are plain keys", () => {
    const inventory = buildInventory([{ apiVersion: "v1", kind: "ConfigMap", metadata: {} }, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "__proto__", namespace: "x" } }]);
    expect(Object.keys(inventory.cluster)).toEqual([]);
    expect(Object.hasOwn(inventory.namespace["x"]!["v1"]!["ConfigMap"]!, "__proto__")).toBe(true);
  });
});

describe("ExpansionTemplates", () => {
  const expansion = (applyTo: unknown, generatedGVK: unknown, templateSource = "spec.template", extra: Record<string, unknown> = {}) => ({
    apiVersion: "expansion.gatekeeper.sh/v1beta1",
    kind: "ExpansionTemplate",
    metadata: { name: "expand" },
    spec: { applyTo, templateSource, generatedGVK, ...extra },
  });
  const PODS = expansion([{ groups: ["apps"], kinds: ["Deployment"], versions: ["v1"] }], { group: "", version: "v1", kind: "Pod" });
  const workload = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop" }, spec: { template: { metadata: { labels: { app: "web" } }, spec: { containers: [] } } } };

  it("the resultant: the template source, the generated kind, the generator's namespace, a mocked name", () => {
    expect(expandObject(workload, [PODS])).toEqual([
      { ok: true, expanded: { template: "expand", object: { apiVersion: "v1", kind: "Pod", metadata: { labels: { app: "web" }, name: "web-pod", namespace: "shop" }, spec: { containers: [] } } } },
    ]);
  });

  it.each([
    { name: "another version", applyTo: [{ groups: ["apps"], kinds: ["Deployment"], versions: ["v1beta1"] }] },
    { name: "another group", applyTo: [{ groups: ["extensions"], kinds: ["Deployment"], versions: ["v1"] }] },
    { name: "globs are not matched", applyTo: [{ groups: ["*"], kinds: ["*"], versions: ["*"] }] },
  ])("does not apply to $name", ({ applyTo }) => {
    expect(expandObject(workload, [expansion(applyTo, { version: "v1", kind: "Pod" })])).toEqual([]);
  });

  it("a group in generatedGVK, and the template's enforcementAction", () => {
    const jobs = expansion([{ groups: ["batch"], kinds: ["CronJob"], versions: ["v1"] }], { group: "batch", version: "v1", kind: "Job" }, "spec.jobTemplate", { enforcementAction: "dryrun" });
    const cronJob = { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "nightly" }, spec: { jobTemplate: { spec: { template: {} } } } };
    expect(expandObject(cronJob, [jobs])).toEqual([{ ok: true, expanded: { template: "expand", enforcementAction: "dryrun", object: { apiVersion: "batch/v1", kind: "Job", metadata: { name: "nightly-job" }, spec: { template: {} } } } }]);
  });

  it("a missing template source is a problem", () => {
    expect(expandObject({ ...workload, spec: {} }, [PODS])).toEqual([{ ok: false, template: "expand", problem: 'could not find source field "spec.template" in Deployment web' }]);
  });
});

describe("Gatekeeper's Config", () => {
  const config = { apiVersion: "config.gatekeeper.sh/v1alpha1", kind: "Config", metadata: { name: "config" }, spec: { match: [{ excludedNamespaces: ["kube-*", "*-system"], processes: ["webhook"] }] } };
  it.each([
    { name: "a Pod in an excluded namespace", target: { object: pod("kube-system") }, expected: true },
    { name: "a suffix glob", target: { object: pod("gatekeeper-system") }, expected: true },
    { name: "another namespace", target: { object: pod("shop") }, expected: false },
    { name: "an excluded Namespace itself", target: { object: namespace("kube-public") }, expected: true },
    { name: "a cluster-scoped object", target: { object: clusterRole }, expected: false },
  ])("$name: excluded $expected", ({ target, expected }) => {
    expect(excludedByConfig([config], target)).toBe(expected);
  });

  it("exclusions of other processes (audit, sync) do not apply to admission", () => {
    const audit = { ...config, spec: { match: [{ excludedNamespaces: ["kube-*"], processes: ["audit", "sync"] }] } };
    expect(excludedByConfig([audit], { object: pod("kube-system") })).toBe(false);
  });
});

describe("the webhook's namespaceSelector", () => {
  it.each([
    { name: "a Pod in an ignored namespace", target: { object: pod("gatekeeper-system"), namespace: namespace("gatekeeper-system", { "admission.gatekeeper.sh/ignore": "x" }) }, expected: true },
    { name: "an ignored Namespace itself", target: { object: namespace("gatekeeper-system", { "admission.gatekeeper.sh/ignore": "" }) }, expected: true },
    { name: "a Pod elsewhere", target: { object: pod(), namespace: namespace("shop") }, expected: false },
    { name: "a cluster-scoped object", target: { object: clusterRole }, expected: false },
  ])("$name: ignored $expected", ({ target, expected }) => {
    expect(ignoredByWebhook(target)).toBe(expected);
  });
});
