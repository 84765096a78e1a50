// conftest's verdict on each object: for every namespace asked for (default `main`, a list, or all packages),
// every deny/violation/warn rule (and prefixed forms) is evaluated with the object as `input`; an `exception`
// naming the rule skips it. Messages become fail or warn results and findings; a rule that errors is a problem
// of that rule, the others still run.
import type { Finding, Manifest, SourceLocation } from "../../model.js";
import { fromJSON, RegoEvalError, toJSON, type Value } from "../rego/index.js";
import { ProblemList, violationFinding, type LocateOptions, type RegoEvaluation, type RegoPolicyResult } from "../gatekeeper/results.js";
import type { ConftestPolicy } from "./load.js";
import { exceptedRules, isCheckRule, isFailureRule, messagesOf, ruleBaseName } from "./rules.js";

export const DEFAULT_NAMESPACE = "main";

export interface ConftestOptions extends LocateOptions {
  /** Packages whose rules apply: names like "main" or "k8s.security", or "all" for every package. */
  namespaces?: string[] | "all";
  /** Milliseconds one rule may take on one object. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;

/** The namespaces asked for, as package paths, with their check rules (a namespace without rules has none). */
export function namespacesToCheck(policy: ConftestPolicy, asked: ConftestOptions["namespaces"]): Array<{ name: string; path: string[]; rules: string[] }> {
  const paths = asked === "all" ? policy.program.packages.map((path) => [...path]) : (asked ?? [DEFAULT_NAMESPACE]).map((name) => name.split("."));
  const seen = new Set<string>();
  const out: Array<{ name: string; path: string[]; rules: string[] }> = [];
  for (const path of paths) {
    const name = path.join(".");
    if (seen.has(name)) continue;
    seen.add(name);
    const known = policy.program.packages.some((candidate) => candidate.join(".") === name);
    out.push({ name, path, rules: known ? [...new Set(policy.program.rules(path))].filter(isCheckRule).sort() : [] });
  }
  return out;
}

/** What went wrong, and where in which policy file when the evaluator knows. */
function describe(error: unknown): { message: string; location?: SourceLocation } {
  if (error instanceof RegoEvalError) {
    const problem = error.problem;
    const message = problem.code ? `${problem.code}: ${problem.message}` : problem.message;
    if (!problem.line) return { message };
    return { message: `${problem.file}:${problem.line}: ${message}`, location: { file: problem.file, line: problem.line, ...(problem.column ? { column: problem.column } : {}) } };
  }
  return { message: `evaluator failure: ${(error as Error).message}` };
}

export function evaluateConftest(policy: ConftestPolicy, manifests: Manifest[], options: ConftestOptions = {}): RegoEvaluation {
  const results: RegoPolicyResult[] = [];
  const findings: Finding[] = [];
  const problems = new ProblemList();
  const namespaces = namespacesToCheck(policy, options.namespaces);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  for (const namespace of namespaces) {
    if (namespace.rules.length === 0 && options.namespaces !== "all") {
      problems.add({ ruleId: "policy-not-evaluated", severity: "notice", message: `conftest namespace ${namespace.name}: no package of the policies has deny, violation or warn rules`, ...(options.environment ? { environment: options.environment } : {}) });
    }
  }
  for (const manifest of manifests) {
    let input: Value | undefined;
    const evaluate = (path: string[]): Value | undefined => {
      input ??= fromJSON(manifest.object);
      return policy.program.evaluate(path, { input, data: policy.data, deadline: Date.now() + timeoutMs });
    };
    for (const namespace of namespaces) {
      if (namespace.rules.length === 0) continue;
      const result = (rule: string, kind: RegoPolicyResult["result"], message: string, details?: unknown) =>
        results.push({ engine: "conftest", manifest, policy: namespace.name, rule, result: kind, message, ...(details !== undefined ? { details } : {}) });
      const ruleProblem = (rule: string, message: string, location?: SourceLocation) =>
        problems.add({ ruleId: "policy-invalid", severity: "error", message: `conftest ${namespace.name}.${rule}: ${message}`, ...(location ? { location } : {}), ...(options.environment ? { environment: options.environment } : {}) });

      let exceptions = new Set<string>();
      try {
        exceptions = exceptedRules(toJSON(evaluate([...namespace.path, "exception"]) ?? null));
      } catch (error) {
        const { message, location } = describe(error);
        ruleProblem("exception", message, location);
      }
      for (const rule of namespace.rules) {
        if (exceptions.has(ruleBaseName(rule))) {
          result(rule, "skip", `exception for rule ${ruleBaseName(rule)}`);
          continue;
        }
        let value: Value | undefined;
        try {
          value = evaluate([...namespace.path, rule]);
        } catch (error) {
          const { message, location } = describe(error);
          result(rule, "error", message);
          ruleProblem(rule, message, location);
          continue;
        }
        const { messages, problems: shapeProblems } = messagesOf(value === undefined ? undefined : toJSON(value));
        for (const problem of shapeProblems) {
          result(rule, "error", problem);
          ruleProblem(rule, problem);
        }
        if (messages.length === 0 && shapeProblems.length === 0) result(rule, "pass", "");
        const failure = isFailureRule(rule);
        for (const message of messages) {
          result(rule, failure ? "fail" : "warn", message.msg, message.metadata);
          findings.push(violationFinding(manifest, `conftest:${namespace.name}/${rule}`, failure ? "error" : "warning", `${namespace.name}.${rule}: ${message.msg}`, options));
        }
      }
    }
  }
  return { results, findings: [...findings, ...problems.findings] };
}
