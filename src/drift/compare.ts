// Drift of one environment: what Git specifies against what the cluster holds, object by object.
//
// With a server-side dry-run apply of the desired object (`predicted`: the live object as it would be once Git
// is applied), drift is `predicted` ≠ `live`: fields the server defaulted or other managers own are in both.
// Without one, only what the desired object specifies is compared (a subset comparison).
import { Buffer } from "node:buffer";
import { compareObjectIds, diffObjectPair } from "../diff/object-diff.ts";
import { groupOf, objectKey, type DriftedObject, type KubeObject, type Manifest, type ObjectId, type SourceLocation } from "../model.ts";
import { applyIgnoreRules, type DriftIgnoreRule } from "./ignore.ts";
import { normalizeLive } from "./normalize.ts";

export interface DriftInput {
  /** What Git renders for the environment, namespaces filled in. */
  desired: readonly Manifest[];
  /** The live object of each desired one, by objectKey(id); undefined (or no entry) when the cluster has none. */
  live: ReadonlyMap<string, KubeObject | undefined>;
  /** Server-side dry-run apply results of desired objects (our field manager, force), by the same key; may lack entries. */
  predicted: ReadonlyMap<string, KubeObject>;
  /** Live objects the environment owns that Git no longer has. */
  extras: readonly KubeObject[];
  ignore: readonly DriftIgnoreRule[];
  /** Key of the Secret fingerprints, fresh per run. */
  fingerprintKey: string | Uint8Array;
  /** Our field manager: never named as the one who edited a field. */
  fieldManager: string;
}

export interface DriftComparison {
  /** In review order: Namespaces, CRDs, then by kind, namespace and name. */
  objects: DriftedObject[];
  /** Desired objects found live and equal to what Git specifies. */
  inSync: number;
}

type Fields = Record<string, unknown>;

export function compareDrift(input: DriftInput): DriftComparison {
  const options = { fingerprintKey: input.fingerprintKey };
  const objects: DriftedObject[] = [];
  const desiredKeys = new Set<string>();
  let inSync = 0;
  for (const manifest of input.desired) {
    const key = objectKey(manifest.id);
    if (desiredKeys.has(key)) continue; // the same object twice in one rendering: compared (and counted) once
    desiredKeys.add(key);
    const prepare = (object: KubeObject) => applyIgnoreRules(normalizeLive(object), input.ignore, manifest.id);
    const live = input.live.get(key);
    if (!live) {
      const diff = diffObjectPair(undefined, prepare(manifest.object), patchNames(manifest.id), options);
      if (diff) objects.push(drifted("missing", manifest.id, diff, undefined, manifest.source));
      continue;
    }
    const liveView = prepare(live);
    const predicted = input.predicted.get(key);
    let before: KubeObject;
    let after: KubeObject;
    if (predicted) {
      before = liveView;
      after = prepare(predicted);
    } else {
      after = asStored(prepare(manifest.object));
      before = restrict(liveView, after) as KubeObject;
    }
    const diff = diffObjectPair(before, after, patchNames(manifest.id), options);
    if (!diff) {
      inSync++;
      continue;
    }
    const managers = managersOf(live, changedPaths(before, after), input.fieldManager);
    objects.push(drifted("changed", manifest.id, diff, managers, manifest.source));
  }
  for (const extra of input.extras) {
    const id = idOf(extra);
    if (desiredKeys.has(objectKey(id))) continue;
    const diff = diffObjectPair(applyIgnoreRules(normalizeLive(extra), input.ignore, id), undefined, patchNames(id), options);
    if (diff) objects.push(drifted("extra", id, diff, undefined, undefined));
  }
  return { objects: objects.sort(byReviewOrder), inSync };
}

function drifted(
  change: DriftedObject["change"],
  id: ObjectId,
  diff: NonNullable<ReturnType<typeof diffObjectPair>>,
  managers: string[] | undefined,
  source: SourceLocation | undefined,
): DriftedObject {
  return {
    change,
    id,
    patch: diff.patch,
    linesAdded: diff.linesAdded,
    linesRemoved: diff.linesRemoved,
    ...(diff.secretKeys ? { secretKeys: diff.secretKeys } : {}),
    ...(managers?.length ? { managers } : {}),
    ...(source ? { source } : {}),
  };
}

/** "live/apps/Deployment/shop/api" → "git/apps/Deployment/shop/api": the group is left out for the core group. */
function patchNames(id: ObjectId): { before: string; after: string } {
  const path = [id.group, id.kind, id.namespace, id.name].filter((part) => part !== "").join("/");
  return { before: `live/${path}`, after: `git/${path}` };
}

function idOf(object: KubeObject): ObjectId {
  const metadata = asFields(object.metadata) ?? {};
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  const { group, version } = groupOf(text(object.apiVersion));
  return { group, version, kind: text(object.kind), namespace: text(metadata.namespace), name: text(metadata.name) };
}

// ── subset comparison ─────────────────────────────────────────────────────────

/**
 * A Secret as the API server stores it: stringData merged into data, base64-encoded, so that Git's
 * stringData compares with the live data. Other objects are returned as they are.
 */
function asStored(object: KubeObject): KubeObject {
  const stringData = asFields(object.stringData);
  if (object.kind !== "Secret" || !stringData) return object;
  const data = { ...(asFields(object.data) ?? {}) };
  for (const [key, value] of Object.entries(stringData)) data[key] = Buffer.from(typeof value === "string" ? value : String(value)).toString("base64");
  const { stringData: _dropped, ...rest } = object;
  return { ...rest, data };
}

/**
 * The live value restricted to the fields `desired` specifies: maps keep the desired keys, lists of named
 * items are matched by name (live items Git does not name are left out: another manager may add them), other
 * lists by position (a live list longer than Git's keeps its extra items: that is drift). Where the live value
 * equals the desired one as a resource quantity ("1" and "1000m"), the desired text is kept. Equal to `desired`
 * exactly when every field Git specifies has the same value live.
 */
function restrict(live: unknown, desired: unknown, key = "", parent = ""): unknown {
  const liveFields = asFields(live);
  const desiredFields = asFields(desired);
  if (liveFields && desiredFields) {
    const restricted: Fields = {};
    for (const [field, wanted] of Object.entries(desiredFields)) {
      if (Object.hasOwn(liveFields, field)) restricted[field] = restrict(liveFields[field], wanted, field, key);
      // the server drops null, {} and []: an absent live field is the same thing
      else if (isVacant(wanted)) restricted[field] = wanted;
    }
    return restricted;
  }
  if (Array.isArray(live) && Array.isArray(desired)) {
    if (isNamedList(desired) && isNamedList(live)) {
      const liveByName = new Map(live.map((item) => [item.name, item]));
      return desired.flatMap((item) => {
        const match = liveByName.get(item.name);
        return match === undefined ? [] : [restrict(match, item, key, parent)];
      });
    }
    return live.map((item, index) => (index < desired.length ? restrict(item, desired[index], key, parent) : item));
  }
  if (isQuantityField(key, parent) && sameQuantity(live, desired)) return desired;
  return live;
}

function isVacant(value: unknown): boolean {
  return value === null || (Array.isArray(value) && value.length === 0) || (asFields(value) !== undefined && Object.keys(value as Fields).length === 0);
}

type Named = Fields & { name: string };

function isNamedList(list: unknown[]): list is Named[] {
  return list.length > 0 && list.every((item) => typeof asFields(item)?.name === "string");
}

/** Maps whose values are resource quantities (resources, quotas, limit ranges, capacity), and emptyDir's sizeLimit. */
const QUANTITY_MAPS = new Set(["limits", "requests", "hard", "capacity", "allocatable", "overhead", "default", "defaultRequest", "max", "min", "maxLimitRequestRatio"]);

function isQuantityField(key: string, parent: string): boolean {
  return key === "sizeLimit" || QUANTITY_MAPS.has(parent);
}

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])|[eE]([+-]?\d{1,3}))?$/;
const DECIMAL_EXPONENTS: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_EXPONENTS: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };

/** Two quantities ("1", 1, "1000m"; "1Gi", "1073741824") of the same value, compared exactly as fractions. */
function sameQuantity(a: unknown, b: unknown): boolean {
  const x = quantity(a);
  const y = quantity(b);
  return x !== undefined && y !== undefined && x.numerator * y.denominator === y.numerator * x.denominator;
}

function quantity(value: unknown): { numerator: bigint; denominator: bigint } | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const match = QUANTITY.exec(String(value));
  if (!match) return undefined;
  const [, sign, mantissa = "", binary, decimal, exponentText] = match;
  const [whole = "", fraction = ""] = mantissa.split(".");
  let numerator = BigInt(`${whole}${fraction}` || "0") * (sign === "-" ? -1n : 1n);
  let denominator = 10n ** BigInt(fraction.length);
  if (binary) numerator *= 1024n ** BigInt(BINARY_EXPONENTS[binary]!);
  const exponent = decimal ? DECIMAL_EXPONENTS[decimal]! : exponentText ? Number(exponentText) : 0;
  if (exponent > 0) numerator *= 10n ** BigInt(exponent);
  else denominator *= 10n ** BigInt(-exponent);
  return { numerator, denominator };
}

// ── who edited it ─────────────────────────────────────────────────────────────

/** One step of a field path: a map key, or a list element (with its live value, to match managedFields keys). */
type Step = { key: string } | { element: unknown; index?: number };

/**
 * The paths where `before` (live) and `after` (Git) differ, as deep as both sides have the same shape: a value
 * only one side has, or of another type, ends its path. Named list items are matched by name. Items only Git
 * has are left out: nobody owns them live.
 */
function changedPaths(before: unknown, after: unknown, path: Step[] = [], out: Step[][] = []): Step[][] {
  if (deepEqual(before, after)) return out;
  const beforeFields = asFields(before);
  const afterFields = asFields(after);
  if (beforeFields && afterFields) {
    for (const key of new Set([...Object.keys(beforeFields), ...Object.keys(afterFields)])) {
      if (!Object.hasOwn(beforeFields, key)) continue;
      changedPaths(beforeFields[key], afterFields[key], [...path, { key }], out);
    }
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (isNamedList(before) && isNamedList(after)) {
      const afterByName = new Map(after.map((item) => [item.name, item]));
      for (const item of before) changedPaths(item, afterByName.get(item.name), [...path, { element: item }], out);
      return out;
    }
    if (before.length === after.length) {
      before.forEach((item, index) => changedPaths(item, after[index], [...path, { element: item, index }], out));
      return out;
    }
  }
  out.push(path);
  return out;
}

/** Managers of the live object, other than ours, whose managedFields own at least one of `paths`; sorted. */
function managersOf(live: KubeObject, paths: Step[][], fieldManager: string): string[] {
  const entries = asFields(live.metadata)?.managedFields;
  if (!Array.isArray(entries) || paths.length === 0) return [];
  const managers = new Set<string>();
  for (const entry of entries) {
    const fields = asFields(entry);
    const manager = fields?.manager;
    const owned = asFields(fields?.fieldsV1);
    if (typeof manager !== "string" || manager === fieldManager || !owned) continue;
    if (paths.some((path) => owns(owned, path))) managers.add(manager);
  }
  return [...managers].sort();
}

/**
 * Whether a fieldsV1 tree owns the value at `path`: "f:<field>" for map keys, "k:{…}" (the item's key fields),
 * "v:<value>" (set items) or "i:<index>" for list items; an empty node owns everything below it (an atomic field).
 */
function owns(fieldsV1: Fields, path: Step[]): boolean {
  let node = fieldsV1;
  for (const step of path) {
    if (Object.keys(node).length === 0) return true;
    const child = "key" in step ? node[`f:${step.key}`] : elementNode(node, step);
    const fields = asFields(child);
    if (!fields) return false;
    node = fields;
  }
  return path.length > 0;
}

function elementNode(node: Fields, step: { element: unknown; index?: number }): unknown {
  for (const [name, child] of Object.entries(node)) {
    if (name.startsWith("k:")) {
      const keys = asFields(parseJson(name.slice(2)));
      const element = asFields(step.element);
      if (keys && element && Object.entries(keys).every(([field, value]) => deepEqual(element[field], value))) return child;
    } else if (name.startsWith("v:")) {
      if (deepEqual(parseJson(name.slice(2)), step.element)) return child;
    } else if (name.startsWith("i:")) {
      if (step.index !== undefined && name === `i:${step.index}`) return child;
    }
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// ── shared ────────────────────────────────────────────────────────────────────

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  }
  const x = asFields(a);
  const y = asFields(b);
  if (!x || !y) return false;
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((key) => Object.hasOwn(y, key) && deepEqual(x[key], y[key]));
}

function asFields(value: unknown): Fields | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Fields) : undefined;
}

/** The verify diff's order of objects; for one object: missing, changed, extra. */
const CHANGE_RANK: Record<DriftedObject["change"], number> = { missing: 0, changed: 1, extra: 2 };

function byReviewOrder(a: DriftedObject, b: DriftedObject): number {
  return compareObjectIds(a.id, b.id) || CHANGE_RANK[a.change] - CHANGE_RANK[b.change];
}
