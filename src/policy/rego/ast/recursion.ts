// Recursion (OPA's rego_recursion_error): a rule that depends on itself through references and calls. Dynamic keys
// (`data[x]`) are not followed here; a cycle through one is caught while evaluating.

import { problemAt, type RegoProblem } from "./errors.js";
import type { Expr, Term } from "./terms.js";
import { dataName, type CompiledRule, type DocNode } from "./tree.js";

export function checkRecursion(root: DocNode, problems: RegoProblem[]): void {
  const edges = new Map<DocNode, Set<DocNode>>();
  const ruleNodes: DocNode[] = [];
  const visitNodes = (node: DocNode): void => {
    const rules = [...node.complete, ...node.multi, ...node.general, ...node.functions, ...(node.defaultRule ? [node.defaultRule] : [])];
    if (rules.length) {
      ruleNodes.push(node);
      const out = new Set<DocNode>();
      for (const rule of rules) {
        for (let r: CompiledRule | undefined = rule; r; r = r.elseRule) {
          for (const e of r.body) walkExprRefs(e, (t) => dependencies(root, t, out));
          for (const h of [...r.suffix, r.member, r.value, ...(r.args ?? [])]) if (h) walkTermRefs(h, (t) => dependencies(root, t, out));
        }
      }
      edges.set(node, out);
    }
    for (const c of node.children.values()) visitNodes(c);
  };
  visitNodes(root);
  const state = new Map<DocNode, 1 | 2>();
  const stack: DocNode[] = [];
  const dfs = (n: DocNode): boolean => {
    state.set(n, 1);
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      if (state.get(m) === 1) {
        const cycle = [...stack.slice(stack.indexOf(m)), m].map((x) => dataName(x.path));
        const first = m.complete[0] ?? m.multi[0] ?? m.general[0] ?? m.functions[0] ?? m.defaultRule;
        problems.push(problemAt(first?.loc, "rego_recursion_error", `rule ${dataName(m.path)} is recursive: ${cycle.join(" -> ")}`));
        return true;
      }
      if (!state.has(m) && dfs(m)) return true;
    }
    stack.pop();
    state.set(n, 2);
    return false;
  };
  for (const n of ruleNodes) if (!state.has(n) && dfs(n)) return;
}

/** The rule nodes a reference or call may read. */
function dependencies(root: DocNode, t: Term, out: Set<DocNode>): void {
  if (t.type === "call") {
    if (t.target?.kind === "function") {
      const n = root.find(t.target.path.slice(1));
      if (n) out.add(n);
    }
    return;
  }
  if (t.type !== "ref" || t.head.type !== "var" || t.head.slot !== undefined || t.head.name !== "data") return;
  let node = root;
  for (const p of t.path) {
    if (node.hasDocumentRules || node.isFunction) {
      out.add(node);
      return;
    }
    if (p.type === "scalar" && typeof p.value === "string") {
      const c = node.children.get(p.value);
      if (!c) return;
      node = c;
    } else return; // a dynamic key: a cycle through it is caught while evaluating
  }
  addSubtree(node, out);
}

function addSubtree(node: DocNode, out: Set<DocNode>): void {
  if (node.hasDocumentRules || node.isFunction) out.add(node);
  for (const c of node.children.values()) addSubtree(c, out);
}

function walkExprRefs(e: Expr, f: (t: Term) => void): void {
  switch (e.kind) {
    case "term":
      walkTermRefs(e.term, f);
      break;
    case "unify":
      walkTermRefs(e.left, f);
      walkTermRefs(e.right, f);
      break;
    case "not":
      walkExprRefs(e.expr, f);
      break;
    case "somein":
      if (e.key) walkTermRefs(e.key, f);
      walkTermRefs(e.value, f);
      walkTermRefs(e.collection, f);
      break;
    case "every":
      walkTermRefs(e.collection, f);
      e.body.forEach((b) => walkExprRefs(b, f));
      break;
    case "some":
      break;
  }
  for (const w of e.with) walkTermRefs(w.value, f);
}

function walkTermRefs(t: Term, f: (t: Term) => void): void {
  switch (t.type) {
    case "ref":
      f(t);
      walkTermRefs(t.head, f);
      t.path.forEach((p) => walkTermRefs(p, f));
      break;
    case "call":
      f(t);
      t.args.forEach((a) => walkTermRefs(a, f));
      break;
    case "array":
    case "set":
      t.items.forEach((i) => walkTermRefs(i, f));
      break;
    case "object":
      t.entries.forEach(([k, v]) => {
        walkTermRefs(k, f);
        walkTermRefs(v, f);
      });
      break;
    case "template":
      t.parts.forEach((p) => typeof p !== "string" && walkTermRefs(p, f));
      break;
    case "arraycompr":
    case "setcompr":
      walkTermRefs(t.term, f);
      t.body.forEach((e) => walkExprRefs(e, f));
      break;
    case "objectcompr":
      walkTermRefs(t.key, f);
      walkTermRefs(t.value, f);
      t.body.forEach((e) => walkExprRefs(e, f));
      break;
    default:
      break;
  }
}
