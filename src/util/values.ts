// Reading untyped values parsed from YAML (Kubernetes objects, kustomization files) without trusting their shape.

/** The value as a map, or an empty one when it is not a map. */
export function record(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The value as a list, or an empty one when it is not a list. */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A non-empty string, or undefined. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** A map's entries as strings (numbers and booleans written as YAML reads them), nulls left out. */
export function stringMap(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(record(value))) if (item !== null && item !== undefined) result[key] = String(item);
  return result;
}
