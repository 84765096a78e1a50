// object.* , json.filter / json.remove / json.patch and walk (topdown/object.go, json.go, walk.go, subset.go).

import type { Builtin } from "./types.js";
import { arr, fn, obj, operandTypeError, relation, typeError } from "./operands.js";
import { RegoObject, RegoSet, equal, isInteger, typeName } from "../../value.js";
import type { Value } from "../../value.js";

/** Follows a path of keys through objects, arrays (integer index) and sets (member). */
function find(value: Value, path: readonly Value[]): Value | undefined {
  let cur: Value = value;
  for (const seg of path) {
    if (cur instanceof RegoObject) {
      const next = cur.get(seg);
      if (next === undefined) return undefined;
      cur = next;
    } else if (Array.isArray(cur)) {
      if ((typeof seg !== "number" && typeof seg !== "bigint") || !isInteger(seg)) return undefined;
      const i = Number(seg);
      if (i < 0 || i >= cur.length) return undefined;
      cur = (cur as readonly Value[])[i]!;
    } else if (cur instanceof RegoSet) {
      if (!cur.has(seg)) return undefined;
      cur = seg;
    } else {
      return undefined;
    }
  }
  return cur;
}

/** OPA's mergeWithOverwrite: nested objects merge, otherwise the right side wins. */
export function objectUnion(a: RegoObject, b: RegoObject): RegoObject {
  const out = RegoObject.of(a.entries());
  for (const [k, v] of b.entries()) {
    const old = a.get(k);
    out.set(k, old instanceof RegoObject && v instanceof RegoObject ? objectUnion(old, v) : v);
  }
  return out;
}

/** The keys operand of object.remove / object.filter: a set, an array, or an object's keys. */
function keysOperand(name: string, args: readonly Value[]): readonly Value[] {
  const v = args[1]!;
  if (Array.isArray(v)) return v as readonly Value[];
  if (v instanceof RegoSet) return v.sorted();
  if (v instanceof RegoObject) return v.sortedKeys();
  throw operandTypeError(name, 2, v, "object", "set", "array");
}

function arraySubset(sup: readonly Value[], sub: readonly Value[]): boolean {
  if (sub.length === 0) return true;
  for (let start = 0; start + sub.length <= sup.length; start++) {
    let ok = true;
    for (let j = 0; j < sub.length && ok; j++) ok = equal(sup[start + j]!, sub[j]!);
    if (ok) return true;
  }
  return false;
}

function isSubset(sup: Value, sub: Value): boolean {
  if (sup instanceof RegoObject && sub instanceof RegoObject) {
    for (const [k, v] of sub.entries()) {
      const sv = sup.get(k);
      if (sv === undefined) return false;
      if (sv instanceof RegoObject || sv instanceof RegoSet || Array.isArray(sv)) {
        if (!isSubset(sv, v)) return false;
      } else if (!equal(sv, v)) return false;
    }
    return true;
  }
  if (sup instanceof RegoSet && sub instanceof RegoSet) return sub.sorted().every((x) => sup.has(x));
  if (Array.isArray(sup) && Array.isArray(sub)) return arraySubset(sup as readonly Value[], sub as readonly Value[]);
  if (Array.isArray(sup) && sub instanceof RegoSet) return sub.sorted().every((x) => (sup as readonly Value[]).some((y) => equal(x, y)));
  return equal(sup, sub);
}

// ---------------------------------------------------------------------------------------------------------------
// json.filter / json.remove: paths as "a/b/c" strings or arrays of segments, made into a tree of objects with null
// leaves (OPA's pathsToObject)

function parsePath(name: string, p: Value): Value[] {
  if (typeof p === "string") {
    if (p === "") return [];
    return p
      .replace(/^\/+/, "")
      .split("/")
      .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"));
  }
  if (Array.isArray(p)) return [...(p as readonly Value[])];
  throw typeError(name, `operand 2 must be one of {set, array} containing string paths or array of path segments but got ${typeName(p)}`);
}

function jsonPaths(name: string, v: Value): Value[][] {
  if (Array.isArray(v)) return (v as readonly Value[]).map((p) => parsePath(name, p));
  if (v instanceof RegoSet) return v.sorted().map((p) => parsePath(name, p));
  throw operandTypeError(name, 2, v, "set", "array");
}

/** A filter tree: a Map per level (keys by hash via RegoObject), null where the path ends. */
function pathsToObject(paths: Value[][]): RegoObject {
  const root = new RegoObject();
  for (const path of paths) {
    if (path.length === 0) continue;
    let node = root;
    let done = false;
    for (let i = 0; i < path.length - 1 && !done; i++) {
      const child = node.get(path[i]!);
      if (child === undefined) {
        const o = new RegoObject();
        node.set(path[i]!, o);
        node = o;
      } else if (child === null) {
        done = true;
      } else {
        node = child as RegoObject;
      }
    }
    if (!done) node.set(path[path.length - 1]!, null);
  }
  return root;
}

function filterValue(v: Value, filter: Value): Value {
  if (filter === null) return v;
  const f = filter as RegoObject;
  if (Array.isArray(v)) {
    const out: Value[] = [];
    (v as readonly Value[]).forEach((x, i) => {
      const sub = f.get(String(i));
      if (sub !== undefined) out.push(filterValue(x, sub));
    });
    return out;
  }
  if (v instanceof RegoSet) {
    const out = new RegoSet();
    for (const x of v) {
      const sub = f.get(x);
      if (sub !== undefined) out.add(filterValue(x, sub));
    }
    return out;
  }
  if (v instanceof RegoObject) {
    const out = new RegoObject();
    for (const [k, x] of v.entries()) {
      const sub = f.get(k);
      if (sub !== undefined) out.set(k, filterValue(x, sub));
    }
    return out;
  }
  return v;
}

function removeValue(v: Value, filter: Value | undefined): Value | undefined {
  if (filter === undefined) return v;
  if (filter === null) return undefined;
  const f = filter as RegoObject;
  if (Array.isArray(v)) {
    const out: Value[] = [];
    (v as readonly Value[]).forEach((x, i) => {
      const r = removeValue(x, f.get(String(i)));
      if (r !== undefined) out.push(r);
    });
    return out;
  }
  if (v instanceof RegoSet) {
    const out = new RegoSet();
    for (const x of v) {
      const r = removeValue(x, f.get(x));
      if (r !== undefined) out.add(r);
    }
    return out;
  }
  if (v instanceof RegoObject) {
    const out = new RegoObject();
    for (const [k, x] of v.entries()) {
      const r = removeValue(x, f.get(k));
      if (r !== undefined) out.set(k, r);
    }
    return out;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------------------------
// json.patch (RFC 6902, with OPA's sets and array paths); a patch that cannot apply makes the result undefined

class PatchFailure extends Error {}

function arrayIndex(seg: Value, len: number, forAdd: boolean): number {
  let i: number;
  if (typeof seg === "number" || typeof seg === "bigint") {
    if (!isInteger(seg)) throw new PatchFailure("bad index");
    i = Number(seg);
  } else if (typeof seg === "string") {
    if (seg === "-" && forAdd) return len;
    if (!/^(0|[1-9]\d*)$/.test(seg)) throw new PatchFailure("bad index");
    i = Number(seg);
  } else {
    throw new PatchFailure("bad index");
  }
  if (i < 0 || i > len || (!forAdd && i === len)) throw new PatchFailure("index out of bounds");
  return i;
}

function getAt(doc: Value, path: readonly Value[]): Value {
  let cur = doc;
  for (const seg of path) {
    if (cur instanceof RegoObject) {
      const next = cur.get(seg);
      if (next === undefined) throw new PatchFailure("missing");
      cur = next;
    } else if (Array.isArray(cur)) {
      cur = (cur as readonly Value[])[arrayIndex(seg, cur.length, false)]!;
    } else if (cur instanceof RegoSet) {
      if (!cur.has(seg)) throw new PatchFailure("missing");
      cur = seg;
    } else {
      throw new PatchFailure("missing");
    }
  }
  return cur;
}

/** Replaces the value at path by update(old), rebuilding the containers on the way (values are immutable). */
function updateAt(doc: Value, path: readonly Value[], update: (parent: Value, last: Value) => Value): Value {
  if (path.length === 0) throw new PatchFailure("root");
  const rec = (cur: Value, i: number): Value => {
    if (i === path.length - 1) return update(cur, path[i]!);
    const seg = path[i]!;
    if (cur instanceof RegoObject) {
      const next = cur.get(seg);
      if (next === undefined) throw new PatchFailure("missing");
      return RegoObject.of(cur.entries()).set(seg, rec(next, i + 1));
    }
    if (Array.isArray(cur)) {
      const idx = arrayIndex(seg, cur.length, false);
      const copy = [...(cur as readonly Value[])];
      copy[idx] = rec(copy[idx]!, i + 1);
      return copy;
    }
    if (cur instanceof RegoSet) {
      if (!cur.has(seg)) throw new PatchFailure("missing");
      const replaced = rec(seg, i + 1);
      return RegoSet.of([...cur.sorted().filter((x) => !equal(x, seg)), replaced]);
    }
    throw new PatchFailure("missing");
  };
  return rec(doc, 0);
}

function patchAdd(doc: Value, path: readonly Value[], value: Value): Value {
  if (path.length === 0) return value;
  return updateAt(doc, path, (parent, last) => {
    if (parent instanceof RegoObject) return RegoObject.of(parent.entries()).set(last, value);
    if (Array.isArray(parent)) {
      const idx = arrayIndex(last, parent.length, true);
      const copy = [...(parent as readonly Value[])];
      copy.splice(idx, 0, value);
      return copy;
    }
    if (parent instanceof RegoSet) {
      if (!equal(last, value)) throw new PatchFailure("set key and value differ");
      return RegoSet.of([...parent.sorted(), value]);
    }
    throw new PatchFailure("not a container");
  });
}

function patchRemove(doc: Value, path: readonly Value[]): Value {
  return updateAt(doc, path, (parent, last) => {
    if (parent instanceof RegoObject) {
      if (!parent.has(last)) throw new PatchFailure("missing");
      return RegoObject.of([...parent.entries()].filter(([k]) => !equal(k, last)));
    }
    if (Array.isArray(parent)) {
      const idx = arrayIndex(last, parent.length, false);
      return (parent as readonly Value[]).filter((_, j) => j !== idx);
    }
    if (parent instanceof RegoSet) {
      if (!parent.has(last)) throw new PatchFailure("missing");
      return RegoSet.of(parent.sorted().filter((x) => !equal(x, last)));
    }
    throw new PatchFailure("not a container");
  });
}

function patchPath(op: RegoObject, attr: string): Value[] {
  const p = op.get(attr);
  if (p === undefined) throw new PatchFailure(`missing '${attr}' attribute`);
  if (typeof p === "string") {
    if (p === "") return [];
    return p
      .replace(/^\//, "")
      .split("/")
      .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"));
  }
  if (Array.isArray(p)) return [...(p as readonly Value[])];
  throw new PatchFailure("bad path");
}

function isPrefix(prefix: readonly Value[], path: readonly Value[]): boolean {
  return prefix.length < path.length && prefix.every((seg, i) => equal(seg, path[i]!) || String(seg) === String(path[i]));
}

function applyPatch(doc: Value, op: Value): Value {
  if (!(op instanceof RegoObject)) throw new PatchFailure("operation is not an object");
  const kind = op.get("op");
  if (typeof kind !== "string") throw new PatchFailure("attribute 'op' must be a string");
  const path = patchPath(op, "path");
  const value = (): Value => {
    const v = op.get("value");
    if (v === undefined) throw new PatchFailure("missing 'value' attribute");
    return v;
  };
  switch (kind) {
    case "add":
      return patchAdd(doc, path, value());
    case "remove":
      return patchRemove(doc, path);
    case "replace": {
      const v = value();
      if (path.length === 0) return v;
      getAt(doc, path);
      return patchAdd(patchRemove(doc, path), path, v);
    }
    case "move": {
      const from = patchPath(op, "from");
      if (isPrefix(from, path)) throw new PatchFailure("move into own child");
      const v = getAt(doc, from);
      return patchAdd(from.length === 0 ? doc : patchRemove(doc, from), path, v);
    }
    case "copy":
      return patchAdd(doc, path, getAt(doc, patchPath(op, "from")));
    case "test":
      if (!equal(getAt(doc, path), value())) throw new PatchFailure("test failed");
      return doc;
    default:
      throw new PatchFailure(`unknown op ${kind}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// walk: [path, value] for every node, the node before its children, children in OPA's order

function* walkValue(path: Value[], v: Value): Generator<Value> {
  yield [[...path], v];
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) yield* walkValue([...path, i], (v as readonly Value[])[i]!);
  } else if (v instanceof RegoObject) {
    for (const [k, x] of v.entries()) yield* walkValue([...path, k], x);
  } else if (v instanceof RegoSet) {
    for (const x of v) yield* walkValue([...path, x], x);
  }
}

export const OBJECT_BUILTINS: readonly Builtin[] = [
  fn("object.get", 3, (args) => {
    const o = obj("object.get", args, 0);
    const key = args[1]!;
    const got = Array.isArray(key) ? find(o, key as readonly Value[]) : o.get(key);
    return got === undefined ? args[2]! : got;
  }),
  fn("object.keys", 1, (args) => RegoSet.of(obj("object.keys", args, 0).sortedKeys())),
  fn("object.union", 2, (args) => objectUnion(obj("object.union", args, 0), obj("object.union", args, 1))),
  fn("object.union_n", 1, (args) => {
    let out = new RegoObject();
    for (const x of arr("object.union_n", args, 0)) {
      if (!(x instanceof RegoObject)) throw typeError("object.union_n", `operand 1 must be array of objects but got array containing ${typeName(x)}`);
      out = objectUnion(out, x);
    }
    return out;
  }),
  fn("object.remove", 2, (args) => {
    const o = obj("object.remove", args, 0);
    const drop = RegoSet.of(keysOperand("object.remove", args));
    return RegoObject.of([...o.entries()].filter(([k]) => !drop.has(k)));
  }),
  fn("object.filter", 2, (args) => {
    const o = obj("object.filter", args, 0);
    const out = new RegoObject();
    for (const k of keysOperand("object.filter", args)) {
      const v = o.get(k);
      if (v !== undefined) out.set(k, v);
    }
    return out;
  }),
  fn("object.subset", 2, (args) => {
    const [sup, sub] = args as [Value, Value];
    const kinds = ["object", "set", "array"];
    if (!(sup instanceof RegoObject || sup instanceof RegoSet || Array.isArray(sup))) throw operandTypeError("object.subset", 1, sup, ...kinds);
    if (!(sub instanceof RegoObject || sub instanceof RegoSet || Array.isArray(sub))) throw operandTypeError("object.subset", 2, sub, ...kinds);
    if (sup instanceof RegoObject !== sub instanceof RegoObject) {
      throw typeError("object.subset", `both arguments must be objects, or neither may be an object (got ${typeName(sup)} and ${typeName(sub)})`);
    }
    if (sup instanceof RegoSet && Array.isArray(sub)) return false;
    return isSubset(sup, sub);
  }),
  fn("json.filter", 2, (args) => filterValue(obj("json.filter", args, 0), pathsToObject(jsonPaths("json.filter", args[1]!)))),
  fn("json.remove", 2, (args) => removeValue(obj("json.remove", args, 0), pathsToObject(jsonPaths("json.remove", args[1]!))) ?? null),
  fn("json.patch", 2, (args) => {
    let doc: Value = args[0] as Value;
    const ops = arr("json.patch", args, 1);
    try {
      for (const op of ops) doc = applyPatch(doc, op);
    } catch (error) {
      if (error instanceof PatchFailure) return undefined;
      throw error;
    }
    return doc;
  }),
  relation("walk", 1, (args) => walkValue([], args[0]!)),
];
