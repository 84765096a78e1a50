import { describe, expect, it } from "vitest";
import { applyStages, deleteOrder, stageOf } from "../../src/cluster/stages.ts";
import type { KubeObject } from "../../src/model.ts";

function obj(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject {
  return { apiVersion, kind, metadata: namespace ? { name, namespace } : { name } };
}

/** "Kind ns/name" labels, to compare orders readably. */
const labels = (objects: readonly KubeObject[]) =>
  objects.map((o) => {
    const m = o.metadata as { name: string; namespace?: string };
    return `${o.kind as string} ${m.namespace ? `${m.namespace}/` : ""}${m.name}`;
  });

describe("stageOf", () => {
  it.each([
    { name: "a CRD", object: obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "x.example.io"), stage: "definitions" },
    { name: "a Namespace", object: obj("v1", "Namespace", "web"), stage: "definitions" },
    { name: "a ClusterRole", object: obj("rbac.authorization.k8s.io/v1", "ClusterRole", "reader"), stage: "definitions" },
    { name: "a custom kind named Namespace", object: obj("example.io/v1", "Namespace", "x"), stage: "resources" },
    { name: "a StorageClass", object: obj("storage.k8s.io/v1", "StorageClass", "fast"), stage: "classes" },
    { name: "an IngressClass", object: obj("networking.k8s.io/v1", "IngressClass", "nginx"), stage: "classes" },
    { name: "a GatewayClass", object: obj("gateway.networking.k8s.io/v1", "GatewayClass", "gw"), stage: "classes" },
    { name: "a VolumeSnapshotClass", object: obj("snapshot.storage.k8s.io/v1", "VolumeSnapshotClass", "snap"), stage: "classes" },
    { name: "a Deployment", object: obj("apps/v1", "Deployment", "web", "web"), stage: "resources" },
    { name: "a ClusterRoleBinding", object: obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "b"), stage: "resources" },
    { name: "a ValidatingWebhookConfiguration", object: obj("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "w"), stage: "admission" },
    { name: "a MutatingWebhookConfiguration", object: obj("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "w"), stage: "admission" },
    { name: "a ValidatingAdmissionPolicyBinding", object: obj("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", "b"), stage: "admission" },
    { name: "a MutatingAdmissionPolicy", object: obj("admissionregistration.k8s.io/v1alpha1", "MutatingAdmissionPolicy", "p"), stage: "admission" },
    { name: "a Kyverno ClusterPolicy", object: obj("kyverno.io/v1", "ClusterPolicy", "p"), stage: "resources" },
  ])("puts $name in $stage", ({ object, stage }) => {
    expect(stageOf(object)).toBe(stage);
  });
});

describe("applyStages", () => {
  const all = [
    obj("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "policy-webhook"),
    obj("apps/v1", "Deployment", "web", "shop"),
    obj("example.io/v1", "Widget", "w", "shop"),
    obj("v1", "Service", "web", "shop"),
    obj("v1", "ConfigMap", "b", "shop"),
    obj("v1", "ConfigMap", "a", "shop"),
    obj("v1", "ConfigMap", "a", "auth"),
    obj("networking.k8s.io/v1", "Ingress", "web", "shop"),
    obj("rbac.authorization.k8s.io/v1", "ClusterRole", "reader"),
    obj("v1", "Namespace", "shop"),
    obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.io"),
    obj("storage.k8s.io/v1", "StorageClass", "fast"),
    obj("v1", "ServiceAccount", "web", "shop"),
    obj("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", "pb"),
    obj("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", "p"),
    obj("networking.k8s.io/v1", "IngressClass", "nginx"),
    obj("example.io/v1", "Gadget", "g", "shop"),
  ];
  const expected = [
    { name: "definitions", objects: ["Namespace shop", "CustomResourceDefinition widgets.example.io", "ClusterRole reader"] },
    { name: "classes", objects: ["StorageClass fast", "IngressClass nginx"] },
    {
      name: "resources",
      objects: ["ServiceAccount shop/web", "ConfigMap auth/a", "ConfigMap shop/a", "ConfigMap shop/b", "Service shop/web", "Deployment shop/web", "Ingress shop/web", "Gadget shop/g", "Widget shop/w"],
    },
    { name: "admission", objects: ["ValidatingAdmissionPolicy p", "ValidatingAdmissionPolicyBinding pb", "ValidatingWebhookConfiguration policy-webhook"] },
  ];

  it.each([
    { name: "in the given order", input: all },
    { name: "reversed", input: [...all].reverse() },
    { name: "shuffled", input: [all[5]!, all[12]!, all[0]!, all[16]!, all[3]!, all[9]!, all[1]!, all[14]!, all[7]!, all[2]!, all[10]!, all[4]!, all[15]!, all[6]!, all[8]!, all[11]!, all[13]!] },
  ])("orders objects $name the same way", ({ input }) => {
    expect(applyStages(input).map((stage) => ({ name: stage.name, objects: labels(stage.objects) }))).toEqual(expected);
  });

  it.each([
    { name: "nothing", input: [], stages: [] },
    { name: "plain resources", input: [obj("v1", "ConfigMap", "a", "x")], stages: ["resources"] },
    { name: "a namespace and a webhook", input: [obj("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "m"), obj("v1", "Namespace", "x")], stages: ["definitions", "admission"] },
  ])("returns only non-empty stages for $name", ({ input, stages }) => {
    expect(applyStages(input).map((stage) => stage.name)).toEqual(stages);
  });

  it("returns the objects themselves, not copies", () => {
    const object = obj("v1", "ConfigMap", "a", "x");
    expect(applyStages([object])[0]!.objects[0]).toBe(object);
  });
});

describe("deleteOrder", () => {
  it.each([
    {
      name: "admission first, definitions last, kinds reversed within a stage",
      input: [
        obj("v1", "Namespace", "shop"),
        obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.io"),
        obj("v1", "ConfigMap", "cfg", "shop"),
        obj("apps/v1", "Deployment", "web", "shop"),
        obj("networking.k8s.io/v1", "Ingress", "web", "shop"),
        obj("example.io/v1", "Widget", "w", "shop"),
        obj("v1", "Service", "web", "shop"),
        obj("storage.k8s.io/v1", "StorageClass", "fast"),
        obj("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "hook"),
      ],
      expected: [
        "ValidatingWebhookConfiguration hook",
        "Widget shop/w",
        "Ingress shop/web",
        "Deployment shop/web",
        "Service shop/web",
        "ConfigMap shop/cfg",
        "StorageClass fast",
        "CustomResourceDefinition widgets.example.io",
        "Namespace shop",
      ],
    },
    {
      name: "objects of one kind by namespace and name",
      input: [obj("v1", "ConfigMap", "b", "x"), obj("v1", "ConfigMap", "a", "y"), obj("v1", "ConfigMap", "a", "x")],
      expected: ["ConfigMap x/a", "ConfigMap x/b", "ConfigMap y/a"],
    },
  ])("orders $name", ({ input, expected }) => {
    expect(labels(deleteOrder(input))).toEqual(expected);
    expect(labels(deleteOrder([...input].reverse()))).toEqual(expected);
  });
});
