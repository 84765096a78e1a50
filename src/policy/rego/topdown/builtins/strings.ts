// String builtins (topdown/strings.go): Go's strings package semantics, indexes and lengths in runes (code points).

import type { Builtin } from "./types.js";
import { builtinError, fn, num, obj, operandTypeError, runeCount, str, stringsOf, typeError } from "./operands.js";
import { goArg, goSprintf } from "./format.js";
import { RegoSet, isInteger, toJSON } from "../../value.js";
import type { Value } from "../../value.js";
import { renderGoTemplate, toGoValue, GoTemplateError } from "../../../../util/go-template.ts";

const codePoints = (s: string): string[] => [...s];

/** Go's unicode.IsSpace set. */
const SPACE = "\\t\\n\\v\\f\\r \\x85\\xA0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const LEADING_SPACE = new RegExp(`^[${SPACE}]+`);
const TRAILING_SPACE = new RegExp(`[${SPACE}]+$`);

export function goTrimLeft(s: string, cutset: string): string {
  const cut = new Set(codePoints(cutset));
  const cps = codePoints(s);
  let i = 0;
  while (i < cps.length && cut.has(cps[i]!)) i++;
  return cps.slice(i).join("");
}

export function goTrimRight(s: string, cutset: string): string {
  const cut = new Set(codePoints(cutset));
  const cps = codePoints(s);
  let j = cps.length;
  while (j > 0 && cut.has(cps[j - 1]!)) j--;
  return cps.slice(0, j).join("");
}

/** Go's strings.Split: an empty separator splits into runes. */
export function goSplit(s: string, sep: string): string[] {
  if (sep === "") return codePoints(s);
  return s.split(sep);
}

/** Go's strings.Replace with n < 0: an empty `old` matches before every rune and at the end. */
export function goReplaceAll(s: string, old: string, repl: string): string {
  if (old === "") return repl + codePoints(s).map((c) => c + repl).join("");
  return s.split(old).join(repl);
}

/** Go's strings.ToLower / ToUpper map rune by rune (no multi-rune expansions). */
function mapRunes(s: string, upper: boolean): string {
  let out = "";
  for (const c of s) {
    if (!upper && c === "\u0130") {
      // Go's simple case mapping: İ lowercases to i
      out += "i";
      continue;
    }
    const m = upper ? c.toUpperCase() : c.toLowerCase();
    out += [...m].length === 1 ? m : c;
  }
  return out;
}

function runeIndex(s: string, unitIndex: number): number {
  return runeCount(s.slice(0, unitIndex));
}

/** Go's strings.Count: non-overlapping; an empty substring counts rune boundaries. */
function goCount(s: string, sub: string): number {
  if (sub === "") return runeCount(s) + 1;
  let n = 0;
  for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

/** Go's strings.NewReplacer(pairs...).Replace: at each position the first pair (in order) that matches wins. */
function replaceN(pairs: Array<[string, string]>, s: string): string {
  const olds = pairs.filter(([old]) => old !== "");
  let out = "";
  let i = 0;
  outer: while (i < s.length) {
    for (const [old, repl] of olds) {
      if (s.startsWith(old, i)) {
        out += repl;
        i += old.length;
        continue outer;
      }
    }
    const w = s.codePointAt(i)! > 0xffff ? 2 : 1;
    out += s.slice(i, i + w);
    i += w;
  }
  return out;
}

function prefixOperand(name: string, args: readonly Value[], i: number): string[] {
  const v = args[i]!;
  if (typeof v === "string") return [v];
  if (!Array.isArray(v) && !(v instanceof RegoSet)) throw operandTypeError(name, i + 1, v, "string", "set", "array");
  return stringsOf(name, args, i);
}

function formatInt(args: readonly Value[]): string {
  const n = num("format_int", args, 0);
  const base = args[1]!;
  if (base !== 2 && base !== 8 && base !== 10 && base !== 16) {
    if (typeof base !== "number") throw operandTypeError("format_int", 2, base, "number");
    throw typeError("format_int", "operand 2 must be one of {2, 8, 10, 16}");
  }
  const i = typeof n === "bigint" ? n : isInteger(n) ? BigInt(n) : BigInt(Math.trunc(n));
  return i.toString(base);
}

function substring(args: readonly Value[]): string {
  const s = str("substring", args, 0);
  const offset = num("substring", args, 1);
  const length = num("substring", args, 2);
  if (!isInteger(offset)) throw typeError("substring", "operand 2 must be integer number but got floating-point number");
  if (!isInteger(length)) throw typeError("substring", "operand 3 must be integer number but got floating-point number");
  if (offset < 0) throw builtinError("substring", "negative offset");
  const cps = codePoints(s);
  const start = Number(offset);
  if (start >= cps.length) return "";
  if (length < 0) return cps.slice(start).join("");
  const end = Math.min(cps.length, start + Number(length));
  return cps.slice(start, end).join("");
}

function renderTemplate(args: readonly Value[]): string {
  const template = str("strings.render_template", args, 0);
  const vars = obj("strings.render_template", args, 1);
  try {
    return renderGoTemplate(template, toGoValue(toJSON(vars)), { missingKey: "invalid" }).replaceAll("<no value>", "<undefined>");
  } catch (error) {
    if (error instanceof GoTemplateError) throw builtinError("strings.render_template", error.message);
    throw error;
  }
}

export const STRING_BUILTINS: readonly Builtin[] = [
  fn("sprintf", 2, (args) => {
    const format = str("sprintf", args, 0);
    const list = args[1]!;
    if (!Array.isArray(list)) throw operandTypeError("sprintf", 2, list, "array");
    return goSprintf(format, (list as readonly Value[]).map(goArg));
  }),
  fn("concat", 2, (args) => {
    const delim = str("concat", args, 0);
    return stringsOf("concat", args, 1).join(delim);
  }),
  fn("contains", 2, (args) => str("contains", args, 0).includes(str("contains", args, 1))),
  fn("startswith", 2, (args) => str("startswith", args, 0).startsWith(str("startswith", args, 1))),
  fn("endswith", 2, (args) => str("endswith", args, 0).endsWith(str("endswith", args, 1))),
  fn("trim", 2, (args) => {
    const cutset = str("trim", args, 1);
    return goTrimRight(goTrimLeft(str("trim", args, 0), cutset), cutset);
  }),
  fn("trim_left", 2, (args) => goTrimLeft(str("trim_left", args, 0), str("trim_left", args, 1))),
  fn("trim_right", 2, (args) => goTrimRight(str("trim_right", args, 0), str("trim_right", args, 1))),
  fn("trim_prefix", 2, (args) => {
    const s = str("trim_prefix", args, 0);
    const p = str("trim_prefix", args, 1);
    return s.startsWith(p) ? s.slice(p.length) : s;
  }),
  fn("trim_suffix", 2, (args) => {
    const s = str("trim_suffix", args, 0);
    const p = str("trim_suffix", args, 1);
    return p !== "" && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
  }),
  fn("trim_space", 1, (args) => str("trim_space", args, 0).replace(LEADING_SPACE, "").replace(TRAILING_SPACE, "")),
  fn("split", 2, (args) => goSplit(str("split", args, 0), str("split", args, 1))),
  fn("replace", 3, (args) => goReplaceAll(str("replace", args, 0), str("replace", args, 1), str("replace", args, 2))),
  fn("lower", 1, (args) => mapRunes(str("lower", args, 0), false)),
  fn("upper", 1, (args) => mapRunes(str("upper", args, 0), true)),
  fn("substring", 3, substring),
  fn("indexof", 2, (args) => {
    const s = str("indexof", args, 0);
    const sub = str("indexof", args, 1);
    if (sub === "") throw builtinError("indexof", "empty search character");
    const i = s.indexOf(sub);
    return i < 0 ? -1 : runeIndex(s, i);
  }),
  fn("indexof_n", 2, (args) => {
    const s = str("indexof_n", args, 0);
    const sub = str("indexof_n", args, 1);
    if (sub === "") throw builtinError("indexof_n", "empty search character");
    const out: Value[] = [];
    for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) out.push(runeIndex(s, i));
    return out;
  }),
  fn("format_int", 2, formatInt),
  fn("strings.count", 2, (args) => goCount(str("strings.count", args, 0), str("strings.count", args, 1))),
  fn("strings.replace_n", 2, (args) => {
    const patterns = obj("strings.replace_n", args, 0);
    const s = str("strings.replace_n", args, 1);
    const pairs: Array<[string, string]> = [];
    for (const [k, v] of patterns.entries()) {
      if (typeof k !== "string") throw typeError("strings.replace_n", "operand 1 non-string key found in pattern object");
      if (typeof v !== "string") throw typeError("strings.replace_n", "operand 1 non-string value found in pattern object");
      pairs.push([k, v]);
    }
    return replaceN(pairs, s);
  }),
  fn("strings.reverse", 1, (args) => codePoints(str("reverse", args, 0)).reverse().join("")),
  fn("strings.any_prefix_match", 2, (args) => {
    const ss = prefixOperand("strings.any_prefix_match", args, 0);
    const ps = prefixOperand("strings.any_prefix_match", args, 1);
    return ss.some((s) => ps.some((p) => s.startsWith(p)));
  }),
  fn("strings.any_suffix_match", 2, (args) => {
    const ss = prefixOperand("strings.any_suffix_match", args, 0);
    const ps = prefixOperand("strings.any_suffix_match", args, 1);
    return ss.some((s) => ps.some((p) => s.endsWith(p)));
  }),
  fn("strings.render_template", 2, renderTemplate),
];
