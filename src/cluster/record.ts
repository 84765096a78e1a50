// The last good rendering of an environment, kept in its ApplySet parent Secret so that a failed apply can be rolled
// back to it.
//
// The record holds the rendering as applied, Secrets included. That is acceptable: it is stored in a Secret (the same
// protection as the Secrets it contains), in the cluster that holds those Secrets anyway, and it never leaves the
// cluster: it is read back only to apply it again there, never written to a report, a log or a file.
import { gunzipSync, gzipSync } from "node:zlib";
import { UserError } from "../errors.ts";
import type { KubeObject } from "../model.ts";

/** The Secret data key holding the record. */
export const RECORD_KEY = "last-applied.json.gz";
/** The largest encoded record we write: the API server refuses objects much over 1 MiB (etcd's request limit). */
export const MAX_RECORD_BYTES = 900 * 1024;
/** The largest record we decompress: a crafted Secret must not exhaust memory (gzip compresses 1000:1 and more). */
export const MAX_DECODED_BYTES = 64 * 1024 * 1024;
/** The record's format, written into it so that a later format can be told apart. */
export const RECORD_FORMAT = 1;

export interface ApplyRecord {
  /** The revision (commit) the rendering was made from. */
  revision: string;
  environment: string;
  /** ISO 8601 time of the apply. */
  appliedAt: string;
  /** The objects as they were applied. */
  objects: KubeObject[];
}

function kib(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KiB`;
}

/** The record as Secret `data` entries (base64 values): { "last-applied.json.gz": base64(gzip(JSON)) }. */
export function encodeRecord(record: ApplyRecord): Record<string, string> {
  const json = JSON.stringify({
    format: RECORD_FORMAT,
    revision: record.revision,
    environment: record.environment,
    appliedAt: record.appliedAt,
    objects: record.objects,
  });
  const encoded = gzipSync(Buffer.from(json, "utf8"), { level: 9 }).toString("base64");
  if (encoded.length > MAX_RECORD_BYTES) {
    throw new UserError(
      `the rendering of ${record.environment} (${record.objects.length} objects) is ${kib(encoded.length)} compressed, more ` +
        `than the ${kib(MAX_RECORD_BYTES)} an ApplySet parent Secret can hold: rollback will not be available for this environment`,
    );
  }
  return { [RECORD_KEY]: encoded };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function corrupt(detail: string): UserError {
  return new UserError(
    `the last applied rendering kept in the ApplySet parent Secret (data key ${RECORD_KEY}) is unreadable: ${detail}; ` +
      "rollback to it is not possible (the next successful apply writes a new one)",
  );
}

function isStringField(value: Record<string, unknown>, key: string): boolean {
  return typeof value[key] === "string";
}

/** The record in a parent Secret's `data`; undefined when there is none; a UserError when it is unreadable. */
export function decodeRecord(data: Record<string, string> | undefined): ApplyRecord | undefined {
  const encoded = data?.[RECORD_KEY];
  if (encoded === undefined) return undefined;
  if (typeof encoded !== "string" || encoded.length % 4 !== 0 || !BASE64.test(encoded)) throw corrupt("not base64");
  let json: string;
  try {
    json = gunzipSync(Buffer.from(encoded, "base64"), { maxOutputLength: MAX_DECODED_BYTES }).toString("utf8");
  } catch (error) {
    if (error instanceof RangeError || (error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw corrupt(`it decompresses to more than ${MAX_DECODED_BYTES / 1024 / 1024} MiB`);
    }
    throw corrupt(`not gzip (${(error as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw corrupt(`not JSON (${(error as Error).message})`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw corrupt("not a JSON object");
  const parsed = value as Record<string, unknown>;
  if (parsed.format !== undefined && parsed.format !== RECORD_FORMAT) {
    throw corrupt(`format ${JSON.stringify(parsed.format)} is not one this version reads (${RECORD_FORMAT})`);
  }
  for (const key of ["revision", "environment", "appliedAt"]) {
    if (!isStringField(parsed, key)) throw corrupt(`"${key}" is missing or not a string`);
  }
  const objects = parsed.objects;
  if (!Array.isArray(objects) || !objects.every((o) => o !== null && typeof o === "object" && !Array.isArray(o))) {
    throw corrupt('"objects" is missing or not a list of objects');
  }
  return {
    revision: parsed.revision as string,
    environment: parsed.environment as string,
    appliedAt: parsed.appliedAt as string,
    objects: objects as KubeObject[],
  };
}
