// The top-down evaluator (OPA's topdown.eval): a body is evaluated expression by expression in continuation-passing
// style. Each rule evaluation has a frame of variable slots; binding a variable sets its slot, calls the continuation
// and clears the slot again, so backtracking needs no copying. A continuation returns true to stop the search (the
// first solution of `not`, of an `every` member, of a rule whose value is a constant).
//
// Virtual documents are computed whole, once per evaluation context (cached), then navigated like base documents.

import { problemAt, RegoEvalError, RegoSyntaxError, type Location } from "../ast/errors.js";
import { moduleJSON } from "../ast/json.js";
import { parseModule } from "../ast/parser.js";
import { dataName, type CompiledProgram, type CompiledRule, type DocNode } from "../ast/tree.js";
import type { Body, CallTerm, Expr, Module, Term, WithModifier, WithTarget } from "../ast/terms.js";
import { RegoObject, RegoSet, equal, fromJSON, typeName, type Value } from "../value.js";
import { BuiltinError } from "./builtins/types.js";
import { regoString } from "./builtins/format.js";
import { isMember, iterate, lookup } from "./collections.js";
import { EvalContext, PENDING, pathKey, setPath, type Mock } from "./context.js";
import { conflict, functionResult, insertAt, mergeKey, STRUCTURAL } from "./results.js";

type Frame = (Value | undefined)[];
/** Continues after an expression; true stops the search. */
type K = () => boolean;
/** Continues with a value. */
type VK = (v: Value) => boolean;

const MAX_DEPTH = 5000;

export class Evaluator {
  /** Function nodes by the path array of a call's target (one array per call site). */
  private readonly functionNodes = new Map<readonly string[], DocNode | undefined>();
  /** For each `data` reference, the rule node it names (null: none, walk from the root). */
  private readonly rulesOfRefs = new Map<Term, { node: DocNode; depth: number } | null>();

  constructor(private readonly program: CompiledProgram) {}

  private functionNode(path: readonly string[]): DocNode | undefined {
    let node = this.functionNodes.get(path);
    if (node === undefined && !this.functionNodes.has(path)) {
      node = this.program.root.find(path, 1);
      this.functionNodes.set(path, node);
    }
    return node;
  }

  // ---- bodies and expressions

  evalBody(body: Body, i: number, frame: Frame, ctx: EvalContext, k: K): boolean {
    if (i === body.length) return k();
    const next = i + 1;
    return this.evalExpr(body[i]!, frame, ctx, next === body.length ? k : () => this.evalBody(body, next, frame, ctx, k));
  }

  /** Counts a step; every 1024 steps, checks the deadline. Returns false, to sit in expressions. */
  private tick(ctx: EvalContext, loc: Location): false {
    const shared = ctx.shared;
    if (shared.deadline !== undefined && (++shared.steps & 1023) === 0 && Date.now() > shared.deadline) {
      throw new RegoEvalError(problemAt(loc, "eval_timeout", "evaluation exceeded its time limit"));
    }
    return false;
  }

  evalExpr(e: Expr, frame: Frame, outer: EvalContext, k: K): boolean {
    this.tick(outer, e.loc);
    let ctx = outer;
    if (e.with.length > 0) {
      const child = this.withContext(e.with, frame, outer);
      if (!child) return false;
      ctx = child;
    }
    switch (e.kind) {
      case "term": {
        const t = e.term;
        if (t.type === "call") return this.evalCallExpr(t, frame, ctx, k);
        return this.evalTerm(t, frame, ctx, (v) => (v === false ? false : k()));
      }
      case "unify":
        return this.unify(e.left, e.right, frame, ctx, k);
      case "not": {
        let found = false;
        this.evalExpr(e.expr, frame, ctx, () => {
          found = true;
          return true;
        });
        return found ? false : k();
      }
      case "some":
        return k();
      case "somein":
        return this.evalTerm(e.collection, frame, ctx, (collection) =>
          iterate(collection, (key, value) => {
            this.tick(ctx, e.loc);
            return e.key ? this.unifyValue(e.key, key, frame, ctx, () => this.unifyValue(e.value, value, frame, ctx, k)) : this.unifyValue(e.value, value, frame, ctx, k);
          }),
        );
      case "every":
        return this.evalTerm(e.collection, frame, ctx, (collection) => {
          if (!(Array.isArray(collection) || collection instanceof RegoObject || collection instanceof RegoSet)) return false;
          let all = true;
          iterate(collection, (key, value) => {
            let ok = false;
            const found = (): boolean => {
              ok = true;
              return true;
            };
            const body = (): boolean => this.evalBody(e.body, 0, frame, ctx, found);
            if (e.key) this.unifyValue(e.key, key, frame, ctx, () => this.unifyValue(e.value, value, frame, ctx, body));
            else this.unifyValue(e.value, value, frame, ctx, body);
            if (!ok) all = false;
            return !ok;
          });
          return all ? k() : false;
        });
    }
  }

  // ---- with

  private withContext(withs: readonly WithModifier[], frame: Frame, ctx: EvalContext): EvalContext | undefined {
    let input = ctx.input;
    let data = ctx.data;
    const overrides = new Map(ctx.overrides ?? []);
    const mocks = new Map(ctx.mocks ?? []);
    for (const w of withs) {
      const target = w.resolved!;
      let mock: Mock | undefined;
      let value: Value | undefined;
      if (w.replacement) mock = { kind: "function", target: w.replacement };
      else {
        value = this.firstValue(w.value, frame, ctx);
        if (value === undefined) return undefined;
      }
      switch (target.kind) {
        case "input":
          input = setPath(input, target.path, value!);
          break;
        case "data": {
          // base documents are patched; virtual ones are replaced where they are computed
          data = setPath(data, target.path, value!);
          overrides.set(pathKey(target.path), { path: target.path, value: value! });
          break;
        }
        case "function":
          mocks.set(target.path.join("."), mock ?? { kind: "value", value: value! });
          break;
        case "builtin":
          mocks.set(target.name, mock ?? { kind: "value", value: value! });
          break;
      }
    }
    return new EvalContext(ctx.shared, input, data, overrides.size ? overrides : undefined, mocks.size ? mocks : undefined);
  }

  private firstValue(t: Term, frame: Frame, ctx: EvalContext): Value | undefined {
    let out: Value | undefined;
    this.evalTerm(t, frame, ctx, (v) => {
      out = v;
      return true;
    });
    return out;
  }

  // ---- calls

  private evalCallExpr(call: CallTerm, frame: Frame, ctx: EvalContext, k: K): boolean {
    const target = call.target!;
    if (target.kind === "builtin" && (target.name === "print" || target.name === "internal.print")) return this.print(call, frame, ctx, k);
    const arity = call.arity;
    if (arity !== undefined && call.args.length === arity + 1) {
      const out = call.args[arity]!;
      return this.evalArgs(call.args, arity, frame, ctx, (args) => this.invoke(call, args, ctx, (v) => this.unifyValue(out, v, frame, ctx, k)));
    }
    return this.evalArgs(call.args, call.args.length, frame, ctx, (args) => this.invoke(call, args, ctx, (v) => (v === false ? false : k())));
  }

  private print(call: CallTerm, frame: Frame, ctx: EvalContext, k: K): boolean {
    const parts = call.args.map((a) => {
      const values: Value[] = [];
      this.evalTerm(a, frame, ctx, (v) => {
        values.push(v);
        return false;
      });
      return values.length === 0 ? "<undefined>" : values.map((v) => (typeof v === "string" ? v : regoString(v))).join(" ");
    });
    ctx.shared.print?.(parts.join(" "));
    return k();
  }

  /** Evaluates the first `count` arguments; references first, plain variables last (`x == xs[x]` binds x first). */
  private evalArgs(terms: readonly Term[], count: number, frame: Frame, ctx: EvalContext, k: (args: Value[]) => boolean): boolean {
    const values = new Array<Value>(count);
    let simple = true;
    for (let i = 0; i < count; i++) {
      const v = simpleValue(terms[i]!, frame, ctx);
      if (v === NOT_SIMPLE) {
        simple = false;
        break;
      }
      if (v === UNDEFINED) return false;
      values[i] = v;
    }
    if (simple) return k(values);
    const order: number[] = [];
    for (let i = 0; i < count; i++) if (terms[i]!.type !== "var") order.push(i);
    for (let i = 0; i < count; i++) if (terms[i]!.type === "var") order.push(i);
    return this.evalArgsFrom(terms, order, 0, values, frame, ctx, k);
  }

  private evalArgsFrom(terms: readonly Term[], order: number[], j: number, values: Value[], frame: Frame, ctx: EvalContext, k: (args: Value[]) => boolean): boolean {
    if (j === order.length) return k(values.slice());
    const index = order[j]!;
    return this.evalTerm(terms[index]!, frame, ctx, (v) => {
      values[index] = v;
      return this.evalArgsFrom(terms, order, j + 1, values, frame, ctx, k);
    });
  }

  private invoke(call: CallTerm, args: Value[], ctx: EvalContext, vk: VK): boolean {
    let target: WithTarget = call.target!;
    let callCtx = ctx;
    if (ctx.mocks) {
      const key = target.kind === "builtin" ? target.name : target.path.join(".");
      const mock = ctx.mocks.get(key);
      if (mock) {
        if (mock.kind === "value") return vk(mock.value);
        target = mock.target;
        // a replacement runs without replacements (OPA: a mock does not call other mocks, nor itself)
        callCtx = new EvalContext(ctx.shared, ctx.input, ctx.data, ctx.overrides, undefined);
      }
    }
    if (target.kind === "function") {
      const node = this.functionNode(target.path);
      if (!node) return false;
      const arity = node.functionArity ?? args.length;
      const result = this.callFunction(node, args.slice(0, arity), callCtx, call.loc);
      return result === undefined ? false : vk(result);
    }
    if (target.kind !== "builtin") return false;
    return this.callBuiltin(target.name, args, callCtx, call.loc, vk);
  }

  private callBuiltin(name: string, args: Value[], ctx: EvalContext, loc: Location, vk: VK): boolean {
    switch (name) {
      case "equal":
        return vk(equal(args[0]!, args[1]!));
      case "neq":
        return vk(!equal(args[0]!, args[1]!));
      case "internal.member_2":
        return vk(isMember(args[0]!, args[1]!));
      case "rego.parse_module":
        return this.parseModule(args, ctx, loc, vk);
      case "trace":
        // a debugging note: OPA records it in the trace, which this evaluator does not keep
        return vk(true);
      case "internal.any":
      case "internal.all": {
        const c = args[0]!;
        if (!Array.isArray(c) && !(c instanceof RegoSet)) return this.builtinFailed(new BuiltinError("eval_type_error", `${name.slice(9)}: operand 1 must be one of {array, set} but got ${typeName(c)}`), ctx, loc, name);
        const items = [...(c as Iterable<Value>)];
        return vk(name === "internal.any" ? items.some((x) => x === true) : items.every((x) => x === true));
      }
      case "internal.member_3": {
        const v = lookup(args[2]!, args[0]!);
        return vk(v !== undefined && !(args[2] instanceof RegoSet) && equal(v, args[1]!));
      }
    }
    const builtin = ctx.shared.builtins.get(name);
    if (!builtin) throw new RegoEvalError(problemAt(loc, "rego_type_error", `undefined function ${name}`));
    if (builtin.unsupported) throw new RegoEvalError(problemAt(loc, "eval_builtin_error", `${name}: ${builtin.unsupported}`));
    const arity = typeof builtin.arity === "number" ? builtin.arity : args.length;
    const operands = args.length > arity ? args.slice(0, arity) : args;
    if (builtin.relation) {
      let results: Iterable<Value>;
      try {
        results = [...builtin.relation(operands, ctx.shared.builtinContext)];
      } catch (e) {
        return this.builtinFailed(e, ctx, loc, name);
      }
      for (const r of results) if (vk(r)) return true;
      return false;
    }
    let result: Value | undefined;
    try {
      result = builtin.fn!(operands, ctx.shared.builtinContext);
    } catch (e) {
      return this.builtinFailed(e, ctx, loc, name);
    }
    return result === undefined ? false : vk(result);
  }

  /** rego.parse_module(file, text): the module as OPA's AST JSON; a parse error is the builtin's error. */
  private parseModule(args: Value[], ctx: EvalContext, loc: Location, vk: VK): boolean {
    const [file, text] = args;
    if (typeof file !== "string") return this.builtinFailed(new BuiltinError("eval_type_error", `rego.parse_module: operand 1 must be string but got ${typeName(file!)}`), ctx, loc, "rego.parse_module");
    if (typeof text !== "string") return this.builtinFailed(new BuiltinError("eval_type_error", `rego.parse_module: operand 2 must be string but got ${typeName(text!)}`), ctx, loc, "rego.parse_module");
    let module: Module;
    try {
      module = parseModule(file, text, "v1");
    } catch (e) {
      if (!(e instanceof RegoSyntaxError)) throw e;
      return this.builtinFailed(new BuiltinError("eval_builtin_error", `${file}:${e.line}: rego_parse_error: ${e.message}`), ctx, loc, "rego.parse_module");
    }
    return vk(fromJSON(moduleJSON(module)));
  }

  /** A builtin's error: undefined unless strict (OPA's default); anything but a BuiltinError is always raised. */
  private builtinFailed(e: unknown, ctx: EvalContext, loc: Location, name: string): false {
    if (e instanceof BuiltinError) {
      if (ctx.shared.strict) throw new RegoEvalError(problemAt(loc, e.code, e.message));
      return false;
    }
    if (e instanceof RegoEvalError) throw e;
    throw new RegoEvalError(problemAt(loc, "eval_builtin_error", `${name}: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** A user function's single result for these arguments, or undefined. */
  private callFunction(node: DocNode, args: Value[], ctx: EvalContext, loc: Location): Value | undefined {
    const shared = ctx.shared;
    if (++shared.depth > MAX_DEPTH) throw new RegoEvalError(problemAt(loc, "eval_builtin_error", `${dataName(node.path)}: call stack too deep`));
    const found: { value: Value | undefined } = { value: undefined };
    try {
      for (const rule of node.functions) this.evalRuleChain(rule, args, ctx, (frame, branch) => this.evalTerm(branch.value!, frame, ctx, (v) => functionResult(found, v, branch.loc)));
      if (found.value === undefined && node.defaultRule) found.value = this.defaultValue(node.defaultRule, ctx);
    } finally {
      shared.depth--;
    }
    return found.value;
  }

  /** Evaluates a rule and its else branches: the first branch whose body holds gives the solutions. */
  private evalRuleChain(rule: CompiledRule, args: Value[] | undefined, ctx: EvalContext, onSolution: (frame: Frame, branch: CompiledRule) => boolean): void {
    for (let branch: CompiledRule | undefined = rule; branch; branch = branch.elseRule) {
      const frame: Frame = new Array<Value | undefined>(branch.frameSize);
      const state = { found: false };
      const b = branch;
      if (args && b.args) {
        this.unifyArgs(b.args, args, 0, frame, ctx, () =>
          this.evalBody(b.body, 0, frame, ctx, () => {
            state.found = true;
            return onSolution(frame, b);
          }),
        );
      } else {
        this.evalBody(b.body, 0, frame, ctx, () => {
          state.found = true;
          return onSolution(frame, b);
        });
      }
      if (state.found) return;
    }
  }

  private unifyArgs(params: readonly Term[], args: Value[], i: number, frame: Frame, ctx: EvalContext, k: K): boolean {
    // plain variables (the usual parameters) bind directly: the frame is fresh, so nothing needs undoing
    for (; i < params.length; i++) {
      const p = params[i]!;
      if (p.type !== "var" || frame[p.slot!] !== undefined) break;
      frame[p.slot!] = args[i]!;
    }
    if (i === params.length) return k();
    return this.unifyValue(params[i]!, args[i]!, frame, ctx, () => this.unifyArgs(params, args, i + 1, frame, ctx, k));
  }

  private defaultValue(rule: CompiledRule, ctx: EvalContext): Value | undefined {
    return this.firstValue(rule.value!, new Array<Value | undefined>(rule.frameSize), ctx);
  }

  // ---- terms

  evalTerm(t: Term, frame: Frame, ctx: EvalContext, vk: VK): boolean {
    switch (t.type) {
      case "scalar":
        return vk(t.value);
      case "var": {
        const v = frame[t.slot!];
        if (v === undefined) throw new RegoEvalError(problemAt(t.loc, "rego_unsafe_var_error", `var ${t.name} is unsafe`));
        return vk(v);
      }
      case "ref":
        return this.evalRef(t, frame, ctx, vk);
      case "array": {
        const simple = simpleValue(t, frame, ctx);
        if (simple === UNDEFINED) return false;
        if (simple !== NOT_SIMPLE) return vk(simple);
        return this.evalTerms(t.items, frame, ctx, (values) => vk(values));
      }
      case "set":
      case "object": {
        const simple = simpleValue(t, frame, ctx);
        if (simple === UNDEFINED) return false;
        if (simple !== NOT_SIMPLE) return vk(simple);
        if (t.type === "set") return this.evalTerms(t.items, frame, ctx, (values) => vk(RegoSet.of(values)));
        const flat = t.entries.flat();
        return this.evalTerms(flat, frame, ctx, (values) => {
          const o = new RegoObject();
          for (let i = 0; i < values.length; i += 2) o.set(values[i]!, values[i + 1]!);
          return vk(o);
        });
      }
      case "call":
        return this.evalArgs(t.args, t.args.length, frame, ctx, (args) => this.invoke(t, args, ctx, vk));
      case "arraycompr": {
        const out: Value[] = [];
        this.evalBody(t.body, 0, frame, ctx, () =>
          this.evalTerm(t.term, frame, ctx, (v) => {
            out.push(v);
            return false;
          }),
        );
        return vk(out);
      }
      case "setcompr": {
        const out = new RegoSet();
        this.evalBody(t.body, 0, frame, ctx, () =>
          this.evalTerm(t.term, frame, ctx, (v) => {
            out.add(v);
            return false;
          }),
        );
        return vk(out);
      }
      case "objectcompr": {
        const out = new RegoObject();
        this.evalBody(t.body, 0, frame, ctx, () =>
          this.evalTerm(t.key, frame, ctx, (key) =>
            this.evalTerm(t.value, frame, ctx, (value) => {
              const existing = out.get(key);
              if (existing !== undefined && !equal(existing, value)) throw conflict(t.loc, "object keys must be unique");
              out.set(key, value);
              return false;
            }),
          ),
        );
        return vk(out);
      }
      case "with": {
        const child = this.withContext(t.with, frame, ctx);
        return child ? this.evalTerm(t.term, frame, child, vk) : false;
      }
      case "template": {
        let text = "";
        for (const part of t.parts) {
          if (typeof part === "string") {
            text += part;
            continue;
          }
          const v = this.firstValue(part, frame, ctx);
          text += v === undefined ? "<undefined>" : typeof v === "string" ? v : regoString(v);
        }
        return vk(text);
      }
    }
  }

  private evalTerms(terms: readonly Term[], frame: Frame, ctx: EvalContext, k: (values: Value[]) => boolean): boolean {
    return this.evalTermsFrom(terms, 0, new Array<Value>(terms.length), frame, ctx, k);
  }

  private evalTermsFrom(terms: readonly Term[], i: number, values: Value[], frame: Frame, ctx: EvalContext, k: (values: Value[]) => boolean): boolean {
    if (i === terms.length) return k(values.slice());
    return this.evalTerm(terms[i]!, frame, ctx, (v) => {
      values[i] = v;
      return this.evalTermsFrom(terms, i + 1, values, frame, ctx, k);
    });
  }

  // ---- references

  private evalRef(ref: Term & { type: "ref" }, frame: Frame, ctx: EvalContext, vk: VK): boolean {
    const head = ref.head;
    if (head.type === "var") {
      if (head.slot === undefined) {
        if (head.name === "input") return ctx.input === undefined ? false : this.walkValue(ctx.input, ref.path, 0, frame, ctx, vk);
        const rule = ctx.overrides ? undefined : this.ruleOfRef(ref);
        if (rule) {
          const v = this.documentValue(rule.node, undefined, ctx);
          return v === undefined ? false : this.walkValue(v, ref.path, rule.depth, frame, ctx, vk);
        }
        return this.navigateData(this.program.root, ctx.data, ref.path, 0, frame, ctx, vk);
      }
      const v = frame[head.slot];
      if (v === undefined) throw new RegoEvalError(problemAt(head.loc, "rego_unsafe_var_error", `var ${head.name} is unsafe`));
      return this.walkValue(v, ref.path, 0, frame, ctx, vk);
    }
    return this.evalTerm(head, frame, ctx, (v) => this.walkValue(v, ref.path, 0, frame, ctx, vk));
  }

  /**
   * The rule a `data` reference names by plain names (`data.pkg.allowed[x]` → the node of `allowed`), when that node
   * holds only rules: its value does not depend on base documents, so the walk from the root can be skipped.
   */
  private ruleOfRef(ref: Term & { type: "ref" }): { node: DocNode; depth: number } | undefined {
    let found = this.rulesOfRefs.get(ref);
    if (found === undefined) {
      found = null;
      let node = this.program.root;
      for (let i = 0; i < ref.path.length; i++) {
        const p = ref.path[i]!;
        if (p.type !== "scalar" || typeof p.value !== "string") break;
        const child = node.children.get(p.value);
        if (!child) break;
        node = child;
        if (node.hasDocumentRules || node.isFunction) {
          if (node.hasDocumentRules && node.children.size === 0) found = { node, depth: i + 1 };
          break;
        }
      }
      this.rulesOfRefs.set(ref, found);
    }
    return found ?? undefined;
  }

  /** Follows `path` from position i into a value, iterating where a path term is unbound. */
  private walkValue(value: Value, path: readonly Term[], i: number, frame: Frame, ctx: EvalContext, vk: VK, baseDocument = false): boolean {
    let current: Value | undefined = value;
    for (; i < path.length; i++) {
      const p = path[i]!;
      let key: Value | undefined;
      if (p.type === "scalar") key = p.value;
      else if (p.type === "var") {
        key = frame[p.slot!];
        if (key === undefined) {
          const slot = p.slot!;
          const rest = i + 1;
          return iterate(current, (k, v) => {
            this.tick(ctx, p.loc);
            frame[slot] = k;
            const stop = this.walkValue(v, path, rest, frame, ctx, vk);
            frame[slot] = undefined;
            return stop;
          });
        }
      } else {
        const rest = i + 1;
        const from = current;
        if (hasUnbound(p, frame)) {
          return iterate(from, (k, v) => this.unifyValue(p, k, frame, ctx, () => this.walkValue(v, path, rest, frame, ctx, vk)));
        }
        return this.evalTerm(p, frame, ctx, (k) => {
          const v = lookup(from, k);
          return v === undefined ? false : this.walkValue(v, path, rest, frame, ctx, vk);
        });
      }
      const found: Value | undefined = lookup(current, key);
      // base documents have string keys: data.x[2] finds data.x["2"], as OPA's store does
      current = found === undefined && baseDocument && typeof key === "number" && current instanceof RegoObject ? current.get(String(key)) : found;
      if (current === undefined) return false;
    }
    return vk(current);
  }

  /** Follows `path` through the document tree: rules, packages and the base data at the same place. */
  private navigateData(node: DocNode, base: Value | undefined, path: readonly Term[], i: number, frame: Frame, ctx: EvalContext, vk: VK): boolean {
    if (ctx.overrides) {
      const replaced = ctx.override(node.path);
      if (replaced !== undefined) return this.walkValue(replaced, path, i, frame, ctx, vk);
    }
    if (i === path.length || node.hasDocumentRules) {
      const v = this.documentValue(node, base, ctx);
      return v === undefined ? false : this.walkValue(v, path, i, frame, ctx, vk);
    }
    if (node.isFunction) return false;
    const p = path[i]!;
    if (p.type === "scalar") return this.stepData(node, base, p.value, path, i, frame, ctx, vk);
    if (!hasUnbound(p, frame)) return this.evalTerm(p, frame, ctx, (key) => this.stepData(node, base, key, path, i, frame, ctx, vk));
    const keys = new RegoSet();
    for (const name of node.children.keys()) keys.add(name);
    if (base instanceof RegoObject) for (const k of base.sortedKeys()) keys.add(k);
    for (const key of keys) {
      if (this.unifyValue(p, key, frame, ctx, () => this.stepData(node, base, key, path, i, frame, ctx, vk))) return true;
    }
    return false;
  }

  /** One step below a node: into a child node, or into the base document when no rule lives there. */
  private stepData(node: DocNode, base: Value | undefined, key: Value, path: readonly Term[], i: number, frame: Frame, ctx: EvalContext, vk: VK): boolean {
    const child = typeof key === "string" ? node.children.get(key) : undefined;
    // base documents have string keys: data.x[2] finds data.x["2"], as OPA's store does
    const childBase = base === undefined ? undefined : (lookup(base, key) ?? (typeof key === "number" && base instanceof RegoObject ? base.get(String(key)) : undefined));
    if (child) return this.navigateData(child, childBase, path, i + 1, frame, ctx, vk);
    return childBase === undefined ? false : this.walkValue(childBase, path, i + 1, frame, ctx, vk, true);
  }

  /** The whole value of a node: its rules, the documents below it, and the base data at its path. */
  documentValue(node: DocNode, base: Value | undefined, ctx: EvalContext): Value | undefined {
    if (ctx.overrides) {
      const replaced = ctx.override(node.path);
      if (replaced !== undefined) return replaced;
    }
    const cached = ctx.documents.get(node);
    if (cached === PENDING) throw new RegoEvalError(problemAt(undefined, "rego_recursion_error", `rule ${dataName(node.path)} is recursive`));
    if (cached !== undefined || ctx.documents.has(node)) return cached;
    ctx.documents.set(node, PENDING);
    let value: Value | undefined;
    try {
      value = this.computeDocument(node, base, ctx);
    } catch (e) {
      ctx.documents.delete(node);
      throw e;
    }
    if (ctx.overrides && node.hasDocumentRules) {
      // `with data.p.x as v` where data.p is a rule: the rule's value with x replaced
      for (const { path, value: replacement } of ctx.overrides.values()) {
        if (path.length > node.path.length && node.path.every((p, i) => path[i] === p)) value = setPath(value, path.slice(node.path.length), replacement);
      }
    }
    ctx.documents.set(node, value);
    return value;
  }

  private computeDocument(node: DocNode, base: Value | undefined, ctx: EvalContext): Value | undefined {
    let value: Value | undefined;
    const hasRules = node.hasDocumentRules;
    if (node.complete.length > 0 || node.defaultRule?.kind === "complete") value = this.completeValue(node, ctx);
    else if (node.multi.length > 0) value = this.multiValue(node, ctx);
    else if (node.general.length > 0) value = this.generalValue(node, ctx);
    if (node.children.size === 0) {
      if (hasRules) return value;
      if (node.isFunction) return undefined;
      return base ?? (node.isPackage ? new RegoObject() : undefined);
    }
    if (value !== undefined && !(value instanceof RegoObject)) return value;
    const out = new RegoObject();
    STRUCTURAL.add(out);
    if (value instanceof RegoObject) for (const [k, v] of value.entries()) mergeKey(out, k, v);
    for (const [name, child] of node.children) {
      const cv = this.documentValue(child, base instanceof RegoObject ? base.get(name) : undefined, ctx);
      if (cv !== undefined) mergeKey(out, name, cv);
    }
    // base documents win over virtual ones at the same key (OPA merges them this way)
    if (base instanceof RegoObject) {
      for (const [k, v] of base.entries()) {
        const child = typeof k === "string" ? node.children.get(k) : undefined;
        // a child document was computed with this base already
        if (child && out.get(k) instanceof RegoObject && v instanceof RegoObject) continue;
        out.set(k, v);
      }
    }
    return out;
  }

  private completeValue(node: DocNode, ctx: EvalContext): Value | undefined {
    let result: Value | undefined;
    for (const rule of node.complete) {
      // another rule with the same constant value cannot change the result
      if (result !== undefined && rule.constantValue && rule.elseRule === undefined && rule.value!.type === "scalar" && rule.value!.value === result) continue;
      this.evalRuleChain(rule, undefined, ctx, (frame, branch) =>
        this.evalTerm(branch.value!, frame, ctx, (v) => {
          if (result === undefined) result = v;
          else if (!equal(result, v)) throw conflict(branch.loc, "complete rules must not produce multiple outputs");
          return branch.constantValue;
        }),
      );
    }
    if (result === undefined && node.defaultRule) result = this.defaultValue(node.defaultRule, ctx);
    return result;
  }

  private multiValue(node: DocNode, ctx: EvalContext): Value {
    const out = new RegoSet();
    for (const rule of node.multi) {
      this.evalRuleChain(rule, undefined, ctx, (frame, branch) =>
        this.evalTerm(branch.member!, frame, ctx, (v) => {
          out.add(v);
          return branch.constantValue;
        }),
      );
    }
    return out;
  }

  /** Rules whose reference goes on below the node (`p[k] := v`, `p[q].r contains s`): an object of their results. */
  private generalValue(node: DocNode, ctx: EvalContext): Value {
    const out = new RegoObject();
    for (const rule of node.general) {
      this.evalRuleChain(rule, undefined, ctx, (frame, branch) =>
        this.evalTerms(rule.suffix, frame, ctx, (keys) => {
          const leaf = rule.member ?? branch.value!;
          return this.evalTerm(leaf, frame, ctx, (v) => {
            insertAt(out, keys, v, rule.member !== undefined, branch.loc);
            return false;
          });
        }),
      );
    }
    return out;
  }

  // ---- unification

  unify(a: Term, b: Term, frame: Frame, ctx: EvalContext, k: K): boolean {
    const ua = hasUnbound(a, frame);
    const ub = hasUnbound(b, frame);
    if (!ua && !ub) {
      return this.evalTerm(a, frame, ctx, (va) => this.evalTerm(b, frame, ctx, (vb) => (equal(va, vb) ? k() : false)));
    }
    if (ua && !ub) return this.evalTerm(b, frame, ctx, (vb) => this.unifyValue(a, vb, frame, ctx, k));
    if (!ua && ub) return this.evalTerm(a, frame, ctx, (va) => this.unifyValue(b, va, frame, ctx, k));
    if (a.type === "array" && b.type === "array") {
      if (a.items.length !== b.items.length) return false;
      const step = (i: number): boolean => (i === a.items.length ? k() : this.unify(a.items[i]!, b.items[i]!, frame, ctx, () => step(i + 1)));
      return step(0);
    }
    if (a.type === "object" && b.type === "object") {
      if (a.entries.length !== b.entries.length) return false;
      const step = (i: number): boolean => {
        if (i === a.entries.length) return k();
        const [ka, va] = a.entries[i]!;
        const match = b.entries.find(([kb]) => kb.type === "scalar" && ka.type === "scalar" && kb.value === ka.value);
        if (!match) return false;
        return this.unify(va, match[1], frame, ctx, () => step(i + 1));
      };
      return step(0);
    }
    throw new RegoEvalError(problemAt(a.loc, "rego_unsafe_var_error", "unification of two unbound terms"));
  }

  private unifyItems(terms: readonly Term[], values: readonly Value[], i: number, frame: Frame, ctx: EvalContext, k: K): boolean {
    if (i === terms.length) return k();
    return this.unifyValue(terms[i]!, values[i]!, frame, ctx, () => this.unifyItems(terms, values, i + 1, frame, ctx, k));
  }

  /** Unifies a term (possibly with unbound variables) with a value. */
  unifyValue(t: Term, v: Value, frame: Frame, ctx: EvalContext, k: K): boolean {
    switch (t.type) {
      case "var": {
        const slot = t.slot!;
        const current = frame[slot];
        if (current !== undefined) return equal(current, v) ? k() : false;
        frame[slot] = v;
        const stop = k();
        frame[slot] = undefined;
        return stop;
      }
      case "scalar":
        return equal(t.value, v) ? k() : false;
      case "array": {
        if (!Array.isArray(v) || v.length !== t.items.length) return false;
        return this.unifyItems(t.items, v as readonly Value[], 0, frame, ctx, k);
      }
      case "object": {
        if (!(v instanceof RegoObject) || v.size !== t.entries.length) return false;
        const step = (i: number): boolean => {
          if (i === t.entries.length) return k();
          const [kt, vt] = t.entries[i]!;
          return this.evalTerm(kt, frame, ctx, (key) => {
            const found = v.get(key);
            return found === undefined ? false : this.unifyValue(vt, found, frame, ctx, () => step(i + 1));
          });
        };
        return step(0);
      }
      default:
        return this.evalTerm(t, frame, ctx, (tv) => (equal(tv, v) ? k() : false));
    }
  }
}

// ---- helpers

const NOT_SIMPLE: unique symbol = Symbol("not simple");
const UNDEFINED: unique symbol = Symbol("undefined");

/** A term's value without continuations, when it needs no iteration and no call: the common case, kept fast. */
function simpleValue(t: Term, frame: Frame, ctx: EvalContext): Value | typeof NOT_SIMPLE | typeof UNDEFINED {
  switch (t.type) {
    case "scalar":
      return t.value;
    case "var": {
      const v = frame[t.slot!];
      return v === undefined ? NOT_SIMPLE : v;
    }
    case "ref": {
      const head = t.head;
      let v: Value | undefined;
      if (head.type !== "var") return NOT_SIMPLE;
      if (head.slot === undefined) {
        if (head.name !== "input") return NOT_SIMPLE;
        v = ctx.input;
      } else v = frame[head.slot];
      if (v === undefined) return head.slot === undefined ? UNDEFINED : NOT_SIMPLE;
      for (const p of t.path) {
        let key: Value | undefined;
        if (p.type === "scalar") key = p.value;
        else if (p.type === "var") key = frame[p.slot!];
        if (key === undefined) return NOT_SIMPLE;
        v = lookup(v, key);
        if (v === undefined) return UNDEFINED;
      }
      return v;
    }
    case "array": {
      const out = new Array<Value>(t.items.length);
      for (let i = 0; i < t.items.length; i++) {
        const v = simpleValue(t.items[i]!, frame, ctx);
        if (v === NOT_SIMPLE || v === UNDEFINED) return v;
        out[i] = v;
      }
      return out;
    }
    case "set": {
      const out = new RegoSet();
      for (const item of t.items) {
        const v = simpleValue(item, frame, ctx);
        if (v === NOT_SIMPLE || v === UNDEFINED) return v;
        out.add(v);
      }
      return out;
    }
    case "object": {
      const out = new RegoObject();
      for (const [kt, vt] of t.entries) {
        const k = simpleValue(kt, frame, ctx);
        if (k === NOT_SIMPLE || k === UNDEFINED) return k;
        const v = simpleValue(vt, frame, ctx);
        if (v === NOT_SIMPLE || v === UNDEFINED) return v;
        out.set(k, v);
      }
      return out;
    }
    default:
      return NOT_SIMPLE;
  }
}

/** Whether a term has an unbound variable where unification could bind it (not inside references or calls). */
function hasUnbound(t: Term, frame: Frame): boolean {
  switch (t.type) {
    case "var":
      return t.slot !== undefined && frame[t.slot] === undefined;
    case "array":
    case "set":
      return t.items.some((i) => hasUnbound(i, frame));
    case "object":
      return t.entries.some(([, v]) => hasUnbound(v, frame));
    default:
      return false;
  }
}

export { EvalContext };
