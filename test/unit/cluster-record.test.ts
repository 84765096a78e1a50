import { randomBytes } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { MAX_RECORD_BYTES, RECORD_KEY, decodeRecord, encodeRecord, type ApplyRecord } from "../../src/cluster/record.ts";
import { UserError } from "../../src/errors.ts";

const record: ApplyRecord = {
  revision: "0123456789abcdef0123456789abcdef01234567",
  environment: "prod",
  appliedAt: "2024-05-01T12:00:00.000Z",
  objects: [
    { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop" }, spec: { replicas: 3 } },
    { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "shop" }, data: { password: "c2VjcmV0" } },
  ],
};

const b64 = (bytes: Buffer) => bytes.toString("base64");
const gz = (text: string) => b64(gzipSync(Buffer.from(text)));

describe("encodeRecord", () => {
  it("writes base64 of the gzipped JSON under one key", () => {
    const data = encodeRecord(record);
    expect(Object.keys(data)).toEqual([RECORD_KEY]);
    const json = JSON.parse(gunzipSync(Buffer.from(data[RECORD_KEY]!, "base64")).toString("utf8"));
    expect(json).toMatchObject({ ...record, format: 1 });
  });

  it("is deterministic", () => {
    expect(encodeRecord(record)).toEqual(encodeRecord(structuredClone(record)));
  });

  it.each([
    { name: "the record", input: record },
    { name: "an empty rendering", input: { ...record, objects: [] } },
    { name: "non-ASCII text", input: { ...record, environment: "prød ✓", objects: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { text: "日本語" } }] } },
  ])("round-trips $name", ({ input }) => {
    expect(decodeRecord(encodeRecord(input))).toEqual(input);
  });

  it("refuses a rendering too large for a Secret, saying rollback is unavailable", () => {
    // random data does not compress: ~1 MiB of it cannot fit
    const big = { ...record, objects: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "big" }, data: { blob: randomBytes(800 * 1024).toString("base64") } }] };
    expect(() => encodeRecord(big)).toThrow(UserError);
    expect(() => encodeRecord(big)).toThrow(/rollback will not be available for this environment/);
  });

  it("accepts a large rendering that compresses well", () => {
    const objects = Array.from({ length: 2000 }, (_, i) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cfg-${i}`, namespace: "shop" }, data: { key: "value ".repeat(50) } }));
    const data = encodeRecord({ ...record, objects });
    expect(data[RECORD_KEY]!.length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(decodeRecord(data)?.objects).toHaveLength(2000);
  });
});

describe("decodeRecord", () => {
  it.each([
    { name: "no data", data: undefined },
    { name: "data without the record", data: { other: "eA==" } },
  ])("returns undefined for $name", ({ data }) => {
    expect(decodeRecord(data)).toBeUndefined();
  });

  it.each([
    { name: "text that is not base64", value: "not base64!", message: /not base64/ },
    { name: "base64 that is not gzip", value: b64(Buffer.from("plain text")), message: /not gzip/ },
    { name: "gzip that is not JSON", value: gz("{nope"), message: /not JSON/ },
    { name: "JSON that is not an object", value: gz("[1,2]"), message: /not a JSON object/ },
    { name: "a record without revision", value: gz(JSON.stringify({ environment: "e", appliedAt: "t", objects: [] })), message: /"revision"/ },
    { name: "a record whose objects are not objects", value: gz(JSON.stringify({ revision: "r", environment: "e", appliedAt: "t", objects: [1] })), message: /"objects"/ },
    { name: "a record of a later format", value: gz(JSON.stringify({ format: 2, revision: "r", environment: "e", appliedAt: "t", objects: [] })), message: /format 2/ },
    { name: "a gzip bomb", value: b64(gzipSync(Buffer.alloc(65 * 1024 * 1024, 32))), message: /more than 64 MiB/ },
  ])("refuses $name", ({ value, message }) => {
    const decode = () => decodeRecord({ [RECORD_KEY]: value });
    expect(decode).toThrow(UserError);
    expect(decode).toThrow(message);
    expect(decode).toThrow(/rollback to it is not possible/);
  });

  it("reads a record written without a format field", () => {
    const value = gz(JSON.stringify({ revision: "r", environment: "e", appliedAt: "t", objects: [{ kind: "ConfigMap" }] }));
    expect(decodeRecord({ [RECORD_KEY]: value })).toEqual({ revision: "r", environment: "e", appliedAt: "t", objects: [{ kind: "ConfigMap" }] });
  });
});
