// What one evaluation sees: input, base data, the replacements `with` made, and the per-evaluation caches of
// virtual documents and function results. A `with` expression evaluates in a child context with its own caches,
// because what it replaces can change every document below it.

import type { DocNode } from "../ast/tree.js";
import type { WithTarget } from "../ast/terms.js";
import { RegoObject, type Value } from "../value.js";
import type { Builtin, BuiltinContext } from "./builtins/types.js";

/** A replaced function or builtin: a value it returns, or another function to call. */
export type Mock = { readonly kind: "value"; readonly value: Value } | { readonly kind: "function"; readonly target: WithTarget };

export interface SharedState {
  readonly strict: boolean;
  readonly deadline: number | undefined;
  readonly builtins: ReadonlyMap<string, Builtin>;
  readonly builtinContext: BuiltinContext;
  readonly print: ((message: string) => void) | undefined;
  steps: number;
  depth: number;
}

export const PENDING: unique symbol = Symbol("pending");

export class EvalContext {
  /** Virtual documents computed in this context (PENDING while being computed: a cycle). */
  readonly documents = new Map<DocNode, Value | undefined | typeof PENDING>();

  constructor(
    readonly shared: SharedState,
    readonly input: Value | undefined,
    readonly data: Value,
    /** Documents `with` replaced below data, by path joined with "\u0000". */
    readonly overrides: ReadonlyMap<string, { readonly path: readonly string[]; readonly value: Value }> | undefined,
    /** Replaced functions: builtin name or "data.pkg.f". */
    readonly mocks: ReadonlyMap<string, Mock> | undefined,
  ) {}

  override(path: readonly string[]): Value | undefined {
    return this.overrides?.get(path.join("\u0000"))?.value;
  }
}

export const pathKey = (path: readonly string[]): string => path.join("\u0000");

/** `value` with `replacement` at `path`, objects created along the way (OPA's with semantics). */
export function setPath(value: Value | undefined, path: readonly Value[], replacement: Value): Value {
  if (path.length === 0) return replacement;
  const [first, ...rest] = path as [Value, ...Value[]];
  const out = new RegoObject();
  if (value instanceof RegoObject) for (const [k, v] of value.entries()) out.set(k, v);
  out.set(first, setPath(value instanceof RegoObject ? value.get(first) : undefined, rest, replacement));
  return out;
}
