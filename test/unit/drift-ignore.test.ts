// Ignore rules: JSON Pointers on the objects their globs select, removed before drift compares.
import { describe, expect, it } from "vitest";
import { applyIgnoreRules, validateIgnoreRules, type DriftIgnoreRule } from "../../src/drift/ignore.ts";
import type { KubeObject } from "../../src/model.ts";

function deployment(name = "api", namespace = "shop"): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, annotations: { "example.com/a/b": "x", "tilde~key": "y", keep: "z" } },
    spec: {
      replicas: 3,
      template: { spec: { containers: [{ name: "app", image: "app:1" }, { name: "sidecar", image: "proxy:1" }, { name: "third", image: "t:1" }] } },
    },
  };
}

type Fields = Record<string, unknown>;
const spec = (object: KubeObject) => object.spec as Fields;
const containers = (object: KubeObject) => ((spec(object).template as Fields).spec as Fields).containers as Fields[];
const annotations = (object: KubeObject) => (object.metadata as Fields).annotations as Fields;

describe("applyIgnoreRules", () => {
  it.each<{ name: string; rules: DriftIgnoreRule[]; check: (object: KubeObject) => void }>([
    { name: "a field", rules: [{ kind: "Deployment", jsonPointers: ["/spec/replicas"] }], check: (object) => expect(spec(object)).not.toHaveProperty("replicas") },
    {
      name: "escaped keys: ~1 is / and ~0 is ~",
      rules: [{ jsonPointers: ["/metadata/annotations/example.com~1a~1b", "/metadata/annotations/tilde~0key"] }],
      check: (object) => expect(annotations(object)).toEqual({ keep: "z" }),
    },
    {
      name: "an array index",
      rules: [{ jsonPointers: ["/spec/template/spec/containers/1"] }],
      check: (object) => expect(containers(object).map((container) => container.name)).toEqual(["app", "third"]),
    },
    {
      name: "two indices of one array: both named elements go, whatever the order",
      rules: [{ jsonPointers: ["/spec/template/spec/containers/0", "/spec/template/spec/containers/2"] }],
      check: (object) => expect(containers(object).map((container) => container.name)).toEqual(["sidecar"]),
    },
    {
      name: "a field inside an array element",
      rules: [{ jsonPointers: ["/spec/template/spec/containers/1/image"] }],
      check: (object) => expect(containers(object)[1]).toEqual({ name: "sidecar" }),
    },
    {
      name: "globs on group, kind, namespace and name",
      rules: [{ group: "app*", kind: "Deploy*", namespace: "sh*", name: "*i", jsonPointers: ["/spec/replicas"] }],
      check: (object) => expect(spec(object)).not.toHaveProperty("replicas"),
    },
    { name: "a rule for another name changes nothing", rules: [{ name: "web", jsonPointers: ["/spec/replicas"] }], check: (object) => expect(object).toEqual(deployment()) },
    { name: "the core group does not match apps", rules: [{ group: "", jsonPointers: ["/spec/replicas"] }], check: (object) => expect(object).toEqual(deployment()) },
    {
      name: "pointers that lead nowhere change nothing",
      rules: [{ jsonPointers: ["/spec/nothing/here", "/spec/template/spec/containers/9", "/spec/template/spec/containers/-", "/spec/replicas/0", "/spec/template/spec/containers/01"] }],
      check: (object) => expect(object).toEqual(deployment()),
    },
  ])("$name", ({ rules, check }) => {
    const input = deployment();
    check(applyIgnoreRules(input, rules));
    expect(input, "the input is not modified").toEqual(deployment());
  });

  it("matches by the given id when the object does not carry its namespace", () => {
    const object = deployment();
    delete (object.metadata as Fields).namespace;
    const id = { group: "apps", version: "v1", kind: "Deployment", namespace: "shop", name: "api" };
    expect(spec(applyIgnoreRules(object, [{ namespace: "shop", jsonPointers: ["/spec/replicas"] }], id))).not.toHaveProperty("replicas");
    expect(spec(applyIgnoreRules(object, [{ namespace: "shop", jsonPointers: ["/spec/replicas"] }]))).toHaveProperty("replicas", 3);
  });
});

describe("validateIgnoreRules", () => {
  it("accepts valid rules", () => {
    expect(validateIgnoreRules([{ kind: "Deployment", jsonPointers: ["/spec/replicas", "/metadata/annotations/a~1b", "/spec/x/0"] }])).toEqual([]);
  });

  it.each([
    { name: "no leading slash", rules: [{ jsonPointers: ["spec/replicas"] }], message: 'ignore[0].jsonPointers[0]: "spec/replicas" must start with "/"' },
    { name: "the whole object", rules: [{ jsonPointers: [""] }], message: 'ignore[0].jsonPointers[0]: "" points at the whole object' },
    { name: "a bad escape", rules: [{ jsonPointers: ["/a~2b"] }], message: 'ignore[0].jsonPointers[0]: "/a~2b" has a "~" not followed by 0 or 1' },
    { name: "no pointers", rules: [{ kind: "Deployment", jsonPointers: [] }], message: "ignore[0].jsonPointers: must be a non-empty list" },
    { name: "a glob that is not a string", rules: [{ kind: 3, jsonPointers: ["/a"] }], message: "ignore[0].kind: must be a string" },
  ])("rejects $name", ({ rules, message }) => {
    const messages = validateIgnoreRules(rules as unknown as DriftIgnoreRule[]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(message);
  });

  it("names the rule and the pointer of each problem", () => {
    expect(validateIgnoreRules([{ jsonPointers: ["/ok"] }, { jsonPointers: ["/ok", "bad"] }])).toEqual([
      'ignore[1].jsonPointers[1]: "bad" must start with "/" (RFC 6901), e.g. "/spec/replicas"',
    ]);
  });
});
