import { describe, expect, it } from "vitest";
import { matchObjects } from "../../src/diff/index.ts";
import { groupOf, type KubeObject, type Manifest } from "../../src/model.ts";

/** A Manifest as the renderer makes it: identity from apiVersion, kind and metadata. */
function manifest(object: KubeObject, index = 0): Manifest {
  const metadata = object.metadata as { name: string; namespace?: string };
  return {
    object,
    id: { ...groupOf(object.apiVersion as string), kind: object.kind as string, namespace: metadata.namespace ?? "", name: metadata.name },
    rendered: { index, line: 1 },
  };
}

const object = (apiVersion: string, kind: string, name: string, namespace?: string): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
});
const configMap = (name: string, namespace = "apps") => object("v1", "ConfigMap", name, namespace);
const secret = (name: string, namespace = "apps") => object("v1", "Secret", name, namespace);
const deployment = (name: string, apiVersion = "apps/v1") => object(apiVersion, "Deployment", name, "apps");

/** "Kind/name" for added and removed, "base-name->head-name" for pairs. */
const label = (m: Manifest) => `${m.id.kind}/${m.id.name}`;

describe("matchObjects", () => {
  it.each<{ name: string; base: KubeObject[]; head: KubeObject[]; pairs: string[]; added: string[]; removed: string[] }>([
    {
      name: "same identity, in any order",
      base: [deployment("web"), configMap("c")],
      head: [configMap("c"), deployment("web")],
      pairs: ["ConfigMap/c->ConfigMap/c", "Deployment/web->Deployment/web"],
      added: [],
      removed: [],
    },
    {
      name: "a version change is the same object",
      base: [deployment("web", "apps/v1beta1")],
      head: [deployment("web", "apps/v1")],
      pairs: ["Deployment/web->Deployment/web"],
      added: [],
      removed: [],
    },
    {
      name: "a group change is a different object",
      base: [object("extensions/v1beta1", "Ingress", "web", "apps")],
      head: [object("networking.k8s.io/v1", "Ingress", "web", "apps")],
      pairs: [],
      added: ["Ingress/web"],
      removed: ["Ingress/web"],
    },
    {
      name: "objects in different namespaces are different objects",
      base: [configMap("c", "a")],
      head: [configMap("c", "b")],
      pairs: [],
      added: ["ConfigMap/c"],
      removed: ["ConfigMap/c"],
    },
    {
      name: "generated ConfigMap across a hash change",
      base: [configMap("app-config-4h2mbtbbt6")],
      head: [configMap("app-config-tf28tfk457")],
      pairs: ["ConfigMap/app-config-4h2mbtbbt6->ConfigMap/app-config-tf28tfk457"],
      added: [],
      removed: [],
    },
    {
      name: "generated Secret across a hash change",
      base: [secret("db-77f487d9c2")],
      head: [secret("db-2bdd98khdd")],
      pairs: ["Secret/db-77f487d9c2->Secret/db-2bdd98khdd"],
      added: [],
      removed: [],
    },
    {
      name: "ambiguous: two new candidates are not guessed",
      base: [configMap("cfg-4h2mbtbbt6")],
      head: [configMap("cfg-tf28tfk457"), configMap("cfg-9k8m7h6g5f")],
      pairs: [],
      added: ["ConfigMap/cfg-tf28tfk457", "ConfigMap/cfg-9k8m7h6g5f"],
      removed: ["ConfigMap/cfg-4h2mbtbbt6"],
    },
    {
      name: "ambiguous: two old candidates are not guessed",
      base: [configMap("cfg-4h2mbtbbt6"), configMap("cfg-9k8m7h6g5f")],
      head: [configMap("cfg-tf28tfk457")],
      pairs: [],
      added: ["ConfigMap/cfg-tf28tfk457"],
      removed: ["ConfigMap/cfg-4h2mbtbbt6", "ConfigMap/cfg-9k8m7h6g5f"],
    },
    {
      name: "an exact partner wins; the hash match only sees what is left",
      base: [configMap("cfg-4h2mbtbbt6"), configMap("cfg-9k8m7h6g5f")],
      head: [configMap("cfg-4h2mbtbbt6"), configMap("cfg-tf28tfk457")],
      pairs: ["ConfigMap/cfg-4h2mbtbbt6->ConfigMap/cfg-4h2mbtbbt6", "ConfigMap/cfg-9k8m7h6g5f->ConfigMap/cfg-tf28tfk457"],
      added: [],
      removed: [],
    },
    {
      name: "a generated object in another namespace is not the same",
      base: [configMap("cfg-4h2mbtbbt6", "a")],
      head: [configMap("cfg-tf28tfk457", "b")],
      pairs: [],
      added: ["ConfigMap/cfg-tf28tfk457"],
      removed: ["ConfigMap/cfg-4h2mbtbbt6"],
    },
    {
      name: "a ConfigMap does not become a Secret of the same stem",
      base: [configMap("cfg-4h2mbtbbt6")],
      head: [secret("cfg-tf28tfk457")],
      pairs: [],
      added: ["Secret/cfg-tf28tfk457"],
      removed: ["ConfigMap/cfg-4h2mbtbbt6"],
    },
    {
      name: "hash-like names of other kinds are not matched",
      base: [deployment("web-4h2mbtbbt6")],
      head: [deployment("web-tf28tfk457")],
      pairs: [],
      added: ["Deployment/web-tf28tfk457"],
      removed: ["Deployment/web-4h2mbtbbt6"],
    },
    {
      name: "a 10-letter word is not a kustomize hash (its alphabet has no vowels)",
      base: [configMap("settings-production")],
      head: [configMap("settings-preview001")],
      pairs: [],
      added: ["ConfigMap/settings-preview001"],
      removed: ["ConfigMap/settings-production"],
    },
    {
      name: "a name that gains a hash is not matched (only hash changes are)",
      base: [configMap("cfg")],
      head: [configMap("cfg-tf28tfk457")],
      pairs: [],
      added: ["ConfigMap/cfg-tf28tfk457"],
      removed: ["ConfigMap/cfg"],
    },
    {
      name: "the same object twice is paired in order",
      base: [configMap("c"), configMap("c")],
      head: [configMap("c")],
      pairs: ["ConfigMap/c->ConfigMap/c"],
      added: [],
      removed: ["ConfigMap/c"],
    },
  ])("$name", ({ base, head, pairs, added, removed }) => {
    const result = matchObjects(
      base.map((o, i) => manifest(o, i)),
      head.map((o, i) => manifest(o, i)),
    );
    expect(result.pairs.map(([a, b]) => `${label(a)}->${label(b)}`)).toEqual(pairs);
    expect(result.added.map(label)).toEqual(added);
    expect(result.removed.map(label)).toEqual(removed);
  });

  it("pairs the duplicate that came first", () => {
    const base = [manifest(configMap("c"), 0), manifest(configMap("c"), 1)];
    const result = matchObjects(base, [manifest(configMap("c"), 0)]);
    expect(result.pairs[0]![0]).toBe(base[0]);
    expect(result.removed).toEqual([base[1]]);
  });

  it("stays linear on many objects with many generated names", () => {
    const count = 20_000;
    const hash = (i: number, salt: string) => `${salt}${i.toString(16).padStart(9, "0")}`.replace(/[013ae]/g, "g");
    const base = Array.from({ length: count }, (_, i) => manifest(configMap(i % 2 ? `cm-${i}-${hash(i, "b")}` : `cm-${i}`), i));
    const head = Array.from({ length: count }, (_, i) => manifest(configMap(i % 2 ? `cm-${i}-${hash(i, "c")}` : `cm-${i}`), i));
    const started = performance.now();
    const result = matchObjects(base, head);
    expect(result.pairs).toHaveLength(count);
    expect(result.added).toHaveLength(0);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
