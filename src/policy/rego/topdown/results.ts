// Building rule results: the objects and sets of partial rules and ref heads, merged key by key, and the conflicts
// OPA reports when two rules (or two solutions) disagree.

import { problemAt, RegoEvalError, type Location } from "../ast/errors.js";
import { RegoObject, RegoSet, equal, type Value } from "../value.js";

/** OPA's eval_conflict_error. */
export function conflict(loc: Location | undefined, message: string): RegoEvalError {
  return new RegoEvalError(problemAt(loc, "eval_conflict_error", message));
}

/** Records a function's result; a second, different one is a conflict. */
export function functionResult(found: { value: Value | undefined }, v: Value, loc: Location): false {
  if (found.value === undefined) found.value = v;
  else if (!equal(found.value, v)) throw conflict(loc, "functions must not produce multiple outputs for same inputs");
  return false;
}

/** Objects and sets this evaluation built to hold rule results: other rules' results may be merged into them. */
export const STRUCTURAL = new WeakSet<object>();

/** Puts a value at a key path of an object being built; a different value already there is a conflict. */
export function insertAt(out: RegoObject, keys: readonly Value[], value: Value, multi: boolean, loc: Location): void {
  STRUCTURAL.add(out);
  let obj = out;
  for (let i = 0; i < keys.length - 1; i++) {
    const existing = obj.get(keys[i]!);
    if (existing === undefined) {
      const next = new RegoObject();
      STRUCTURAL.add(next);
      obj.set(keys[i]!, next);
      obj = next;
    } else if (existing instanceof RegoObject && STRUCTURAL.has(existing)) obj = existing;
    else throw conflict(loc, "object keys must be unique");
  }
  const last = keys[keys.length - 1]!;
  if (multi) {
    const leaf = new RegoSet().add(value);
    STRUCTURAL.add(leaf);
    mergeKey(obj, last, leaf, loc);
    return;
  }
  mergeKey(obj, last, value, loc);
}

/** Sets a key of an object being built, merging with what rules already put there. */
export function mergeKey(a: RegoObject, key: Value, v: Value, loc?: Location): void {
  const existing = a.get(key);
  if (existing === undefined) {
    a.set(key, v);
    return;
  }
  if (existing instanceof RegoObject && STRUCTURAL.has(existing) && v instanceof RegoObject) {
    for (const [k, x] of v.entries()) mergeKey(existing, k, x, loc);
    return;
  }
  if (existing instanceof RegoSet && STRUCTURAL.has(existing) && v instanceof RegoSet) {
    for (const m of v) existing.add(m);
    return;
  }
  if (!equal(existing, v)) throw conflict(loc, "object keys must be unique");
}
