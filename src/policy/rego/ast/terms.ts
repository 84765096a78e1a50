// The Rego syntax tree (OPA's ast.Term, ast.Expr, ast.Rule, ast.Module), as the parser produces it. The compiler
// annotates variables with frame slots (`slot`) and resolves references to globals in place.

import type { Location } from "./errors.js";
import type { LiteralNumber } from "../value.js";

export type Scalar = null | boolean | number | bigint | LiteralNumber | string;

export type Term =
  | { readonly type: "scalar"; readonly value: Scalar; readonly loc: Location }
  | VarTerm
  | RefTerm
  | { readonly type: "array"; readonly items: Term[]; readonly loc: Location }
  | { readonly type: "object"; readonly entries: [Term, Term][]; readonly loc: Location }
  | { readonly type: "set"; readonly items: Term[]; readonly loc: Location }
  | { readonly type: "arraycompr"; readonly term: Term; readonly body: Body; readonly loc: Location; locals?: ReadonlySet<number> }
  | { readonly type: "setcompr"; readonly term: Term; readonly body: Body; readonly loc: Location; locals?: ReadonlySet<number> }
  | { readonly type: "objectcompr"; readonly key: Term; readonly value: Term; readonly body: Body; readonly loc: Location; locals?: ReadonlySet<number> }
  | CallTerm
  | { readonly type: "template"; readonly parts: (string | Term)[]; readonly loc: Location }
  /** An expression with `with` inside a template string: `$"{a with input as 1}"`. */
  | { readonly type: "with"; readonly term: Term; readonly with: WithModifier[]; readonly loc: Location };

export interface VarTerm {
  readonly type: "var";
  name: string;
  readonly loc: Location;
  /** Frame slot, set by the compiler. */
  slot?: number;
}

export interface RefTerm {
  readonly type: "ref";
  /** `input`, `data`, a local variable, or another term (`[1, 2][i]`, `f(x).y`). */
  head: Term;
  readonly path: Term[];
  readonly loc: Location;
}

export interface CallTerm {
  readonly type: "call";
  /** The function's name as written: ["count"], ["data", "lib", "f"], ["f"]. */
  operator: readonly string[];
  readonly args: Term[];
  readonly loc: Location;
  /** Set by the compiler: a user function's full data path, or a builtin's dotted name. */
  target?: { readonly kind: "function"; readonly path: readonly string[] } | { readonly kind: "builtin"; readonly name: string };
  /** Set by the compiler: the number of operands the target takes (not variadic print). */
  arity?: number;
}

export interface WithModifier {
  /** The replaced document or function, as written. */
  target: Term;
  value: Term;
  readonly loc: Location;
  /** Set by the compiler: what is replaced. */
  resolved?: WithTarget;
  /** Set by the compiler when the value names a function or builtin: the replacement function. */
  replacement?: WithTarget;
}

export type WithTarget =
  | { readonly kind: "input"; readonly path: readonly string[] }
  | { readonly kind: "data"; readonly path: readonly string[] }
  | { readonly kind: "function"; readonly path: readonly string[] }
  | { readonly kind: "builtin"; readonly name: string };

export type ExprBody =
  /** A term as an expression: true unless false or undefined (a call's result, `input.x`). */
  | { readonly kind: "term"; readonly term: Term }
  /** `a = b` (unify) and `a := b` (declare and assign). */
  | { readonly kind: "unify"; readonly left: Term; readonly right: Term; readonly assign: boolean }
  | { readonly kind: "not"; readonly expr: Expr }
  | { readonly kind: "some"; readonly vars: VarTerm[] }
  | { readonly kind: "somein"; readonly key: Term | undefined; readonly value: Term; readonly collection: Term }
  | { readonly kind: "every"; readonly key: Term | undefined; readonly value: Term; readonly collection: Term; readonly body: Body; locals?: ReadonlySet<number> };

export type Expr = ExprBody & { readonly with: WithModifier[]; readonly loc: Location };

export type Body = Expr[];

export interface Rule {
  /** The head's reference below the package: ["p"], ["a", "b"], ["p", <var q>, "r"]; strings for plain names. */
  readonly ref: Term[];
  readonly args: Term[] | undefined;
  /** `contains` rules (and v0 `p[x] { }`): the member; the rule defines a set. */
  readonly member: Term | undefined;
  /** The value; undefined for multi-value rules. */
  readonly value: Term | undefined;
  readonly body: Body;
  readonly isDefault: boolean;
  readonly elseRule: Rule | undefined;
  readonly loc: Location;
  /** Whether the value was given with `:=`. */
  readonly assign: boolean;
  /** The METADATA comment block right before the rule, parsed. */
  readonly annotations?: Annotations;
}

/** A METADATA block: its YAML as JSON, `scope` filled in. */
export type Annotations = Readonly<Record<string, unknown>> & { readonly scope: string };

export interface Import {
  /** ["data", "a", "b"], ["input", "x"], ["future", "keywords", "in"], ["rego", "v1"]. */
  readonly path: readonly string[];
  readonly alias: string | undefined;
  readonly loc: Location;
}

export interface Module {
  readonly file: string;
  readonly packagePath: readonly string[];
  readonly imports: Import[];
  readonly rules: Rule[];
  readonly regoVersion: "v0" | "v1";
  readonly loc: Location;
  readonly packageAnnotations?: Annotations;
}

export const isGroundString = (t: Term): t is { type: "scalar"; value: string; loc: Location } => t.type === "scalar" && typeof t.value === "string";
