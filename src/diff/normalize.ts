// Removes differences that carry no meaning, so that a diff shows only what a reviewer should read.
import { stringify } from "yaml";
import type { KubeObject } from "../model.ts";

const TOP_ORDER = ["apiVersion", "kind", "metadata"];
const METADATA_ORDER = ["name", "generateName", "namespace", "labels", "annotations"];

/**
 * A canonical copy: keys in one order (apiVersion, kind, metadata first; the rest alphabetical),
 * `creationTimestamp: null`, empty label and annotation maps and an empty status dropped.
 * Other empty maps are kept: `emptyDir: {}` means something.
 */
export function normalizeObject(object: KubeObject): KubeObject {
  const copy = sortKeys(object, TOP_ORDER) as KubeObject;
  dropMetadataNoise(copy.metadata);
  const spec = copy.spec as Record<string, unknown> | undefined;
  dropMetadataNoise((spec?.template as Record<string, unknown> | undefined)?.metadata);
  const jobTemplate = spec?.jobTemplate as Record<string, unknown> | undefined;
  dropMetadataNoise(jobTemplate?.metadata);
  const jobSpec = jobTemplate?.spec as Record<string, unknown> | undefined;
  dropMetadataNoise((jobSpec?.template as Record<string, unknown> | undefined)?.metadata);
  if (isEmptyMap(copy.status)) delete copy.status;
  return copy;
}

function dropMetadataNoise(metadata: unknown): void {
  if (!metadata || typeof metadata !== "object") return;
  const record = metadata as Record<string, unknown>;
  if (record.creationTimestamp === null) delete record.creationTimestamp;
  for (const key of ["labels", "annotations"]) if (isEmptyMap(record[key]) || record[key] === null) delete record[key];
}

function isEmptyMap(value: unknown): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0;
}

function sortKeys(value: unknown, order: string[] = []): unknown {
  if (Array.isArray(value)) return value.map((item) => sortKeys(item));
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort((a, b) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    if (ia >= 0 || ib >= 0) return (ia < 0 ? order.length : ia) - (ib < 0 ? order.length : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  const result: Record<string, unknown> = {};
  for (const key of keys) result[key] = sortKeys(record[key], key === "metadata" ? METADATA_ORDER : []);
  return result;
}

/** Stable YAML text: long strings are not folded, so a one-word change is a one-line diff. */
export function toYaml(object: unknown): string {
  return stringify(object, { lineWidth: 0, indent: 2, indentSeq: false, aliasDuplicateObjects: false });
}
