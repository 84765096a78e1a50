// Arithmetic, comparison, bits, numbers.range and to_number (topdown/arithmetic.go, compare.go, bits.go, numbers.go,
// casts.go). Integers are exact at any size (bigint beyond 2^53); anything with a fraction is a double.

import { BuiltinError } from "./types.js";
import type { Builtin } from "./types.js";
import { builtinError, fn, int, num, operandTypeError, typeError } from "./operands.js";
import { RegoSet, compare, equal, isInteger, normalizeNumber } from "../../value.js";
import type { RegoNumber, Value } from "../../value.js";

/** The largest array numbers.range and numbers.range_step build. */
const MAX_RANGE = 10_000_000;

export function bigOf(n: RegoNumber): bigint {
  return typeof n === "bigint" ? n : BigInt(n);
}

export function asDouble(n: RegoNumber): number {
  return typeof n === "bigint" ? Number(n) : n;
}

function checkFinite(name: string, x: number): number {
  if (!Number.isFinite(x)) throw builtinError(name, "number out of range");
  return x;
}

export function plus(a: RegoNumber, b: RegoNumber): RegoNumber {
  if (typeof a === "number" && typeof b === "number" && Number.isSafeInteger(a) && Number.isSafeInteger(b)) return normalizeNumber(BigInt(a) + BigInt(b));
  if (isInteger(a) && isInteger(b)) return normalizeNumber(bigOf(a) + bigOf(b));
  return checkFinite("plus", asDouble(a) + asDouble(b));
}

function minusNumbers(a: RegoNumber, b: RegoNumber): RegoNumber {
  if (isInteger(a) && isInteger(b)) return normalizeNumber(bigOf(a) - bigOf(b));
  return checkFinite("minus", asDouble(a) - asDouble(b));
}

function mul(a: RegoNumber, b: RegoNumber): RegoNumber {
  if (isInteger(a) && isInteger(b)) return normalizeNumber(bigOf(a) * bigOf(b));
  return checkFinite("mul", asDouble(a) * asDouble(b));
}

function div(a: RegoNumber, b: RegoNumber): RegoNumber {
  if (b === 0 || b === 0n) throw builtinError("div", "divide by zero");
  if (isInteger(a) && isInteger(b)) {
    const x = bigOf(a);
    const y = bigOf(b);
    if (x % y === 0n) return normalizeNumber(x / y);
  }
  return checkFinite("div", asDouble(a) / asDouble(b));
}

function rem(a: RegoNumber, b: RegoNumber): RegoNumber {
  if (!isInteger(a) || !isInteger(b)) throw builtinError("rem", "modulo on floating-point number");
  const y = bigOf(b);
  if (y === 0n) throw builtinError("rem", "modulo by zero");
  return normalizeNumber(bigOf(a) % y);
}

/** Round half away from zero, as Go's math.Round / big.Float rounding in OPA. */
function roundNumber(a: RegoNumber): RegoNumber {
  if (isInteger(a)) return a;
  const x = a as number;
  return normalizeNumber(BigInt(Math.sign(x) * Math.round(Math.abs(x))));
}

function integral(x: number): RegoNumber {
  return Number.isSafeInteger(x) ? x + 0 : normalizeNumber(BigInt(x));
}

function binaryNumeric(name: string, op: (a: RegoNumber, b: RegoNumber) => RegoNumber): Builtin {
  return fn(name, 2, (args) => op(num(name, args, 0), num(name, args, 1)));
}

function unaryNumeric(name: string, op: (a: RegoNumber) => RegoNumber): Builtin {
  return fn(name, 1, (args) => op(num(name, args, 0)));
}

function minus(args: readonly Value[]): Value {
  const a = args[0]!;
  const b = args[1]!;
  if (a instanceof RegoSet) {
    // OPA asks for a set only when the other operand is a number; otherwise for a number
    if (!(b instanceof RegoSet)) throw operandTypeError("minus", 2, b, typeof b === "number" || typeof b === "bigint" ? "set" : "number");
    return RegoSet.of(a.sorted().filter((x) => !b.has(x)));
  }
  if (typeof a === "number" || typeof a === "bigint") {
    if (typeof b !== "number" && typeof b !== "bigint") throw operandTypeError("minus", 2, b, "number");
    return minusNumbers(a, b);
  }
  throw operandTypeError("minus", 1, a, "number", "set");
}

function compareBuiltin(name: string, test: (c: number) => boolean): Builtin {
  return fn(name, 2, (args) => test(compare(args[0]!, args[1]!)));
}

function bitsOperand(name: string, args: readonly Value[], i: number): bigint {
  return int(name, args, i);
}

function shiftOperand(name: string, args: readonly Value[], i: number): bigint {
  const n = int(name, args, i);
  if (n < 0n) throw typeError(name, `operand ${i + 1} must be an unsigned integer number but got a negative integer`);
  if (n > 100_000n) throw builtinError(name, "shift amount too large");
  return n;
}

function range(name: string, from: bigint, to: bigint, step: bigint): Value[] {
  const count = (to >= from ? to - from : from - to) / step + 1n;
  if (count > BigInt(MAX_RANGE)) throw builtinError(name, `the range has more than ${MAX_RANGE} elements`);
  const out: Value[] = [];
  if (to >= from) for (let x = from; x <= to; x += step) out.push(normalizeNumber(x));
  else for (let x = from; x >= to; x -= step) out.push(normalizeNumber(x));
  return out;
}

const INVALID_NUMBER_WORDS = new Set(["inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan", "+nan", "-nan"]);

/** A number as Go's strconv.ParseFloat accepts it (decimal forms), exact when it is an integer. */
export function parseNumberString(name: string, s: string): RegoNumber {
  if (INVALID_NUMBER_WORDS.has(s.toLowerCase())) {
    throw typeError(name, `operand 1 must be valid number string but got string`);
  }
  if (/^[+-]?\d+$/.test(s)) return normalizeNumber(BigInt(s));
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    const x = Number(s);
    if (!Number.isFinite(x)) throw builtinError(name, `strconv.ParseFloat: parsing ${JSON.stringify(s)}: value out of range`);
    return Number.isInteger(x) && !Number.isSafeInteger(x) && /^[+-]?\d+\.0*$/.test(s) ? normalizeNumber(BigInt(s.replace(/\.0*$/, ""))) : x;
  }
  throw builtinError(name, `strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
}

export const NUMBER_BUILTINS: readonly Builtin[] = [
  binaryNumeric("plus", plus),
  fn("minus", 2, minus),
  binaryNumeric("mul", mul),
  binaryNumeric("div", div),
  binaryNumeric("rem", rem),
  unaryNumeric("abs", (a) => (typeof a === "bigint" ? (a < 0n ? -a : a) : Math.abs(a))),
  unaryNumeric("round", roundNumber),
  unaryNumeric("ceil", (a) => (isInteger(a) ? a : integral(Math.ceil(a as number)))),
  unaryNumeric("floor", (a) => (isInteger(a) ? a : integral(Math.floor(a as number)))),

  fn("equal", 2, (args) => equal(args[0]!, args[1]!)),
  fn("neq", 2, (args) => !equal(args[0]!, args[1]!)),
  compareBuiltin("lt", (c) => c < 0),
  compareBuiltin("lte", (c) => c <= 0),
  compareBuiltin("gt", (c) => c > 0),
  compareBuiltin("gte", (c) => c >= 0),

  fn("bits.and", 2, (args) => normalizeNumber(bitsOperand("bits.and", args, 0) & bitsOperand("bits.and", args, 1))),
  fn("bits.or", 2, (args) => normalizeNumber(bitsOperand("bits.or", args, 0) | bitsOperand("bits.or", args, 1))),
  fn("bits.xor", 2, (args) => normalizeNumber(bitsOperand("bits.xor", args, 0) ^ bitsOperand("bits.xor", args, 1))),
  fn("bits.negate", 1, (args) => normalizeNumber(~bitsOperand("bits.negate", args, 0))),
  fn("bits.lsh", 2, (args) => normalizeNumber(bitsOperand("bits.lsh", args, 0) << shiftOperand("bits.lsh", args, 1))),
  fn("bits.rsh", 2, (args) => normalizeNumber(bitsOperand("bits.rsh", args, 0) >> shiftOperand("bits.rsh", args, 1))),

  fn("numbers.range", 2, (args) => range("numbers.range", int("numbers.range", args, 0), int("numbers.range", args, 1), 1n)),
  fn("numbers.range_step", 3, (args) => {
    const name = "numbers.range_step";
    const from = int(name, args, 0);
    const to = int(name, args, 1);
    const step = int(name, args, 2);
    if (step <= 0n) throw new BuiltinError("eval_builtin_error", `${name}: step must be a positive integer`);
    return range(name, from, to, step);
  }),

  fn("to_number", 1, (args) => {
    const v = args[0]!;
    if (v === null) return 0;
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "number" || typeof v === "bigint") return v;
    if (typeof v === "string") return parseNumberString("to_number", v);
    throw operandTypeError("to_number", 1, v, "null", "boolean", "number", "string");
  }),
];
