// Name resolution and variable slots (OPA's compiler stages ResolveRefs and RewriteLocalVars): a name is a local
// variable, a rule of the package, an import, `input` or `data`; every local variable gets a slot in its rule's frame,
// with Rego's scoping (comprehensions and `every` bodies see the enclosing variables; `:=` and `some` declare).

import { problemAt, type Location } from "./errors.js";
import type { Body, CallTerm, Expr, Term, VarTerm, WithModifier, WithTarget } from "./terms.js";
import { CompileError, type BuiltinSignature, type DocNode } from "./tree.js";

/** The variable slots of one rule body (or query); the names are for messages. */
export class Frame {
  readonly names: string[] = [];
  alloc(name: string): number {
    this.names.push(name);
    return this.names.length - 1;
  }
  get size(): number {
    return this.names.length;
  }
}

/** One body's variables by name; a nested body (comprehension, `every`) sees its parents'. */
export class Scope {
  private readonly vars = new Map<string, number>();
  /** Names assigned here with `:=`: assigning one again is an error. */
  readonly assigned = new Set<string>();
  constructor(
    readonly frame: Frame,
    readonly parent?: Scope,
  ) {}
  lookup(name: string): number | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }
  has(name: string): boolean {
    return this.vars.has(name);
  }
  declare(name: string): number {
    const existing = this.vars.get(name);
    if (existing !== undefined) return existing;
    const slot = this.frame.alloc(name);
    if (name !== "_") this.vars.set(name, slot);
    return slot;
  }
}

/** How names resolve in one module: its package's rules and its imports. */
export interface ModuleContext {
  readonly packagePath: readonly string[];
  readonly ruleNames: ReadonlySet<string>;
  readonly imports: ReadonlyMap<string, readonly string[]>;
  readonly file: string;
  readonly regoVersion: "v0" | "v1";
  /** What rego.metadata.chain() and rego.metadata.rule() return in the rule being compiled. */
  readonly metadata?: RuleMetadata;
}

export interface RuleMetadata {
  readonly chain: unknown;
  readonly rule: unknown;
}

/** A JSON value as a constant term. */
function jsonTerm(x: unknown, loc: Location): Term {
  if (x === null || typeof x === "string" || typeof x === "boolean" || typeof x === "number") return { type: "scalar", value: x, loc };
  if (Array.isArray(x)) return { type: "array", items: x.map((i) => jsonTerm(i, loc)), loc };
  return { type: "object", entries: Object.entries(x as Record<string, unknown>).map(([k, v]) => [{ type: "scalar", value: k, loc }, jsonTerm(v, loc)]), loc };
}

/**
 * Builtins OPA deprecated and v1 removed, which v0 policies still call (Gatekeeper's library uses `any` and
 * `re_match`): the name each stands for. `any` and `all` the evaluator implements.
 */
const DEPRECATED_BUILTINS: ReadonlyMap<string, string> = new Map([
  ["re_match", "regex.match"],
  ["set_diff", "minus"],
  ["any", "internal.any"],
  ["all", "internal.all"],
]);

export class Resolver {
  constructor(
    private readonly context: ModuleContext,
    private readonly root: DocNode,
    private readonly builtins: ReadonlyMap<string, BuiltinSignature>,
  ) {}

  /** Resolves one body level: declares its variables in `scope`, then rewrites its expressions and head terms. */
  level(body: Body, scope: Scope, heads: readonly Term[]): { body: Body; heads: Term[] } {
    const declared: string[] = [];
    const used: string[] = [];
    for (const e of body) this.collectExpr(e, declared, used);
    for (const h of heads) this.collectTerm(h, used);
    // variables only unified (`x = 1`) belong to the whole level, closures included; those declared with `:=` or
    // `some` exist from their declaration on (a comprehension before it has its own `x`)
    const declaredSet = new Set(declared);
    for (const name of used) {
      if (name === "_" || declaredSet.has(name) || scope.lookup(name) !== undefined || this.global(name)) continue;
      scope.declare(name);
    }
    const resolved = body.map((e) => {
      this.declareIn(e, scope);
      return this.expr(e, scope);
    });
    for (const name of declared) if (name !== "_") scope.declare(name);
    return { body: resolved, heads: heads.map((h) => this.term(h, scope)) };
  }

  /** Declares the variables an expression introduces (`x := …`, `some x`, `some x in …`). */
  private declareIn(e: Expr, scope: Scope): void {
    const names: string[] = [];
    if (e.kind === "unify" && e.assign) names.push(...patternNames(e.left));
    else if (e.kind === "some") names.push(...e.vars.map((v) => v.name));
    else if (e.kind === "somein") {
      if (e.key) names.push(...patternNames(e.key));
      names.push(...patternNames(e.value));
    }
    const assigns = e.kind === "unify" && e.assign;
    for (const n of names) {
      if (assigns && scope.assigned.has(n)) throw new CompileError(problemAt(e.loc, "rego_compile_error", `var ${n} assigned above`));
      if (assigns) scope.assigned.add(n);
      scope.declare(n);
    }
  }

  private collectExpr(e: Expr, declared: string[], used: string[]): void {
    switch (e.kind) {
      case "term":
        this.collectTerm(e.term, used);
        break;
      case "unify":
        if (e.assign) declared.push(...patternNames(e.left));
        this.collectTerm(e.left, used);
        this.collectTerm(e.right, used);
        break;
      case "not":
        this.collectExpr(e.expr, declared, used);
        break;
      case "some":
        declared.push(...e.vars.map((v) => v.name));
        break;
      case "somein":
        if (e.key) declared.push(...patternNames(e.key));
        declared.push(...patternNames(e.value));
        if (e.key) this.collectTerm(e.key, used);
        this.collectTerm(e.value, used);
        this.collectTerm(e.collection, used);
        break;
      case "every":
        this.collectTerm(e.collection, used);
        break;
    }
    for (const w of e.with) {
      // `with count as f`, `with f as count`: a function name, not a variable
      const name = nameOf(w.value);
      if (name && !this.global(name[0]!) && this.builtins.has(name.join("."))) continue;
      this.collectTerm(w.value, used);
    }
  }

  /** Names used at this level; comprehension bodies are their own level. */
  private collectTerm(t: Term, used: string[]): void {
    switch (t.type) {
      case "var":
        used.push(t.name);
        break;
      case "ref":
        this.collectTerm(t.head, used);
        t.path.forEach((p) => this.collectTerm(p, used));
        break;
      case "array":
      case "set":
        t.items.forEach((i) => this.collectTerm(i, used));
        break;
      case "object":
        t.entries.forEach(([k, v]) => {
          this.collectTerm(k, used);
          this.collectTerm(v, used);
        });
        break;
      case "call":
        t.args.forEach((a) => this.collectTerm(a, used));
        break;
      case "template":
        t.parts.forEach((p) => typeof p !== "string" && this.collectTerm(p, used));
        break;
      case "with":
        this.collectTerm(t.term, used);
        t.with.forEach((w) => this.collectTerm(w.value, used));
        break;
      default:
        break;
    }
  }

  /** The path a global name stands for: `input`, `data`, an import alias, or a rule of the package. */
  private global(name: string): readonly string[] | undefined {
    if (name === "input" || name === "data") return [name];
    const imported = this.context.imports.get(name);
    if (imported) return imported;
    if (this.context.ruleNames.has(name)) return ["data", ...this.context.packagePath, name];
    return undefined;
  }

  private expr(e: Expr, scope: Scope): Expr {
    const withs = e.with.map((w) => this.withModifier(w, scope));
    switch (e.kind) {
      case "term":
        return { kind: "term", term: e.term.type === "call" ? this.call(e.term, scope, true) : this.term(e.term, scope), with: withs, loc: e.loc };
      case "unify":
        if (e.assign && e.left.type !== "var" && e.left.type !== "array" && e.left.type !== "object") {
          throw new CompileError(problemAt(e.loc, "rego_compile_error", `cannot assign to ${e.left.type}`));
        }
        return { kind: "unify", left: this.term(e.left, scope), right: this.term(e.right, scope), assign: e.assign, with: withs, loc: e.loc };
      case "not":
        return { kind: "not", expr: this.expr(e.expr, scope), with: withs, loc: e.loc };
      case "some":
        return { kind: "some", vars: e.vars.map((v) => this.term(v, scope) as VarTerm), with: withs, loc: e.loc };
      case "somein":
        return { kind: "somein", key: e.key && this.term(e.key, scope), value: this.term(e.value, scope), collection: this.term(e.collection, scope), with: withs, loc: e.loc };
      case "every": {
        const collection = this.term(e.collection, scope);
        const start = scope.frame.size;
        const inner = new Scope(scope.frame, scope);
        if (e.key) for (const n of patternNames(e.key)) inner.declare(n);
        for (const n of patternNames(e.value)) inner.declare(n);
        const key = e.key && this.term(e.key, inner);
        const value = this.term(e.value, inner);
        const { body } = this.level(e.body, inner, []);
        const locals = range(start, scope.frame.size);
        return { kind: "every", key, value, collection, body, locals, with: withs, loc: e.loc };
      }
    }
  }

  term(t: Term, scope: Scope): Term {
    switch (t.type) {
      case "scalar":
        return t;
      case "var": {
        if (t.name === "_") return { type: "var", name: "_", loc: t.loc, slot: scope.frame.alloc("_") };
        const slot = scope.lookup(t.name);
        if (slot !== undefined) return { type: "var", name: t.name, loc: t.loc, slot };
        const global = this.global(t.name);
        if (global) return rootRef(global, t.loc);
        return { type: "var", name: t.name, loc: t.loc, slot: scope.declare(t.name) };
      }
      case "ref": {
        const path = t.path.map((p) => this.term(p, scope));
        if (t.head.type === "var" && t.head.name !== "_" && scope.lookup(t.head.name) === undefined) {
          const global = this.global(t.head.name);
          if (global) {
            const base = rootRef(global, t.loc);
            return { type: "ref", head: base.head, path: [...base.path, ...path], loc: t.loc };
          }
        }
        return { type: "ref", head: this.term(t.head, scope), path, loc: t.loc };
      }
      case "array":
        return { type: "array", items: t.items.map((i) => this.term(i, scope)), loc: t.loc };
      case "set":
        return { type: "set", items: t.items.map((i) => this.term(i, scope)), loc: t.loc };
      case "object":
        return { type: "object", entries: t.entries.map(([k, v]) => [this.term(k, scope), this.term(v, scope)]), loc: t.loc };
      case "template":
        return { type: "template", parts: t.parts.map((p) => (typeof p === "string" ? p : this.term(p, scope))), loc: t.loc };
      case "with":
        return { type: "with", term: this.term(t.term, scope), with: t.with.map((w) => this.withModifier(w, scope)), loc: t.loc };
      case "call":
        return this.call(t, scope, false);
      case "arraycompr":
      case "setcompr": {
        const start = scope.frame.size;
        const inner = new Scope(scope.frame, scope);
        const { body, heads } = this.level(t.body, inner, [t.term]);
        return { type: t.type, term: heads[0]!, body, loc: t.loc, locals: range(start, scope.frame.size) };
      }
      case "objectcompr": {
        const start = scope.frame.size;
        const inner = new Scope(scope.frame, scope);
        const { body, heads } = this.level(t.body, inner, [t.key, t.value]);
        return { type: "objectcompr", key: heads[0]!, value: heads[1]!, body, loc: t.loc, locals: range(start, scope.frame.size) };
      }
    }
  }

  /** `expression`: the call is a whole expression, where one more argument is its output (`count(xs, n)`). */
  private call(t: CallTerm, scope: Scope, expression: boolean): Term {
    const name = t.operator.join(".");
    // the annotations of the rule being compiled are known now
    if ((name === "rego.metadata.chain" || name === "rego.metadata.rule") && t.args.length === 0) {
      const metadata = this.context.metadata;
      return jsonTerm(name === "rego.metadata.chain" ? (metadata?.chain ?? []) : (metadata?.rule ?? {}), t.loc);
    }
    const args = t.args.map((a) => this.term(a, scope));
    const target = this.functionTarget(t.operator, scope);
    if (!target) throw new CompileError(problemAt(t.loc, "rego_type_error", `undefined function ${name}`));
    const arity = target.kind === "builtin" ? this.builtins.get(target.name)?.arity : this.root.find(target.path, 1)?.functionArity;
    if (typeof arity === "number") {
      if (args.length > arity + (expression ? 1 : 0)) throw new CompileError(problemAt(t.loc, "rego_type_error", `${name}: too many arguments: want ${arity}, got ${args.length}`));
      if (args.length < arity) throw new CompileError(problemAt(t.loc, "rego_type_error", `${name}: too few arguments: want ${arity}, got ${args.length}`));
    }
    return { type: "call", operator: t.operator, args, loc: t.loc, target, ...(typeof arity === "number" ? { arity } : {}) };
  }

  /** A user function's data path or a builtin's name; undefined when the name is neither. */
  private functionTarget(operator: readonly string[], scope: Scope): CallTerm["target"] | undefined {
    const head = operator[0]!;
    let path: readonly string[] | undefined;
    if (scope.lookup(head) === undefined) {
      const global = head === "input" ? undefined : this.global(head);
      if (global && global[0] === "data") path = [...global, ...operator.slice(1)];
    }
    if (path) {
      const node = this.root.find(path.slice(1));
      if (node?.isFunction) return { kind: "function", path };
      if (!this.builtins.has(operator.join("."))) return undefined;
    }
    const name = operator.join(".");
    if (this.builtins.has(name)) return { kind: "builtin", name };
    const alias = this.context.regoVersion === "v0" ? DEPRECATED_BUILTINS.get(name) : undefined;
    if (alias && this.builtins.has(alias)) return { kind: "builtin", name: alias };
    return undefined;
  }

  private withModifier(w: WithModifier, scope: Scope): WithModifier {
    const target = this.withTarget(w.target, scope);
    if (!target) throw new CompileError(problemAt(w.loc, "rego_compile_error", "with keyword target must reference existing input, data, or a function"));
    const name = nameOf(w.value);
    let replacement: WithTarget | undefined;
    if (name && scope.lookup(name[0]!) === undefined && (target.kind === "function" || target.kind === "builtin")) {
      const fn = this.functionTarget(name, scope);
      if (fn && (fn.kind === "builtin" || this.global(name[0]!) !== undefined)) replacement = fn;
    }
    return { target: w.target, value: replacement ? w.value : this.term(w.value, scope), loc: w.loc, resolved: target, ...(replacement ? { replacement } : {}) };
  }

  private withTarget(t: Term, scope: Scope): WithTarget | undefined {
    const name = nameOf(t);
    if (!name) return undefined;
    const head = name[0]!;
    if (scope.lookup(head) !== undefined) return undefined;
    const global = this.global(head);
    if (global) {
      const path = [...global, ...name.slice(1)];
      if (path[0] === "input") return { kind: "input", path: path.slice(1) };
      const node = this.root.find(path.slice(1));
      if (node?.isFunction) return { kind: "function", path };
      return { kind: "data", path: path.slice(1) };
    }
    const builtin = name.join(".");
    if (this.builtins.has(builtin)) return { kind: "builtin", name: builtin };
    return undefined;
  }
}

/** The dotted name a var or plain reference spells (`count`, `data.lib.f`, `http.send`). */
function nameOf(t: Term): string[] | undefined {
  if (t.type === "var") return [t.name];
  if (t.type === "ref" && t.head.type === "var" && t.path.every((p) => p.type === "scalar" && typeof p.value === "string")) {
    return [t.head.name, ...t.path.map((p) => (p as { value: string }).value)];
  }
  return undefined;
}

function rootRef(path: readonly string[], loc: Location): Term & { type: "ref" } {
  return {
    type: "ref",
    head: { type: "var", name: path[0]!, loc },
    path: path.slice(1).map((p) => ({ type: "scalar", value: p, loc })),
    loc,
  };
}

function range(from: number, to: number): Set<number> {
  const s = new Set<number>();
  for (let i = from; i < to; i++) s.add(i);
  return s;
}

/** The variable names in a pattern (array/object literals, vars), excluding `_`. */
export function patternNames(t: Term): string[] {
  const names: string[] = [];
  const walk = (x: Term): void => {
    if (x.type === "var") {
      if (x.name !== "_") names.push(x.name);
    } else if (x.type === "array" || x.type === "set") x.items.forEach(walk);
    else if (x.type === "object") x.entries.forEach(([, v]) => walk(v));
  };
  walk(t);
  return names;
}

