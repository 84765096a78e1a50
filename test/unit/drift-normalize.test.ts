// What the server and our apply add to an object is removed before drift compares anything.
import { describe, expect, it } from "vitest";
import { normalizeLive } from "../../src/drift/normalize.ts";
import type { KubeObject } from "../../src/model.ts";

function live(metadata: Record<string, unknown>, rest: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "shop", ...metadata }, ...rest };
}

describe("normalizeLive", () => {
  it.each([
    {
      name: "server metadata and status",
      input: live(
        {
          uid: "0f0e",
          resourceVersion: "123",
          generation: 4,
          creationTimestamp: "2024-01-01T00:00:00Z",
          selfLink: "/api/v1/namespaces/shop/configmaps/settings",
          deletionGracePeriodSeconds: 30,
          managedFields: [{ manager: "kubectl-edit", operation: "Update", fieldsV1: { "f:data": {} } }],
          ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "x", uid: "1" }],
        },
        { data: { a: "1" }, status: { phase: "Active" } },
      ),
      expected: live({}, { data: { a: "1" } }),
    },
    {
      name: "tool annotations, ApplySet labels and annotations; other keys kept",
      input: live({
        labels: { app: "shop", "applyset.kubernetes.io/part-of": "applyset-abc-v1" },
        annotations: {
          "kubectl.kubernetes.io/last-applied-configuration": '{"data":{"password":"hunter2"}}',
          "deployment.kubernetes.io/revision": "7",
          "applyset.kubernetes.io/tooling": "gitops-verify/v0",
          "team.example/owner": "shop",
        },
      }),
      expected: live({ labels: { app: "shop" }, annotations: { "team.example/owner": "shop" } }),
    },
    {
      name: "label and annotation maps left empty are removed",
      input: live({ labels: { "applyset.kubernetes.io/part-of": "applyset-abc-v1" }, annotations: { "deployment.kubernetes.io/revision": "1" } }),
      expected: live({}),
    },
    { name: "null maps are removed", input: live({ labels: null, annotations: null }), expected: live({}) },
    { name: "an object without metadata loses its status only", input: { kind: "Thing", status: {} }, expected: { kind: "Thing" } },
  ])("$name", ({ input, expected }) => {
    const before = structuredClone(input);
    expect(normalizeLive(input)).toEqual(expected);
    expect(input, "the input is not modified").toEqual(before);
  });

  it("gives the same result for a desired object with the labels our apply adds and the live object", () => {
    const desired = live({ labels: { app: "shop", "applyset.kubernetes.io/part-of": "applyset-abc-v1" } }, { data: { a: "1" } });
    const server = live({ labels: { app: "shop" }, uid: "1", resourceVersion: "9" }, { data: { a: "1" } });
    expect(normalizeLive(desired)).toEqual(normalizeLive(server));
  });
});
