// Secret values never leave this module: they are replaced by their length and a keyed fingerprint
// before any text is produced, so nothing downstream can leak what it never receives.
import { Buffer } from "node:buffer";
import { createHmac } from "node:crypto";
import type { KubeObject, SecretKeyChange } from "../model.ts";

type Fields = Record<string, unknown>;

export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** Short keyed digest of a value: tells two values apart, reveals neither. */
export type Fingerprinter = (value: Uint8Array) => string;

/** What a reviewer may learn of one value. */
interface ValueSummary {
  length: number;
  fingerprint: string;
}

/** A value as the API server would store it, and what was odd about how it was written. */
interface SecretValue {
  bytes: Buffer;
  problem?: "not valid base64" | "not a string";
}

/**
 * First 8 hex digits of HMAC-SHA256 under `key`. The key must be fresh per run: without it a short
 * password could be found by trying candidates against a published fingerprint.
 */
export function createFingerprinter(key: string | Uint8Array): Fingerprinter {
  const keyBytes = Buffer.from(key); // a copy: later changes to the caller's array do not change fingerprints
  if (keyBytes.length === 0) throw new Error("a Secret fingerprint key must not be empty");
  return (value) => createHmac("sha256", keyBytes).update(value).digest("hex").slice(0, 8);
}

/** Any kind named Secret: masking a look-alike from another API group too costs nothing, missing one would leak. */
export function isSecret(object: KubeObject): boolean {
  return object.kind === "Secret";
}

/**
 * A copy of a Secret with every value of `data` and `stringData` replaced by a placeholder with its
 * length and fingerprint, and the last-applied-configuration annotation (a copy of the values) masked.
 * Secrets inside a List are masked too; other objects are returned as they are. Never throws.
 */
export function maskSecret(object: KubeObject, fingerprint: Fingerprinter): KubeObject {
  if (Array.isArray(object.items) && typeof object.kind === "string" && object.kind.endsWith("List")) {
    return { ...object, items: object.items.map((item: unknown) => (asFields(item) ? maskSecret(item as KubeObject, fingerprint) : item)) };
  }
  if (!isSecret(object)) return object;
  const masked: KubeObject = { ...object };
  for (const field of ["data", "stringData"] as const) {
    if (!(field in object) || object[field] === null) continue;
    const values = asFields(object[field]);
    masked[field] = values
      ? Object.fromEntries(Object.entries(values).map(([key, value]) => [key, placeholder(decodeValue(field, value), fingerprint)]))
      : placeholder({ bytes: textOf(object[field]) }, fingerprint, "not a map");
  }
  const metadata = asFields(object.metadata);
  if (metadata && "annotations" in metadata) masked.metadata = { ...metadata, annotations: maskAnnotations(metadata.annotations, fingerprint) };
  return masked;
}

/**
 * Which keys were added, removed or changed from `base` to `head` (either may be absent: an added or
 * removed Secret). Compares the decoded bytes, with stringData merged over data as the API server does.
 */
export function secretKeyChanges(base: KubeObject | undefined, head: KubeObject | undefined, fingerprint: Fingerprinter): SecretKeyChange[] {
  const before = base ? effectiveValues(base) : new Map<string, SecretValue>();
  const after = head ? effectiveValues(head) : new Map<string, SecretValue>();
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes: SecretKeyChange[] = [];
  for (const key of keys) {
    const old = before.get(key);
    const now = after.get(key);
    if (old && now && old.bytes.equals(now.bytes)) continue;
    changes.push({
      key,
      change: !old ? "added" : !now ? "removed" : "changed",
      ...(old ? { before: summarize(old.bytes, fingerprint) } : {}),
      ...(now ? { after: summarize(now.bytes, fingerprint) } : {}),
    });
  }
  return changes;
}

/** The value of each key the object would have once applied: stringData wins over data. */
function effectiveValues(object: KubeObject): Map<string, SecretValue> {
  const values = new Map<string, SecretValue>();
  for (const field of ["data", "stringData"] as const) {
    for (const [key, value] of Object.entries(asFields(object[field]) ?? {})) values.set(key, decodeValue(field, value));
  }
  return values;
}

/** data holds base64, stringData plain text. Odd values are fingerprinted as written, never rejected. */
function decodeValue(field: "data" | "stringData", value: unknown): SecretValue {
  if (value === null || value === undefined) return { bytes: Buffer.alloc(0) };
  if (typeof value !== "string") return { bytes: textOf(value), problem: "not a string" };
  if (field === "stringData") return { bytes: Buffer.from(value) };
  const compact = value.replace(/[\r\n]/g, ""); // the API server ignores line breaks in base64
  if (compact.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return { bytes: Buffer.from(compact, "base64") };
  return { bytes: Buffer.from(value), problem: "not valid base64" };
}

function summarize(bytes: Uint8Array, fingerprint: Fingerprinter): ValueSummary {
  return { length: bytes.length, fingerprint: fingerprint(bytes) };
}

function placeholder(value: SecretValue, fingerprint: Fingerprinter, what = ""): string {
  const { length, fingerprint: fp } = summarize(value.bytes, fingerprint);
  const notes = [what, value.problem].filter(Boolean).map((note) => `, ${note}`).join("");
  return `<secret: ${length} bytes, fp ${fp}${notes}>`;
}

/** last-applied-configuration is a full copy of the object, values included: only its fingerprint is kept. */
function maskAnnotations(annotations: unknown, fingerprint: Fingerprinter): unknown {
  if (annotations === null || annotations === undefined) return annotations;
  const fields = asFields(annotations);
  if (!fields) return placeholder({ bytes: textOf(annotations) }, fingerprint, "annotations not a map");
  if (!(LAST_APPLIED in fields)) return annotations;
  return { ...fields, [LAST_APPLIED]: placeholder({ bytes: textOf(fields[LAST_APPLIED]) }, fingerprint, "last applied configuration") };
}

/** Bytes to fingerprint for a value that is not what it should be; cannot throw (cycles, BigInt). */
function textOf(value: unknown): Buffer {
  if (typeof value === "string") return Buffer.from(value);
  try {
    return Buffer.from(JSON.stringify(value) ?? String(value));
  } catch {
    return Buffer.from(String(typeof value));
  }
}

function asFields(value: unknown): Fields | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Fields) : undefined;
}
