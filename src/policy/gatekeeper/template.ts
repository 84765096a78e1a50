// A ConstraintTemplate read and its Rego compiled, once per run: the constraint kind it defines
// (spec.crd.spec.names.kind), the Rego of its admission target (`rego` + `libs`, Rego v0 as Gatekeeper reads them,
// or `code[].engine: Rego` whose source may say `version: v1`), or else its CEL (`code[].engine:
// K8sNativeValidation`), and what keeps it from being evaluated.
import { list, record } from "../../util/values.js";
import { compileRego, type RegoProblem, type RegoProgram, type RegoVersion } from "../rego/index.js";
import { celSourceOf, compileCelSource, type CompiledCelSource } from "./cel.js";
import type { GatekeeperDocument } from "./documents.js";

export const ADMISSION_TARGET = "admission.k8s.gatekeeper.sh";

/** A problem of a template, at a path inside it and, for Rego, a line and column of that text. */
export interface TemplateProblem {
  severity: "error" | "notice";
  message: string;
  path: Array<string | number>;
  /** Line and column inside the Rego text at `path` (1-based). */
  regoLine?: number;
  regoColumn?: number;
}

export interface CompiledTemplate {
  name: string;
  /** The Constraint kind it defines. */
  kind: string;
  document: GatekeeperDocument;
  /** undefined when the template cannot be evaluated (problems say why). */
  program?: RegoProgram;
  /** The package of the template's own Rego, whose `violation` rule is evaluated. */
  packagePath: string[];
  /** The compiled K8sNativeValidation source of a template without Rego. */
  cel?: CompiledCelSource;
  /** Engines of a template that has only engines not evaluated here: its constraints' objects are skipped. */
  unevaluatedEngines: string[];
  problems: TemplateProblem[];
  /** Where each Rego text given to the compiler is in the template, by the file name it was given. */
  regoPaths: Map<string, Array<string | number>>;
}

interface RegoSourceText {
  text: string;
  path: Array<string | number>;
}

interface TemplateRego {
  rego: RegoSourceText;
  libs: RegoSourceText[];
  version: RegoVersion;
}

/** The package a module declares (its first `package` line), as path segments. */
export function packageOf(rego: string): string[] | undefined {
  const match = /^[ \t]*package[ \t]+([A-Za-z_][\w.]*)/m.exec(rego.replace(/#.*$/gm, ""));
  return match ? match[1]!.split(".") : undefined;
}

function regoOfTarget(target: Record<string, unknown>, targetPath: Array<string | number>): { found?: TemplateRego; otherEngines: string[] } {
  const otherEngines: string[] = [];
  for (const [i, raw] of list(target.code).entries()) {
    const code = record(raw);
    const source = record(code.source);
    if (code.engine === "Rego" && typeof source.rego === "string") {
      const path = [...targetPath, "code", i, "source"];
      return {
        found: {
          rego: { text: source.rego, path: [...path, "rego"] },
          libs: list(source.libs).flatMap((lib, j) => (typeof lib === "string" ? [{ text: lib, path: [...path, "libs", j] }] : [])),
          version: source.version === "v1" ? "v1" : "v0",
        },
        otherEngines,
      };
    }
    if (typeof code.engine === "string" && code.engine !== "Rego") otherEngines.push(code.engine);
  }
  if (typeof target.rego === "string" && target.rego.trim() !== "") {
    return {
      found: {
        rego: { text: target.rego, path: [...targetPath, "rego"] },
        libs: list(target.libs).flatMap((lib, j) => (typeof lib === "string" ? [{ text: lib, path: [...targetPath, "libs", j] }] : [])),
        version: "v0",
      },
      otherEngines,
    };
  }
  return { otherEngines };
}

/** Reads and compiles one template. Never throws: what is wrong is in `problems`. */
export function compileTemplate(document: GatekeeperDocument): CompiledTemplate {
  const object = document.object;
  const name = String(record(object.metadata).name ?? "");
  const kind = record(record(record(record(object.spec).crd).spec).names).kind;
  const out: CompiledTemplate = { name, kind: typeof kind === "string" ? kind : "", document, packagePath: [], unevaluatedEngines: [], problems: [], regoPaths: new Map() };
  const problem = (message: string, path: Array<string | number>, severity: TemplateProblem["severity"] = "error") => out.problems.push({ severity, message, path });
  if (!out.kind) problem("spec.crd.spec.names.kind is required: it names the constraint kind", ["spec", "crd", "spec", "names"]);
  else if (name !== out.kind.toLowerCase()) problem(`metadata.name must be the constraint kind in lower case (${out.kind.toLowerCase()})`, ["metadata", "name"]);

  const targets = list(record(object.spec).targets).map(record);
  const index = targets.findIndex((target) => target.target === ADMISSION_TARGET);
  if (index < 0) {
    problem(`spec.targets has no target ${ADMISSION_TARGET}`, ["spec", "targets"]);
    return out;
  }
  const { found, otherEngines } = regoOfTarget(targets[index]!, ["spec", "targets", index]);
  if (!found) {
    const cel = celSourceOf(targets[index]!);
    if (cel) {
      const compiled = compileCelSource(cel.source);
      if (compiled.ok) out.cel = compiled.compiled;
      else for (const message of compiled.problems) problem(message, ["spec", "targets", index, "code", cel.index, "source"]);
    } else if (otherEngines.length > 0) {
      out.unevaluatedEngines = otherEngines;
      problem(`uses ${otherEngines.join(", ")} only: not evaluated (Rego and K8sNativeValidation are)`, ["spec", "targets", index, "code"], "notice");
    } else {
      problem("has no Rego: spec.targets[].rego (or code[].engine Rego) is required", ["spec", "targets", index]);
    }
    return out;
  }
  // each text gets a name of its own, so a problem says which one it is in
  const sources = [found.rego, ...found.libs];
  const fileName = (i: number) => `${name || "template"}:${sources[i]!.path.join(".")}`;
  sources.forEach((source, i) => out.regoPaths.set(fileName(i), source.path));
  const compiled = compileRego(
    sources.map((source, i) => ({ file: fileName(i), text: source.text })),
    { regoVersion: found.version },
  );
  if (!compiled.ok) {
    for (const regoProblem of compiled.problems) out.problems.push(fromRegoProblem(regoProblem, sources, fileName));
    return out;
  }
  // the template's own package: as its text declares it, or else (a quoted path) the one with a violation rule
  const declared = packageOf(found.rego.text);
  const packagePath = declared && compiled.program.packages.some((candidate) => candidate.join(".") === declared.join(".")) ? declared : compiled.program.packages.find((candidate) => candidate[0] !== "lib" && compiled.program.rules(candidate).includes("violation"));
  if (!packagePath || !compiled.program.rules(packagePath).includes("violation")) {
    problem(`package ${(packagePath ?? declared ?? ["?"]).join(".")} has no violation rule`, found.rego.path);
    return out;
  }
  out.packagePath = [...packagePath];
  out.program = compiled.program;
  return out;
}

function fromRegoProblem(problem: RegoProblem, sources: RegoSourceText[], fileName: (i: number) => string): TemplateProblem {
  const index = sources.findIndex((_, i) => fileName(i) === problem.file);
  const source = sources[Math.max(index, 0)]!;
  return { severity: "error", message: problem.code ? `${problem.code}: ${problem.message}` : problem.message, path: source.path, regoLine: problem.line, regoColumn: problem.column };
}

/** A problem met while evaluating the template (RegoEvalError), placed in the Rego text it arose in. */
export function evaluationProblem(template: CompiledTemplate, problem: RegoProblem): TemplateProblem {
  // OPA's way of saying it: "eval_conflict_error: complete rules must not produce multiple outputs"
  const message = problem.code ? `${problem.code}: ${problem.message}` : problem.message;
  const path = template.regoPaths.get(problem.file);
  if (!path || !problem.line) return { severity: "error", message, path: [] };
  return { severity: "error", message, path, regoLine: problem.line, regoColumn: problem.column };
}

/**
 * Compiled templates by the Rego texts they are made of: the same template rendered in several environments (or
 * named in configured paths) compiles once per run.
 */
export class TemplateCache {
  private readonly compiled = new Map<string, CompiledTemplate>();

  get(document: GatekeeperDocument): CompiledTemplate {
    const key = JSON.stringify([record(document.object.metadata).name, document.object.spec]);
    const cached = this.compiled.get(key);
    if (cached) return cached.document === document ? cached : { ...cached, document };
    const template = compileTemplate(document);
    this.compiled.set(key, template);
    return template;
  }
}
