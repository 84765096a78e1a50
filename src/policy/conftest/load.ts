// conftest's policies compiled once per run: every .rego file of the configured directories (default `policy/`)
// with the data files beside them. A file that does not compile is a problem naming its file and line and is left
// out; the others are compiled again without it, so one bad file does not silence the rest.
import type { Finding } from "../../model.js";
import { compileRego, fromJSON, type RegoProblem, type RegoProgram, type RegoVersion, type Value } from "../rego/index.js";
import { buildDataDocument, isRegoFile, type PolicyFile } from "./data.js";

export const DEFAULT_POLICY_DIRECTORY = "policy";

export interface ConftestPolicy {
  program: RegoProgram;
  data: Value;
  /** The .rego files compiled. */
  files: string[];
}

export interface ConftestLoadOptions {
  /** conftest reads Rego v1 by default (--rego-version). */
  regoVersion?: RegoVersion | "auto";
}

function problemFinding(problem: { file: string; line?: number; column?: number; message: string; code?: string }): Finding {
  const message = problem.code ? `${problem.code}: ${problem.message}` : problem.message;
  const location = { file: problem.file, ...(problem.line ? { line: problem.line } : {}), ...(problem.column ? { column: problem.column } : {}) };
  return { ruleId: "policy-invalid", severity: "error", message: `${problem.file}${problem.line ? `:${problem.line}` : ""}: ${message}`, location };
}

/** Compiles the policy files; undefined policy when no .rego file compiles. */
export function loadConftestPolicy(files: PolicyFile[], options: ConftestLoadOptions = {}): { policy?: ConftestPolicy; findings: Finding[] } {
  const findings: Finding[] = [];
  const { data, problems } = buildDataDocument(files);
  findings.push(...problems.map(problemFinding));

  let sources = files.filter((file) => isRegoFile(file.file)).map((file) => ({ file: file.file, text: file.text }));
  while (sources.length > 0) {
    const compiled = compileRego(sources, { regoVersion: options.regoVersion ?? "v1" });
    if (compiled.ok) return { policy: { program: compiled.program, data: fromJSON(data), files: sources.map((source) => source.file) }, findings };
    findings.push(...compiled.problems.map((problem: RegoProblem) => problemFinding(problem)));
    const broken = new Set(compiled.problems.map((problem) => problem.file));
    const remaining = sources.filter((source) => !broken.has(source.file));
    // a problem that names no file of ours cannot be isolated: nothing compiles
    if (remaining.length === sources.length) break;
    sources = remaining;
  }
  return { findings };
}
