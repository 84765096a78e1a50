import { describe, expect, it } from "vitest";
import { matchObjects } from "../../src/diff/index.ts";
import type { KubeObject } from "../../src/model.ts";
import { configMap, deployment, manifest, secret } from "../helpers/manifests.ts";

const names = (list: { id: { name: string } }[]) => list.map((m) => m.id.name);

describe("matchObjects", () => {
  it.each<{ name: string; base: KubeObject[]; head: KubeObject[]; pairs: string[]; added: string[]; removed: string[] }>([
    {
      name: "same identity",
      base: [deployment(), configMap("c", {})],
      head: [configMap("c", {}), deployment()],
      pairs: ["c->c", "web->web"],
      added: [],
      removed: [],
    },
    {
      name: "generated ConfigMap across a hash change",
      base: [configMap("app-config-4h2mbtbbt6", { a: "1" })],
      head: [configMap("app-config-tf28tfk457", { a: "2" })],
      pairs: ["app-config-4h2mbtbbt6->app-config-tf28tfk457"],
      added: [],
      removed: [],
    },
    {
      name: "generated Secret across a hash change",
      base: [secret("db-77f487d9c2", {})],
      head: [secret("db-2bdd98khdd", {})],
      pairs: ["db-77f487d9c2->db-2bdd98khdd"],
      added: [],
      removed: [],
    },
    {
      name: "ambiguous: two new candidates are not guessed",
      base: [configMap("cfg-4h2mbtbbt6", {}, "a")],
      head: [configMap("cfg-tf28tfk457", {}, "a"), configMap("cfg-9k8m7h6g5f", {}, "a")],
      pairs: [],
      added: ["cfg-tf28tfk457", "cfg-9k8m7h6g5f"],
      removed: ["cfg-4h2mbtbbt6"],
    },
    {
      name: "hash-like names of other kinds are not matched",
      base: [deployment({ name: "web-4h2mbtbbt6" })],
      head: [deployment({ name: "web-tf28tfk457" })],
      pairs: [],
      added: ["web-tf28tfk457"],
      removed: ["web-4h2mbtbbt6"],
    },
    {
      name: "a different namespace is not the same generated object",
      base: [configMap("cfg-4h2mbtbbt6", {}, "a")],
      head: [configMap("cfg-tf28tfk457", {}, "b")],
      pairs: [],
      added: ["cfg-tf28tfk457"],
      removed: ["cfg-4h2mbtbbt6"],
    },
  ])("$name", ({ base, head, pairs, added, removed }) => {
    const result = matchObjects(base.map((o, i) => manifest(o, i)), head.map((o, i) => manifest(o, i)));
    expect(result.pairs.map(([a, b]) => `${a.id.name}->${b.id.name}`)).toEqual(pairs);
    expect(names(result.added)).toEqual(added);
    expect(names(result.removed)).toEqual(removed);
  });
});
