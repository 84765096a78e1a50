import { describe, expect, it } from "vitest";
import { createFingerprinter, diffManifests, maskSecret, secretKeyChanges } from "../../src/diff/index.ts";
import { maskForOutput } from "../../src/diff/index.ts";
import type { KubeObject } from "../../src/model.ts";
import { b64, manifest, secret } from "../helpers/manifests.ts";

const CANARY = "CANARY-s3cr3t-value";
const fingerprint = createFingerprinter("test-key");

/** Every way a value could leak: as written, base64-encoded, and base64 of a prefix. */
function expectNoCanary(value: unknown): void {
  const text = JSON.stringify(value);
  expect(text).not.toContain(CANARY);
  expect(text).not.toContain(b64(CANARY));
  expect(text).not.toContain(b64(CANARY).slice(0, 12));
}

describe("Secret masking", () => {
  it.each<{ name: string; object: KubeObject }>([
    { name: "data", object: secret("s", { data: { password: b64(CANARY) } }) },
    { name: "stringData", object: secret("s", { stringData: { password: CANARY } }) },
    { name: "both", object: secret("s", { data: { a: b64(CANARY) }, stringData: { b: CANARY } }) },
    { name: "invalid base64", object: secret("s", { data: { password: `${CANARY}!!` } }) },
    { name: "a non-string value", object: secret("s", { data: { password: { nested: CANARY } } }) },
    { name: "data that is not a map", object: secret("s", { data: CANARY as unknown as Record<string, unknown> }) },
    {
      name: "last-applied-configuration annotation",
      object: secret("s", { data: { p: b64(CANARY) } }, {
        metadata: { name: "s", annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({ data: { p: b64(CANARY) } }) } },
      }),
    },
  ])("masks $name", ({ object }) => {
    const masked = maskSecret(object, fingerprint);
    expectNoCanary(masked);
    expectNoCanary(maskForOutput(object));
    expect(object).not.toBe(masked); // the original is not modified
  });

  it("shows length and fingerprint in the placeholder", () => {
    const masked = maskSecret(secret("s", { data: { password: b64("hunter2") } }), fingerprint);
    expect((masked.data as Record<string, string>).password).toMatch(/^<secret: 7 bytes, fp [0-9a-f]{8}>$/);
  });

  it("leaves other kinds alone", () => {
    const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "visible" } };
    expect(maskSecret(configMap, fingerprint)).toBe(configMap);
  });
});

describe("fingerprints", () => {
  it("are equal for equal values and differ for different ones", () => {
    const value = (text: string) => new TextEncoder().encode(text);
    expect(fingerprint(value("a"))).toBe(fingerprint(value("a")));
    expect(fingerprint(value("a"))).not.toBe(fingerprint(value("b")));
  });

  it("depend on the key, so they cannot be looked up across runs", () => {
    const value = new TextEncoder().encode("hunter2");
    expect(createFingerprinter("one")(value)).not.toBe(createFingerprinter("two")(value));
  });

  it("treat data and stringData of the same value alike", () => {
    const changes = secretKeyChanges(secret("s", { data: { p: b64("same") } }), secret("s", { stringData: { p: "same" } }), fingerprint);
    expect(changes).toEqual([]);
  });
});

describe("secretKeyChanges", () => {
  it.each([
    {
      name: "key added",
      base: secret("s", { data: { a: b64("1") } }),
      head: secret("s", { data: { a: b64("1"), b: b64("22") } }),
      expected: [{ key: "b", change: "added", after: { length: 2 } }],
    },
    {
      name: "key removed",
      base: secret("s", { data: { a: b64("1"), b: b64("22") } }),
      head: secret("s", { data: { a: b64("1") } }),
      expected: [{ key: "b", change: "removed", before: { length: 2 } }],
    },
    {
      name: "value changed, length shown on both sides",
      base: secret("s", { data: { a: b64("short") } }),
      head: secret("s", { data: { a: b64("much longer") } }),
      expected: [{ key: "a", change: "changed", before: { length: 5 }, after: { length: 11 } }],
    },
    {
      name: "stringData overrides data",
      base: secret("s", { data: { a: b64("x") } }),
      head: secret("s", { data: { a: b64("x") }, stringData: { a: "y" } }),
      expected: [{ key: "a", change: "changed", before: { length: 1 }, after: { length: 1 } }],
    },
  ])("$name", ({ base, head, expected }) => {
    expect(secretKeyChanges(base, head, fingerprint)).toMatchObject(expected);
  });
});

describe("Secrets in object diffs", () => {
  it.each<{ name: string; base: KubeObject[]; head: KubeObject[]; keys: string[] }>([
    { name: "a changed Secret", base: [secret("s", { data: { p: b64(CANARY) } })], head: [secret("s", { data: { p: b64(`${CANARY}2`) } })], keys: ["p:changed"] },
    { name: "an added Secret", base: [], head: [secret("s", { stringData: { p: CANARY } })], keys: ["p:added"] },
    { name: "a removed Secret", base: [secret("s", { data: { p: b64(CANARY) } })], head: [], keys: ["p:removed"] },
    {
      name: "a generated Secret renamed with its hash",
      base: [secret("s-5g2d7h9k8m", { data: { p: b64(CANARY) } })],
      head: [secret("s-t2f8m4hbk9", { data: { p: b64(`x${CANARY}`) } })],
      keys: ["p:changed"],
    },
  ])("$name: keys listed, value nowhere", ({ base, head, keys }) => {
    const result = diffManifests(base.map((o) => manifest(o)), head.map((o) => manifest(o)), { fingerprintKey: "k" });
    expectNoCanary(result);
    expect(result.diffs).toHaveLength(1);
    expect(result.diffs[0]!.secretKeys!.map((k) => `${k.key}:${k.change}`)).toEqual(keys);
  });

  it("a value change alone still shows as a change", () => {
    const result = diffManifests([manifest(secret("s", { data: { p: b64("a") } }))], [manifest(secret("s", { data: { p: b64("b") } }))], { fingerprintKey: "k" });
    expect(result.diffs[0]!.change).toBe("changed");
    expect(result.diffs[0]!.linesAdded).toBe(1);
  });
});
