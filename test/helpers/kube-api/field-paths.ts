// Field paths as server-side apply tracks them, and their FieldsV1 encoding in metadata.managedFields.
//
// A path is a list of FieldsV1 segments: `f:<field>` for a map key, `k:{"name":"<n>"}` for the item of a list whose
// items have a `name` key (containers, env, volumes, named ports). Other lists are atomic: owned as a whole, like a
// scalar. A path ending in a `k:` segment stands for the list item itself (FieldsV1's `".": {}`).
import { isMap, type KubeObject } from "./objects.ts";

export type FieldPath = readonly string[];

/** Metadata the server owns or that identifies the object: never part of a field set. */
const UNMANAGED_METADATA = new Set([
  "name",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
  "generateName",
]);

export function pathKey(path: FieldPath): string {
  return JSON.stringify(path);
}

export function pathFromKey(key: string): FieldPath {
  return JSON.parse(key) as string[];
}

/** True for a list merged item by item (every item a map with a string `name`). */
export function isNamedList(value: unknown): value is Record<string, unknown>[] {
  return Array.isArray(value) && value.length > 0 && value.every((item) => isMap(item) && typeof item.name === "string");
}

function itemSegment(name: string): string {
  return `k:${JSON.stringify({ name })}`;
}

/** Every path a manager owns by setting `object`'s fields: leaves, atomic lists, empty maps and named list items. */
export function fieldPaths(object: KubeObject): FieldPath[] {
  const paths: FieldPath[] = [];
  for (const [key, value] of Object.entries(object)) {
    if (key === "apiVersion" || key === "kind" || key === "status") continue;
    if (key === "metadata" && isMap(value)) {
      for (const [field, child] of Object.entries(value)) {
        if (!UNMANAGED_METADATA.has(field)) collect(child, ["f:metadata", `f:${field}`], paths);
      }
      continue;
    }
    collect(value, [`f:${key}`], paths);
  }
  return paths;
}

/** The field paths of a value at `prefix` (status included: the controller's status entry uses it). */
export function valuePaths(value: unknown, prefix: FieldPath): FieldPath[] {
  const paths: FieldPath[] = [];
  collect(value, prefix, paths);
  return paths;
}

function collect(value: unknown, prefix: FieldPath, into: FieldPath[]): void {
  if (isMap(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) collect(child, [...prefix, `f:${key}`], into);
  } else if (isNamedList(value)) {
    for (const item of value) {
      const itemPath = [...prefix, itemSegment(item.name as string)];
      into.push(itemPath);
      for (const [key, child] of Object.entries(item)) collect(child, [...itemPath, `f:${key}`], into);
    }
  } else {
    into.push(prefix);
  }
}

function matchesItem(item: unknown, segment: string): boolean {
  const keys = JSON.parse(segment.slice(2)) as Record<string, unknown>;
  return isMap(item) && Object.entries(keys).every(([key, value]) => item[key] === value);
}

/** The value at `path`, or found: false. */
export function valueAt(object: unknown, path: FieldPath): { found: boolean; value?: unknown } {
  let current: unknown = object;
  for (const segment of path) {
    if (segment.startsWith("f:") && isMap(current) && segment.slice(2) in current) {
      current = current[segment.slice(2)];
    } else if (segment.startsWith("k:") && Array.isArray(current)) {
      const item = current.find((candidate) => matchesItem(candidate, segment));
      if (item === undefined) return { found: false };
      current = item;
    } else {
      return { found: false };
    }
  }
  return { found: true, value: current };
}

/** Removes the field or list item at `path`; a no-op when it is not there. */
export function removeAt(object: unknown, path: FieldPath): void {
  if (path.length === 0) return;
  const parent = valueAt(object, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (!parent.found) return;
  if (last.startsWith("f:") && isMap(parent.value)) delete parent.value[last.slice(2)];
  if (last.startsWith("k:") && Array.isArray(parent.value)) {
    const index = parent.value.findIndex((item) => matchesItem(item, last));
    if (index >= 0) parent.value.splice(index, 1);
  }
}

export function isPrefix(prefix: FieldPath, path: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => segment === path[i]);
}

/** `.spec.template.spec.containers[name="app"].image`, as conflict messages write a path. */
export function formatPath(path: FieldPath): string {
  return path
    .map((segment) => {
      if (segment.startsWith("f:")) return `.${segment.slice(2)}`;
      const keys = JSON.parse(segment.slice(2)) as Record<string, unknown>;
      return `[${Object.entries(keys).map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(",")}]`;
    })
    .join("");
}

/** FieldsV1: nested maps of segments, `{}` for an owned leaf, `".": {}` for an owned list item. */
export function encodeFieldsV1(paths: Iterable<FieldPath>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const path of paths) {
    let node = root;
    for (const segment of path) {
      if (!isMap(node[segment])) node[segment] = {};
      node = node[segment] as Record<string, unknown>;
    }
    if (path[path.length - 1]?.startsWith("k:")) node["."] = {};
  }
  return sortKeys(root);
}

function sortKeys(node: Record<string, unknown>): Record<string, unknown> {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(node).sort()) sorted[key] = sortKeys(node[key] as Record<string, unknown>);
  return sorted;
}

export function decodeFieldsV1(fields: unknown): FieldPath[] {
  const paths: FieldPath[] = [];
  const walk = (node: Record<string, unknown>, prefix: FieldPath) => {
    for (const [key, child] of Object.entries(node)) {
      if (key === ".") paths.push(prefix);
      else if (isMap(child) && Object.keys(child).length > 0) walk(child, [...prefix, key]);
      else paths.push([...prefix, key]);
    }
  };
  if (isMap(fields)) walk(fields, []);
  return paths;
}
