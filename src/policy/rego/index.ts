// The Rego evaluator's facade: compile modules once, evaluate documents and queries many times. Laid out as OPA is:
// `ast/` parses and compiles, `topdown/` evaluates, `topdown/builtins/` holds the builtin functions.

import { compileProgram } from "./ast/compile.js";
import type { BuiltinSignature } from "./ast/tree.js";
import { RegoSyntaxError, type RegoProblem } from "./ast/errors.js";
import { parseModule } from "./ast/parser.js";
import type { Module } from "./ast/terms.js";
import { BUILTINS } from "./topdown/builtins/index.js";
import { RegoProgram } from "./topdown/program.js";

export { type Value, fromJSON, toJSON, RegoObject, RegoSet } from "./value.js";
export { RegoEvalError, type RegoProblem } from "./ast/errors.js";
export { RegoProgram, type EvalOptions } from "./topdown/program.js";

export interface RegoSource {
  readonly file: string;
  readonly text: string;
}

export type RegoVersion = "v0" | "v1";

/**
 * Parses and compiles modules together. "auto" (the default): a module importing `rego.v1` is v1; one importing
 * `future.keywords` is v0 (v1 when it does not parse as v0); otherwise v1 is tried first and v0 when v1 fails
 * (Gatekeeper templates are v0).
 */
export function compileRego(
  sources: readonly RegoSource[],
  options: { regoVersion?: RegoVersion | "auto" } = {},
): { ok: true; program: RegoProgram } | { ok: false; problems: RegoProblem[] } {
  const version = options.regoVersion ?? "auto";
  const modules: Module[] = [];
  const problems: RegoProblem[] = [];
  for (const source of sources) {
    const parsed = parseSource(source, version);
    if ("problem" in parsed) problems.push(parsed.problem);
    else modules.push(parsed.module);
  }
  if (problems.length) return { ok: false, problems };
  const signatures = new Map<string, BuiltinSignature>([...BUILTINS].map(([name, b]) => [name, { arity: b.arity }]));
  const compiled = compileProgram(modules, signatures);
  if (!compiled.ok) return compiled;
  return { ok: true, program: new RegoProgram(compiled.program) };
}

function parseSource(source: RegoSource, version: RegoVersion | "auto"): { module: Module } | { problem: RegoProblem } {
  const attempt = (v: RegoVersion): { module: Module } | { error: RegoSyntaxError } => {
    try {
      return { module: parseModule(source.file, source.text, v) };
    } catch (e) {
      if (e instanceof RegoSyntaxError) return { error: e };
      throw e;
    }
  };
  if (version !== "auto") {
    const r = attempt(version);
    return "module" in r ? r : { problem: r.error.problem };
  }
  if (/^\s*import\s+rego\.v1\b/m.test(source.text)) {
    const v1 = attempt("v1");
    return "module" in v1 ? v1 : { problem: v1.error.problem };
  }
  // importing future.keywords only means something in v0: such a module is v0 (`deny[x] if {…}` is then a partial
  // set, where v1 would read an object)
  const order: RegoVersion[] = /^\s*import\s+future\.keywords\b/m.test(source.text) ? ["v0", "v1"] : ["v1", "v0"];
  const first = attempt(order[0]!);
  if ("module" in first) return first;
  const second = attempt(order[1]!);
  if ("module" in second) return second;
  const [v1, v0] = order[0] === "v1" ? [first, second] : [second, first];
  // report the error of the syntax that got further
  const further = v0.error.line > v1.error.line || (v0.error.line === v1.error.line && v0.error.column > v1.error.column) ? v0.error : v1.error;
  return { problem: further.problem };
}
