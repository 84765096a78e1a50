// The re-rendered target after a promotion: only promoted images may differ.
import { describe, expect, it } from "vitest";
import type { KubeObject, Manifest } from "../../src/model.ts";
import { parseImageRef } from "../../src/promote/image-ref.ts";
import { checkPromotedRendering } from "../../src/promote/verify-render.ts";

function manifest(object: KubeObject): Manifest {
  const metadata = object.metadata as { name: string; namespace?: string };
  const [group, version] = String(object.apiVersion).includes("/") ? String(object.apiVersion).split("/") : ["", String(object.apiVersion)];
  return { object, id: { group: group!, version: version!, kind: String(object.kind), namespace: metadata.namespace ?? "", name: metadata.name }, rendered: { index: 0, line: 1 } };
}

const deployment = (image: string, replicas = 1) =>
  manifest({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "prod" }, spec: { replicas, template: { spec: { containers: [{ name: "web", image }] } } } });
const configMap = (name: string, data: string) => manifest({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "prod" }, data: { "values.yaml": data } });
const images = [parseImageRef("ghcr.io/org/web:1.1.0")];

describe("checkPromotedRendering", () => {
  it("accepts a rendering where only the promoted image changed", () => {
    expect(checkPromotedRendering([deployment("ghcr.io/org/web:1.0.0")], [deployment("ghcr.io/org/web:1.1.0")], images)).toEqual([]);
  });

  it("reports any other change", () => {
    expect(checkPromotedRendering([deployment("ghcr.io/org/web:1.0.0")], [deployment("ghcr.io/org/web:1.1.0", 3)], images)).toEqual([
      "Deployment prod/web: spec.replicas changed from 1 to 3, which is not a promoted image",
    ]);
  });

  it("reports objects added or removed", () => {
    const extra = configMap("extra", "x");
    expect(checkPromotedRendering([deployment("ghcr.io/org/web:1.0.0"), extra], [deployment("ghcr.io/org/web:1.1.0")], images)).toEqual(["ConfigMap prod/extra is no longer rendered"]);
  });

  it("reports a container that still runs another version", () => {
    expect(checkPromotedRendering([deployment("ghcr.io/org/web:1.0.0")], [deployment("ghcr.io/org/web:1.0.0")], images)).toEqual([
      "Deployment prod/web runs ghcr.io/org/web:1.0.0, not the promoted ghcr.io/org/web:1.1.0",
    ]);
  });

  it("pairs a generated ConfigMap renamed because a promoted value changed its content", () => {
    const user = (name: string) =>
      manifest({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "prod" }, spec: { containers: [], volumes: [{ name: "v", configMap: { name } }] } });
    const before = [configMap("values-5d4h2k9g7b", "image:\n  tag: 1.0.0\n"), user("values-5d4h2k9g7b")];
    const after = [configMap("values-8c7f6m2t5k", "image:\n  tag: 1.1.0\n"), user("values-8c7f6m2t5k")];
    expect(checkPromotedRendering(before, after, images)).toEqual([]);
  });
});
