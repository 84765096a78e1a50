// count, sum, product, max, min, sort and the `in` operator's internal.member_2 / internal.member_3
// (topdown/aggregates.go).

import type { Builtin } from "./types.js";
import { fn, operandTypeError, runeCount, typeError } from "./operands.js";
import { plus } from "./numbers.js";
import { RegoObject, RegoSet, compare, equal, isInteger, normalizeNumber, typeName } from "../../value.js";
import type { RegoNumber, Value } from "../../value.js";

function members(name: string, v: Value): readonly Value[] {
  if (Array.isArray(v)) return v as readonly Value[];
  if (v instanceof RegoSet) return v.sorted();
  throw operandTypeError(name, 1, v, "set", "array");
}

function numbers(name: string, v: Value): RegoNumber[] {
  return members(name, v).map((x) => {
    if (typeof x !== "number" && typeof x !== "bigint") {
      throw typeError(name, `operand 1 must be ${typeName(v)} of numbers but got ${typeName(v)} containing ${typeName(x)}`);
    }
    return x;
  });
}

function product(xs: RegoNumber[]): RegoNumber {
  if (xs.every(isInteger)) return normalizeNumber(xs.reduce<bigint>((acc, x) => acc * BigInt(x), 1n));
  return xs.reduce<number>((acc, x) => acc * Number(x), 1);
}

export function memberOf(x: Value, coll: Value): boolean {
  if (Array.isArray(coll)) return (coll as readonly Value[]).some((y) => equal(x, y));
  if (coll instanceof RegoSet) return coll.has(x);
  if (coll instanceof RegoObject) {
    for (const [, v] of coll.entries()) if (equal(x, v)) return true;
  }
  return false;
}

export const AGGREGATE_BUILTINS: readonly Builtin[] = [
  fn("count", 1, (args) => {
    const v = args[0]!;
    if (typeof v === "string") return runeCount(v);
    if (Array.isArray(v)) return v.length;
    if (v instanceof RegoSet || v instanceof RegoObject) return v.size;
    throw operandTypeError("count", 1, v, "array", "object", "set", "string");
  }),
  fn("sum", 1, (args) => numbers("sum", args[0]!).reduce<RegoNumber>((acc, x) => plus(acc, x), 0)),
  fn("product", 1, (args) => product(numbers("product", args[0]!))),
  fn("max", 1, (args) => {
    const xs = members("max", args[0]!);
    return xs.length === 0 ? undefined : xs.reduce((a, b) => (compare(a, b) >= 0 ? a : b));
  }),
  fn("min", 1, (args) => {
    const xs = members("min", args[0]!);
    return xs.length === 0 ? undefined : xs.reduce((a, b) => (compare(a, b) <= 0 ? a : b));
  }),
  fn("sort", 1, (args) => {
    const v = args[0]!;
    if (Array.isArray(v)) return [...(v as readonly Value[])].sort(compare);
    if (v instanceof RegoSet) return [...v.sorted()];
    throw operandTypeError("sort", 1, v, "array", "set");
  }),
  fn("internal.member_2", 2, (args) => memberOf(args[0]!, args[1]!)),
  fn("internal.member_3", 3, (args) => {
    const [k, v, coll] = args as [Value, Value, Value];
    if (Array.isArray(coll)) {
      if ((typeof k !== "number" && typeof k !== "bigint") || !isInteger(k)) return false;
      const i = Number(k);
      return i >= 0 && i < coll.length && equal((coll as readonly Value[])[i]!, v);
    }
    if (coll instanceof RegoObject) {
      const got = coll.get(k);
      return got !== undefined && equal(got, v);
    }
    // a set's members are their own keys
    if (coll instanceof RegoSet) return coll.has(k) && equal(k, v);
    return false;
  }),
];
