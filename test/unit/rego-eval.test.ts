// The Rego evaluator through its facade: rule kinds, references with iteration, unification, comprehensions,
// negation, with, else, default, every, some … in, both syntaxes, and the errors OPA reports (conflicts, unsafe
// variables, recursion, unknown functions, strict builtin errors, time limits).
import { describe, expect, it } from "vitest";
import { compileRego, fromJSON, RegoEvalError, toJSON, type RegoProgram, type RegoVersion } from "../../src/policy/rego/index.ts";

function compile(modules: string[], regoVersion: RegoVersion | "auto" = "auto"): RegoProgram {
  const result = compileRego(modules.map((text, i) => ({ file: `m${i}.rego`, text })), { regoVersion });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.program;
}

/** The query's bindings as JSON rows. */
function run(modules: string[], query: string, input?: unknown, data?: unknown): unknown[] {
  const program = compile(modules);
  const options = { ...(input === undefined ? {} : { input: fromJSON(input) }), ...(data === undefined ? {} : { data: fromJSON(data) }) };
  return program.query(query, options).map((row) => Object.fromEntries([...row].map(([k, v]) => [k, toJSON(v)])));
}

type Case = [name: string, modules: string[], query: string, want: unknown[], input?: unknown, data?: unknown];

describe("evaluation", () => {
  it.each<Case>([
    ["complete rule", ["package t\np := 7 if input.x == 1"], "data.t.p = x", [{ x: 7 }], { x: 1 }],
    ["complete rule, undefined", ["package t\np := 7 if input.x == 1"], "data.t.p = x", [], { x: 2 }],
    ["default", ["package t\ndefault allow := false\nallow if input.ok"], "x := data.t.allow", [{ x: false }], {}],
    ["partial set (v1)", ["package t\ns contains x if some x in input"], "x := data.t.s", [{ x: [1, 2] }], [2, 1, 2]],
    ["partial set (v0)", ["package t\ns[x] { x := input[_] }"], "x := data.t.s", [{ x: [1, 2] }], [2, 1]],
    ["partial object", ["package t\no[k] := v if some k, v in input"], "x := data.t.o", [{ x: { a: 1 } }], { a: 1 }],
    ["function with pattern arguments and else", ["package t\nf([a, b]) := a + b if a > 0\nelse := 0"], "x := data.t.f([1, 2]); y := data.t.f([-1, 2])", [{ x: 3, y: 0 }]],
    ["reference iteration binds keys", [], "input.a[i] == 2", [{ i: 1 }], { a: [1, 2, 3] }],
    ["unification of composites", [], "[x, 1] = [2, y]", [{ x: 2, y: 1 }]],
    ["object unification", [], '{"a": x} = input', [{ x: 5 }], { a: 5 }],
    ["comprehensions", [], "a := [x | some x in [1, 2]]; s := {x | some x in [1, 1]}; o := {k: v | some k, v in [\"a\"]}", [{ a: [1, 2], s: [1], o: { "0": "a" } }]],
    ["negation", ["package t\ndeny if not input.ok"], "x := data.t.deny", [{ x: true }], {}],
    ["every", ["package t\nall_pos if every x in input { x > 0 }"], "x := data.t.all_pos", [{ x: true }], [1, 2]],
    ["every fails on one member", ["package t\nall_pos if every x in input { x > 0 }"], "x := data.t.all_pos", [], [1, -2]],
    ["with input and data", ["package t\np := input.x + data.y"], "x := data.t.p with input as {\"x\": 1} with data.y as 2", [{ x: 3 }]],
    ["with replaces part of a rule's value", ["package t\no[k] := 1 if some k in [\"a\", \"b\"]"], "x := data.t.o with data.t.o.a as 9", [{ x: { a: 9, b: 1 } }]],
    ["a literal beyond a double keeps its text and its exact value", [], 'x := sprintf("%v", [2e308]); y := 2e308 + 1; z := 2e308 > 1.7e308; t := type_name(1.5e400)', [{ x: "2e308", y: 2n * 10n ** 308n + 1n, z: true, t: "number" }]],
    ["rego.parse_module gives OPA's AST JSON", [], 'm := rego.parse_module("x.rego", "package a.b\\nallow if input.x == 1"); p := m.package.path[2].value; r := m.rules[0].head.name', [{ p: "b", r: "allow", m: { package: { path: [{ type: "var", value: "data" }, { type: "string", value: "a" }, { type: "string", value: "b" }] }, rules: [{ head: { name: "allow", ref: [{ type: "var", value: "allow" }], value: { type: "boolean", value: true } }, body: [{ index: 0, terms: [{ type: "ref", value: [{ type: "var", value: "equal" }] }, { type: "ref", value: [{ type: "var", value: "input" }, { type: "string", value: "x" }] }, { type: "number", value: 1 }] }] }] } }]],
    ["with replaces a function", ["package t\nf(x) := 1\np := f(0)"], "x := data.t.p with data.t.f as 5", [{ x: 5 }]],
    ["base and virtual documents together", ["package t\np := 1"], "x := data.t", [{ x: { p: 1, q: 2 } }], undefined, { t: { q: 2 } }],
    ["imports and package references", ["package lib\nf(x) := x * 2", "package t\nimport data.lib\np := lib.f(2)"], "x := data.t.p", [{ x: 4 }]],
    ["a comprehension before a declaration has its own variable", ["package t\np := x if {\n  y := {x | some x in [1, 2]}\n  x := count(y)\n}"], "v := data.t.p", [{ v: 2 }]],
    ["negation with its own wildcard", ["package t\nok if not input[_] == 3"], "x := data.t.ok", [{ x: true }], [1, 2]],
    ["a partial set queried by member", ["package t\ns contains x if some x in input"], "data.t.s[2]", [{}], [1, 2]],
    ["with replaces a builtin by a function", ["package t\nf(_) := 7\np := x if x := count([]) with count as f"], "x := data.t.p", [{ x: 7 }]],
    ["bodies are reordered for safety", ["package t\np := x if {\n  x > 1\n  x := input\n}"], "y := data.t.p", [{ y: 2 }], 2],
    ["ref heads", ["package t\na.b.c := 1\na.b[k] := 2 if k := \"d\""], "x := data.t.a", [{ x: { b: { c: 1, d: 2 } } }]],
    ["Gatekeeper template (v0)", ['package k\nviolation[{"msg": msg}] {\n  some i\n  c := input.review.object.spec.containers[i]\n  not c.resources.limits\n  msg := sprintf("%v has no limits", [c.name])\n}'], "x := data.k.violation", [{ x: [{ msg: "b has no limits" }] }], { review: { object: { spec: { containers: [{ name: "a", resources: { limits: {} } }, { name: "b" }] } } } }],
    ["v0 with future.keywords.in", ["package t\nimport future.keywords.in\ndeny[x] { some x in input; x > 1 }"], "x := data.t.deny", [{ x: [2] }], [1, 2]],
    ["string templates", ["package t\np := $\"{input.a}-{input.b}\""], "x := data.t.p", [{ x: "1-<undefined>" }], { a: 1 }],
    ["with inside a template", ["package t\na := input.a\np := $\"{a with input as {\"a\": 2}}\""], "x := data.t.p", [{ x: "2" }]],
    ["v0 deprecated any and re_match", ["package t\nok { any([false, re_match(\"^a\", input)]) }"], "x := data.t.ok", [{ x: true }], "abc"],
    ["print never fails", [], "print(input.missing); x := 1", [{ x: 1 }], {}],
    ["rule annotations", ["# METADATA\n# title: pkg\npackage t\n\n# METADATA\n# title: the rule\np := rego.metadata.rule()"], "x := data.t.p", [{ x: { title: "the rule", scope: "rule" } }]],
    ["else picks the first branch that holds", ["package t\np := 1 if input == 1\nelse := 2 if input == 2\nelse := 3"], "x := data.t.p", [{ x: 2 }], 2],
    ["function arguments that are no patterns", ["package t\nf(input.k) := true"], "x := data.t.f(3)", [{ x: true }], { k: 3 }],
  ])("%s", (_name, modules, query, want, input, data) => {
    expect(run(modules, query, input, data)).toEqual(want);
  });

  it("print() writes to the print option, <undefined> for an undefined operand", () => {
    const printed: string[] = [];
    compile([]).query('print("x", input.missing, {1})', { print: (message) => printed.push(message) });
    expect(printed).toEqual(["x <undefined> {1}"]);
  });

  it("evaluate() returns a document, undefined when it is undefined", () => {
    const program = compile(["package a.b\nallow if input.x\ndeny contains 1 if input.y"]);
    expect(program.packages).toEqual([["a", "b"]]);
    expect(program.rules(["a", "b"])).toEqual(["allow", "deny"]);
    expect(program.evaluate(["a", "b", "allow"], { input: fromJSON({ x: true }) })).toBe(true);
    expect(program.evaluate(["a", "b", "allow"], { input: fromJSON({}) })).toBeUndefined();
    expect(toJSON(program.evaluate(["a", "b", "deny"], { input: fromJSON({}) })!)).toEqual([]);
  });
});

describe("errors", () => {
  function evalError(modules: string[], query: string, options: { strict?: boolean; deadline?: number; input?: unknown } = {}): { code: string; message: string; line: number } {
    const program = compile(modules);
    try {
      program.query(query, { strictBuiltinErrors: options.strict ?? false, ...(options.deadline ? { deadline: options.deadline } : {}), ...(options.input === undefined ? {} : { input: fromJSON(options.input) }) });
    } catch (e) {
      if (e instanceof RegoEvalError) return { code: e.problem.code, message: e.problem.message, line: e.problem.line };
      throw e;
    }
    throw new Error("no error");
  }

  it.each<[name: string, modules: string[], query: string, code: string, message: string, strict?: boolean]>([
    ["complete rule conflict", ["package t\np := 1\np := 2"], "x := data.t.p", "eval_conflict_error", "complete rules must not produce multiple outputs"],
    ["function conflict", ["package t\nf(_) := 1\nf(_) := 2"], "x := data.t.f(1)", "eval_conflict_error", "functions must not produce multiple outputs for same inputs"],
    ["object key conflict", ["package t\no[k] := v if { k := \"a\"; v := [1, 2][_] }"], "x := data.t.o", "eval_conflict_error", "object keys must be unique"],
    ["strict builtin error", [], "x := 1 / 0", "eval_builtin_error", "div: divide by zero", true],
  ])("%s", (_name, modules, query, code, message, strict) => {
    expect(evalError(modules, query, { strict: strict ?? false })).toMatchObject({ code, message: expect.stringContaining(message) });
  });

  it("a builtin error is undefined when not strict", () => {
    expect(run([], "x := 1 / 0")).toEqual([]);
  });

  it("a deadline in the past stops with eval_timeout", () => {
    const modules = ["package t\np := count([x | some x in numbers.range(1, 100000)])"];
    expect(evalError(modules, "x := data.t.p", { deadline: Date.now() - 1 }).code).toBe("eval_timeout");
  });

  it.each<[name: string, source: string, code: string, line: number, message: string]>([
    ["unsafe variable", "package t\np if {\n  x > 1\n}", "rego_unsafe_var_error", 3, "var x is unsafe"],
    ["unsafe head variable", "package t\np[x] := 1 if true", "rego_unsafe_var_error", 2, "var x is unsafe"],
    ["recursion", "package t\np if q\nq if p", "rego_recursion_error", 2, "is recursive"],
    ["recursion through a function", "package t\nf(x) := f(x)", "rego_recursion_error", 2, "is recursive"],
    ["unsafe variable in a comprehension's head", "package t\np := [x | true]", "rego_unsafe_var_error", 2, "var x is unsafe"],
    ["unsafe variable only negated", "package t\np if {\n  not input[x]\n  x > 1\n}", "rego_unsafe_var_error", 3, "var x is unsafe"],
    ["unknown function", "package t\np := nope(1)", "rego_type_error", 2, "undefined function nope"],
    ["conflicting rule kinds", "package t\np := 1\np contains 2", "rego_type_error", 2, "conflicting rules data.t.p found"],
    ["two defaults", "package t\ndefault p := 1\ndefault p := 2", "rego_type_error", 3, "multiple default rules data.t.p found"],
    ["a variable assigned twice", "package t\np if {\n  x := 1\n  x := 2\n}", "rego_compile_error", 4, "var x assigned above"],
    ["too many arguments", "package t\np := count([], 1, 2)", "rego_type_error", 2, "count: too many arguments"],
    ["an output argument only where the call is the whole expression", "package t\np := x if x := count([1], 2)", "rego_type_error", 2, "count: too many arguments"],
    ["deprecated builtins are gone in v1", "package t\np if any([true])", "rego_type_error", 2, "undefined function any"],
  ])("compile error: %s", (_name, source, code, line, message) => {
    const result = compileRego([{ file: "e.rego", text: source }]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatchObject({ file: "e.rego", code, line, message: expect.stringContaining(message) });
  });
});
