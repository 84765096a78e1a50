// Reading collections the way Rego does: a key's value (an array index, an object key, a set member) and iteration
// over keys and values in OPA's order.

import { RegoObject, RegoSet, equal, type Value } from "../value.js";

export function lookup(value: Value | undefined, key: Value): Value | undefined {
  if (value instanceof RegoObject) return value.get(key);
  if (Array.isArray(value)) {
    if (typeof key === "number") return Number.isInteger(key) && key >= 0 ? (value as readonly Value[])[key] : undefined;
    return undefined;
  }
  if (value instanceof RegoSet) return value.has(key) ? key : undefined;
  return undefined;
}

/** Calls f for each key and value of a collection (array index, object key, set member) in OPA's order. */
export function iterate(value: Value | undefined, f: (key: Value, value: Value) => boolean): boolean {
  if (Array.isArray(value)) {
    const items = value as readonly Value[];
    for (let i = 0; i < items.length; i++) if (f(i, items[i]!)) return true;
    return false;
  }
  if (value instanceof RegoObject) {
    for (const [k, v] of value.entries()) if (f(k, v)) return true;
    return false;
  }
  if (value instanceof RegoSet) {
    for (const m of value.sorted()) if (f(m, m)) return true;
    return false;
  }
  return false;
}

export function isMember(x: Value, collection: Value): boolean {
  if (collection instanceof RegoSet) return collection.has(x);
  if (Array.isArray(collection)) return (collection as readonly Value[]).some((v) => equal(v, x));
  if (collection instanceof RegoObject) {
    for (const [, v] of collection.entries()) if (equal(v, x)) return true;
  }
  return false;
}

