// Shared operand checks with OPA's wording (topdown/builtins: builtins.NewOperandTypeErr and friends):
// "<name>: operand N must be <type> but got <type>", operands counted from 1.

import { BuiltinError } from "./types.js";
import type { Builtin, BuiltinContext } from "./types.js";
import { LiteralNumber, RegoObject, RegoSet, isInteger, typeName } from "../../value.js";
import type { RegoNumber, Value } from "../../value.js";

export function typeError(name: string, message: string): BuiltinError {
  return new BuiltinError("eval_type_error", `${name}: ${message}`);
}

export function builtinError(name: string, message: string): BuiltinError {
  return new BuiltinError("eval_builtin_error", `${name}: ${message}`);
}

/** "operand N must be T but got U" (T may be "one of {a, b}"). */
export function operandTypeError(name: string, pos: number, got: Value, ...expected: string[]): BuiltinError {
  const want = expected.length === 1 ? expected[0]! : `one of {${expected.join(", ")}}`;
  return typeError(name, `operand ${pos} must be ${want} but got ${typeName(got)}`);
}

export function str(name: string, args: readonly Value[], i: number): string {
  const v = args[i]!;
  if (typeof v !== "string") throw operandTypeError(name, i + 1, v, "string");
  return v;
}

export function num(name: string, args: readonly Value[], i: number): RegoNumber {
  const v = args[i]!;
  if (v instanceof LiteralNumber) return v.value;
  if (typeof v !== "number" && typeof v !== "bigint") throw operandTypeError(name, i + 1, v, "number");
  return v;
}

/** An integer operand ("operand N must be integer number but got floating-point number"). */
export function int(name: string, args: readonly Value[], i: number): bigint {
  const v = num(name, args, i);
  if (!isInteger(v)) throw typeError(name, `operand ${i + 1} must be integer number but got floating-point number`);
  return BigInt(v);
}

/** An integer that fits a JavaScript number (indexes, counts). */
export function smallInt(name: string, args: readonly Value[], i: number): number {
  const v = num(name, args, i);
  if (!isInteger(v)) throw typeError(name, `operand ${i + 1} must be integer number but got floating-point number`);
  return Number(v);
}

export function bool(name: string, args: readonly Value[], i: number): boolean {
  const v = args[i]!;
  if (typeof v !== "boolean") throw operandTypeError(name, i + 1, v, "boolean");
  return v;
}

export function arr(name: string, args: readonly Value[], i: number): readonly Value[] {
  const v = args[i]!;
  if (!Array.isArray(v)) throw operandTypeError(name, i + 1, v, "array");
  return v as readonly Value[];
}

export function set(name: string, args: readonly Value[], i: number): RegoSet {
  const v = args[i]!;
  if (!(v instanceof RegoSet)) throw operandTypeError(name, i + 1, v, "set");
  return v;
}

export function obj(name: string, args: readonly Value[], i: number): RegoObject {
  const v = args[i]!;
  if (!(v instanceof RegoObject)) throw operandTypeError(name, i + 1, v, "object");
  return v;
}

/** The members of an array or a set. */
export function arrayOrSet(name: string, args: readonly Value[], i: number): readonly Value[] {
  const v = args[i]!;
  if (Array.isArray(v)) return v as readonly Value[];
  if (v instanceof RegoSet) return v.sorted();
  throw operandTypeError(name, i + 1, v, "array", "set");
}

/** Strings of an array or set of strings ("operand N must be array of strings but got array containing number"). */
export function stringsOf(name: string, args: readonly Value[], i: number, kinds: readonly string[] = ["array", "set"]): string[] {
  const v = args[i]!;
  if (!Array.isArray(v) && !(v instanceof RegoSet)) throw operandTypeError(name, i + 1, v, ...kinds);
  const out: string[] = [];
  for (const x of Array.isArray(v) ? (v as readonly Value[]) : v.sorted()) {
    if (typeof x !== "string") {
      throw typeError(name, `operand ${i + 1} must be ${Array.isArray(v) ? "array" : "set"} of strings but got ${Array.isArray(v) ? "array" : "set"} containing ${typeName(x)}`);
    }
    out.push(x);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// defining builtins

type Fn = (args: readonly Value[], ctx: BuiltinContext) => Value | undefined;

export function fn(name: string, arity: number | "variadic", f: Fn): Builtin {
  return { name, arity, fn: f };
}

export function relation(name: string, arity: number, f: (args: readonly Value[], ctx: BuiltinContext) => Iterable<Value>): Builtin {
  return { name, arity, relation: f };
}

export function unsupported(name: string, arity: number, reason: string): Builtin {
  return { name, arity, unsupported: reason };
}

/** A JavaScript string's length in Unicode code points (Go's utf8.RuneCountInString). */
export function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
