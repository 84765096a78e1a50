// Set operators and functions: and (&), or (|), intersection, union (topdown/sets.go). Set difference (-) is
// `minus`, in numbers.ts.

import type { Builtin } from "./types.js";
import { fn, set, typeError } from "./operands.js";
import { RegoSet, typeName } from "../../value.js";
import type { Value } from "../../value.js";

export function intersect(a: RegoSet, b: RegoSet): RegoSet {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  return RegoSet.of(small.sorted().filter((x) => large.has(x)));
}

export function unite(a: RegoSet, b: RegoSet): RegoSet {
  return RegoSet.of([...a.sorted(), ...b.sorted()]);
}

function setOfSets(name: string, args: readonly Value[]): RegoSet[] {
  const s = set(name, args, 0);
  return s.sorted().map((x) => {
    if (!(x instanceof RegoSet)) throw typeError(name, `operand 1 must be set of sets but got set containing ${typeName(x)}`);
    return x;
  });
}

export const SET_BUILTINS: readonly Builtin[] = [
  fn("and", 2, (args) => intersect(set("and", args, 0), set("and", args, 1))),
  fn("or", 2, (args) => unite(set("or", args, 0), set("or", args, 1))),
  fn("intersection", 1, (args) => {
    const sets = setOfSets("intersection", args);
    if (sets.length === 0) return new RegoSet();
    return sets.reduce((acc, s) => intersect(acc, s));
  }),
  fn("union", 1, (args) => {
    const out = new RegoSet();
    for (const s of setOfSets("union", args)) for (const x of s) out.add(x);
    return out;
  }),
];
