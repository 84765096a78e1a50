// regex.* (topdown/regex.go): Go RE2 syntax through util/go-regexp (translated, cached, patterns that could
// backtrack catastrophically refused), Go's rules for empty matches in FindAll, Split and ReplaceAll.

import type { Builtin } from "./types.js";
import { builtinError, fn, int, str } from "./operands.js";
import { globsMatch } from "./globs-intersect.js";
import { GoRegexpError, goRegexp, goReplaceAll } from "../../../../util/go-regexp.ts";
import type { Value } from "../../value.js";

export function compileRegex(name: string, pattern: string, global = false): RegExp {
  try {
    return goRegexp(pattern, global);
  } catch (error) {
    if (error instanceof GoRegexpError) throw builtinError(name, error.message);
    throw error;
  }
}

/** Go's Regexp.allMatches: at most n matches (all when n < 0); no empty match right after a previous match. */
export function goAllMatches(re: RegExp, s: string, n: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  const limit = n < 0 ? s.length + 1 : n;
  let pos = 0;
  let prevMatchEnd = -1;
  while (out.length < limit && pos <= s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    let accept = true;
    if (end === start) {
      if (start === prevMatchEnd) accept = false;
      // an empty match: move on by one rune from where it was found
      const cp = start < s.length ? s.codePointAt(start)! : 0;
      pos = start + (start < s.length ? (cp > 0xffff ? 2 : 1) : 1);
    } else {
      pos = end;
    }
    prevMatchEnd = end;
    if (accept) out.push(m);
  }
  return out;
}

function count(name: string, args: readonly Value[], i: number): number {
  return Number(int(name, args, i));
}

/** Go's Regexp.Split(s, -1). */
function goSplit(re: RegExp, pattern: string, s: string): string[] {
  if (pattern.length > 0 && s.length === 0) return [""];
  const matches = goAllMatches(re, s, -1);
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of matches) {
    end = m.index;
    const mEnd = m.index + m[0].length;
    if (mEnd !== 0) out.push(s.slice(beg, end));
    beg = mEnd;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

/** Positions of balanced delimiter pairs, as gorilla/mux's braceIndices (OPA's regex.template_match). */
function delimiterIndices(s: string, open: string, close: string): number[] {
  let level = 0;
  let idx = 0;
  const idxs: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s.startsWith(open, i)) {
      if (level++ === 0) idx = i;
    } else if (s.startsWith(close, i)) {
      if (--level === 0) idxs.push(idx, i + close.length);
      else if (level < 0) throw builtinError("regex.template_match", `unbalanced braces in ${JSON.stringify(s)}`);
    }
  }
  if (level !== 0) throw builtinError("regex.template_match", `unbalanced braces in ${JSON.stringify(s)}`);
  return idxs;
}

function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}

function templateMatch(args: readonly Value[]): boolean {
  const name = "regex.template_match";
  const template = str(name, args, 0);
  const value = str(name, args, 1);
  const open = str(name, args, 2);
  const close = str(name, args, 3);
  const idxs = delimiterIndices(template, open, close);
  let pattern = "^";
  let end = 0;
  for (let i = 0; i < idxs.length; i += 2) {
    const raw = template.slice(end, idxs[i]);
    end = idxs[i + 1]!;
    const inner = template.slice(idxs[i]! + open.length, end - close.length);
    pattern += `${quoteMeta(raw)}(${inner})`;
  }
  pattern += quoteMeta(template.slice(end)) + "$";
  return compileRegex(name, pattern).test(value);
}

export const REGEX_BUILTINS: readonly Builtin[] = [
  fn("regex.match", 2, (args) => compileRegex("regex.match", str("regex.match", args, 0)).test(str("regex.match", args, 1))),
  fn("regex.is_valid", 1, (args) => {
    const p = args[0]!;
    if (typeof p !== "string") return false;
    try {
      goRegexp(p);
      return true;
    } catch {
      return false;
    }
  }),
  fn("regex.split", 2, (args) => {
    const pattern = str("regex.split", args, 0);
    return goSplit(compileRegex("regex.split", pattern, true), pattern, str("regex.split", args, 1));
  }),
  fn("regex.find_n", 3, (args) => {
    const re = compileRegex("regex.find_n", str("regex.find_n", args, 0), true);
    return goAllMatches(re, str("regex.find_n", args, 1), count("regex.find_n", args, 2)).map((m) => m[0]);
  }),
  fn("regex.find_all_string_submatch_n", 3, (args) => {
    const name = "regex.find_all_string_submatch_n";
    const re = compileRegex(name, str(name, args, 0), true);
    return goAllMatches(re, str(name, args, 1), count(name, args, 2)).map((m) => [...m].map((g) => g ?? ""));
  }),
  fn("regex.replace", 3, (args) => {
    const s = str("regex.replace", args, 0);
    const re = compileRegex("regex.replace", str("regex.replace", args, 1), true);
    return goReplaceAll(re, s, str("regex.replace", args, 2), false);
  }),
  fn("regex.template_match", 4, templateMatch),
  fn("regex.globs_match", 2, (args) => globsMatch(str("regex.globs_match", args, 0), str("regex.globs_match", args, 1))),
];
