// The contract between the evaluator and the builtin functions (OPA's topdown.BuiltinFunc, simplified): a builtin
// gets its evaluated operands and returns one value, or undefined when it has no result (OPA's "undefined"). A
// relation (walk) yields any number of results. Errors are thrown as BuiltinError with OPA's error code and message.

import type { Value } from "../../value.js";

export interface BuiltinContext {
  /** OPA's strict-builtin-errors: when false, the evaluator turns a BuiltinError into "undefined". */
  readonly strict: boolean;
  /** time.now_ns: fixed for the whole query, as OPA does. */
  readonly nowNs: bigint;
  /** Per-query memory for builtins that must answer the same within a query (rand.intn, uuid.rfc4122). */
  readonly queryCache: Map<string, Value>;
}

export type BuiltinFunction = (args: readonly Value[], ctx: BuiltinContext) => Value | undefined;
export type BuiltinRelation = (args: readonly Value[], ctx: BuiltinContext) => Iterable<Value>;

export interface Builtin {
  /** The name Rego calls it by, dotted: "strings.replace", "count", "plus". */
  readonly name: string;
  /** Number of operands, not counting the output; "variadic" for print. */
  readonly arity: number | "variadic";
  readonly fn?: BuiltinFunction;
  /** For builtins that produce several results (walk). */
  readonly relation?: BuiltinRelation;
  /** A builtin OPA marks non-deterministic or that reaches outside (http.send): refused here, with this reason. */
  readonly unsupported?: string;
}

export type BuiltinErrorCode = "eval_type_error" | "eval_builtin_error";

export class BuiltinError extends Error {
  constructor(
    readonly code: BuiltinErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "BuiltinError";
  }
}
