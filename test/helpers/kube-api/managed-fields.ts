// metadata.managedFields: who owns which field, and how Apply and Update operations move ownership.
//
// Apply (server-side apply): the applier's set becomes exactly the fields it applied; a field another manager owns
// with a different value is a conflict unless forced (then ownership moves); with the same value it is shared.
// Update (POST, PUT, merge patch, `kubectl edit`): never conflicts; the updater takes the fields it changed or added
// (defaults included: a POST's manager owns the defaulted fields too, as on the real server), and other managers lose
// them.
import {
  decodeFieldsV1,
  encodeFieldsV1,
  fieldPaths,
  formatPath,
  isNamedList,
  isPrefix,
  pathKey,
  valueAt,
  type FieldPath,
} from "./field-paths.ts";
import { clone, deepEqual, isMap, type KubeObject } from "./objects.ts";
import { ApiError } from "./status.ts";

export interface ManagerEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  subresource?: string;
  paths: Map<string, FieldPath>;
}

export function pathSet(paths: Iterable<FieldPath>): Map<string, FieldPath> {
  return new Map([...paths].map((path) => [pathKey(path), path]));
}

export function readManagedFields(object: KubeObject | undefined): ManagerEntry[] {
  const metadata = isMap(object?.metadata) ? object.metadata : {};
  const entries = Array.isArray(metadata.managedFields) ? metadata.managedFields.filter(isMap) : [];
  return entries.map((entry) => ({
    manager: String(entry.manager ?? ""),
    operation: entry.operation === "Apply" ? "Apply" : "Update",
    apiVersion: String(entry.apiVersion ?? ""),
    time: String(entry.time ?? ""),
    subresource: typeof entry.subresource === "string" ? entry.subresource : undefined,
    paths: pathSet(decodeFieldsV1(entry.fieldsV1)),
  }));
}

/** Writes the entries into `object`, keeping only paths that exist in it and entries that still own something. */
export function writeManagedFields(object: KubeObject, entries: ManagerEntry[]): void {
  const metadata = isMap(object.metadata) ? object.metadata : (object.metadata = {});
  const written = entries
    .map((entry) => ({ ...entry, paths: [...entry.paths.values()].filter((path) => valueAt(object, path).found) }))
    .filter((entry) => entry.paths.length > 0)
    .map((entry) => {
      const record: Record<string, unknown> = {
        manager: entry.manager,
        operation: entry.operation,
        apiVersion: entry.apiVersion,
        time: entry.time,
        fieldsType: "FieldsV1",
        fieldsV1: encodeFieldsV1(entry.paths),
      };
      if (entry.subresource) record.subresource = entry.subresource;
      return record;
    });
  if (written.length > 0) metadata.managedFields = written;
  else delete metadata.managedFields;
}

function isItemPath(path: FieldPath): boolean {
  return path[path.length - 1]?.startsWith("k:") ?? false;
}

/** Two paths touch when one is the other or contains it (an atomic value replaced by a structured one, or back). */
function overlaps(a: FieldPath, b: FieldPath): boolean {
  return isPrefix(a, b) || isPrefix(b, a);
}

function entryFor(entries: ManagerEntry[], manager: string, operation: "Apply" | "Update", apiVersion: string, time: string): ManagerEntry {
  const existing = entries.find((entry) => entry.manager === manager && entry.operation === operation && !entry.subresource);
  if (existing) {
    existing.apiVersion = apiVersion;
    existing.time = time;
    return existing;
  }
  const created: ManagerEntry = { manager, operation, apiVersion, time, paths: new Map() };
  entries.push(created);
  return created;
}

interface Conflict {
  entry: ManagerEntry;
  path: FieldPath;
}

function conflictError(conflicts: Conflict[]): ApiError {
  const byManager = new Map<ManagerEntry, FieldPath[]>();
  for (const { entry, path } of conflicts) byManager.set(entry, [...(byManager.get(entry) ?? []), path]);
  const describe = (entry: ManagerEntry) => `"${entry.manager}" using ${entry.apiVersion}`;
  const parts = [...byManager].map(([entry, paths]) =>
    paths.length === 1 ? `conflict with ${describe(entry)}: ${formatPath(paths[0]!)}` : `conflicts with ${describe(entry)}:\n${paths.map((path) => `- ${formatPath(path)}`).join("\n")}`,
  );
  const count = conflicts.length === 1 ? "1 conflict" : `${conflicts.length} conflicts`;
  return new ApiError(409, "Conflict", `Apply failed with ${count}: ${parts.join("\n")}`, {
    causes: conflicts.map(({ entry, path }) => ({ reason: "FieldManagerConflict", message: `conflict with ${describe(entry)}`, field: formatPath(path) })),
  });
}

/** Merges an applied configuration into the live object: maps by key, named lists by name, the rest replaced. */
export function mergeApplied(live: unknown, applied: unknown): unknown {
  if (isMap(live) && isMap(applied)) {
    const result: Record<string, unknown> = { ...live };
    for (const [key, value] of Object.entries(applied)) result[key] = key in live ? mergeApplied(live[key], value) : clone(value);
    return result;
  }
  if (isNamedList(applied) && (isNamedList(live) || (Array.isArray(live) && live.length === 0))) {
    const liveItems = live as Record<string, unknown>[];
    const merged = liveItems.map((item) => {
      const update = applied.find((candidate) => candidate.name === item.name);
      return update ? mergeApplied(item, update) : item;
    });
    for (const item of applied) if (!liveItems.some((existing) => existing.name === item.name)) merged.push(clone(item));
    return merged;
  }
  return clone(applied);
}

export interface ApplyOwnership {
  entries: ManagerEntry[];
  /** Fields the applier owned before, applies no more, and nobody else owns: to be removed from the object. */
  removals: FieldPath[];
}

/** Ownership after applying `applied` over `live`; throws a Conflict ApiError unless forced. */
export function applyOwnership(
  live: KubeObject | undefined,
  applied: KubeObject,
  options: { manager: string; apiVersion: string; force: boolean; time: string; defaults?: (object: KubeObject) => void },
): ApplyOwnership {
  const entries = readManagedFields(live);
  const appliedPaths = fieldPaths(applied);
  const mine = entries.find((entry) => entry.manager === options.manager && entry.operation === "Apply" && !entry.subresource);
  const others = entries.filter((entry) => entry !== mine && !entry.subresource);

  // a conflict is a field the apply would change that another manager owns: compare the live object with the
  // merged result (an applied empty map changes nothing below it)
  const merged = live ? (mergeApplied(clone(live), applied) as KubeObject) : applied;
  if (live) options.defaults?.(merged);
  const conflicts = new Map<string, Conflict>();
  for (const path of appliedPaths) {
    if (isItemPath(path)) continue; // a list item's existence is shared, never contested
    for (const entry of others) {
      for (const owned of entry.paths.values()) {
        if (isItemPath(owned) || !overlaps(owned, path)) continue;
        const at = owned.length <= path.length ? owned : path;
        if (!deepEqual(valueAt(live, at).value, valueAt(merged, at).value)) {
          conflicts.set(`${entries.indexOf(entry)} ${pathKey(owned)}`, { entry, path: owned });
        }
      }
    }
  }
  // sorted by path, as the real server lists them
  const sorted = [...conflicts.values()].sort((a, b) => (formatPath(a.path) < formatPath(b.path) ? -1 : 1));
  if (sorted.length > 0 && !options.force) throw conflictError(sorted);
  for (const { entry, path } of sorted) entry.paths.delete(pathKey(path));

  const applying = pathSet(appliedPaths);
  const ownedElsewhere = (path: FieldPath) => others.some((entry) => [...entry.paths.values()].some((owned) => isPrefix(path, owned)));
  const isKeyField = (path: FieldPath) => path.length >= 2 && isItemPath(path.slice(0, -1)) && path[path.length - 1] === "f:name";
  const stillApplied = (path: FieldPath) => appliedPaths.some((applies) => isPrefix(path, applies));
  const removals = [...(mine?.paths.values() ?? [])]
    .filter((path) => !stillApplied(path) && !ownedElsewhere(path) && !isKeyField(path))
    .sort((a, b) => b.length - a.length);

  const entry = entryFor(entries, options.manager, "Apply", options.apiVersion, options.time);
  entry.paths = applying;
  return { entries, removals };
}

/** Ownership after an Update by `manager` from `old` (undefined on create) to `next` (the object to store, defaulted). */
export function updateOwnership(
  old: KubeObject | undefined,
  next: KubeObject,
  options: { manager: string; apiVersion: string; time: string },
): ManagerEntry[] {
  const entries = readManagedFields(old);
  const changed = fieldPaths(next).filter((path) => {
    const before = valueAt(old, path);
    if (isItemPath(path)) return !before.found;
    return !before.found || !deepEqual(before.value, valueAt(next, path).value);
  });
  if (changed.length === 0) return entries;
  const entry = entryFor(entries, options.manager, "Update", options.apiVersion, options.time);
  for (const other of entries) {
    if (other === entry || other.subresource) continue;
    for (const [key, owned] of other.paths) {
      if (!isItemPath(owned) && changed.some((path) => overlaps(owned, path))) other.paths.delete(key);
    }
  }
  for (const path of changed) entry.paths.set(pathKey(path), path);
  return entries;
}
