// The Rego parser: both syntaxes (v1, and v0 as Gatekeeper templates write it), the keyword imports, and parse errors
// with their line and column.
import { describe, expect, it } from "vitest";
import { RegoSyntaxError } from "../../src/policy/rego/ast/errors.ts";
import { parseModule, parseQuery, type RegoVersion } from "../../src/policy/rego/ast/parser.ts";
import type { Rule, Term } from "../../src/policy/rego/ast/terms.ts";
import { compileRego, toJSON } from "../../src/policy/rego/index.ts";

/** A rule's shape in a few words: kind, reference, and whether it has a body and else branches. */
function shape(rule: Rule): string {
  const ref = termText(rule.ref[0]!) + rule.ref.slice(1).map((p) => `[${termText(p)}]`).join("");
  const kind = rule.isDefault ? "default" : rule.args ? `function/${rule.args.length}` : rule.member ? "multi" : "single";
  let elses = 0;
  for (let e = rule.elseRule; e; e = e.elseRule) elses++;
  return `${kind} ${ref}${rule.member ? ` contains ${termText(rule.member)}` : ""}${rule.value && !rule.args && !rule.member ? ` = ${termText(rule.value)}` : ""} body:${rule.body.length}${elses ? ` else:${elses}` : ""}`;
}

function termText(t: Term): string {
  switch (t.type) {
    case "scalar":
      return JSON.stringify(t.value);
    case "var":
      return t.name;
    case "ref":
      return termText(t.head) + t.path.map((p) => `[${termText(p)}]`).join("");
    case "call":
      return `${t.operator.join(".")}(${t.args.map(termText).join(", ")})`;
    case "array":
      return `[${t.items.map(termText).join(", ")}]`;
    case "set":
      return `{${t.items.map(termText).join(", ")}}`;
    case "object":
      return `{${t.entries.map(([k, v]) => `${termText(k)}: ${termText(v)}`).join(", ")}}`;
    default:
      return t.type;
  }
}

type ShapeCase = [name: string, version: RegoVersion, source: string, shapes: string[]];

describe("rules", () => {
  it.each<ShapeCase>([
    ["v1 complete rule with if", "v1", "package p\nallow if input.x == 1", ['single "allow" = true body:1']],
    ["v1 constant", "v1", "package p\nx := 7", ['single "x" = 7 body:0']],
    ["v1 multi-value rule", "v1", "package p\ndeny contains msg if { msg := \"no\" }", ['multi "deny" contains msg body:1']],
    ["v1 ref head with a variable is an object rule", "v1", "package p\na[x] if q[x]", ['single "a"[x] = true body:1']],
    ["v1 function with else", "v1", "package p\nf(x) := 1 if x > 0\nelse := 2", ['function/1 "f" body:1 else:1']],
    ["v1 default", "v1", "package p\ndefault allow := false", ['default "allow" = false body:0']],
    ["v1 general ref head", "v1", "package p\np[q].r := 1 if q := \"a\"", ['single "p"[q]["r"] = 1 body:1']],
    ["v0 partial set", "v0", "package p\ndeny[msg] { msg := \"no\" }", ['multi "deny" contains msg body:1']],
    ["v0 Gatekeeper violation", "v0", 'package p\nviolation[{"msg": msg}] {\n  msg := "x"\n}', ['multi "violation" contains {"msg": msg} body:1']],
    ["v0 partial object", "v0", "package p\nlabels[k] = v { v := input.labels[k] }", ['single "labels"[k] = v body:1']],
    ["v0 complete rule with a body", "v0", "package p\nallow { true }", ['single "allow" = true body:1']],
    ["v0 function with = and else", "v0", "package p\nf(x) = y { y := x } else = 0 { true }", ['function/1 "f" body:1 else:1']],
    ["v0 default with =", "v0", "package p\ndefault allow = false", ['default "allow" = false body:0']],
    ["v0 with future.keywords", "v0", "package p\nimport future.keywords\ndeny contains x if { some x in input }", ['multi "deny" contains x body:1']],
    ["v0 with rego.v1", "v0", "package p\nimport rego.v1\ndeny contains x if { some x in input }", ['multi "deny" contains x body:1']],
    ["keywords after a dot are names", "v1", "package p\nfoo.if := 1\nin.bar := 2", ['single "foo"["if"] = 1 body:0', 'single "in"["bar"] = 2 body:0']],
  ])("%s", (_name, version, source, shapes) => {
    expect(parseModule("m.rego", source, version).rules.map(shape)).toEqual(shapes);
  });
});

describe("expressions", () => {
  it.each<[name: string, query: string, text: string[]]>([
    ["precedence: in loosest, then comparison, |, &, + -, * / %", "x := 1 + 2 * 3 == 7", ["unify x := equal(plus(1, mul(2, 3)), 7)"]],
    ["membership", "1 in [1, 2]", ["term internal.member_2(1, [1, 2])"]],
    ["key-value membership", '"a", 1 in {"a": 1}', ['term internal.member_3("a", 1, {"a": 1})']],
    ["refs and calls", "input.a[0].b; count(data.x[_]) > 1", ['term input["a"][0]["b"]', "term gt(count(data[\"x\"][_]), 1)"]],
    ["set() is the empty set", "x := set()", ["unify x := {}"]],
    ["negative numbers", "x := -1.5", ["unify x := -1.5"]],
    ["newlines separate expressions", "x := 1\ny := 2", ["unify x := 1", "unify y := 2"]],
    ["CRLF line ends and a byte order mark", "\uFEFFx := 1\r\ny := 2", ["unify x := 1", "unify y := 2"]],
    ["some in", "some k, v in input", ["somein"]],
    ["every", "every x in [1] { x > 0 }", ["every"]],
    ["not", "not input.x", ["not"]],
    ["with", "data.p with input as 1", ['term data["p"]']],
  ])("%s", (_name, query, text) => {
    const body = parseQuery(query);
    expect(body.map((e) => (e.kind === "term" ? `term ${termText(e.term)}` : e.kind === "unify" ? `unify ${termText(e.left)} ${e.assign ? ":=" : "="} ${termText(e.right)}` : e.kind))).toEqual(text);
  });

  it("parses comprehensions, objects, sets and template strings", () => {
    const [e] = parseQuery('x := [{"a": y} | y := {1, 2}[_]]');
    expect(e!.kind === "unify" && e!.right.type).toBe("arraycompr");
    const [t] = parseQuery('x := $"a {1 + 2} \\{b}"');
    expect(t!.kind === "unify" && t!.right.type === "template" && t!.right.parts.length).toBe(3);
  });
});

describe("parse errors name the line and column", () => {
  it.each<[name: string, version: RegoVersion, source: string, line: number, column: number, message: string]>([
    ["v1 needs if before a body", "v1", "package p\n\nallow { true }", 3, 1, "`if` keyword is required before rule body"],
    ["unterminated string", "v1", 'package p\nx := "abc', 2, 6, "non-terminated string"],
    ["missing package", "v1", "allow := true", 1, 1, "package expected"],
    ["unexpected token in a body", "v1", "package p\np if {\n  x := 1 2\n}", 3, 10, "unexpected number token"],
    ["empty body", "v1", "package p\np if {}", 2, 6, "found empty body"],
    ["default needs a value", "v1", "package p\ndefault p", 2, 1, "default rules must have a value"],
    ["contains is a plain name in v0 without the import", "v0", "package p\ndeny contains x { x := 1 }", 2, 6, "unexpected ident token"],
  ])("%s", (_name, version, source, line, column, message) => {
    let error: unknown;
    try {
      parseModule("m.rego", source, version);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RegoSyntaxError);
    const e = error as RegoSyntaxError;
    expect({ line: e.line, column: e.column }).toEqual({ line, column });
    expect(e.message).toContain(message);
  });
});

describe("version detection in compileRego", () => {
  it("auto parses a v0 module when v1 fails, and a v1 module as v1", () => {
    expect(compileRego([{ file: "a.rego", text: "package a\ndeny[msg] { msg := input.x }" }]).ok).toBe(true);
    expect(compileRego([{ file: "b.rego", text: "package b\ndeny contains msg if msg := input.x" }]).ok).toBe(true);
  });

  it("auto reads a module importing future.keywords as v0: p[x] if … is a partial set", () => {
    const result = compileRego([{ file: "e.rego", text: "package e\nimport future.keywords.if\ndeny[x] if x := 1" }]);
    expect(result.ok).toBe(true);
    if (result.ok) expect(toJSON(result.program.evaluate(["e", "deny"], {})!)).toEqual([1]);
  });

  it("a module importing rego.v1 must be v1", () => {
    const result = compileRego([{ file: "c.rego", text: "package c\nimport rego.v1\nallow { true }" }]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatchObject({ file: "c.rego", line: 3, column: 1, code: "rego_parse_error" });
  });

  it("a forced version is not second-guessed", () => {
    const result = compileRego([{ file: "d.rego", text: "package d\nallow { true }" }], { regoVersion: "v1" });
    expect(result.ok).toBe(false);
  });
});
