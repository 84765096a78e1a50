// array.concat, array.slice, array.reverse, array.flatten (topdown/array.go).

import type { Builtin } from "./types.js";
import { arr, fn, int } from "./operands.js";
import type { Value } from "../../value.js";

function clampIndex(n: bigint, len: number): number {
  return n < 0n ? 0 : n > BigInt(len) ? len : Number(n);
}

export const ARRAY_BUILTINS: readonly Builtin[] = [
  fn("array.concat", 2, (args) => [...arr("array.concat", args, 0), ...arr("array.concat", args, 1)]),
  fn("array.slice", 3, (args) => {
    const a = arr("array.slice", args, 0);
    const start = clampIndex(int("array.slice", args, 1), a.length);
    const stop = clampIndex(int("array.slice", args, 2), a.length);
    return start >= stop ? [] : a.slice(start, stop);
  }),
  fn("array.reverse", 1, (args) => [...arr("array.reverse", args, 0)].reverse()),
  fn("array.flatten", 1, (args) => {
    const out: Value[] = [];
    for (const x of arr("array.flatten", args, 0)) {
      if (Array.isArray(x)) out.push(...(x as readonly Value[]));
      else out.push(x);
    }
    return out;
  }),
];
