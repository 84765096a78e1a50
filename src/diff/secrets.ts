// Secret values never leave this module: they are replaced by their length and a keyed fingerprint
// before any text is produced, so nothing downstream can leak what it never receives.
import { Buffer } from "node:buffer";
import { createHmac } from "node:crypto";
import type { KubeObject, SecretKeyChange } from "../model.ts";

export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

export interface MaskedValue {
  length: number;
  fingerprint: string;
}

export type Fingerprinter = (value: Uint8Array) => string;

/** First 8 hex digits of HMAC-SHA256 under a per-run key: tells values apart, reveals nothing. */
export function createFingerprinter(key: string | Uint8Array): Fingerprinter {
  return (value) => createHmac("sha256", key).update(value).digest("hex").slice(0, 8);
}

export function isSecret(object: KubeObject): boolean {
  return object.kind === "Secret" && (object.apiVersion === "v1" || object.apiVersion === undefined);
}

/** The effective value of each key, as bytes: stringData is merged over data, as the API server does. */
export function secretValues(object: KubeObject): Map<string, Uint8Array> {
  const values = new Map<string, Uint8Array>();
  const data = object.data;
  if (data && typeof data === "object" && !Array.isArray(data)) {
    for (const [key, value] of Object.entries(data)) values.set(key, decodeBase64(value));
  }
  const stringData = object.stringData;
  if (stringData && typeof stringData === "object" && !Array.isArray(stringData)) {
    for (const [key, value] of Object.entries(stringData)) values.set(key, Buffer.from(typeof value === "string" ? value : JSON.stringify(value) ?? ""));
  }
  return values;
}

/** Invalid base64 is not an error here: the bytes are fingerprinted as they are written. */
function decodeBase64(value: unknown): Uint8Array {
  if (typeof value !== "string") return Buffer.from(JSON.stringify(value) ?? "");
  const compact = value.replace(/\s+/g, "");
  if (/^[A-Za-z0-9+/]*={0,2}$/.test(compact) && compact.length % 4 === 0) return Buffer.from(compact, "base64");
  return Buffer.from(value);
}

export function describeValue(value: Uint8Array, fingerprint: Fingerprinter): MaskedValue {
  return { length: value.length, fingerprint: fingerprint(value) };
}

function placeholder(masked: MaskedValue): string {
  return `<secret: ${masked.length} bytes, fp ${masked.fingerprint}>`;
}

/** A copy of a Secret with every value replaced by a placeholder; other objects are returned as they are. */
export function maskSecret(object: KubeObject, fingerprint: Fingerprinter): KubeObject {
  if (!isSecret(object)) return object;
  const copy: KubeObject = { ...object };
  for (const field of ["data", "stringData"] as const) {
    const values = object[field];
    if (values === undefined) continue;
    if (!values || typeof values !== "object" || Array.isArray(values)) {
      copy[field] = "<secret: not a map>";
      continue;
    }
    const masked: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
      const bytes = field === "data" ? decodeBase64(value) : Buffer.from(typeof value === "string" ? value : JSON.stringify(value) ?? "");
      masked[key] = placeholder(describeValue(bytes, fingerprint));
    }
    copy[field] = masked;
  }
  const metadata = object.metadata as Record<string, unknown> | undefined;
  const annotations = metadata?.annotations as Record<string, unknown> | undefined;
  if (annotations && LAST_APPLIED in annotations) {
    copy.metadata = { ...metadata, annotations: { ...annotations, [LAST_APPLIED]: "<masked: holds secret values>" } };
  }
  return copy;
}

/** Which keys were added, removed or changed between two versions of a Secret (either may be absent). */
export function secretKeyChanges(base: KubeObject | undefined, head: KubeObject | undefined, fingerprint: Fingerprinter): SecretKeyChange[] {
  const before = base ? secretValues(base) : new Map<string, Uint8Array>();
  const after = head ? secretValues(head) : new Map<string, Uint8Array>();
  const changes: SecretKeyChange[] = [];
  for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const a = before.get(key);
    const b = after.get(key);
    if (a && b && Buffer.compare(a, b) === 0) continue;
    changes.push({
      key,
      change: !a ? "added" : !b ? "removed" : "changed",
      ...(a ? { before: describeValue(a, fingerprint) } : {}),
      ...(b ? { after: describeValue(b, fingerprint) } : {}),
    });
  }
  return changes;
}
