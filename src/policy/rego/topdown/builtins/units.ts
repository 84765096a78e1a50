// units.parse and units.parse_bytes (topdown/units.go, parse_bytes.go): a decimal amount (scientific notation
// allowed) and an SI or IEC suffix, computed exactly on rationals.

import type { Builtin } from "./types.js";
import { builtinError, fn, str } from "./operands.js";
import { normalizeNumber } from "../../value.js";
import type { RegoNumber } from "../../value.js";

type Rational = { num: bigint; den: bigint };

const K = 1000n;
const KI = 1024n;

const UNITS: Record<string, Rational> = {
  "": { num: 1n, den: 1n },
  m: { num: 1n, den: 1000n },
  k: { num: K, den: 1n },
  K: { num: K, den: 1n },
  ki: { num: KI, den: 1n },
  Ki: { num: KI, den: 1n },
  M: { num: K ** 2n, den: 1n },
  mi: { num: KI ** 2n, den: 1n },
  Mi: { num: KI ** 2n, den: 1n },
  g: { num: K ** 3n, den: 1n },
  G: { num: K ** 3n, den: 1n },
  gi: { num: KI ** 3n, den: 1n },
  Gi: { num: KI ** 3n, den: 1n },
  t: { num: K ** 4n, den: 1n },
  T: { num: K ** 4n, den: 1n },
  ti: { num: KI ** 4n, den: 1n },
  Ti: { num: KI ** 4n, den: 1n },
  p: { num: K ** 5n, den: 1n },
  P: { num: K ** 5n, den: 1n },
  pi: { num: KI ** 5n, den: 1n },
  Pi: { num: KI ** 5n, den: 1n },
  e: { num: K ** 6n, den: 1n },
  E: { num: K ** 6n, den: 1n },
  ei: { num: KI ** 6n, den: 1n },
  Ei: { num: KI ** 6n, den: 1n },
};

const BYTE_UNITS: Record<string, bigint> = {
  "": 1n,
  k: K,
  kb: K,
  ki: KI,
  kib: KI,
  m: K ** 2n,
  mb: K ** 2n,
  mi: KI ** 2n,
  mib: KI ** 2n,
  g: K ** 3n,
  gb: K ** 3n,
  gi: KI ** 3n,
  gib: KI ** 3n,
  t: K ** 4n,
  tb: K ** 4n,
  ti: KI ** 4n,
  tib: KI ** 4n,
  p: K ** 5n,
  pb: K ** 5n,
  pi: KI ** 5n,
  pib: KI ** 5n,
  e: K ** 6n,
  eb: K ** 6n,
  ei: KI ** 6n,
  eib: KI ** 6n,
};

/** Splits "1.5e3Ki" into the amount "1.5e3" and the unit "Ki". */
function splitAmount(s: string): [string, string] {
  let i = 0;
  if (s[i] === "-" || s[i] === "+") i++;
  while (i < s.length && /[0-9.]/.test(s[i]!)) i++;
  if (i > 0 && /[eE]/.test(s[i] ?? "") && /^[eE][+-]?[0-9]/.test(s.slice(i))) {
    i++;
    if (s[i] === "+" || s[i] === "-") i++;
    while (i < s.length && /[0-9]/.test(s[i]!)) i++;
  }
  const num = s.slice(0, i);
  return [/[0-9.]/.test(num) ? num : "", s.slice(i)];
}

/** A decimal literal as an exact rational, or undefined. */
function parseDecimal(text: string): Rational | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  const digits = BigInt((m[2] || "0") + (m[3] ?? ""));
  const exp = (m[4] ? Number(m[4]) : 0) - (m[3] ?? "").length;
  if (Math.abs(exp) > 10_000) return undefined;
  let num = m[1] === "-" ? -digits : digits;
  let den = 1n;
  if (exp >= 0) num *= 10n ** BigInt(exp);
  else den = 10n ** BigInt(-exp);
  return { num, den };
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** OPA's result: an integer exactly, anything else rounded to 10 decimals (big.Rat FloatString(10)). */
function rationalToNumber(r: Rational): RegoNumber {
  const g = gcd(r.num, r.den) || 1n;
  const num = r.num / g;
  const den = r.den / g;
  if (den === 1n) return normalizeNumber(num);
  const negative = num < 0n;
  const magnitude = negative ? -num : num;
  // round half away from zero at 10 decimals
  const scaled = (magnitude * 10n ** 10n * 2n + den) / (2n * den);
  const digits = scaled.toString().padStart(11, "0");
  const text = `${negative ? "-" : ""}${digits.slice(0, -10)}.${digits.slice(-10)}`;
  return Number(text) + 0;
}

function prepare(name: string, raw: string, what: string): [string, string] {
  const s = raw.replaceAll('"', "");
  if (s.includes(" ")) throw builtinError(name, "spaces not allowed in resource strings");
  const [num, unit] = splitAmount(s);
  if (num === "") throw builtinError(name, `no ${what} provided`);
  return [num, unit];
}

export const UNITS_BUILTINS: readonly Builtin[] = [
  fn("units.parse", 1, (args) => {
    const name = "units.parse";
    const [num, rawUnit] = prepare(name, str(name, args, 0), "amount");
    const unit = rawUnit.length > 1 ? rawUnit[0] + rawUnit.slice(1).toLowerCase() : rawUnit;
    const mult = UNITS[unit];
    if (!mult) throw builtinError(name, `unit ${unit} not recognized`);
    const amount = parseDecimal(num);
    if (!amount) throw builtinError(name, "could not parse amount to a number");
    return rationalToNumber({ num: amount.num * mult.num, den: amount.den * mult.den });
  }),
  fn("units.parse_bytes", 1, (args) => {
    const name = "units.parse_bytes";
    const [num, rawUnit] = prepare(name, str(name, args, 0).toLowerCase(), "byte amount");
    const mult = BYTE_UNITS[rawUnit];
    if (mult === undefined) throw builtinError(name, `byte unit ${rawUnit} not recognized`);
    const amount = parseDecimal(num);
    if (!amount) throw builtinError(name, "could not parse byte amount to a number");
    return normalizeNumber((amount.num * mult) / amount.den);
  }),
];
