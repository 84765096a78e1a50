// Calling Rego builtins by name in tests, with tables of named cases for results and for errors.
import { expect, it } from "vitest";
import { BUILTINS } from "../../src/policy/rego/topdown/builtins/index.ts";
import { BuiltinError, type BuiltinContext } from "../../src/policy/rego/topdown/builtins/types.ts";
import { RegoObject, RegoSet, fromJSON, toJSON, type Value } from "../../src/policy/rego/value.ts";

export const ctx = (): BuiltinContext => ({ strict: true, nowNs: 1_700_000_000_123_456_789n, queryCache: new Map() });

/** Calls a builtin by name; the result as JSON (sets as sorted arrays, big integers as bigint). */
export function call(name: string, ...args: Value[]): unknown {
  const b = BUILTINS.get(name);
  if (!b?.fn) throw new Error(`no builtin function ${name}`);
  const v = b.fn(args, ctx());
  return v === undefined ? undefined : toJSON(v);
}

export function failure(name: string, ...args: Value[]): { code: string; message: string } {
  try {
    call(name, ...args);
  } catch (error) {
    if (error instanceof BuiltinError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error(`${name} did not fail`);
}

export type Case = { name: string; fn: string; args: Value[]; want: unknown };
export type ErrorCase = { name: string; fn: string; args: Value[]; code: "eval_type_error" | "eval_builtin_error"; message: string | RegExp };

/** A Rego value from JavaScript data; Rego sets and objects inside are kept. */
export function rego(x: unknown): Value {
  if (x instanceof RegoSet || x instanceof RegoObject) return x;
  if (Array.isArray(x)) return x.map(rego);
  if (x !== null && typeof x === "object") return RegoObject.of(Object.entries(x).map(([k, v]) => [k, rego(v)] as const));
  return fromJSON(x);
}
export const obj = (x: Record<string, unknown>): RegoObject => rego(x) as RegoObject;
export const set = (...xs: Value[]): RegoSet => RegoSet.of(xs);

export function table(cases: Case[]): void {
  it.each(cases)("$name", ({ fn, args, want }) => {
    expect(call(fn, ...args)).toEqual(want);
  });
}

export function errors(cases: ErrorCase[]): void {
  it.each(cases)("$name", ({ fn, args, code, message }) => {
    const got = failure(fn, ...args);
    expect(got.code).toBe(code);
    if (typeof message === "string") expect(got.message).toBe(message);
    else expect(got.message).toMatch(message);
  });
}
