// The variables a compiled term or expression mentions, by frame slot. A comprehension or `every` body contributes
// only its closure: the slots it reads from the enclosing body, not its own.

import type { Body, Expr, Term } from "./terms.js";

/** Every slot the term reads or binds, closures included. */
export function termVars(t: Term, out: Set<number>): Set<number> {
  switch (t.type) {
    case "scalar":
      return out;
    case "var":
      if (t.slot !== undefined) out.add(t.slot);
      return out;
    case "ref":
      termVars(t.head, out);
      for (const p of t.path) termVars(p, out);
      return out;
    case "array":
    case "set":
      for (const i of t.items) termVars(i, out);
      return out;
    case "object":
      for (const [k, v] of t.entries) {
        termVars(k, out);
        termVars(v, out);
      }
      return out;
    case "call":
      for (const a of t.args) termVars(a, out);
      return out;
    case "template":
      for (const p of t.parts) if (typeof p !== "string") termVars(p, out);
      return out;
    case "with":
      termVars(t.term, out);
      for (const w of t.with) termVars(w.value, out);
      return out;
    case "arraycompr":
    case "setcompr":
      return closure([t.term], t.body, t.locals, out);
    case "objectcompr":
      return closure([t.key, t.value], t.body, t.locals, out);
  }
}

function closure(heads: Term[], body: Body, locals: ReadonlySet<number> | undefined, out: Set<number>): Set<number> {
  const inner = new Set<number>();
  for (const h of heads) termVars(h, inner);
  for (const e of body) exprVars(e, inner);
  for (const v of inner) if (!locals?.has(v)) out.add(v);
  return out;
}

export function exprVars(e: Expr, out: Set<number>): Set<number> {
  switch (e.kind) {
    case "term":
      termVars(e.term, out);
      break;
    case "unify":
      termVars(e.left, out);
      termVars(e.right, out);
      break;
    case "not":
      exprVars(e.expr, out);
      break;
    case "some":
      break;
    case "somein":
      if (e.key) termVars(e.key, out);
      termVars(e.value, out);
      termVars(e.collection, out);
      break;
    case "every": {
      termVars(e.collection, out);
      const inner = new Set<number>();
      for (const b of e.body) exprVars(b, inner);
      const own = new Set<number>();
      if (e.key) termVars(e.key, own);
      termVars(e.value, own);
      for (const v of inner) if (!own.has(v) && !e.locals?.has(v)) out.add(v);
      break;
    }
  }
  for (const w of e.with) termVars(w.value, out);
  return out;
}

/** Slots in the path of references (`input.xs[i]`, `a[b[j]]`): iteration binds them. */
export function refPathVars(t: Term, out: Set<number>): Set<number> {
  switch (t.type) {
    case "ref":
      refPathVars(t.head, out);
      for (const p of t.path) {
        termVars(p, out);
      }
      return out;
    case "array":
    case "set":
      for (const i of t.items) refPathVars(i, out);
      return out;
    case "object":
      for (const [k, v] of t.entries) {
        refPathVars(k, out);
        refPathVars(v, out);
      }
      return out;
    case "call":
      for (const a of t.args) refPathVars(a, out);
      return out;
    case "template":
      for (const p of t.parts) if (typeof p !== "string") refPathVars(p, out);
      return out;
    case "with":
      return refPathVars(t.term, out);
    default:
      return out;
  }
}

/** Whether a term holds no variable and no reference: its value is known at compile time. */
export function isConstant(t: Term): boolean {
  switch (t.type) {
    case "scalar":
      return true;
    case "array":
    case "set":
      return t.items.every(isConstant);
    case "object":
      return t.entries.every(([k, v]) => isConstant(k) && isConstant(v));
    default:
      return false;
  }
}
