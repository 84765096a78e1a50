// Plain JSON helpers for the stand-in API server: Kubernetes objects are untyped JSON maps here, as on the wire.

export type KubeObject = Record<string, unknown>;

export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isMap(a) && isMap(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && deepEqual(a[key], b[key]));
  }
  return false;
}

/** The map at `key`, created when absent (the way defaulting and the controller fill nested fields). */
export function mapAt(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const existing = parent[key];
  if (isMap(existing)) return existing;
  const created: Record<string, unknown> = {};
  parent[key] = created;
  return created;
}

export function metadataOf(object: KubeObject): Record<string, unknown> {
  return mapAt(object, "metadata");
}

export function stringAt(map: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = map?.[key];
  return typeof value === "string" ? value : undefined;
}

/** Times as the API server writes them: RFC 3339, UTC, whole seconds. */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** "apps/v1" → { group: "apps", version: "v1" }; "v1" → the core group "". */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
