// Regular expressions from pull requests are refused when they could backtrack catastrophically (JavaScript's
// engine is not RE2's linear one), so a policy cannot hang the verifier.
import { describe, expect, it } from "vitest";
import { KyvernoContext } from "../../src/policy/kyverno/variables.ts";
import { searchJmespath } from "../../src/policy/kyverno/jmespath.ts";
import { compileCel } from "../../src/policy/cel/environment.ts";
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
});
