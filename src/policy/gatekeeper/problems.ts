// Problems of Gatekeeper's objects as findings: policy-invalid (an error: what Gatekeeper would refuse or fail on)
// or policy-not-evaluated (a notice: what is not evaluated here), located at the value's own line when the object
// came from a manifest and a locator is given, and Rego problems at their line inside the Rego text.
import type { Finding, SourceLocation } from "../../model.js";
import { record } from "../../util/values.js";
import type { GatekeeperDocument } from "./documents.js";
import type { LocateOptions } from "./results.js";
import type { CompiledTemplate, TemplateProblem } from "./template.js";

export function nameOf(object: Record<string, unknown>): string {
  return String(record(object.metadata).name ?? "");
}

export function documentLocation(document: GatekeeperDocument, path: Array<string | number>, options: LocateOptions): SourceLocation | undefined {
  if (document.manifest && options.locate) {
    const located = options.locate(document.manifest, path);
    if (located) return located;
  }
  return document.origin && document.origin !== "builtin" ? document.origin : undefined;
}

export function policyProblem(document: GatekeeperDocument, message: string, severity: Finding["severity"], location: SourceLocation | undefined, options: LocateOptions): Finding {
  return {
    ruleId: severity === "notice" ? "policy-not-evaluated" : "policy-invalid",
    severity,
    message: `${String(document.object.kind)} ${nameOf(document.object)}: ${message}`,
    ...(location ? { location } : {}),
    ...(options.environment ? { environment: options.environment } : {}),
  };
}

/** A template problem located in the repository: Rego lines are counted from the line after `rego: |`. */
export function templateProblem(template: CompiledTemplate, problem: TemplateProblem, options: LocateOptions, prefix = ""): Finding {
  const located = documentLocation(template.document, problem.path, options);
  const inRego = problem.regoLine !== undefined;
  const location = located && inRego && located.line !== undefined && template.document.manifest && options.locate ? { file: located.file, line: located.line + problem.regoLine! } : located;
  const where = inRego ? `${problem.path.join(".")} line ${problem.regoLine}, column ${problem.regoColumn ?? 1}: ` : "";
  return policyProblem(template.document, `${prefix}${where}${problem.message}`, problem.severity, location, options);
}
