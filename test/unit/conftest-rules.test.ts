// conftest's conventions without evaluation: which rules are checks, what their results mean, which exceptions
// name them, and the data document built from the data files beside the policies.
import { describe, expect, it } from "vitest";
import { buildDataDocument, dataPathOf } from "../../src/policy/conftest/data.ts";
import { exceptedRules, isFailureRule, isWarningRule, messagesOf, ruleBaseName } from "../../src/policy/conftest/rules.ts";

describe("rule names", () => {
  it.each([
    { rule: "deny", failure: true, warning: false, base: "deny" },
    { rule: "violation", failure: true, warning: false, base: "violation" },
    { rule: "warn", failure: false, warning: true, base: "warn" },
    { rule: "deny_run_as_root", failure: true, warning: false, base: "run_as_root" },
    { rule: "violation_latest_tag", failure: true, warning: false, base: "latest_tag" },
    { rule: "warn_no_limits", failure: false, warning: true, base: "no_limits" },
    { rule: "deny_", failure: false, warning: false, base: "" },
    { rule: "denied", failure: false, warning: false, base: "denied" },
    { rule: "warning", failure: false, warning: false, base: "warning" },
    { rule: "exception", failure: false, warning: false, base: "exception" },
    { rule: "my_deny", failure: false, warning: false, base: "my_deny" },
  ])("$rule", ({ rule, failure, warning, base }) => {
    expect(isFailureRule(rule)).toBe(failure);
    expect(isWarningRule(rule)).toBe(warning);
    expect(ruleBaseName(rule)).toBe(base);
  });
});

describe("rule results", () => {
  it.each([
    { name: "a set of strings", value: ["b", "a"], messages: [{ msg: "b" }, { msg: "a" }], problems: 0 },
    { name: "objects with msg and metadata", value: [{ msg: "no root", details: { field: "runAsNonRoot" } }], messages: [{ msg: "no root", metadata: { details: { field: "runAsNonRoot" } } }], problems: 0 },
    { name: "an object without msg is a problem", value: [{ message: "x" }], messages: [], problems: 1 },
    { name: "undefined (no rule body held)", value: undefined, messages: [], problems: 0 },
    { name: "a boolean rule", value: true, messages: [], problems: 0 },
    { name: "an empty set", value: [], messages: [], problems: 0 },
  ])("$name", ({ value, messages, problems }) => {
    const result = messagesOf(value);
    expect(result.messages).toEqual(messages);
    expect(result.problems).toHaveLength(problems);
  });

  it("exceptions: a set of lists of rule names", () => {
    expect([...exceptedRules([["run_as_root"], ["latest_tag", "deny"]])].sort()).toEqual(["deny", "latest_tag", "run_as_root"]);
    expect(exceptedRules(undefined).size).toBe(0);
    expect(exceptedRules(["not-a-list"]).size).toBe(0);
  });
});

describe("data files", () => {
  it.each([
    { root: "policy", file: "policy/ports.yaml", path: [] },
    { root: "policy", file: "policy/k8s/net/ports.yaml", path: ["k8s", "net"] },
    { root: "policy/", file: "policy/k8s/ports.json", path: ["k8s"] },
    { root: "", file: "ports.yaml", path: [] },
    { root: "", file: "k8s/data.json", path: ["k8s"] },
    { root: "other", file: "policy/ports.yaml", path: [] },
  ])("$file under $root → data.$path", ({ root, file, path }) => {
    expect(dataPathOf(root, file)).toEqual(path);
  });

  it("merges the files at their directories' paths", () => {
    const { data, problems } = buildDataDocument([
      { root: "policy", file: "policy/main.rego", text: "package main" },
      { root: "policy", file: "policy/services.yaml", text: "services:\n  ports: [22, 80]\n" },
      { root: "policy", file: "policy/k8s/registries.json", text: '{"allowed": ["ghcr.io/acme/"]}' },
      { root: "policy", file: "policy/k8s/more.yml", text: "teams: [shop]\n" },
    ]);
    expect(problems).toEqual([]);
    expect(data).toEqual({ services: { ports: [22, 80] }, k8s: { allowed: ["ghcr.io/acme/"], teams: ["shop"] } });
  });

  it.each([
    { name: "invalid JSON", files: [{ root: "p", file: "p/a.json", text: "{" }], message: /invalid JSON/, line: undefined },
    { name: "invalid YAML, with its line", files: [{ root: "p", file: "p/a.yaml", text: "a: 1\nb: [\n" }], message: /invalid YAML/, line: expect.any(Number) },
    { name: "not a map", files: [{ root: "p", file: "p/a.yaml", text: "- 1\n" }], message: /must hold an object/, line: undefined },
    { name: "two documents", files: [{ root: "p", file: "p/a.yaml", text: "a: 1\n---\nb: 2\n" }], message: /one YAML document/, line: 3 },
    {
      name: "a conflict",
      files: [
        { root: "p", file: "p/a.yaml", text: "ports: [1]\n" },
        { root: "p", file: "p/b.yaml", text: "ports: [2]\n" },
      ],
      message: /data\.ports is set by another data file too/,
      line: undefined,
    },
  ])("a problem naming the file: $name", ({ files, message, line }) => {
    const { problems } = buildDataDocument(files);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.file).toBe(files[files.length - 1]!.file);
    expect(problems[0]!.message).toMatch(message);
    expect(problems[0]!.line).toEqual(line);
  });

  it("a conflicting file leaves nothing of itself; the others are kept", () => {
    const { data } = buildDataDocument([
      { root: "p", file: "p/a.yaml", text: "x: {y: 1}\n" },
      { root: "p", file: "p/b.yaml", text: "x: {z: 2}\nw: 1\ny: {y: 3}\n" },
      { root: "p", file: "p/c.yaml", text: "q: 1\nx: {y: 5}\n" },
    ]);
    expect(data).toEqual({ x: { y: 1, z: 2 }, w: 1, y: { y: 3 } });
  });

  it("a key named __proto__ is data, not a prototype", () => {
    const { data } = buildDataDocument([{ root: "p", file: "p/a.json", text: '{"__proto__": {"polluted": true}}' }]);
    expect(Object.hasOwn(data, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
