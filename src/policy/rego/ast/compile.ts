// The compiler (OPA's ast.Compiler, the stages this evaluator needs): rules placed in one tree of documents below
// `data`, conflicting rule kinds, references resolved (rules of the package, imports, `input`, `data`), variables
// given frame slots with Rego's scoping, bodies reordered for safety, calls bound to functions or builtins, and
// recursion refused. Everything here runs once per program; evaluation only reads the result.

import { problemAt, type Location, type RegoProblem } from "./errors.js";
import { checkRecursion } from "./recursion.js";
import { Frame, patternNames, Resolver, Scope, type ModuleContext, type RuleMetadata } from "./resolve.js";
import { reorderBody, findTermVarLoc, type ArityOf } from "./safety.js";
import type { Annotations, Body, Expr, Module, Rule, Term } from "./terms.js";
import { CompileError, dataName, DocNode, type BuiltinSignature, type CompiledProgram, type CompiledQuery, type CompiledRule, type RuleKind } from "./tree.js";
import { isConstant, refPathVars, termVars } from "./vars.js";


/** A rule's data path: its package and the plain names of its reference. */
function rulePath(m: Module, r: Rule): string[] {
  const path = [...m.packagePath];
  for (const t of r.ref) {
    if (t.type !== "scalar" || typeof t.value !== "string") break;
    path.push(t.value);
  }
  return path;
}

/** Builtins the evaluator implements itself. */
const EVALUATOR_BUILTINS: ReadonlyMap<string, BuiltinSignature> = new Map<string, BuiltinSignature>([
  ["print", { arity: "variadic" }],
  ["trace", { arity: 1 }],
  ["internal.print", { arity: 1 }],
  ["equal", { arity: 2 }],
  ["neq", { arity: 2 }],
  ["internal.member_2", { arity: 2 }],
  ["internal.member_3", { arity: 3 }],
  ["internal.any", { arity: 1 }],
  ["rego.parse_module", { arity: 2 }],
  ["internal.all", { arity: 1 }],
]);

export function compileProgram(modules: readonly Module[], builtins: ReadonlyMap<string, BuiltinSignature>): { ok: true; program: CompiledProgram } | { ok: false; problems: RegoProblem[] } {
  const allBuiltins = new Map<string, BuiltinSignature>([...builtins, ...EVALUATOR_BUILTINS]);
  const root = new DocNode([]);
  const problems: RegoProblem[] = [];
  const ruleNamesByPackage = new Map<string, Set<string>>();
  const packages: string[][] = [];
  for (const m of modules) {
    const key = m.packagePath.join(".");
    if (!ruleNamesByPackage.has(key)) {
      ruleNamesByPackage.set(key, new Set());
      packages.push([...m.packagePath]);
    }
    const names = ruleNamesByPackage.get(key)!;
    for (const r of m.rules) names.add(String((r.ref[0] as { value: unknown }).value));
    let node = root;
    for (const p of m.packagePath) node = node.child(p);
    node.isPackage = true;
  }

  const packageAnnotations = new Map<string, Annotations[]>();
  const documentAnnotations = new Map<string, Annotations[]>();
  for (const m of modules) {
    const key = m.packagePath.join(".");
    if (m.packageAnnotations) packageAnnotations.set(key, [...(packageAnnotations.get(key) ?? []), m.packageAnnotations]);
    for (const r of m.rules) {
      if (r.annotations?.scope !== "document") continue;
      const path = rulePath(m, r).join(".");
      documentAnnotations.set(path, [...(documentAnnotations.get(path) ?? []), r.annotations]);
    }
  }
  const metadataOf = (m: Module, r: Rule): RuleMetadata => {
    const path = rulePath(m, r);
    const own = r.annotations?.scope === "rule" ? r.annotations : undefined;
    const documents = documentAnnotations.get(path.join(".")) ?? [];
    const chain = [
      { path, ...(own ? { annotations: own } : {}) },
      ...documents.map((annotations) => ({ annotations, path })),
      ...(packageAnnotations.get(m.packagePath.join(".")) ?? []).map((annotations) => ({ annotations, path: m.packagePath })),
    ];
    return { chain, rule: own ?? documents[0] ?? {} };
  };

  // place every rule in the tree before compiling bodies: calls must know which paths are functions
  const placed: { rule: Rule; module: Module; node: DocNode; suffix: Term[]; kind: RuleKind; context: ModuleContext }[] = [];
  for (const m of modules) {
    const context: ModuleContext = {
      packagePath: m.packagePath,
      ruleNames: ruleNamesByPackage.get(m.packagePath.join("."))!,
      imports: importAliases(m),
      file: m.file,
      regoVersion: m.regoVersion,
    };
    for (const rule of m.rules) {
      let node = root;
      for (const p of m.packagePath) node = node.child(p);
      let i = 0;
      for (; i < rule.ref.length; i++) {
        const t = rule.ref[i]!;
        if (t.type !== "scalar" || typeof t.value !== "string") break;
        node = node.child(t.value);
      }
      const suffix = rule.ref.slice(i);
      let kind: RuleKind;
      if (rule.args) {
        if (suffix.length > 0) {
          problems.push(problemAt(rule.loc, "rego_parse_error", "function names must be plain references"));
          continue;
        }
        kind = "function";
        node.functionArity = rule.args.length;
      } else if (suffix.length > 0) kind = "general";
      else kind = rule.member ? "multi" : "complete";
      placed.push({ rule, module: m, node, suffix, kind, context: { ...context, metadata: metadataOf(m, rule) } });
    }
  }
  if (problems.length) return { ok: false, problems };

  const arityOf: ArityOf = (call) => {
    const target = call.target;
    if (!target) return undefined;
    if (target.kind === "builtin") {
      const a = allBuiltins.get(target.name)?.arity;
      return typeof a === "number" ? a : undefined;
    }
    return root.find(target.path.slice(1))?.functionArity;
  };

  for (const site of placed) {
    try {
      const compiled = compileRule(site.rule, site.node, site.suffix, site.kind, site.context, root, allBuiltins, arityOf);
      const node = site.node;
      if (compiled.isDefault) {
        if (node.defaultRule) throw new CompileError(problemAt(site.rule.loc, "rego_type_error", `multiple default rules ${dataName(node.path)} found`));
        node.defaultRule = compiled;
        if (site.kind === "function") continue;
      } else if (site.kind === "function") node.functions.push(compiled);
      else if (site.kind === "complete") node.complete.push(compiled);
      else if (site.kind === "multi") node.multi.push(compiled);
      else node.general.push(compiled);
    } catch (e) {
      if (e instanceof CompileError) problems.push(e.problem);
      else throw e;
    }
  }
  checkConflicts(root, problems);
  if (problems.length) return { ok: false, problems };
  checkRecursion(root, problems);
  if (problems.length) return { ok: false, problems };
  return { ok: true, program: { root, modules, packages, builtins: allBuiltins } };
}

function importAliases(m: Module): Map<string, readonly string[]> {
  const aliases = new Map<string, readonly string[]>();
  for (const imp of m.imports) {
    if (imp.path[0] !== "data" && imp.path[0] !== "input") continue;
    const alias = imp.alias ?? imp.path[imp.path.length - 1]!;
    aliases.set(alias, imp.path);
  }
  return aliases;
}

function checkConflicts(node: DocNode, problems: RegoProblem[]): void {
  const kinds = [node.complete.length > 0 || node.defaultRule?.kind === "complete", node.multi.length > 0, node.general.length > 0, node.functions.length > 0].filter(Boolean).length;
  if (kinds > 1) {
    const first = node.complete[0] ?? node.multi[0] ?? node.general[0] ?? node.functions[0]!;
    problems.push(problemAt(first.loc, "rego_type_error", `conflicting rules ${dataName(node.path)} found`));
  }
  if (node.functions.length > 0) {
    const arity = node.functions[0]!.args!.length;
    const all = node.defaultRule ? [...node.functions, node.defaultRule] : node.functions;
    for (const f of all) {
      if (f.args && f.args.length !== arity) problems.push(problemAt(f.loc, "rego_type_error", `conflicting rules ${dataName(node.path)} found`));
    }
  }
  for (const c of node.children.values()) checkConflicts(c, problems);
}

// ---- rules

function compileRule(original: Rule, node: DocNode, suffix: Term[], kind: RuleKind, context: ModuleContext, root: DocNode, builtins: ReadonlyMap<string, BuiltinSignature>, arityOf: ArityOf): CompiledRule {
  const rule = argumentsAsPatterns(original);
  const frame = new Frame();
  const scope = new Scope(frame);
  const resolver = new Resolver(context, root, builtins);
  // function arguments are declared: they shadow rules of the same name
  for (const a of rule.args ?? []) for (const name of patternNames(a)) scope.declare(name);
  const heads: Term[] = [...suffix, ...(rule.member ? [rule.member] : []), ...(rule.value ? [rule.value] : [])];
  const { body, heads: resolvedHeads } = resolver.level(rule.body, scope, [...(rule.args ?? []), ...heads]);
  const args = rule.args ? resolvedHeads.slice(0, rule.args.length) : undefined;
  const rest = resolvedHeads.slice(rule.args?.length ?? 0);
  const resolvedSuffix = rest.slice(0, suffix.length);
  const member = rule.member ? rest[suffix.length] : undefined;
  const value = rule.value ? rest[rest.length - 1] : undefined;

  const safe = new Set<number>();
  for (const a of args ?? []) termVars(a, safe);
  const outputHeads = [...resolvedSuffix, ...(member ? [member] : []), ...(value ? [value] : [])];
  const result = reorderBody(body, safe, arityOf, outputHeads);
  if ("unsafe" in result) throw unsafeError(frame, result.unsafe.slot, result.unsafe.loc);
  // iteration in a head (`q := xs[_]`) binds like iteration in the body
  for (const h of outputHeads) refPathVars(h, result.safe);
  for (const h of outputHeads) {
    for (const v of termVars(h, new Set())) {
      if (!result.safe.has(v)) throw unsafeError(frame, v, findTermVarLoc(h, v) ?? rule.loc);
    }
    const nested = reorderHeadClosures(h, result.safe, arityOf);
    if (nested) throw unsafeError(frame, nested.slot, nested.loc);
  }
  const elseRule = rule.elseRule
    ? compileRule({ ...rule.elseRule, ref: rule.ref, args: rule.args }, node, suffix, kind, context, root, builtins, arityOf)
    : undefined;
  return {
    kind,
    isDefault: rule.isDefault,
    node,
    suffix: resolvedSuffix,
    args,
    member,
    value,
    body,
    frameSize: frame.size,
    elseRule,
    loc: rule.loc,
    constantValue: (kind === "complete" && value !== undefined && isConstant(value)) || (kind === "multi" && member !== undefined && isConstant(member)),
  };
}

/**
 * A function argument that is no pattern (`f($"{x}")`, `f(input.y)`) becomes a variable, compared with the term in
 * the body, where its own variables can be bound first (OPA rewrites them the same way).
 */
function argumentsAsPatterns(rule: Rule): Rule {
  if (!rule.args || rule.args.every(isPattern)) return rule;
  const extra: Expr[] = [];
  const args = rule.args.map((a, i) => {
    if (isPattern(a)) return a;
    const v: Term = { type: "var", name: `__arg${i}__`, loc: a.loc };
    extra.push({ kind: "unify", left: v, right: a, assign: false, with: [], loc: a.loc });
    return v;
  });
  return { ...rule, args, body: [...rule.body, ...extra] };
}

function isPattern(t: Term): boolean {
  switch (t.type) {
    case "var":
    case "scalar":
      return true;
    case "array":
    case "set":
      return t.items.every(isPattern);
    case "object":
      return t.entries.every(([, v]) => isPattern(v));
    default:
      return false;
  }
}

/** Comprehensions in a rule's head (`p := [x | …]`) are reordered like those in a body. */
function reorderHeadClosures(t: Term, safe: ReadonlySet<number>, arityOf: ArityOf): { slot: number; loc: Location } | undefined {
  const probe: Expr = { kind: "term", term: t, with: [], loc: t.loc };
  const result = reorderBody([probe], safe, arityOf);
  return "unsafe" in result ? result.unsafe : undefined;
}

function unsafeError(frame: Frame, slot: number, loc: Location): CompileError {
  const name = frame.names[slot] ?? "?";
  return new CompileError(problemAt(loc, "rego_unsafe_var_error", `var ${name.startsWith("_") ? "_" : name} is unsafe`));
}

// ---- queries

export function compileQuery(body: Body, program: CompiledProgram): CompiledQuery {
  const frame = new Frame();
  const scope = new Scope(frame);
  const context: ModuleContext = { packagePath: [], ruleNames: new Set(), imports: new Map(), file: body[0]?.loc.file ?? "query", regoVersion: "v1" };
  const resolver = new Resolver(context, program.root, program.builtins);
  const arityOf: ArityOf = (call) => {
    const target = call.target;
    if (!target) return undefined;
    if (target.kind === "builtin") {
      const a = program.builtins.get(target.name)?.arity;
      return typeof a === "number" ? a : undefined;
    }
    return program.root.find(target.path.slice(1))?.functionArity;
  };
  const resolved = resolver.level(body, scope, []).body;
  const result = reorderBody(resolved, new Set(), arityOf);
  if ("unsafe" in result) throw unsafeError(frame, result.unsafe.slot, result.unsafe.loc);
  const resultVars: [string, number][] = [];
  const seen = new Set<string>();
  const collect = (e: Expr): void => {
    for (const v of exprVarsTop(e)) {
      const name = frame.names[v]!;
      if (name === "_" || name.startsWith("__") || seen.has(name)) continue;
      seen.add(name);
      resultVars.push([name, v]);
    }
  };
  resolved.forEach(collect);
  return { body: resolved, frameSize: frame.size, resultVars };
}

/** Top-level variables of a query expression (not those local to comprehensions). */
function exprVarsTop(e: Expr): number[] {
  const out = new Set<number>();
  const walkTerm = (t: Term): void => {
    switch (t.type) {
      case "var":
        if (t.slot !== undefined) out.add(t.slot);
        break;
      case "ref":
        walkTerm(t.head);
        t.path.forEach(walkTerm);
        break;
      case "array":
      case "set":
        t.items.forEach(walkTerm);
        break;
      case "object":
        t.entries.forEach(([k, v]) => {
          walkTerm(k);
          walkTerm(v);
        });
        break;
      case "call":
        t.args.forEach(walkTerm);
        break;
      default:
        break;
    }
  };
  switch (e.kind) {
    case "term":
      walkTerm(e.term);
      break;
    case "unify":
      walkTerm(e.left);
      walkTerm(e.right);
      break;
    case "somein":
      if (e.key) walkTerm(e.key);
      walkTerm(e.value);
      walkTerm(e.collection);
      break;
    case "some":
      e.vars.forEach(walkTerm);
      break;
    default:
      break;
  }
  return [...out];
}

