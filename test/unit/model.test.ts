import { describe, expect, it } from "vitest";
import { groupOf, objectKey, objectLabel } from "../../src/model.ts";

describe("groupOf", () => {
  it.each([
    ["v1", "", "v1"],
    ["apps/v1", "apps", "v1"],
    ["kustomize.toolkit.fluxcd.io/v1", "kustomize.toolkit.fluxcd.io", "v1"],
  ])("%s", (apiVersion, group, version) => {
    expect(groupOf(apiVersion)).toEqual({ group, version });
  });
});

describe("object keys and labels", () => {
  const id = { group: "apps", version: "v1", kind: "Deployment", namespace: "web", name: "api" };
  it("ignores the version in the key", () => {
    expect(objectKey(id)).toBe(objectKey({ ...id, version: "v1beta1" }));
  });
  it("labels namespaced and cluster-scoped objects", () => {
    expect(objectLabel(id)).toBe("Deployment web/api");
    expect(objectLabel({ ...id, kind: "Namespace", namespace: "", name: "web" })).toBe("Namespace web");
  });
});
