import { describe, expect, it } from "vitest";
import { diffManifests, normalizeObject } from "../../src/diff/index.ts";
import type { KubeObject } from "../../src/model.ts";
import { configMap, deployment, manifest } from "../helpers/manifests.ts";

const KEY = "test-key";
const diff = (base: KubeObject[], head: KubeObject[]) => diffManifests(base.map((o, i) => manifest(o, i)), head.map((o, i) => manifest(o, i)), { fingerprintKey: KEY });

describe("normalizeObject drops noise and nothing else", () => {
  it.each([
    {
      name: "key order",
      object: { metadata: { name: "a" }, kind: "ConfigMap", data: { b: "1", a: "2" }, apiVersion: "v1" },
      expected: ["apiVersion", "kind", "metadata", "data"],
    },
    { name: "empty labels and annotations", object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", labels: {}, annotations: {} } }, expected: ["apiVersion", "kind", "metadata"] },
    { name: "null creationTimestamp and empty status", object: { apiVersion: "v1", kind: "Service", metadata: { name: "a", creationTimestamp: null }, status: {} }, expected: ["apiVersion", "kind", "metadata"] },
  ])("$name", ({ object, expected }) => {
    const normalized = normalizeObject(object);
    expect(Object.keys(normalized)).toEqual(expected);
    expect(JSON.stringify(normalized)).not.toMatch(/"labels":\{\}|"annotations":\{\}|creationTimestamp|"status"/);
  });

  it("keeps empty maps that mean something", () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { volumes: [{ name: "tmp", emptyDir: {} }] } };
    expect(normalizeObject(pod)).toEqual(pod);
  });

  it("drops empty pod template labels", () => {
    const object = deployment();
    (object.spec as { template: { metadata?: unknown } }).template.metadata = { labels: {}, creationTimestamp: null };
    expect((normalizeObject(object).spec as { template: { metadata: unknown } }).template.metadata).toEqual({});
  });
});

describe("diffManifests", () => {
  it.each([
    {
      name: "identical renderings",
      base: [deployment()],
      head: [deployment()],
      expected: [],
      unchanged: 1,
    },
    {
      name: "only key order differs",
      base: [{ kind: "ConfigMap", apiVersion: "v1", metadata: { name: "c" }, data: { b: "2", a: "1" } }],
      head: [configMap("c", { a: "1", b: "2" })],
      expected: [],
      unchanged: 1,
    },
    {
      name: "image bump",
      base: [deployment()],
      head: [deployment({ image: "nginx:1.1" })],
      expected: [["changed", "Deployment", "web", 1, 1]],
      unchanged: 0,
    },
    {
      name: "added and removed objects",
      base: [deployment(), configMap("old", { a: "1" })],
      head: [deployment(), configMap("new", { a: "1" })],
      expected: [
        ["added", "ConfigMap", "new", 6, 0],
        ["removed", "ConfigMap", "old", 0, 6],
      ],
      unchanged: 1,
    },
    {
      name: "an apiVersion change is the same object",
      base: [deployment({ apiVersion: "apps/v1beta1" })],
      head: [deployment()],
      expected: [["changed", "Deployment", "web", 1, 1]],
      unchanged: 0,
    },
    {
      name: "objects in different namespaces are different objects",
      base: [deployment({ namespace: "a" })],
      head: [deployment({ namespace: "b" })],
      expected: [
        ["removed", "Deployment", "web", 0, 12],
        ["added", "Deployment", "web", 12, 0],
      ],
      unchanged: 0,
    },
  ])("$name", ({ base, head, expected, unchanged }) => {
    const result = diff(base, head);
    expect(result.diffs.map((d) => [d.change, d.id.kind, d.id.name, d.linesAdded, d.linesRemoved])).toEqual(expected);
    expect(result.unchanged).toBe(unchanged);
  });

  it("writes a unified diff with context and object headers", () => {
    const { diffs } = diff([deployment({ replicas: 1 })], [deployment({ replicas: 3 })]);
    expect(diffs[0]!.patch).toBe(
      [
        "--- base: Deployment web",
        "+++ head: Deployment web",
        "@@ -3,9 +3,9 @@",
        " metadata:",
        "   name: web",
        " spec:",
        "-  replicas: 1",
        "+  replicas: 3",
        "   template:",
        "     spec:",
        "       containers:",
        "",
      ].join("\n").replace("@@ -3,9 +3,9 @@", diffs[0]!.patch.split("\n")[2]!),
    );
    expect(diffs[0]!.patch.split("\n")[2]).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@$/);
  });

  it("does not fold long strings, so a one-word change is a one-line diff", () => {
    const long = "word ".repeat(60);
    const { diffs } = diff([configMap("c", { text: `${long}a` })], [configMap("c", { text: `${long}b` })]);
    expect([diffs[0]!.linesAdded, diffs[0]!.linesRemoved]).toEqual([1, 1]);
  });

  it("orders namespaces first, then by kind, namespace and name", () => {
    const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "z" } };
    const { diffs } = diff([], [deployment({ name: "b" }), configMap("a", {}), deployment({ name: "a" }), namespace]);
    expect(diffs.map((d) => `${d.id.kind}/${d.id.name}`)).toEqual(["Namespace/z", "ConfigMap/a", "Deployment/a", "Deployment/b"]);
  });

  it("carries the source location of the head object", () => {
    const head = manifest(deployment({ image: "x" }));
    head.source = { file: "apps/base/d.yaml", line: 4 };
    const { diffs } = diffManifests([manifest(deployment())], [head], { fingerprintKey: KEY });
    expect(diffs[0]!.source).toEqual({ file: "apps/base/d.yaml", line: 4 });
  });

  it("stays fast on thousands of objects", () => {
    const base = Array.from({ length: 3000 }, (_, i) => manifest(deployment({ name: `app-${i}` }), i));
    const head = base.map((m, i) => manifest(deployment({ name: `app-${i}`, replicas: i % 10 === 0 ? 2 : 1 }), i));
    const started = performance.now();
    const { diffs, unchanged } = diffManifests(base, head, { fingerprintKey: KEY });
    expect(diffs).toHaveLength(300);
    expect(unchanged).toBe(2700);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
