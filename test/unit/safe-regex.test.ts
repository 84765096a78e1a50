// Regular expressions from pull requests are refused when they could backtrack catastrophically (JavaScript's
// engine is not RE2's linear one), so a policy cannot hang the verifier.
import { describe, expect, it } from "vitest";
import { KyvernoContext } from "../../src/policy/kyverno/variables.ts";
import { searchJmespath } from "../../src/policy/kyverno/jmespath.ts";
import { compileCel, evaluateCel } from "../../src/policy/cel/environment.ts";
import { guardMatchesPatterns } from "../../src/policy/cel/guard-matches.ts";
import { backtrackingRisk } from "../../src/util/safe-regex.ts";

describe("backtracking risk", () => {
  it.each([
    { pattern: "(a+)+$", risky: true },
    { pattern: "(a*)*b", risky: true },
    { pattern: "(a|aa)*c", risky: true },
    { pattern: "((ab)*)+", risky: true },
    { pattern: "(\\w+\\s?)+$", risky: true },
    { pattern: "(x{2,})+", risky: true },
    { pattern: "^ghcr\\.io/.*$", risky: false },
    { pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", risky: false },
    { pattern: "(foo|bar)-[0-9]+", risky: false },
    { pattern: "^(op://|vault:|ref\\+)", risky: false },
    { pattern: "[(a+)+]", risky: false },
    { pattern: "\\(a+\\)+", risky: false },
    { pattern: "(a+)?", risky: false },
  ])("$pattern: risky=$risky", ({ pattern, risky }) => {
    expect(backtrackingRisk(pattern) !== undefined).toBe(risky);
  });

  it("a policy's regex_match with a nested quantifier is an error, not a hang", () => {
    const started = performance.now();
    expect(() => searchJmespath("regex_match('(a+)+$', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!')", {})).toThrow(/exponential time/);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(new KyvernoContext({ object: {}, operation: "CREATE" }).query("regex_match('^a+$', 'aaa')")).toBe(true);
  });

  it("a CEL matches() with a nested quantifier does not compile; a safe one does", () => {
    expect(compileCel("object.metadata.name.matches('^(a+)+$')")).toMatchObject({ ok: false, error: expect.stringMatching(/matches\(\) refused/) });
    expect(compileCel("object.metadata.name.matches('^[a-z]+$')").ok).toBe(true);
  });

  it("a CEL matches() pattern computed at run time (from params, the object) is checked before it runs: an error, not a hang", () => {
    const compiled = compileCel("object.metadata.name.matches(params.data.pattern)");
    if (!compiled.ok) throw new Error(compiled.error);
    const started = performance.now();
    const risky = evaluateCel(compiled.program, { object: { metadata: { name: "a".repeat(40) + "!" } }, params: { data: { pattern: "^(a+)+$" } } });
    expect(risky).toMatchObject({ ok: false, error: expect.stringMatching(/matches\(\) refused the pattern "\^\(a\+\)\+\$"/) });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(evaluateCel(compiled.program, { object: { metadata: { name: "web" } }, params: { data: { pattern: "^[a-z]+$" } } })).toEqual({ ok: true, value: true });
  });

  it.each([
    { name: "method call", expr: "a.matches(p)", want: "a.matches(gvGuardedRegex(p))" },
    { name: "global call: the second argument", expr: "matches(a, p + 'x')", want: "matches(a,gvGuardedRegex( p + 'x'))" },
    { name: "nested calls and parentheses", expr: "a.matches((p.matches(q) ? 'x' : 'y'))", want: "a.matches(gvGuardedRegex((p.matches(gvGuardedRegex(q)) ? 'x' : 'y')))" },
    { name: "inside a string literal: untouched", expr: "'matches(x)' == a", want: "'matches(x)' == a" },
    { name: "a name that ends in matches: untouched", expr: "nomatches(a)", want: "nomatches(a)" },
    { name: "a string with a parenthesis in the argument", expr: "a.matches(')' + p)", want: "a.matches(gvGuardedRegex(')' + p))" },
  ])("guard rewrite: $name", ({ expr, want }) => {
    expect(guardMatchesPatterns(expr)).toBe(want);
  });
});
