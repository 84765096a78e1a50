import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createFingerprinter, diffManifests, isSecret, maskForOutput, maskSecret, secretKeyChanges } from "../../src/diff/index.ts";
import { groupOf, type KubeObject, type Manifest, type SecretKeyChange } from "../../src/model.ts";

/** A Manifest as the renderer makes it: identity from apiVersion, kind and metadata. */
function manifest(object: KubeObject, index = 0): Manifest {
  const metadata = object.metadata as { name: string; namespace?: string };
  return {
    object,
    id: { ...groupOf(object.apiVersion as string), kind: object.kind as string, namespace: metadata.namespace ?? "", name: metadata.name },
    rendered: { index, line: 1 },
  };
}

function secret(values: { data?: unknown; stringData?: unknown }, options: { name?: string; annotations?: unknown } = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: options.name ?? "db", namespace: "shop", ...(options.annotations === undefined ? {} : { annotations: options.annotations }) },
    type: "Opaque",
    ...values,
  };
}

const b64 = (text: string) => Buffer.from(text).toString("base64");
const bytes = (text: string) => new TextEncoder().encode(text);

const KEY = "per-run-key";
const fingerprint = createFingerprinter(KEY);
const fp = (text: string) => fingerprint(bytes(text));

const CANARY = "CANARY-s3cr3t-value";

/** Every way the canary could leak: as written, base64-encoded (also a prefix of it), hex-encoded. */
function expectNoCanary(value: unknown): void {
  const text = JSON.stringify(value);
  expect(text).not.toContain(CANARY);
  expect(text).not.toContain(b64(CANARY));
  expect(text).not.toContain(b64(CANARY).slice(0, 12));
  expect(text).not.toContain(Buffer.from(CANARY).toString("hex"));
  expect(text).not.toContain("s3cr3t");
}

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** Secrets holding the canary in every shape a rendered Secret could take. */
const CANARY_SECRETS: Array<{ name: string; object: KubeObject }> = [
  { name: "data", object: secret({ data: { password: b64(CANARY) } }) },
  { name: "stringData", object: secret({ stringData: { password: CANARY } }) },
  { name: "data and stringData", object: secret({ data: { a: b64(CANARY) }, stringData: { b: CANARY } }) },
  { name: "base64 with line breaks", object: secret({ data: { password: b64(CANARY).replace(/(.{8})/g, "$1\n") } }) },
  { name: "invalid base64 (the raw value)", object: secret({ data: { password: `${CANARY}!!` } }) },
  { name: "a number", object: secret({ data: { pin: 123456 }, stringData: { password: CANARY.length } }) },
  { name: "a nested map as a value", object: secret({ data: { password: { nested: CANARY } }, stringData: { other: [CANARY] } }) },
  { name: "data that is a string, not a map", object: secret({ data: CANARY, stringData: b64(CANARY) }) },
  { name: "data that is a list", object: secret({ data: [CANARY] }) },
  { name: "null data and null values", object: secret({ data: null, stringData: { a: null, password: CANARY } }) },
  {
    name: "last-applied-configuration annotation",
    object: secret({ data: { p: b64(CANARY) } }, { annotations: { [LAST_APPLIED]: JSON.stringify({ data: { p: b64(CANARY) }, stringData: { q: CANARY } }) } }),
  },
  { name: "last-applied-configuration that is not a string", object: secret({}, { annotations: { [LAST_APPLIED]: { stringData: { q: CANARY } } } }) },
  { name: "annotations that are not a map", object: secret({}, { annotations: `${LAST_APPLIED}: ${CANARY}` }) },
  { name: "a Secret look-alike from another API group", object: { ...secret({ stringData: { p: CANARY } }), apiVersion: "example.com/v1" } },
  {
    name: "a Secret inside a List",
    object: { apiVersion: "v1", kind: "List", metadata: { name: "l" }, items: [secret({ stringData: { p: CANARY } }), "not an object"] },
  },
];

describe("maskSecret", () => {
  it.each(CANARY_SECRETS)("masks $name, never throwing, never changing the input", ({ object }) => {
    const original = structuredClone(object);
    const masked = maskSecret(object, fingerprint);
    expectNoCanary(masked);
    expectNoCanary(maskForOutput(object));
    expect(object).toEqual(original);
  });

  it.each<{ name: string; object: KubeObject; field: "data" | "stringData"; key: string; expected: string }>([
    { name: "data: the decoded length", object: secret({ data: { p: b64("hunter2") } }), field: "data", key: "p", expected: `<secret: 7 bytes, fp ${fp("hunter2")}>` },
    { name: "stringData: the length in bytes", object: secret({ stringData: { p: "pässword" } }), field: "stringData", key: "p", expected: `<secret: 9 bytes, fp ${fp("pässword")}>` },
    { name: "an empty value", object: secret({ data: { p: "" } }), field: "data", key: "p", expected: `<secret: 0 bytes, fp ${fp("")}>` },
    { name: "a null value is empty", object: secret({ data: { p: null } }), field: "data", key: "p", expected: `<secret: 0 bytes, fp ${fp("")}>` },
    {
      name: "invalid base64 is fingerprinted as written, and says so",
      object: secret({ data: { p: "not base64!" } }),
      field: "data",
      key: "p",
      expected: `<secret: 11 bytes, fp ${fp("not base64!")}, not valid base64>`,
    },
    { name: "a non-string value says so", object: secret({ data: { p: 42 } }), field: "data", key: "p", expected: `<secret: 2 bytes, fp ${fp("42")}, not a string>` },
  ])("placeholder for $name", ({ object, field, key, expected }) => {
    expect((maskSecret(object, fingerprint)[field] as Record<string, string>)[key]).toBe(expected);
  });

  it("masks the whole last-applied-configuration annotation and keeps the others", () => {
    const lastApplied = JSON.stringify({ data: { p: b64("x") } });
    const masked = maskSecret(secret({}, { annotations: { [LAST_APPLIED]: lastApplied, team: "db" } }), fingerprint);
    expect((masked.metadata as { annotations: unknown }).annotations).toEqual({
      [LAST_APPLIED]: `<secret: ${lastApplied.length} bytes, fp ${fp(lastApplied)}, last applied configuration>`,
      team: "db",
    });
  });

  it("leaves other kinds alone (the same object back)", () => {
    const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "visible" } };
    expect(maskSecret(configMap, fingerprint)).toBe(configMap);
    expect(isSecret(configMap)).toBe(false);
    expect(isSecret(secret({}))).toBe(true);
  });
});

describe("fingerprints", () => {
  it("are the first 8 hex digits of HMAC-SHA256 under the run's key", () => {
    expect(fp("hunter2")).toBe(createHmac("sha256", KEY).update("hunter2").digest("hex").slice(0, 8));
    expect(createFingerprinter(bytes(KEY))(bytes("hunter2"))).toBe(fp("hunter2"));
  });

  it("are equal for equal values and differ for different ones", () => {
    expect(fp("a")).toBe(fp("a"));
    expect(fp("a")).not.toBe(fp("b"));
  });

  it("differ under different keys, so they cannot be compared or looked up across runs", () => {
    expect(createFingerprinter("one")(bytes("hunter2"))).not.toBe(createFingerprinter("two")(bytes("hunter2")));
  });

  it("are the same for one value in data and in stringData, and for two keys holding one value", () => {
    const masked = maskSecret(secret({ data: { a: b64("same"), b: b64("same"), c: b64("other") }, stringData: { d: "same" } }), fingerprint);
    const placeholders = { ...(masked.data as object), ...(masked.stringData as object) } as Record<string, string>;
    expect(new Set([placeholders.a, placeholders.b, placeholders.d]).size).toBe(1);
    expect(placeholders.c).not.toBe(placeholders.a);
  });

  it("refuse an empty key", () => {
    expect(() => createFingerprinter("")).toThrow(/empty/);
  });
});

describe("secretKeyChanges", () => {
  it.each<{ name: string; base: KubeObject | undefined; head: KubeObject | undefined; expected: SecretKeyChange[] }>([
    {
      name: "key added",
      base: secret({ data: { a: b64("1") } }),
      head: secret({ data: { a: b64("1"), b: b64("22") } }),
      expected: [{ key: "b", change: "added", after: { length: 2, fingerprint: fp("22") } }],
    },
    {
      name: "key removed",
      base: secret({ data: { a: b64("1"), b: b64("22") } }),
      head: secret({ data: { a: b64("1") } }),
      expected: [{ key: "b", change: "removed", before: { length: 2, fingerprint: fp("22") } }],
    },
    {
      name: "value changed: length and fingerprint on both sides",
      base: secret({ data: { a: b64("short") } }),
      head: secret({ data: { a: b64("much longer") } }),
      expected: [{ key: "a", change: "changed", before: { length: 5, fingerprint: fp("short") }, after: { length: 11, fingerprint: fp("much longer") } }],
    },
    {
      name: "value changed, same length",
      base: secret({ stringData: { a: "abc" } }),
      head: secret({ stringData: { a: "abd" } }),
      expected: [{ key: "a", change: "changed", before: { length: 3, fingerprint: fp("abc") }, after: { length: 3, fingerprint: fp("abd") } }],
    },
    {
      name: "stringData overrides data, as the API server merges them",
      base: secret({ data: { a: b64("x") } }),
      head: secret({ data: { a: b64("x") }, stringData: { a: "y" } }),
      expected: [{ key: "a", change: "changed", before: { length: 1, fingerprint: fp("x") }, after: { length: 1, fingerprint: fp("y") } }],
    },
    {
      name: "moving a value from data to stringData is no change",
      base: secret({ data: { a: b64("same") } }),
      head: secret({ stringData: { a: "same" } }),
      expected: [],
    },
    {
      name: "line breaks inside base64 are no change",
      base: secret({ data: { a: b64("a long enough value") } }),
      head: secret({ data: { a: b64("a long enough value").replace(/(.{8})/g, "$1\n") } }),
      expected: [],
    },
    {
      name: "an added Secret: every key added, sorted",
      base: undefined,
      head: secret({ data: { b: b64("2") }, stringData: { a: "1" } }),
      expected: [
        { key: "a", change: "added", after: { length: 1, fingerprint: fp("1") } },
        { key: "b", change: "added", after: { length: 1, fingerprint: fp("2") } },
      ],
    },
    {
      name: "a removed Secret: every key removed",
      base: secret({ data: { a: b64("1") } }),
      head: undefined,
      expected: [{ key: "a", change: "removed", before: { length: 1, fingerprint: fp("1") } }],
    },
    {
      name: "data that is not a map has no keys",
      base: secret({ data: "garbage" }),
      head: secret({ data: null }),
      expected: [],
    },
  ])("$name", ({ base, head, expected }) => {
    expect(secretKeyChanges(base, head, fingerprint)).toEqual(expected);
  });
});

describe("Secrets in object diffs", () => {
  const run = (base: KubeObject[], head: KubeObject[]) =>
    diffManifests(
      base.map((o, i) => manifest(o, i)),
      head.map((o, i) => manifest(o, i)),
      { fingerprintKey: KEY },
    );

  it.each<{ name: string; base: KubeObject[]; head: KubeObject[]; change: string; keys: string[] }>([
    { name: "a changed value", base: [secret({ data: { p: b64(CANARY) } })], head: [secret({ data: { p: b64(`${CANARY}2`) } })], change: "changed", keys: ["p:changed"] },
    { name: "a changed stringData value", base: [secret({ stringData: { p: CANARY } })], head: [secret({ stringData: { p: `x${CANARY}` } })], change: "changed", keys: ["p:changed"] },
    { name: "a key added next to a secret one", base: [secret({ data: { p: b64(CANARY) } })], head: [secret({ data: { p: b64(CANARY), q: b64(CANARY) } })], change: "changed", keys: ["q:added"] },
    { name: "an added Secret", base: [], head: [secret({ stringData: { p: CANARY }, data: { q: b64(CANARY) } })], change: "added", keys: ["p:added", "q:added"] },
    { name: "a removed Secret", base: [secret({ data: { p: b64(CANARY) } })], head: [], change: "removed", keys: ["p:removed"] },
    {
      name: "a generated Secret renamed with its hash",
      base: [secret({ data: { p: b64(CANARY) } }, { name: "db-5g2d7h9k8m" })],
      head: [secret({ data: { p: b64(`x${CANARY}`) } }, { name: "db-t2f8m4hbk9" })],
      change: "changed",
      keys: ["p:changed"],
    },
    {
      name: "a changed last-applied-configuration",
      base: [secret({ data: { p: b64("a") } }, { annotations: { [LAST_APPLIED]: JSON.stringify({ data: { p: b64(CANARY) } }) } })],
      head: [secret({ data: { p: b64("b") } }, { annotations: { [LAST_APPLIED]: JSON.stringify({ data: { p: b64(`${CANARY}!`) } }) } })],
      change: "changed",
      keys: ["p:changed"],
    },
    { name: "invalid base64 changed", base: [secret({ data: { p: `${CANARY}!` } })], head: [secret({ data: { p: `${CANARY}?` } })], change: "changed", keys: ["p:changed"] },
    { name: "a non-string value changed", base: [secret({ data: { p: { v: CANARY } } })], head: [secret({ data: { p: { v: `${CANARY}2` } } })], change: "changed", keys: ["p:changed"] },
    { name: "only a label changed", base: [secret({ data: { p: b64(CANARY) } })], head: [{ ...secret({ data: { p: b64(CANARY) } }), metadata: { name: "db", namespace: "shop", labels: { a: "b" } } }], change: "changed", keys: [] },
  ])("$name: keys listed, the value nowhere", ({ base, head, change, keys }) => {
    const result = run(base, head);
    expectNoCanary(result);
    expect(result.diffs).toHaveLength(1);
    expect(result.diffs[0]!.change).toBe(change);
    expect(result.diffs[0]!.secretKeys!.map((k) => `${k.key}:${k.change}`)).toEqual(keys);
  });

  it("shows a value change in the patch as its placeholder changing", () => {
    const { diffs } = run([secret({ data: { p: b64("a") } })], [secret({ data: { p: b64("bb") } })]);
    const body = diffs[0]!.patch.split("\n").filter((line) => /^[-+] /.test(line));
    expect(body).toEqual([`-  p: "<secret: 1 bytes, fp ${fp("a")}>"`, `+  p: "<secret: 2 bytes, fp ${fp("bb")}>"`]);
    expect([diffs[0]!.linesAdded, diffs[0]!.linesRemoved]).toEqual([1, 1]);
  });

  it("an unchanged Secret is unchanged, whatever its values", () => {
    const object = secret({ data: { p: b64(CANARY) } });
    expect(run([object], [structuredClone(object)])).toEqual({ diffs: [], unchanged: 1 });
  });
});
