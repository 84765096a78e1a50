import { describe, expect, it } from "vitest";
import { diffManifests, maskForOutput, normalizeObject, toYaml } from "../../src/diff/index.ts";
import { groupOf, type KubeObject, type Manifest, type ObjectDiff } from "../../src/model.ts";

/** A Manifest as the renderer makes it: identity from apiVersion, kind and metadata. */
function manifest(object: KubeObject, index = 0): Manifest {
  const metadata = object.metadata as { name: string; namespace?: string };
  return {
    object,
    id: { ...groupOf(object.apiVersion as string), kind: object.kind as string, namespace: metadata.namespace ?? "", name: metadata.name },
    rendered: { index, line: 1 },
  };
}

function deployment(options: { name?: string; namespace?: string; image?: string; replicas?: number; apiVersion?: string } = {}): KubeObject {
  return {
    apiVersion: options.apiVersion ?? "apps/v1",
    kind: "Deployment",
    metadata: { name: options.name ?? "web", namespace: options.namespace ?? "shop" },
    spec: {
      replicas: options.replicas ?? 1,
      template: { spec: { containers: [{ name: "web", image: options.image ?? "nginx:1.0" }] } },
    },
  };
}

const configMap = (name: string, data: Record<string, string>, namespace = "shop"): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace },
  data,
});

const b64 = (text: string) => Buffer.from(text).toString("base64");
const KEY = "test-key";
const diff = (base: KubeObject[], head: KubeObject[], context?: number) =>
  diffManifests(
    base.map((o, i) => manifest(o, i)),
    head.map((o, i) => manifest(o, i)),
    { fingerprintKey: KEY, ...(context === undefined ? {} : { context }) },
  );

/** The noise-free form the normalizer must produce, as YAML (which shows key order too). */
describe("normalizeObject drops noise and nothing else", () => {
  it.each<{ name: string; object: KubeObject; expected: string }>([
    {
      name: "key order: apiVersion, kind, metadata, then alphabetical, at every depth",
      object: { spec: { b: 1, a: { d: 1, c: 2 } }, metadata: { labels: { z: "1", a: "2" }, namespace: "n", name: "x" }, kind: "K", apiVersion: "v1", data: {} },
      expected: "apiVersion: v1\nkind: K\nmetadata:\n  name: x\n  namespace: n\n  labels:\n    a: \"2\"\n    z: \"1\"\ndata: {}\nspec:\n  a:\n    c: 2\n    d: 1\n  b: 1\n",
    },
    {
      name: "metadata: name, namespace, labels, annotations, then the rest sorted",
      object: { apiVersion: "v1", kind: "K", metadata: { uid: "u", annotations: { a: "1" }, finalizers: ["f"], labels: { l: "1" }, namespace: "n", name: "x" } },
      expected: "apiVersion: v1\nkind: K\nmetadata:\n  name: x\n  namespace: n\n  labels:\n    l: \"1\"\n  annotations:\n    a: \"1\"\n  finalizers:\n  - f\n  uid: u\n",
    },
    {
      name: "empty labels and annotations, null creationTimestamp, empty status",
      object: { apiVersion: "v1", kind: "Service", metadata: { name: "s", labels: {}, annotations: {}, creationTimestamp: null }, status: {} },
      expected: "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n",
    },
    {
      name: "empty pod template metadata",
      object: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: { template: { metadata: { creationTimestamp: null, labels: {} }, spec: {} } } },
      expected: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec: {}\n",
    },
    {
      name: "empty CronJob job and pod template metadata",
      object: {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: "c" },
        spec: { jobTemplate: { metadata: { annotations: {} }, spec: { template: { metadata: { creationTimestamp: null }, spec: {} } } } },
      },
      expected: "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec: {}\n",
    },
    {
      name: "empty StatefulSet claim template metadata and status",
      object: { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "s" }, spec: { volumeClaimTemplates: [{ metadata: { name: "d", creationTimestamp: null }, status: {} }] } },
      expected: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: s\nspec:\n  volumeClaimTemplates:\n  - metadata:\n      name: d\n",
    },
    {
      name: "keeps empty maps that mean something (emptyDir, data, securityContext)",
      object: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { securityContext: {}, volumes: [{ name: "tmp", emptyDir: {} }] } },
      expected: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext: {}\n  volumes:\n  - emptyDir: {}\n    name: tmp\n",
    },
    {
      name: "keeps labels with content, a real creationTimestamp and a status with content",
      object: { apiVersion: "v1", kind: "K", metadata: { name: "x", creationTimestamp: "2024-01-01T00:00:00Z", labels: { a: "b" } }, status: { phase: "Ready" } },
      expected: "apiVersion: v1\nkind: K\nmetadata:\n  name: x\n  labels:\n    a: b\n  creationTimestamp: 2024-01-01T00:00:00Z\nstatus:\n  phase: Ready\n",
    },
  ])("$name", ({ object, expected }) => {
    const before = structuredClone(object);
    expect(toYaml(normalizeObject(object))).toBe(expected);
    expect(object).toEqual(before); // the input is not modified
  });

  it("does not fold long strings", () => {
    const long = "word ".repeat(60).trim();
    expect(toYaml({ text: long })).toBe(`text: ${long}\n`);
  });
});

/** [change, kind, name, linesAdded, linesRemoved] of each diff. */
const summary = (diffs: ObjectDiff[]) => diffs.map((d) => [d.change, d.id.kind, d.id.name, d.linesAdded, d.linesRemoved]);

describe("diffManifests", () => {
  it.each<{ name: string; base: KubeObject[]; head: KubeObject[]; expected: unknown[][]; unchanged: number }>([
    { name: "identical renderings", base: [deployment()], head: [deployment()], expected: [], unchanged: 1 },
    {
      name: "only key order differs",
      base: [{ data: { b: "2", a: "1" }, metadata: { namespace: "shop", name: "c" }, kind: "ConfigMap", apiVersion: "v1" }],
      head: [configMap("c", { a: "1", b: "2" })],
      expected: [],
      unchanged: 1,
    },
    {
      name: "only empty labels and a null timestamp differ",
      base: [{ ...configMap("c", { a: "1" }), metadata: { name: "c", namespace: "shop", labels: {}, annotations: {}, creationTimestamp: null } }],
      head: [configMap("c", { a: "1" })],
      expected: [],
      unchanged: 1,
    },
    { name: "image bump", base: [deployment()], head: [deployment({ image: "nginx:1.1" })], expected: [["changed", "Deployment", "web", 1, 1]], unchanged: 0 },
    { name: "replica change", base: [deployment({ replicas: 1 })], head: [deployment({ replicas: 3 })], expected: [["changed", "Deployment", "web", 1, 1]], unchanged: 0 },
    {
      name: "an added object, the whole of it",
      base: [deployment()],
      head: [deployment(), configMap("new", { a: "1" })],
      expected: [["added", "ConfigMap", "new", 7, 0]],
      unchanged: 1,
    },
    {
      name: "a removed object, the whole of it",
      base: [deployment(), configMap("old", { a: "1" })],
      head: [deployment()],
      expected: [["removed", "ConfigMap", "old", 0, 7]],
      unchanged: 1,
    },
    {
      name: "apps/v1beta1 → apps/v1 is the same object, changed",
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
    {
      name: "a generated ConfigMap matched across its hash change",
      base: [configMap("app-config-4h2mbtbbt6", { LOG_LEVEL: "info" })],
      head: [configMap("app-config-tf28tfk457", { LOG_LEVEL: "debug" })],
      expected: [["changed", "ConfigMap", "app-config-tf28tfk457", 2, 2]],
      unchanged: 0,
    },
    {
      name: "ambiguous generated ConfigMaps stay added and removed",
      base: [configMap("cfg-4h2mbtbbt6", { a: "1" })],
      head: [configMap("cfg-tf28tfk457", { a: "2" }), configMap("cfg-9k8m7h6g5f", { a: "3" })],
      expected: [
        ["removed", "ConfigMap", "cfg-4h2mbtbbt6", 0, 7],
        ["added", "ConfigMap", "cfg-9k8m7h6g5f", 7, 0],
        ["added", "ConfigMap", "cfg-tf28tfk457", 7, 0],
      ],
      unchanged: 0,
    },
  ])("$name", ({ base, head, expected, unchanged }) => {
    const result = diff(base, head);
    expect(summary(result.diffs)).toEqual(expected);
    expect(result.unchanged).toBe(unchanged);
  });

  it("writes a unified diff with 3 lines of context and headers naming the object", () => {
    const { diffs } = diff([deployment({ replicas: 1 })], [deployment({ replicas: 3 })]);
    expect(diffs[0]!.patch).toBe(
      [
        "--- base/apps/Deployment/shop/web",
        "+++ head/apps/Deployment/shop/web",
        "@@ -4,7 +4,7 @@",
        "   name: web",
        "   namespace: shop",
        " spec:",
        "-  replicas: 1",
        "+  replicas: 3",
        "   template:",
        "     spec:",
        "       containers:",
        "",
      ].join("\n"),
    );
  });

  it("takes the context from the options", () => {
    const { diffs } = diff([deployment({ replicas: 1 })], [deployment({ replicas: 3 })], 0);
    expect(diffs[0]!.patch.split("\n").slice(2)).toEqual(["@@ -7,1 +7,1 @@", "-  replicas: 1", "+  replicas: 3", ""]);
  });

  it("shows an added object as all-added lines, a removed one as all-removed lines", () => {
    const object = configMap("c", { a: "1" }, "");
    const [added] = diff([], [object]).diffs;
    const [removed] = diff([object], []).diffs;
    const yaml = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: c", '  namespace: ""', "data:", '  a: "1"'];
    expect(added!.patch).toBe(["--- /dev/null", "+++ head/ConfigMap/c", "@@ -0,0 +1,7 @@", ...yaml.map((l) => `+${l}`), ""].join("\n"));
    expect(removed!.patch).toBe(["--- base/ConfigMap/c", "+++ /dev/null", "@@ -1,7 +0,0 @@", ...yaml.map((l) => `-${l}`), ""].join("\n"));
  });

  it("names the base object by its old name when matched across a hash change", () => {
    const { diffs } = diff([configMap("app-config-4h2mbtbbt6", { a: "1" })], [configMap("app-config-tf28tfk457", { a: "2" })]);
    expect(diffs[0]).toMatchObject({ change: "changed", previousName: "app-config-4h2mbtbbt6", id: { name: "app-config-tf28tfk457" } });
    expect(diffs[0]!.patch).toMatch(/^--- base\/ConfigMap\/shop\/app-config-4h2mbtbbt6\n\+\+\+ head\/ConfigMap\/shop\/app-config-tf28tfk457\n/);
    expect(diffs[0]!.secretKeys).toBeUndefined();
  });

  it("does not fold long strings, so a one-word change is a one-line diff", () => {
    const long = "word ".repeat(60);
    const { diffs } = diff([configMap("c", { text: `${long}a` })], [configMap("c", { text: `${long}b` })]);
    expect([diffs[0]!.linesAdded, diffs[0]!.linesRemoved]).toEqual([1, 1]);
  });

  it("orders Namespaces and CRDs first, then by kind, namespace and name", () => {
    const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "z" } };
    const crd = { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "things.example.com" } };
    const { diffs } = diff([], [deployment({ name: "b" }), configMap("a", {}, "y"), deployment({ name: "a" }), configMap("a", {}, "x"), crd, namespace]);
    expect(diffs.map((d) => `${d.id.kind}/${d.id.namespace}/${d.id.name}`)).toEqual([
      "Namespace//z",
      "CustomResourceDefinition//things.example.com",
      "ConfigMap/x/a",
      "ConfigMap/y/a",
      "Deployment/shop/a",
      "Deployment/shop/b",
    ]);
  });

  it("carries the source location of the head object, of the base object when removed", () => {
    const withSource = (m: Manifest, file: string): Manifest => ({ ...m, source: { file, line: 4 } });
    const base = [withSource(manifest(deployment()), "base.yaml"), withSource(manifest(configMap("gone", {})), "gone.yaml")];
    const head = [withSource(manifest(deployment({ image: "x" })), "head.yaml")];
    const { diffs } = diffManifests(base, head, { fingerprintKey: KEY });
    expect(diffs.map((d) => [d.id.name, d.source?.file])).toEqual([
      ["gone", "gone.yaml"],
      ["web", "head.yaml"],
    ]);
  });

  it("stays fast on thousands of objects", () => {
    const base = Array.from({ length: 3000 }, (_, i) => manifest(deployment({ name: `app-${i}` }), i));
    const head = base.map((_, i) => manifest(deployment({ name: `app-${i}`, replicas: i % 10 === 0 ? 2 : 1 }), i));
    const started = performance.now();
    const { diffs, unchanged } = diffManifests(base, head, { fingerprintKey: KEY });
    expect(diffs).toHaveLength(300);
    expect(unchanged).toBe(2700);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("replaces the whole object when nearly every line of a huge object changed", () => {
    const data = (prefix: string) => Object.fromEntries(Array.from({ length: 6000 }, (_, i) => [`k${i}`, `${prefix}${i}`]));
    const started = performance.now();
    const { diffs } = diff([configMap("big", data("a"))], [configMap("big", data("b"))]);
    const lines = 6 + 6000; // apiVersion, kind, metadata, name, namespace, data: then the keys
    expect([diffs[0]!.linesAdded, diffs[0]!.linesRemoved]).toEqual([lines, lines]);
    expect(diffs[0]!.patch.split("\n")[2]).toBe(`@@ -1,${lines} +1,${lines} @@`);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe("maskForOutput", () => {
  it("keeps the layout kustomize printed, so render output differs from --show-secrets only in values", () => {
    const object = { kind: "Secret", apiVersion: "v1", metadata: { labels: {}, name: "s" }, data: { b: b64("x"), a: b64("y") } };
    const masked = maskForOutput(object);
    expect(Object.keys(masked)).toEqual(["kind", "apiVersion", "metadata", "data"]);
    expect(Object.keys(masked.data as object)).toEqual(["b", "a"]);
    expect(masked.metadata).toBe(object.metadata);
  });

  it("uses one key for the whole run, so equal values show equal fingerprints across objects", () => {
    const first = maskForOutput({ kind: "Secret", apiVersion: "v1", metadata: { name: "a" }, data: { p: b64("same") } });
    const second = maskForOutput({ kind: "Secret", apiVersion: "v1", metadata: { name: "b" }, stringData: { q: "same" } });
    expect((first.data as { p: string }).p).toBe((second.stringData as { q: string }).q);
  });

  it("returns objects other than Secrets as they are", () => {
    const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "visible" } };
    expect(maskForOutput(configMap)).toBe(configMap);
  });
});
