import { describe, expect, it } from "vitest";
import { PART_OF_LABEL } from "../../src/cluster/applyset.ts";
import { identityKey, planPrune, type PruneOptions } from "../../src/cluster/prune.ts";
import type { KubeObject } from "../../src/model.ts";

const ID = "applyset-abc-v1";

function member(apiVersion: string, kind: string, name: string, namespace: string, extra: { annotations?: Record<string, string>; labels?: Record<string, string>; metadata?: Record<string, unknown> } = {}): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: {
      name,
      ...(namespace ? { namespace } : {}),
      uid: `uid-${kind}-${name}`,
      labels: extra.labels ?? { [PART_OF_LABEL]: ID },
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
      ...extra.metadata,
    },
  };
}

const defaults: PruneOptions = { namespaces: false, crds: false, maxShare: 1, applySetId: ID };
const names = (items: readonly { ref: { kind: string; name: string } }[]) => items.map((item) => `${item.ref.kind}/${item.ref.name}`);

describe("identityKey", () => {
  it.each([
    { name: "a Deployment", object: member("apps/v1", "Deployment", "web", "shop"), defaultNamespace: undefined, key: "apps/Deployment/shop/web" },
    { name: "an older apps version", object: member("apps/v1beta1", "Deployment", "web", "shop"), defaultNamespace: undefined, key: "apps/Deployment/shop/web" },
    { name: "a core kind", object: member("v1", "ConfigMap", "cfg", "shop"), defaultNamespace: undefined, key: "/ConfigMap/shop/cfg" },
    { name: "an object without namespace, with a default", object: member("v1", "ConfigMap", "cfg", ""), defaultNamespace: "dflt", key: "/ConfigMap/dflt/cfg" },
    { name: "a cluster-scoped kind, with a default", object: member("rbac.authorization.k8s.io/v1", "ClusterRole", "r", ""), defaultNamespace: "dflt", key: "rbac.authorization.k8s.io/ClusterRole//r" },
    { name: "an object with its own namespace, with a default", object: member("v1", "ConfigMap", "cfg", "own"), defaultNamespace: "dflt", key: "/ConfigMap/own/cfg" },
  ])("of $name", ({ object, defaultNamespace, key }) => {
    expect(identityKey(object, defaultNamespace)).toBe(key);
  });
});

describe("planPrune", () => {
  const web = member("apps/v1", "Deployment", "web", "shop");
  const cfg = member("v1", "ConfigMap", "cfg", "shop");
  const svc = member("v1", "Service", "web", "shop");
  const ing = member("networking.k8s.io/v1", "Ingress", "web", "shop");
  const hook = member("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "hook", "");
  const ns = member("v1", "Namespace", "shop", "");
  const crd = member("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.io", "");
  const keys = (...objects: KubeObject[]) => new Set(objects.map((o) => identityKey(o)));

  it.each([
    { name: "nothing removed", members: [web, cfg], desired: keys(web, cfg), options: defaults, deleted: [], kept: [] },
    { name: "removed objects in delete order", members: [cfg, web, svc, ing, hook], desired: keys(web), options: defaults, deleted: ["ValidatingWebhookConfiguration/hook", "Ingress/web", "Service/web", "ConfigMap/cfg"], kept: [] },
    { name: "a Namespace without --prune-namespaces", members: [ns, web], desired: keys(web), options: defaults, deleted: [], kept: ["Namespace/shop"] },
    { name: "a Namespace with --prune-namespaces", members: [ns, web], desired: keys(web), options: { ...defaults, namespaces: true }, deleted: ["Namespace/shop"], kept: [] },
    { name: "a CRD without --prune-crds", members: [crd], desired: keys(), options: defaults, deleted: [], kept: ["CustomResourceDefinition/widgets.example.io"] },
    { name: "a CRD with --prune-crds", members: [crd], desired: keys(), options: { ...defaults, crds: true }, deleted: ["CustomResourceDefinition/widgets.example.io"], kept: [] },
    {
      name: "a member desired in another API version",
      members: [member("autoscaling/v2", "HorizontalPodAutoscaler", "web", "shop")],
      desired: new Set(["autoscaling/HorizontalPodAutoscaler/shop/web"]),
      options: defaults,
      deleted: [],
      kept: [],
    },
    {
      name: "a cluster-scoped member rendered with a namespace by mistake",
      members: [member("example.io/v1", "ClusterWidget", "w", "")],
      desired: new Set(["example.io/ClusterWidget/shop/w"]),
      options: defaults,
      deleted: [],
      kept: [],
    },
  ])("plans $name", ({ members, desired, options, deleted, kept }) => {
    const plan = planPrune(members, desired, options);
    expect(names(plan.delete)).toEqual(deleted);
    expect(names(plan.kept)).toEqual(kept);
    expect(plan.inventory).toBe(members.length);
    expect(plan.refused).toBeUndefined();
  });

  it.each([
    { name: "Flux's prune: disabled", annotations: { "kustomize.toolkit.fluxcd.io/prune": "disabled" }, reason: /Flux/ },
    { name: "Argo CD's Prune=false among other options", annotations: { "argocd.argoproj.io/sync-options": "ServerSideApply=true, Prune=false" }, reason: /Argo CD/ },
    { name: "Helm's resource-policy keep", annotations: { "helm.sh/resource-policy": "keep" }, reason: /Helm/ },
    { name: "cli-utils' deletion: detach", annotations: { "client.lifecycle.config.k8s.io/deletion": "detach" }, reason: /detach/ },
    { name: "our own prune: disabled", annotations: { "gitops-verify.io/prune": "disabled" }, reason: /gitops-verify\.io\/prune/ },
  ] as { name: string; annotations: Record<string, string>; reason: RegExp }[])("keeps an object opted out by $name", ({ annotations, reason }) => {
    const plan = planPrune([member("v1", "ConfigMap", "keep", "shop", { annotations })], new Set(), defaults);
    expect(plan.delete).toEqual([]);
    expect(plan.kept).toHaveLength(1);
    expect(plan.kept[0]!.reason).toMatch(reason);
  });

  it.each([
    { name: "Argo CD options without Prune=false", annotations: { "argocd.argoproj.io/sync-options": "ServerSideApply=true,Prune=true" } },
    { name: "Flux prune enabled", annotations: { "kustomize.toolkit.fluxcd.io/prune": "enabled" } },
    { name: "an unrelated annotation", annotations: { "example.io/keep": "true" } },
  ] as { name: string; annotations: Record<string, string> }[])("deletes an object with $name", ({ annotations }) => {
    const plan = planPrune([member("v1", "ConfigMap", "gone", "shop", { annotations })], new Set(), defaults);
    expect(names(plan.delete)).toEqual(["ConfigMap/gone"]);
  });

  it.each([
    { name: "an object being deleted", object: member("v1", "ConfigMap", "c", "shop", { metadata: { deletionTimestamp: "2024-01-01T00:00:00Z" } }), reason: /being deleted/ },
    { name: "an object of another set", object: member("v1", "ConfigMap", "c", "shop", { labels: { [PART_OF_LABEL]: "applyset-other-v1" } }), reason: /another ApplySet/ },
    { name: "an object without the part-of label", object: member("v1", "ConfigMap", "c", "shop", { labels: {} }), reason: /no applyset\.kubernetes\.io\/part-of label/ },
    {
      name: "an object controlled by another",
      object: member("apps/v1", "ReplicaSet", "web-7d", "shop", { metadata: { ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", controller: true }] } }),
      reason: /controlled by Deployment web/,
    },
  ])("never deletes $name", ({ object, reason }) => {
    const plan = planPrune([object], new Set(), defaults);
    expect(plan.delete).toEqual([]);
    expect(plan.kept[0]!.reason).toMatch(reason);
  });

  it("gives each candidate a ref with its uid and keeps the live object", () => {
    const plan = planPrune([cfg], new Set(), defaults);
    expect(plan.delete).toEqual([{ object: cfg, ref: { apiVersion: "v1", kind: "ConfigMap", namespace: "shop", name: "cfg", uid: "uid-ConfigMap-cfg" } }]);
  });

  const ten = Array.from({ length: 10 }, (_, i) => member("v1", "ConfigMap", `c${i}`, "shop"));
  it.each([
    { name: "8 of 10 with a 50% limit", members: ten, keep: 2, maxShare: 0.5, refused: /refusing to prune 8 of 10 objects \(80%\), more than the allowed 50%.*--max-prune-share/ },
    { name: "5 of 10 with a 50% limit", members: ten, keep: 5, maxShare: 0.5, refused: undefined },
    { name: "6 of 10 with a 50% limit", members: ten, keep: 4, maxShare: 0.5, refused: /6 of 10 objects \(60%\)/ },
    { name: "all with no limit", members: ten, keep: 0, maxShare: 1, refused: undefined },
    { name: "one with a 0% limit", members: ten, keep: 9, maxShare: 0, refused: /1 of 10 objects \(10%\), more than the allowed 0%/ },
    { name: "an empty inventory", members: [], keep: 0, maxShare: 0, refused: undefined },
  ])("guards the share: $name", ({ members, keep, maxShare, refused }) => {
    const plan = planPrune(members, keys(...members.slice(0, keep)), { ...defaults, maxShare });
    // the lists are returned either way: the caller decides
    expect(plan.delete).toHaveLength(members.length - keep);
    if (refused) expect(plan.refused).toMatch(refused);
    else expect(plan.refused).toBeUndefined();
  });

  it("counts kept objects in the guard's inventory, not in its deletions", () => {
    const members = [...ten.slice(0, 4), ns];
    const plan = planPrune(members, new Set(), { ...defaults, maxShare: 0.5 });
    expect(plan.delete).toHaveLength(4);
    expect(plan.refused).toMatch(/4 of 5 objects \(80%\)/);
  });
});
