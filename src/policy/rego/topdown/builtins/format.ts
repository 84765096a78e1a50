// Printing values the way OPA does: `regoString` is ast.Value.String() (what sprintf's %v shows for composites and
// what string interpolation and print show), and `goSprintf` is Go's fmt.Sprintf over the arguments OPA hands it
// (topdown/strings.go builtinSprintf): integers as int or *big.Int, other numbers as float64, strings as string, and
// every other value as its Rego text (so a boolean is the string "true").

import { LiteralNumber, RegoSet } from "../../value.js";
import type { RegoObject } from "../../value.js";
import type { Value } from "../../value.js";

// ---------------------------------------------------------------------------------------------------------------
// Go's strconv.Quote

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case "\\":
        out += "\\\\";
        continue;
      case "\x07":
        out += "\\a";
        continue;
      case "\b":
        out += "\\b";
        continue;
      case "\f":
        out += "\\f";
        continue;
      case "\n":
        out += "\\n";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\t":
        out += "\\t";
        continue;
      case "\v":
        out += "\\v";
        continue;
    }
    if (PRINTABLE.test(ch)) out += ch;
    else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else if (c >= 0xd800 && c <= 0xdfff) out += "\\ufffd";
    else if (c < 0x10000) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += "\\U" + c.toString(16).padStart(8, "0");
  }
  return out + '"';
}

// ---------------------------------------------------------------------------------------------------------------
// Rego's text of a value

/** A number as OPA prints it: integers exactly, other numbers in their shortest form. */
export function numberText(n: number | bigint): string {
  if (typeof n === "bigint") return n.toString();
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString();
  return String(n);
}

export function regoString(v: Value): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "number":
    case "bigint":
      return numberText(v);
    case "string":
      return goQuote(v);
  }
  if (v instanceof LiteralNumber) return v.text;
  if (Array.isArray(v)) return "[" + (v as readonly Value[]).map(regoString).join(", ") + "]";
  if (v instanceof RegoSet) return v.size === 0 ? "set()" : "{" + v.sorted().map(regoString).join(", ") + "}";
  return "{" + [...(v as RegoObject).entries()].map(([k, x]) => `${regoString(k)}: ${regoString(x)}`).join(", ") + "}";
}

// ---------------------------------------------------------------------------------------------------------------
// Go's float formatting (strconv.FormatFloat with 'e', 'f', 'g')

interface Digits {
  neg: boolean;
  /** decimal digits, no leading zeros (or "0") */
  d: string;
  /** position of the decimal point relative to the digits (Go's dp) */
  dp: number;
}

/** The exact decimal expansion of a finite, non-zero |x|. */
function exactDigits(a: number): { d: string; dp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  const bits = view.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp: number;
  if (expBits === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = expBits - 1075;
  }
  let digits: string;
  let dp: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    dp = digits.length;
  } else {
    // mant / 2^-exp = mant * 5^-exp / 10^-exp
    digits = (mant * 5n ** BigInt(-exp)).toString();
    dp = digits.length - -exp;
  }
  const lead = digits.length - digits.replace(/^0+/, "").length;
  digits = digits.slice(lead);
  dp -= 0;
  return { d: digits.replace(/0+$/, "") || "0", dp };
}

/** Rounds decimal digits to n significant digits, half to even on exact ties (Go's decimal.Round). */
function roundDigits(d: string, dp: number, n: number): { d: string; dp: number } {
  if (n < 0) return { d: "0", dp: 1 };
  if (d.length <= n) return { d, dp };
  const next = d.charCodeAt(n) - 48;
  let up: boolean;
  if (next === 5 && d.length === n + 1) up = n > 0 && (d.charCodeAt(n - 1) - 48) % 2 === 1;
  else up = next >= 5;
  let kept = d.slice(0, n);
  if (!up) return { d: kept.replace(/0+$/, "") || (n === 0 ? "0" : kept), dp: n === 0 ? 1 : dp };
  // increment
  let i = kept.length - 1;
  const arr = kept.split("");
  while (i >= 0 && arr[i] === "9") {
    arr[i] = "0";
    i--;
  }
  if (i < 0) {
    kept = "1" + arr.join("");
    return { d: kept.replace(/0+$/, "") || "1", dp: dp + 1 };
  }
  arr[i] = String(Number(arr[i]) + 1);
  kept = arr.join("");
  return { d: kept.replace(/0+$/, "") || "0", dp };
}

/** The decimal digits of |x|: shortest (prec < 0) or rounded to `prec` significant digits. */
function digitsOf(x: number, prec: number): Digits {
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  if (a === 0) return { neg, d: "0", dp: 1 };
  if (prec < 0) {
    const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(a.toExponential())!;
    return { neg, d: m[1]! + (m[2] ?? ""), dp: Number(m[3]) + 1 };
  }
  const ex = exactDigits(a);
  const r = roundDigits(ex.d, ex.dp, prec);
  return { neg, d: r.d, dp: r.dp };
}

function expText(exp: number, e: string): string {
  const sign = exp < 0 ? "-" : "+";
  const n = Math.abs(exp);
  return `${e}${sign}${n < 10 ? "0" : ""}${n}`;
}

function fmtE(dg: Digits, prec: number, e: string): string {
  let d = dg.d;
  if (d.length < prec + 1) d = d.padEnd(prec + 1, "0");
  const mant = prec > 0 ? `${d[0]}.${d.slice(1, prec + 1)}` : d[0]!;
  const exp = dg.d === "0" ? 0 : dg.dp - 1;
  return (dg.neg ? "-" : "") + mant + expText(exp, e);
}

function fmtF(dg: Digits, prec: number): string {
  // integer part
  let int: string;
  if (dg.dp > 0) int = dg.d.length >= dg.dp ? dg.d.slice(0, dg.dp) : dg.d.padEnd(dg.dp, "0");
  else int = "0";
  let frac = "";
  for (let i = 0; i < prec; i++) {
    const j = dg.dp + i;
    frac += j < 0 || j >= dg.d.length ? "0" : dg.d[j];
  }
  return (dg.neg ? "-" : "") + int + (prec > 0 ? "." + frac : "");
}

/** Digits rounded to `prec` decimal places after the point. */
function roundedForF(x: number, prec: number): Digits {
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  if (a === 0) return { neg, d: "0", dp: 1 };
  const ex = exactDigits(a);
  const n = ex.dp + prec;
  if (n < 0) return { neg, d: "0", dp: 1 };
  if (n === 0) {
    // only the rounding of the first digit can matter
    const r = roundDigits("0" + ex.d, ex.dp + 1, 1);
    return r.d === "0" ? { neg, d: "0", dp: 1 } : { neg, d: r.d, dp: r.dp };
  }
  const r = roundDigits(ex.d, ex.dp, n);
  return { neg, d: r.d, dp: r.dp };
}

export function formatFloat(x: number, verb: "e" | "E" | "f" | "F" | "g" | "G", prec: number, sharp = false): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : "-Inf";
  switch (verb) {
    case "e":
    case "E": {
      const p = prec < 0 ? digitsOf(x, -1).d.length - 1 : prec;
      return fmtE(digitsOf(x, p + 1), p, verb);
    }
    case "f":
    case "F": {
      if (prec < 0) {
        const dg = digitsOf(x, -1);
        return fmtF(dg, Math.max(dg.d.length - dg.dp, 0));
      }
      return fmtF(roundedForF(x, prec), prec);
    }
    case "g":
    case "G": {
      const shortest = prec < 0;
      let p = prec === 0 ? 1 : prec;
      const raw = digitsOf(x, shortest ? -1 : p);
      const dg = { ...raw, d: raw.d.replace(/0+$/, "") || "0" };
      const nd = dg.d.length;
      if (shortest) p = nd;
      let eprec = p;
      if (eprec > nd && nd >= dg.dp) eprec = nd;
      if (shortest) eprec = 6;
      const exp = dg.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (p > nd && !sharp) p = nd;
        return fmtE(dg, p - 1, verb === "g" ? "e" : "E");
      }
      if (p > dg.dp && !sharp) p = nd;
      return fmtF(dg, Math.max(p - dg.dp, 0));
    }
  }
}

/** %v of a float64: strconv 'g' with the shortest digits. */
export function goFloatV(x: number): string {
  return formatFloat(x, "g", -1);
}

// ---------------------------------------------------------------------------------------------------------------
// fmt.Sprintf

export type GoArg =
  | { kind: "int"; value: bigint }
  | { kind: "bigint"; value: bigint }
  | { kind: "float64"; value: number }
  | { kind: "string"; value: string };

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** The Go value OPA passes to Sprintf for a Rego value. */
export function goArg(v: Value): GoArg {
  if (typeof v === "number") {
    if (Number.isSafeInteger(v)) return { kind: "int", value: BigInt(v) };
    return { kind: "float64", value: v };
  }
  if (typeof v === "bigint") return v >= INT64_MIN && v <= INT64_MAX ? { kind: "int", value: v } : { kind: "bigint", value: v };
  if (typeof v === "string") return { kind: "string", value: v };
  // OPA: neither an int nor a big.Int nor a float64 parses the text, so Sprintf gets the text itself.
  if (v instanceof LiteralNumber) return { kind: "string", value: v.text };
  return { kind: "string", value: regoString(v) };
}

const GO_TYPE: Record<GoArg["kind"], string> = { int: "int", bigint: "*big.Int", float64: "float64", string: "string" };

function defaultText(a: GoArg): string {
  switch (a.kind) {
    case "int":
    case "bigint":
      return a.value.toString();
    case "float64":
      return goFloatV(a.value);
    case "string":
      return a.value;
  }
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
}

function pad(s: string, spec: Spec, numeric: boolean): string {
  const w = spec.width;
  if (w === undefined) return s;
  const len = [...s].length;
  if (len >= w) return s;
  if (spec.minus) return s + " ".repeat(w - len);
  if (spec.zero && numeric) {
    const sign = /^[+\- ]/.test(s) ? s[0]! : "";
    const rest = s.slice(sign.length);
    const prefix = /^0[xXbo]/.test(rest) ? rest.slice(0, 2) : "";
    return sign + prefix + "0".repeat(w - len) + rest.slice(prefix.length);
  }
  if (spec.zero && !numeric) return "0".repeat(w - len) + s;
  return " ".repeat(w - len) + s;
}

function signed(s: string, neg: boolean, spec: Spec): string {
  return (neg ? "-" : spec.plus ? "+" : spec.space ? " " : "") + s;
}

function formatInt(n: bigint, verb: string, spec: Spec): string | undefined {
  const neg = n < 0n;
  const a = neg ? -n : n;
  let body: string;
  switch (verb) {
    case "v":
    case "d":
      body = a.toString(10);
      break;
    case "b":
      body = (spec.sharp ? "0b" : "") + a.toString(2);
      break;
    case "o":
      body = (spec.sharp ? "0" : "") + a.toString(8);
      break;
    case "O":
      body = "0o" + a.toString(8);
      break;
    case "x":
      body = (spec.sharp ? "0x" : "") + a.toString(16);
      break;
    case "X":
      body = (spec.sharp ? "0X" : "") + a.toString(16).toUpperCase();
      break;
    case "c":
      return pad(String.fromCodePoint(Number(n) >= 0 && Number(n) <= 0x10ffff ? Number(n) : 0xfffd), spec, false);
    case "q":
      return pad(goQuote(String.fromCodePoint(Number(n) >= 0 && Number(n) <= 0x10ffff ? Number(n) : 0xfffd)).replace(/^"|"$/g, "'"), spec, false);
    case "U":
      return pad("U+" + a.toString(16).toUpperCase().padStart(4, "0"), spec, false);
    default:
      return undefined;
  }
  if (spec.prec !== undefined) {
    const digits = body.replace(/^0[xXbo]/, "");
    const prefix = body.slice(0, body.length - digits.length);
    body = spec.prec === 0 && a === 0n ? "" : prefix + digits.padStart(spec.prec, "0");
    return pad(signed(body, neg, spec), { ...spec, zero: false }, true);
  }
  return pad(signed(body, neg, spec), spec, true);
}

function formatFloatVerb(x: number, verb: string, spec: Spec): string | undefined {
  let s: string;
  switch (verb) {
    case "v":
      s = formatFloat(x, "g", spec.prec ?? -1, spec.sharp);
      break;
    case "e":
    case "E":
    case "f":
    case "F":
      s = formatFloat(x, verb, spec.prec ?? 6, spec.sharp);
      break;
    case "g":
    case "G":
      s = formatFloat(x, verb, spec.prec ?? -1, spec.sharp);
      break;
    default:
      return undefined;
  }
  if (s.startsWith("-")) return pad(s, spec, Number.isFinite(x));
  return pad(signed(s, false, spec), spec, Number.isFinite(x));
}

function utf8Hex(s: string, upper: boolean, spec: Spec): string {
  const bytes = Buffer.from(s, "utf8");
  const parts = [...bytes].map((b) => b.toString(16).padStart(2, "0"));
  let out = spec.space ? parts.map((p) => (spec.sharp ? "0x" + p : p)).join(" ") : (spec.sharp && parts.length > 0 ? "0x" : "") + parts.join("");
  if (upper) out = out.toUpperCase();
  return out;
}

function formatString(s: string, verb: string, spec: Spec): string | undefined {
  const truncated = spec.prec !== undefined ? [...s].slice(0, spec.prec).join("") : s;
  switch (verb) {
    case "v":
    case "s":
      return pad(truncated, spec, false);
    case "q":
      return pad(goQuote(truncated), spec, false);
    case "x":
    case "X":
      return pad(utf8Hex(truncated, verb === "X", spec), spec, false);
    default:
      return undefined;
  }
}

function formatBig(n: bigint, verb: string, spec: Spec): string | undefined {
  if (verb === "s") return formatInt(n, "d", spec);
  if ("vdboOxX".includes(verb)) return formatInt(n, verb, spec);
  return undefined;
}

function formatArg(a: GoArg, verb: string, spec: Spec): string {
  if (verb === "T") return pad(GO_TYPE[a.kind], spec, false);
  if (verb === "v" && spec.sharp && a.kind === "string") return pad(goQuote(a.value), spec, false);
  let out: string | undefined;
  switch (a.kind) {
    case "int":
      out = formatInt(a.value, verb, spec);
      break;
    case "bigint":
      out = formatBig(a.value, verb, spec);
      break;
    case "float64":
      out = formatFloatVerb(a.value, verb, spec);
      break;
    case "string":
      out = formatString(a.value, verb, spec);
      break;
  }
  return out ?? `%!${verb}(${GO_TYPE[a.kind]}=${defaultText(a)})`;
}

/** Go's fmt.Sprintf. */
export function goSprintf(format: string, args: readonly GoArg[]): string {
  let out = "";
  let argi = 0;
  const chars = [...format];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i]!;
    if (c !== "%") {
      out += c;
      i++;
      continue;
    }
    i++;
    if (i >= chars.length) {
      out += "%!(NOVERB)";
      break;
    }
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false, width: undefined, prec: undefined };
    for (; i < chars.length; i++) {
      const f = chars[i]!;
      if (f === "-") spec.minus = true;
      else if (f === "+") spec.plus = true;
      else if (f === "#") spec.sharp = true;
      else if (f === " ") spec.space = true;
      else if (f === "0") spec.zero = !spec.minus;
      else break;
    }
    const readNumber = (): number | undefined => {
      if (chars[i] === "*") {
        i++;
        const a = args[argi++];
        if (a?.kind === "int") return Number(a.value);
        return undefined;
      }
      let digits = "";
      while (i < chars.length && /[0-9]/.test(chars[i]!)) digits += chars[i++];
      return digits === "" ? undefined : Number(digits);
    };
    spec.width = readNumber();
    if (spec.width !== undefined && spec.width < 0) {
      spec.minus = true;
      spec.width = -spec.width;
    }
    if (chars[i] === ".") {
      i++;
      spec.prec = readNumber() ?? 0;
    }
    if (spec.minus) spec.zero = false;
    const verb = chars[i++];
    if (verb === undefined) {
      out += "%!(NOVERB)";
      break;
    }
    if (verb === "%") {
      out += "%";
      continue;
    }
    const a = args[argi];
    if (a === undefined) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    argi++;
    out += formatArg(a, verb, spec);
  }
  if (argi < args.length) {
    out += "%!(EXTRA " + args.slice(argi).map((a) => `${GO_TYPE[a.kind]}=${defaultText(a)}`).join(", ") + ")";
  }
  return out;
}
