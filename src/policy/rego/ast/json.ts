// A parsed module as OPA's AST JSON (what `opa parse --format json` and rego.parse_module return): terms as
// {"type", "value"}, expressions as {"index", "terms"}, rules as {"head", "body"}. Locations are left out.

import type { Body, Expr, Module, Rule, Term, WithModifier } from "./terms.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const term = (type: string, value: Json): Json => ({ type, value });
const varTerm = (name: string): Json => term("var", name);

/** A reference from plain names: the first a var, the rest strings (`data.a.b`). */
const nameRef = (names: readonly string[]): Json[] => names.map((n, i) => (i === 0 ? varTerm(n) : term("string", n)));

export function moduleJSON(m: Module): Json {
  return {
    package: { path: nameRef(["data", ...m.packagePath]) },
    ...(m.imports.length ? { imports: m.imports.map((i) => ({ path: term("ref", nameRef(i.path)), ...(i.alias ? { alias: i.alias } : {}) })) } : {}),
    ...(m.rules.length ? { rules: m.rules.map(ruleJSON) } : {}),
  };
}

function ruleJSON(r: Rule): Json {
  const name = String((r.ref[0] as { value: unknown }).value);
  const head: Record<string, Json> = {
    name,
    ref: [varTerm(name), ...r.ref.slice(1).map(termJSON)],
  };
  if (r.args) head.args = r.args.map(termJSON);
  if (r.member) head.key = termJSON(r.member);
  if (r.value) head.value = termJSON(r.value);
  if (r.assign) head.assign = true;
  return {
    body: bodyJSON(r.body.length ? r.body : [{ kind: "term", term: { type: "scalar", value: true, loc: r.loc }, with: [], loc: r.loc }]),
    head,
    ...(r.isDefault ? { default: true } : {}),
    ...(r.elseRule ? { else: ruleJSON({ ...r.elseRule, ref: r.ref }) } : {}),
  };
}

function bodyJSON(body: Body): Json[] {
  return body.map((e, index) => exprJSON(e, index));
}

function exprJSON(e: Expr, index: number): Json {
  const withs: Record<string, Json> = e.with.length ? { with: e.with.map(withJSON) } : {};
  switch (e.kind) {
    case "term":
      return { index, terms: e.term.type === "call" ? [term("ref", nameRef(e.term.operator)), ...e.term.args.map(termJSON)] : termJSON(e.term), ...withs };
    case "unify":
      return { index, terms: [term("ref", [varTerm(e.assign ? "assign" : "eq")]), termJSON(e.left), termJSON(e.right)], ...withs };
    case "not":
      return { ...(exprJSON(e.expr, index) as Record<string, Json>), negated: true, ...withs };
    case "some":
      return { index, terms: { symbols: e.vars.map(termJSON) }, ...withs };
    case "somein": {
      const args = [...(e.key ? [termJSON(e.key)] : []), termJSON(e.value), termJSON(e.collection)];
      return { index, terms: { symbols: [term("call", [term("ref", nameRef(["internal", e.key ? "member_3" : "member_2"])), ...args])] }, ...withs };
    }
    case "every":
      return { index, terms: { ...(e.key ? { key: termJSON(e.key) } : {}), value: termJSON(e.value), domain: termJSON(e.collection), body: bodyJSON(e.body) }, ...withs };
  }
}

function withJSON(w: WithModifier): Json {
  return { target: termJSON(w.target), value: termJSON(w.value) };
}

function termJSON(t: Term): Json {
  switch (t.type) {
    case "scalar": {
      const v = t.value;
      if (v === null) return term("null", null);
      if (typeof v === "boolean") return term("boolean", v);
      if (typeof v === "string") return term("string", v);
      if (typeof v === "number") return term("number", v);
      return term("number", Number(typeof v === "bigint" ? v : v.value));
    }
    case "var":
      return varTerm(t.name);
    case "ref":
      return term("ref", [termJSON(t.head), ...t.path.map(termJSON)]);
    case "array":
      return term("array", t.items.map(termJSON));
    case "set":
      return term("set", t.items.map(termJSON));
    case "object":
      return term("object", t.entries.map(([k, v]) => [termJSON(k), termJSON(v)]));
    case "call":
      return term("call", [term("ref", nameRef(t.operator)), ...t.args.map(termJSON)]);
    case "arraycompr":
      return term("arraycomprehension", { term: termJSON(t.term), body: bodyJSON(t.body) });
    case "setcompr":
      return term("setcomprehension", { term: termJSON(t.term), body: bodyJSON(t.body) });
    case "objectcompr":
      return term("objectcomprehension", { key: termJSON(t.key), value: termJSON(t.value), body: bodyJSON(t.body) });
    case "template":
      return term("templatestring", t.parts.map((p) => (typeof p === "string" ? term("string", p) : termJSON(p))));
    case "with":
      return termJSON(t.term);
  }
}
