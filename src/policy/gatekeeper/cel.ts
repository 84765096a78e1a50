// ConstraintTemplates whose only engine is CEL (`code[].engine: K8sNativeValidation`), evaluated as Gatekeeper's
// k8scel driver does: the source's matchConditions, variables and validations, as a ValidatingAdmissionPolicy's,
// with the constraint as `params` and the variables Gatekeeper provides before the template's own:
// `variables.params` (the constraint's spec.parameters) and `variables.anyObject` (the object, or the old one on
// DELETE). Every failed validation is a violation with its message.
import { celContext, compileExpressions, evaluateExpressions, requestAttributes, type CompiledExpressions, type FailurePolicy } from "../cel/admission.js";
import { list, record } from "../../util/values.js";
import type { KubeObject } from "../../model.js";

const GATEKEEPER_VARIABLES = [
  { name: "anyObject", expression: 'has(request.operation) && request.operation == "DELETE" && object == null ? oldObject : object' },
  { name: "params", expression: "!has(params.spec) ? null : !has(params.spec.parameters) ? null : params.spec.parameters" },
];

export interface CompiledCelSource {
  expressions: CompiledExpressions;
  failurePolicy: FailurePolicy;
}

/** Problems name the path inside the source (variables[1].expression: …), as the template's author counts. */
function sourcePath(problem: string): string {
  return problem.replace(/^spec\.variables\[(\d+)\]/, (_, index: string) => `variables[${Number(index) - GATEKEEPER_VARIABLES.length}]`).replace(/^spec\./, "");
}

export function compileCelSource(source: Record<string, unknown>): { ok: true; compiled: CompiledCelSource } | { ok: false; problems: string[] } {
  const failurePolicy = source.failurePolicy === "Ignore" ? "Ignore" : "Fail";
  const expressions = compileExpressions(
    { matchConditions: source.matchConditions, variables: [...GATEKEEPER_VARIABLES, ...list(source.variables)], validations: source.validations },
    { library: "kubernetes", hasParams: true },
  );
  if (expressions.problems.length > 0) return { ok: false, problems: expressions.problems.map(sourcePath) };
  if (expressions.validations.length === 0) return { ok: false, problems: ["validations: Required value"] };
  return { ok: true, compiled: { expressions, failurePolicy } };
}

export interface CelReview {
  object: KubeObject;
  oldObject?: KubeObject;
  /** The Namespace of a namespaced object (namespaceObject). */
  namespace?: KubeObject;
  constraint: KubeObject;
  userInfo?: { username?: string; uid?: string; groups?: string[] };
}

export type CelVerdict = { ok: true; violations: string[] } | { ok: false; error: string };

export function evaluateCelSource(compiled: CompiledCelSource, review: CelReview): CelVerdict {
  const attributes = requestAttributes({
    object: review.object,
    ...(review.oldObject ? { oldObject: review.oldObject } : {}),
    operation: review.oldObject ? "UPDATE" : "CREATE",
    ...(review.namespace ? { namespaceObject: review.namespace } : {}),
    ...(review.userInfo ? { userInfo: review.userInfo } : {}),
  });
  let outcome;
  try {
    outcome = evaluateExpressions(compiled.expressions, celContext(attributes, review.constraint), compiled.failurePolicy);
  } catch (error) {
    return { ok: false, error: sourcePath((error as Error).message) };
  }
  if (!outcome.matched) return { ok: true, violations: [] };
  const errors = outcome.decisions.filter((decision) => decision.kind === "error");
  if (errors.length > 0) return { ok: false, error: errors.map((decision) => sourcePath(decision.message)).join("; ") };
  return { ok: true, violations: outcome.decisions.filter((decision) => decision.kind === "deny").map((decision) => decision.message) };
}

/** The CEL source of a target's K8sNativeValidation engine, with its path in the template. */
export function celSourceOf(target: Record<string, unknown>): { source: Record<string, unknown>; index: number } | undefined {
  const index = list(target.code).findIndex((code) => record(code).engine === "K8sNativeValidation");
  return index < 0 ? undefined : { source: record(record(list(target.code)[index]).source), index };
}
