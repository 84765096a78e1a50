// Safety (OPA's compiler stage "CheckSafetyBody"): every variable must be bound by some expression before an
// expression that only reads it runs. Bodies are reordered so that binding expressions come first, as OPA does
// (`x > 1; x = input.y` works); a variable nothing can bind is a rego_unsafe_var_error.

import type { Location } from "./errors.js";
import type { Body, CallTerm, Expr, Term } from "./terms.js";
import { exprVars, refPathVars, termVars } from "./vars.js";

export interface UnsafeVar {
  readonly slot: number;
  readonly loc: Location;
}

/** The number of operands a call's function takes (not counting an output), when known. */
export type ArityOf = (call: CallTerm) => number | undefined;

/**
 * Reorders `body` in place so every expression's inputs are bound before it runs; returns the slots safe after the
 * body, or the first unsafe variable. `heads` are terms evaluated after the body (a rule's head, a comprehension's
 * term): their variables count as used elsewhere.
 */
export function reorderBody(body: Body, initiallySafe: ReadonlySet<number>, arityOf: ArityOf, heads: readonly Term[] = []): { safe: Set<number> } | { unsafe: UnsafeVar } {
  const safe = new Set(initiallySafe);
  const uses = new Map<number, number>();
  for (const e of body) for (const v of exprVars(e, new Set())) uses.set(v, (uses.get(v) ?? 0) + 1);
  for (const h of heads) for (const v of termVars(h, new Set())) uses.set(v, (uses.get(v) ?? 0) + 1);
  const shared = (v: number): boolean => (uses.get(v) ?? 0) > 1;

  const remaining = [...body];
  const ordered: Body = [];
  while (remaining.length > 0) {
    let progressed = false;
    for (let i = 0; i < remaining.length; i++) {
      const e = remaining[i]!;
      const outs = outputVars(e, safe, arityOf);
      const missing = neededVars(e, safe, outs, shared, arityOf);
      if (missing.length > 0) continue;
      const nested = reorderNested(e, safe, arityOf);
      if (nested) return { unsafe: nested };
      for (const v of outs) safe.add(v);
      ordered.push(e);
      remaining.splice(i, 1);
      i--;
      progressed = true;
    }
    if (!progressed) {
      const e = remaining[0]!;
      const outs = outputVars(e, safe, arityOf);
      const slot = neededVars(e, safe, outs, shared, arityOf)[0]!;
      return { unsafe: { slot, loc: findVarLoc(e, slot) ?? e.loc } };
    }
  }
  body.splice(0, body.length, ...ordered);
  return { safe };
}

function neededVars(e: Expr, safe: ReadonlySet<number>, outs: ReadonlySet<number>, shared: (v: number) => boolean, arityOf: ArityOf): number[] {
  let vars: Set<number>;
  if (e.kind === "not") {
    // variables only the negated expression mentions are its own (`not p[_]`); shared ones must be bound first
    const inner = exprVars(e.expr, new Set());
    const innerOuts = outputVars(e.expr, safe, arityOf);
    vars = new Set([...inner].filter((v) => shared(v) || !innerOuts.has(v)));
    for (const w of e.with) termVars(w.value, vars);
  } else vars = exprVars(e, new Set());
  return [...vars].filter((v) => !safe.has(v) && !outs.has(v));
}

/** The variables an expression binds, given those already bound. */
export function outputVars(e: Expr, safe: ReadonlySet<number>, arityOf: ArityOf): Set<number> {
  const outs = new Set<number>();
  switch (e.kind) {
    case "term": {
      refPathVars(e.term, outs);
      const t = e.term;
      if (t.type === "call") {
        const arity = arityOf(t);
        if (arity !== undefined && t.args.length === arity + 1) termVars(t.args[arity]!, outs);
      }
      break;
    }
    case "unify": {
      refPathVars(e.left, outs);
      refPathVars(e.right, outs);
      unifyOutputs(new Set([...safe, ...outs]), e.left, e.right, outs);
      break;
    }
    case "somein":
      refPathVars(e.collection, outs);
      if (e.key) termVars(e.key, outs);
      termVars(e.value, outs);
      break;
    default:
      break;
  }
  for (const v of safe) outs.delete(v);
  return outs;
}

/** OPA's ast.Unify: variables that become bound by unifying a and b, to a fixpoint. */
function unifyOutputs(safe: Set<number>, a: Term, b: Term, outs: Set<number>): void {
  const isSafe = (t: Term): boolean => {
    for (const v of termVars(t, new Set())) if (!safe.has(v)) return false;
    return true;
  };
  const markAll = (t: Term): void => {
    for (const v of termVars(t, new Set())) {
      safe.add(v);
      outs.add(v);
    }
  };
  let changed = true;
  const visit = (x: Term, y: Term): void => {
    if (x.type === "var" && x.slot !== undefined && !safe.has(x.slot)) {
      if (isSafe(y)) {
        safe.add(x.slot);
        outs.add(x.slot);
        changed = true;
      }
      return;
    }
    if (x.type === "array" && y.type === "array") {
      if (x.items.length === y.items.length) x.items.forEach((item, i) => visit(item, y.items[i]!));
      return;
    }
    if (x.type === "object" && y.type === "object") {
      for (const [kx, vx] of x.entries) {
        const match = y.entries.find(([ky]) => (ky.type === "scalar" && kx.type === "scalar" && ky.value === kx.value) || (ky.type === "var" && kx.type === "var" && ky.slot === kx.slot));
        if (match) visit(vx, match[1]);
      }
      return;
    }
    if ((x.type === "array" || x.type === "object") && y.type !== "array" && y.type !== "object" && isSafe(y)) {
      const before = safe.size;
      markAll(x);
      if (safe.size !== before) changed = true;
    }
  };
  while (changed) {
    changed = false;
    visit(a, b);
    visit(b, a);
  }
}

/** Reorders comprehension and `every` bodies inside a placed expression. */
function reorderNested(e: Expr, safe: ReadonlySet<number>, arityOf: ArityOf): UnsafeVar | undefined {
  const terms: Term[] = [];
  switch (e.kind) {
    case "term":
      terms.push(e.term);
      break;
    case "unify":
      terms.push(e.left, e.right);
      break;
    case "not":
      return reorderNested(e.expr, new Set([...safe, ...outputVars(e.expr, safe, arityOf)]), arityOf);
    case "somein":
      if (e.key) terms.push(e.key);
      terms.push(e.value, e.collection);
      break;
    case "every": {
      terms.push(e.collection);
      const inner = new Set(safe);
      if (e.key) termVars(e.key, inner);
      termVars(e.value, inner);
      const result = reorderBody(e.body, inner, arityOf);
      if ("unsafe" in result) return result.unsafe;
      break;
    }
    case "some":
      break;
  }
  for (const w of e.with) terms.push(w.value);
  for (const t of terms) {
    const problem = reorderInTerm(t, safe, arityOf);
    if (problem) return problem;
  }
  return undefined;
}

function reorderInTerm(t: Term, safe: ReadonlySet<number>, arityOf: ArityOf): UnsafeVar | undefined {
  switch (t.type) {
    case "arraycompr":
    case "setcompr":
    case "objectcompr": {
      const heads = t.type === "objectcompr" ? [t.key, t.value] : [t.term];
      const result = reorderBody(t.body, safe, arityOf, heads);
      if ("unsafe" in result) return result.unsafe;
      for (const h of heads) {
        for (const v of termVars(h, new Set())) if (!result.safe.has(v)) return { slot: v, loc: findTermVarLoc(h, v) ?? t.loc };
        const nested = reorderInTerm(h, result.safe, arityOf);
        if (nested) return nested;
      }
      return undefined;
    }
    case "ref":
      return reorderInTerm(t.head, safe, arityOf) ?? firstProblem(t.path, safe, arityOf);
    case "array":
    case "set":
      return firstProblem(t.items, safe, arityOf);
    case "object":
      return firstProblem(t.entries.flat(), safe, arityOf);
    case "call":
      return firstProblem(t.args, safe, arityOf);
    case "template":
      return firstProblem(t.parts.filter((p): p is Term => typeof p !== "string"), safe, arityOf);
    case "with":
      return reorderInTerm(t.term, safe, arityOf);
    default:
      return undefined;
  }
}

function firstProblem(terms: readonly Term[], safe: ReadonlySet<number>, arityOf: ArityOf): UnsafeVar | undefined {
  for (const t of terms) {
    const p = reorderInTerm(t, safe, arityOf);
    if (p) return p;
  }
  return undefined;
}

/** Where a slot first appears in a term, for the error message. */
export function findTermVarLoc(t: Term, slot: number): Location | undefined {
  switch (t.type) {
    case "var":
      return t.slot === slot ? t.loc : undefined;
    case "ref":
      return findTermVarLoc(t.head, slot) ?? first(t.path, slot);
    case "array":
    case "set":
      return first(t.items, slot);
    case "object":
      return first(t.entries.flat(), slot);
    case "call":
      return first(t.args, slot);
    case "template":
      return first(t.parts.filter((p): p is Term => typeof p !== "string"), slot);
    case "with":
      return findTermVarLoc(t.term, slot);
    case "arraycompr":
    case "setcompr":
      return findTermVarLoc(t.term, slot) ?? firstInBody(t.body, slot);
    case "objectcompr":
      return findTermVarLoc(t.key, slot) ?? findTermVarLoc(t.value, slot) ?? firstInBody(t.body, slot);
    default:
      return undefined;
  }
}

function first(terms: readonly Term[], slot: number): Location | undefined {
  for (const t of terms) {
    const l = findTermVarLoc(t, slot);
    if (l) return l;
  }
  return undefined;
}

function firstInBody(body: Body, slot: number): Location | undefined {
  for (const e of body) {
    const l = findVarLoc(e, slot);
    if (l) return l;
  }
  return undefined;
}

export function findVarLoc(e: Expr, slot: number): Location | undefined {
  switch (e.kind) {
    case "term":
      return findTermVarLoc(e.term, slot);
    case "unify":
      return findTermVarLoc(e.left, slot) ?? findTermVarLoc(e.right, slot);
    case "not":
      return findVarLoc(e.expr, slot);
    case "somein":
      return (e.key && findTermVarLoc(e.key, slot)) ?? findTermVarLoc(e.value, slot) ?? findTermVarLoc(e.collection, slot);
    case "every":
      return findTermVarLoc(e.collection, slot) ?? firstInBody(e.body, slot);
    case "some":
      return e.vars.find((v) => v.slot === slot)?.loc;
  }
}
