import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  APPLYSET_ID_LABEL,
  GROUP_KINDS_ANNOTATION,
  NAMESPACES_ANNOTATION,
  PART_OF_LABEL,
  TOOLING_ANNOTATION,
  applySetId,
  formatGroupKind,
  formatGroupKinds,
  memberSelector,
  parentId,
  parentObject,
  parseGroupKinds,
  readParent,
  toolingName,
  withPartOf,
} from "../../src/cluster/applyset.ts";
import { UserError } from "../../src/errors.ts";
import type { KubeObject } from "../../src/model.ts";

describe("applySetId", () => {
  // The value kubectl's own apply test expects for the Secret parent "my-set" in namespace "test".
  it("matches the id kubectl computes for a Secret parent", () => {
    expect(applySetId({ name: "my-set", namespace: "test", kind: "Secret", group: "" })).toBe("applyset-0eFHV8ySqp7XoShsGvyWFQD3s96yqwHmzc4e0HR1dsY-v1");
    expect(parentId({ name: "my-set", namespace: "test" })).toBe("applyset-0eFHV8ySqp7XoShsGvyWFQD3s96yqwHmzc4e0HR1dsY-v1");
  });

  /** The KEP's formula, independently: base64 (RFC 4648 URL alphabet, no padding) of sha256 of name.namespace.kind.group. */
  const documented = (text: string) =>
    `applyset-${createHash("sha256").update(text).digest("base64").replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")}-v1`;

  it.each([
    { name: "a Secret parent", parent: { name: "web", namespace: "prod", kind: "Secret", group: "" }, text: "web.prod.Secret." },
    { name: "a cluster-scoped custom parent", parent: { name: "set", namespace: "", kind: "ClusterApplySet", group: "example.io" }, text: "set..ClusterApplySet.example.io" },
    { name: "a ConfigMap parent", parent: { name: "a-b", namespace: "x", kind: "ConfigMap", group: "" }, text: "a-b.x.ConfigMap." },
  ])("follows the documented formula for $name", ({ parent, text }) => {
    const id = applySetId(parent);
    expect(id).toBe(documented(text));
    expect(id).toMatch(/^applyset-[A-Za-z0-9_-]{43}-v1$/);
  });

  it("differs between parents", () => {
    expect(parentId({ name: "a", namespace: "b" })).not.toBe(parentId({ name: "b", namespace: "a" }));
  });
});

describe("group kinds", () => {
  it.each([
    { name: "an apps kind", gk: { group: "apps", kind: "Deployment" }, text: "Deployment.apps" },
    { name: "a core kind", gk: { group: "", kind: "ConfigMap" }, text: "ConfigMap" },
    { name: "a dotted group", gk: { group: "cert-manager.io", kind: "Certificate" }, text: "Certificate.cert-manager.io" },
  ])("formats $name", ({ gk, text }) => {
    expect(formatGroupKind(gk)).toBe(text);
  });

  it.each([
    { name: "nothing", text: undefined, expected: [] },
    { name: "an empty annotation", text: "", expected: [] },
    { name: "one core kind", text: "Secret", expected: [{ kind: "Secret", group: "" }] },
    {
      name: "a list with spaces and empty items",
      text: " Deployment.apps, ,Secret,,Certificate.cert-manager.io ",
      expected: [
        { kind: "Deployment", group: "apps" },
        { kind: "Secret", group: "" },
        { kind: "Certificate", group: "cert-manager.io" },
      ],
    },
    { name: "duplicates", text: "Secret,Secret", expected: [{ kind: "Secret", group: "" }] },
  ])("parses $name", ({ text, expected }) => {
    expect(parseGroupKinds(text)).toEqual(expected);
  });

  it.each([
    { name: "nothing", gks: [], text: "" },
    {
      name: "kinds in any order, sorted by bytes (upper case first) and deduplicated",
      gks: [
        { group: "", kind: "Service" },
        { group: "apps", kind: "Deployment" },
        { group: "", kind: "ConfigMap" },
        { group: "apps", kind: "Deployment" },
        { group: "cert-manager.io", kind: "Certificate" },
        { group: "example.io", kind: "alpha" },
      ],
      text: "Certificate.cert-manager.io,ConfigMap,Deployment.apps,Service,alpha.example.io",
    },
  ])("formats $name", ({ gks, text }) => {
    expect(formatGroupKinds(gks)).toBe(text);
  });

  it("round-trips", () => {
    const text = "ConfigMap,Deployment.apps,Ingress.networking.k8s.io";
    expect(formatGroupKinds(parseGroupKinds(text))).toBe(text);
  });
});

describe("parentObject", () => {
  const ref = { name: "gitops-verify-web", namespace: "prod" };
  const annotationsOf = (object: KubeObject) => (object.metadata as { annotations: Record<string, string> }).annotations;
  const labelsOf = (object: KubeObject) => (object.metadata as { labels: Record<string, string> }).labels;

  it("is a v1 Opaque Secret with the id label and the ApplySet annotations", () => {
    const object = parentObject(ref, {
      tooling: "gitops-verify/v0.1.0",
      groupKinds: [
        { group: "apps", kind: "Deployment" },
        { group: "", kind: "Service" },
      ],
      namespaces: ["prod", "monitoring", "cache", "monitoring"],
    });
    expect(object).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "gitops-verify-web",
        namespace: "prod",
        labels: { [APPLYSET_ID_LABEL]: parentId(ref) },
        annotations: {
          [TOOLING_ANNOTATION]: "gitops-verify/v0.1.0",
          [GROUP_KINDS_ANNOTATION]: "Deployment.apps,Service",
          [NAMESPACES_ANNOTATION]: "cache,monitoring",
        },
      },
      type: "Opaque",
    });
  });

  it.each([
    { name: "only the parent's namespace", namespaces: ["prod"] },
    { name: "no namespace (cluster-scoped members only)", namespaces: [] },
    { name: "an empty namespace name", namespaces: ["", "prod"] },
  ])("writes an empty additional-namespaces annotation, as kubectl does, for $name", ({ namespaces }) => {
    const object = parentObject(ref, { tooling: "gitops-verify/v1", groupKinds: [], namespaces });
    expect(annotationsOf(object)[NAMESPACES_ANNOTATION]).toBe("");
    expect(annotationsOf(object)[GROUP_KINDS_ANNOTATION]).toBe("");
  });

  it("keeps extra labels, annotations, data and type, the ApplySet keys winning", () => {
    const object = parentObject(ref, {
      tooling: "gitops-verify/v1",
      groupKinds: [],
      namespaces: [],
      labels: { team: "web", [APPLYSET_ID_LABEL]: "forged" },
      annotations: { note: "x", [TOOLING_ANNOTATION]: "kubectl/v1.30" },
      data: { "last-applied.json.gz": "H4sI" },
      type: "example.com/record",
    });
    expect(labelsOf(object)).toEqual({ team: "web", [APPLYSET_ID_LABEL]: parentId(ref) });
    expect(annotationsOf(object).note).toBe("x");
    expect(annotationsOf(object)[TOOLING_ANNOTATION]).toBe("gitops-verify/v1");
    expect(object.data).toEqual({ "last-applied.json.gz": "H4sI" });
    expect(object.type).toBe("example.com/record");
  });
});

describe("readParent", () => {
  const ref = { name: "set", namespace: "prod" };
  const id = parentId(ref);
  function live(labels: Record<string, string>, annotations: Record<string, string>): KubeObject {
    return { apiVersion: "v1", kind: "Secret", metadata: { name: "set", namespace: "prod", labels, annotations } };
  }

  it.each([
    {
      name: "a parent of ours, another version",
      object: live({ [APPLYSET_ID_LABEL]: id }, { [TOOLING_ANNOTATION]: "gitops-verify/v0.0.9", [GROUP_KINDS_ANNOTATION]: "Deployment.apps,ConfigMap", [NAMESPACES_ANNOTATION]: "cache,auth" }),
      expected: {
        id,
        groupKinds: [
          { kind: "Deployment", group: "apps" },
          { kind: "ConfigMap", group: "" },
        ],
        namespaces: ["auth", "cache", "prod"],
        toolingName: "gitops-verify",
        groupKindsKnown: true,
      },
    },
    {
      name: "an empty set",
      object: live({ [APPLYSET_ID_LABEL]: id }, { [TOOLING_ANNOTATION]: "gitops-verify/v1", [GROUP_KINDS_ANNOTATION]: "", [NAMESPACES_ANNOTATION]: "" }),
      expected: { id, groupKinds: [], namespaces: ["prod"], toolingName: "gitops-verify", groupKindsKnown: true },
    },
    {
      name: "a parent without the group-kinds annotation",
      object: live({ [APPLYSET_ID_LABEL]: id }, { [TOOLING_ANNOTATION]: "gitops-verify/v1" }),
      expected: { id, groupKinds: [], namespaces: ["prod"], toolingName: "gitops-verify", groupKindsKnown: false },
    },
  ])("reads $name", ({ object, expected }) => {
    expect(readParent(object, id, "gitops-verify/v0.1.0")).toEqual(expected);
  });

  it.each([
    { name: "a Secret that is no parent", object: live({}, {}), message: /is not an ApplySet parent/ },
    { name: "another set's parent", object: live({ [APPLYSET_ID_LABEL]: "applyset-other-v1" }, { [TOOLING_ANNOTATION]: "gitops-verify/v1" }), message: /parent of another ApplySet.*applyset-other-v1/ },
    { name: "kubectl's parent", object: live({ [APPLYSET_ID_LABEL]: id }, { [TOOLING_ANNOTATION]: "kubectl/v1.30" }), message: /managed by "kubectl\/v1\.30".*Keep using kubectl/ },
    { name: "a parent without tooling", object: live({ [APPLYSET_ID_LABEL]: id }, {}), message: /has no applyset\.kubernetes\.io\/tooling annotation/ },
    { name: "a tool whose name only starts like ours", object: live({ [APPLYSET_ID_LABEL]: id }, { [TOOLING_ANNOTATION]: "gitops-verify-fork/v1" }), message: /not by gitops-verify/ },
  ])("refuses $name", ({ object, message }) => {
    expect(() => readParent(object, id, "gitops-verify/v0.1.0")).toThrow(UserError);
    expect(() => readParent(object, id, "gitops-verify/v0.1.0")).toThrow(message);
  });

  it.each([
    { name: "name/version", tooling: "kubectl/v1.30", expected: "kubectl" },
    { name: "a name with a slash", tooling: "example.com/tool/v2", expected: "example.com/tool" },
    { name: "a bare name", tooling: "helm", expected: "helm" },
  ])("takes the tool's name from $name", ({ tooling, expected }) => {
    expect(toolingName(tooling)).toBe(expected);
  });
});

describe("members", () => {
  const id = parentId({ name: "set", namespace: "prod" });

  it.each([
    { name: "an object without labels", object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } } as KubeObject, labels: { [PART_OF_LABEL]: id } },
    { name: "an object with labels", object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", labels: { app: "web" } } } as KubeObject, labels: { app: "web", [PART_OF_LABEL]: id } },
    { name: "an object already labelled for this set", object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", labels: { [PART_OF_LABEL]: id } } } as KubeObject, labels: { [PART_OF_LABEL]: id } },
  ])("labels $name without changing the input", ({ object, labels }) => {
    const before = structuredClone(object);
    const member = withPartOf(object, id);
    expect((member.metadata as { labels: unknown }).labels).toEqual(labels);
    expect(object).toEqual(before);
  });

  it("refuses an object labelled for another set", () => {
    const object = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "prod", labels: { [PART_OF_LABEL]: "applyset-x-v1" } } };
    expect(() => withPartOf(object, id)).toThrow(/ConfigMap prod\/a already has the label/);
  });

  it("selects the members", () => {
    expect(memberSelector(id)).toBe(`applyset.kubernetes.io/part-of=${id}`);
  });
});
