// Removes differences that carry no meaning, so that a diff shows only what a reviewer should read.
import { stringify } from "yaml";
import type { KubeObject } from "../model.ts";

type Fields = Record<string, unknown>;

/** Keys that come first, in this order; all others follow alphabetically. */
const TOP_LEVEL_ORDER = rankOf(["apiVersion", "kind", "metadata"]);
const METADATA_ORDER = rankOf(["name", "namespace", "labels", "annotations"]);
const ALPHABETICAL = rankOf([]);

/**
 * A canonical copy: keys in one order (apiVersion, kind, metadata first, then alphabetical; in any
 * `metadata`: name, namespace, labels, annotations first), without the noise tools print:
 * `creationTimestamp: null`, empty label and annotation maps, `status: {}`, and the empty metadata of
 * pod, job and claim templates. Every other empty map is kept: `emptyDir: {}` means something.
 * The input is not modified.
 */
export function normalizeObject(object: KubeObject): KubeObject {
  const copy = sortKeys(object, TOP_LEVEL_ORDER) as KubeObject;
  dropMetadataNoise(copy.metadata);
  dropEmptyStatus(copy);
  for (const template of embeddedTemplates(copy)) {
    dropMetadataNoise(template.metadata);
    if (isEmptyMap(template.metadata)) delete template.metadata;
    dropEmptyStatus(template);
  }
  return copy;
}

/** Stable YAML text: long strings are not folded, so a one-word change is a one-line diff. */
export function toYaml(object: unknown): string {
  return stringify(object, { lineWidth: 0, indent: 2, indentSeq: false, aliasDuplicateObjects: false });
}

/** Objects embedded in workload specs, whose metadata tools print with the same noise. */
function embeddedTemplates(object: KubeObject): Fields[] {
  const spec = asFields(object.spec);
  const jobTemplate = asFields(spec?.jobTemplate);
  const claimTemplates = Array.isArray(spec?.volumeClaimTemplates) ? spec.volumeClaimTemplates : [];
  return [asFields(spec?.template), jobTemplate, asFields(asFields(jobTemplate?.spec)?.template), ...claimTemplates.map(asFields)].filter(
    (template): template is Fields => template !== undefined,
  );
}

function dropMetadataNoise(value: unknown): void {
  const metadata = asFields(value);
  if (!metadata) return;
  if (metadata.creationTimestamp === null) delete metadata.creationTimestamp;
  for (const key of ["labels", "annotations"]) {
    if (metadata[key] === null || isEmptyMap(metadata[key])) delete metadata[key];
  }
}

function dropEmptyStatus(object: Fields): void {
  if (isEmptyMap(object.status)) delete object.status;
}

function sortKeys(value: unknown, order: ReadonlyMap<string, number>): unknown {
  if (Array.isArray(value)) return value.map((item) => sortKeys(item, ALPHABETICAL));
  const map = asFields(value);
  if (!map) return value;
  const rank = (key: string) => order.get(key) ?? order.size;
  const keys = Object.keys(map).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const sorted: Fields = {};
  for (const key of keys) sorted[key] = sortKeys(map[key], key === "metadata" ? METADATA_ORDER : ALPHABETICAL);
  return sorted;
}

function rankOf(keys: string[]): ReadonlyMap<string, number> {
  return new Map(keys.map((key, index) => [key, index]));
}

function asFields(value: unknown): Fields | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Fields) : undefined;
}

function isEmptyMap(value: unknown): boolean {
  const map = asFields(value);
  return map !== undefined && Object.keys(map).length === 0;
}
