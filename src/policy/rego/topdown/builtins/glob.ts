// glob.match and glob.quote_meta (topdown/glob.go, github.com/gobwas/glob): `*` any run of non-delimiters, `**` any
// run, `?` one non-delimiter, `[abc]` `[a-z]` `[!abc]` character lists, `{a,b}` alternatives, `\` escapes.
// Delimiters: null means none; an empty array means OPA's default ".".
//
// A glob is compiled to a Thompson automaton and matched by simulating it over the input, so matching takes time
// proportional to the input times the pattern whatever the pattern (a RegExp would backtrack polynomially on
// "*a*a*a*a*b"). Compiled globs are cached.

import type { Builtin } from "./types.js";
import { builtinError, fn, operandTypeError, str, typeError } from "./operands.js";
import type { Value } from "../../value.js";

// ---------------------------------------------------------------------------------------------------------------
// syntax

type Item =
  | { kind: "char"; cp: number }
  | { kind: "single" }
  | { kind: "star"; super: boolean }
  | { kind: "list"; negate: boolean; chars: Set<number>; ranges: Array<[number, number]> }
  | { kind: "alt"; alternatives: Item[][] };

class GlobSyntaxError extends Error {}

function parseGlob(pattern: string): Item[] {
  const cps = [...pattern].map((c) => c.codePointAt(0)!);
  let i = 0;
  const parseSeq = (inTerms: boolean): Item[] => {
    const out: Item[] = [];
    while (i < cps.length) {
      const c = cps[i]!;
      if (c === 0x5c /* \ */) {
        if (i + 1 >= cps.length) throw new GlobSyntaxError("unexpected end of input after escape");
        out.push({ kind: "char", cp: cps[i + 1]! });
        i += 2;
        continue;
      }
      if (c === 0x2a /* * */) {
        const isSuper = cps[i + 1] === 0x2a;
        out.push({ kind: "star", super: isSuper });
        i += isSuper ? 2 : 1;
        continue;
      }
      if (c === 0x3f /* ? */) {
        out.push({ kind: "single" });
        i++;
        continue;
      }
      if (c === 0x5b /* [ */) {
        i++;
        let negate = false;
        if (cps[i] === 0x21 /* ! */) {
          negate = true;
          i++;
        }
        const chars = new Set<number>();
        const ranges: Array<[number, number]> = [];
        let closed = false;
        while (i < cps.length) {
          let d = cps[i]!;
          if (d === 0x5d /* ] */) {
            closed = true;
            i++;
            break;
          }
          if (d === 0x5c && i + 1 < cps.length) {
            i++;
            d = cps[i]!;
          }
          if (cps[i + 1] === 0x2d /* - */ && i + 2 < cps.length && cps[i + 2] !== 0x5d) {
            const hi = cps[i + 2]!;
            if (hi < d) throw new GlobSyntaxError("invalid character range");
            ranges.push([d, hi]);
            i += 3;
            continue;
          }
          chars.add(d);
          i++;
        }
        if (!closed) throw new GlobSyntaxError("unexpected end of input: unclosed character list");
        out.push({ kind: "list", negate, chars, ranges });
        continue;
      }
      if (c === 0x7b /* { */) {
        i++;
        const alternatives: Item[][] = [];
        for (;;) {
          alternatives.push(parseSeq(true));
          if (i >= cps.length) throw new GlobSyntaxError("unexpected end of input: unclosed alternatives");
          const d = cps[i++]!;
          if (d === 0x7d /* } */) break;
        }
        out.push({ kind: "alt", alternatives });
        continue;
      }
      if (inTerms && (c === 0x2c /* , */ || c === 0x7d /* } */)) return out;
      out.push({ kind: "char", cp: c });
      i++;
    }
    return out;
  };
  const items = parseSeq(false);
  if (i < cps.length) throw new GlobSyntaxError(`unexpected ${String.fromCodePoint(cps[i]!)}`);
  return items;
}

// ---------------------------------------------------------------------------------------------------------------
// automaton

type State = { kind: "test"; test: (cp: number) => boolean; next: number } | { kind: "split"; outs: number[] } | { kind: "match" };

interface Automaton {
  states: State[];
  start: number;
}

function compileAutomaton(items: Item[], delimiters: ReadonlySet<number>): Automaton {
  const states: State[] = [{ kind: "match" }];
  const add = (s: State): number => states.push(s) - 1;
  const notDelimiter = (cp: number): boolean => !delimiters.has(cp);
  const any = (): boolean => true;
  // built back to front: each item is compiled knowing the state that follows it
  const seq = (list: Item[], next: number): number => {
    let at = next;
    for (let k = list.length - 1; k >= 0; k--) at = item(list[k]!, at);
    return at;
  };
  const item = (it: Item, next: number): number => {
    switch (it.kind) {
      case "char":
        return add({ kind: "test", test: (cp) => cp === it.cp, next });
      case "single":
        return add({ kind: "test", test: notDelimiter, next });
      case "list": {
        const inList = (cp: number): boolean => it.chars.has(cp) || it.ranges.some(([lo, hi]) => cp >= lo && cp <= hi);
        return add({ kind: "test", test: it.negate ? (cp) => !inList(cp) : inList, next });
      }
      case "star": {
        const loop = add({ kind: "split", outs: [] });
        const step = add({ kind: "test", test: it.super ? any : notDelimiter, next: loop });
        (states[loop] as { outs: number[] }).outs = [step, next];
        return loop;
      }
      case "alt":
        return add({ kind: "split", outs: it.alternatives.map((alt) => seq(alt, next)) });
    }
  };
  return { states, start: seq(items, 0) };
}

function closure(a: Automaton, from: Iterable<number>): Set<number> {
  const out = new Set<number>();
  const stack = [...from];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (out.has(s)) continue;
    out.add(s);
    const state = a.states[s]!;
    if (state.kind === "split") stack.push(...state.outs);
  }
  return out;
}

function matches(a: Automaton, input: string): boolean {
  let current = closure(a, [a.start]);
  for (const ch of input) {
    const cp = ch.codePointAt(0)!;
    const next: number[] = [];
    for (const s of current) {
      const state = a.states[s]!;
      if (state.kind === "test" && state.test(cp)) next.push(state.next);
    }
    if (next.length === 0) return false;
    current = closure(a, next);
  }
  return current.has(0);
}

// ---------------------------------------------------------------------------------------------------------------

const CACHE = new Map<string, Automaton>();
const CACHE_LIMIT = 1024;

function compileGlob(pattern: string, delimiters: readonly string[]): Automaton {
  const key = delimiters.join("") + "\u0000" + pattern;
  const cached = CACHE.get(key);
  if (cached) return cached;
  let items: Item[];
  try {
    items = parseGlob(pattern);
  } catch (error) {
    if (error instanceof GlobSyntaxError) throw builtinError("glob.match", `invalid glob ${JSON.stringify(pattern)}: ${error.message}`);
    throw error;
  }
  const automaton = compileAutomaton(items, new Set(delimiters.map((d) => d.codePointAt(0)!)));
  if (CACHE.size >= CACHE_LIMIT) CACHE.clear();
  CACHE.set(key, automaton);
  return automaton;
}

function delimitersOperand(v: Value): string[] {
  if (v === null) return [];
  if (!Array.isArray(v)) throw operandTypeError("glob.match", 2, v, "array", "null");
  const out: string[] = [];
  for (const d of v as readonly Value[]) {
    if (typeof d !== "string") throw typeError("glob.match", `operand 2 must be array of strings but got array containing ${d === null ? "null" : typeof d}`);
    out.push(...d);
  }
  return out.length === 0 ? ["."] : out;
}

export const GLOB_BUILTINS: readonly Builtin[] = [
  fn("glob.match", 3, (args) => {
    const pattern = str("glob.match", args, 0);
    const delimiters = delimitersOperand(args[1]!);
    const s = str("glob.match", args, 2);
    return matches(compileGlob(pattern, delimiters), s);
  }),
  fn("glob.quote_meta", 1, (args) => str("glob.quote_meta", args, 0).replace(/[*?\\[\]{}]/g, "\\$&")),
];
