// Kyverno's ValidatingPolicy and NamespacedValidatingPolicy (policies.kyverno.io v1alpha1, v1beta1, v1): a
// ValidatingAdmissionPolicy without bindings, whose validationActions sit on the policy, evaluated as Kyverno's
// engine does (kyverno pkg/cel/policies/vpol/compiler/policy.go, pkg/cel/matching):
// - matchConstraints as the API server matches them; a NamespacedValidatingPolicy only sees its own namespace;
// - PolicyExceptions (policies.kyverno.io) naming the policy whose matchConditions all hold make the result skip;
// - matchConditions: a false one skips, errors fail or skip by failurePolicy; they cannot read `variables`;
// - validations run in order and the first one that is false (or fails to evaluate) decides; its message is
//   message, or messageExpression's value, or "CEL expression validation failed at index N";
// - `resource.get` / `resource.list` look in the objects handed in; http, globalContext and image data need a
//   cluster or the network and fail clearly;
// - evaluation mode JSON: the input object is the payload, with no request matching.
// Out of scope: autogen rules for pod controllers, image verification, audit annotations' values.
import {
  celContext,
  compileExpressions,
  evaluateMatchConditions,
  evaluateValidation,
  matchResources,
  requestAttributes,
  withVariables,
  type AdmissionInput,
  type CompiledExpressions,
  type FailurePolicy,
} from "./admission.ts";
import { KyvernoResources, compileCel, evaluateCel } from "./environment.ts";
import { matchResourcesProblems, type VapInput } from "./vap.ts";

/** The same request as a ValidatingAdmissionPolicy sees; `objects` also hold the PolicyExceptions. */
export type KyvernoPolicyInput = VapInput;

export interface KyvernoPolicyResult {
  policy: string;
  result: "pass" | "fail" | "skip" | "error";
  /** The policy's validationActions for a fail or an error; empty otherwise. */
  actions: string[];
  messages: string[];
  /** The PolicyExceptions that made the result skip. */
  exceptions?: string[];
}

const GROUP = "policies.kyverno.io";
const VERSIONS = ["v1alpha1", "v1beta1", "v1"];
const KINDS = ["ValidatingPolicy", "NamespacedValidatingPolicy"];

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** Whether an object is a Kyverno ValidatingPolicy or NamespacedValidatingPolicy. */
export function isKyvernoValidatingPolicy(object: Record<string, unknown>): boolean {
  return KINDS.includes(str(object.kind)) && VERSIONS.some((v) => object.apiVersion === `${GROUP}/${v}`);
}

interface CompiledPolicy {
  name: string;
  kind: string;
  namespace: string;
  spec: Record<string, unknown>;
  json: boolean;
  failurePolicy: FailurePolicy;
  actions: string[];
  expressions: CompiledExpressions;
  problems: string[];
}

const cache = new WeakMap<object, CompiledPolicy>();

function compile(policy: Record<string, unknown>): CompiledPolicy {
  const cached = cache.get(policy);
  if (cached) return cached;
  const spec = record(policy.spec);
  const metadata = record(policy.metadata);
  const problems: string[] = [];
  if (!isKyvernoValidatingPolicy(policy)) problems.push(`not a Kyverno ValidatingPolicy: apiVersion ${JSON.stringify(policy.apiVersion)}, kind ${JSON.stringify(policy.kind)}`);
  if (str(metadata.name) === "") problems.push("metadata.name: Required value");
  const failurePolicy = spec.failurePolicy ?? "Fail";
  if (failurePolicy !== "Fail" && failurePolicy !== "Ignore") {
    problems.push(`spec.failurePolicy: Unsupported value: ${JSON.stringify(failurePolicy)}: supported values: "Fail", "Ignore"`);
  }
  const mode = record(spec.evaluation).mode;
  const json = mode === "JSON";
  if (mode !== undefined && mode !== "Kubernetes" && mode !== "JSON") problems.push(`spec.evaluation.mode: Unsupported value: ${JSON.stringify(mode)}: supported values: "JSON", "Kubernetes"`);
  if (!json) problems.push(...matchResourcesProblems("spec.matchConstraints", spec.matchConstraints, true));
  const declared = list(spec.validationActions).map(str);
  for (const [i, action] of declared.entries()) {
    if (!["Deny", "Warn", "Audit"].includes(action)) problems.push(`spec.validationActions[${i}]: Unsupported value: ${JSON.stringify(action)}: supported values: "Audit", "Deny", "Warn"`);
  }
  if (list(spec.validations).length === 0 && list(spec.auditAnnotations).length === 0) {
    problems.push("spec.validations: Required value: validations or auditAnnotations must contain at least one item");
  }
  const expressions = compileExpressions(spec, { library: "kyverno", hasParams: false, variablesInMatchConditions: false });
  problems.push(...expressions.problems);
  const compiled: CompiledPolicy = {
    name: str(metadata.name),
    kind: str(policy.kind),
    namespace: str(metadata.namespace),
    spec,
    json,
    failurePolicy: failurePolicy === "Ignore" ? "Ignore" : "Fail",
    actions: declared.filter((a) => ["Deny", "Warn", "Audit"].includes(a)).length > 0 ? declared.filter((a) => ["Deny", "Warn", "Audit"].includes(a)) : ["Deny"],
    expressions,
    problems,
  };
  cache.set(policy, compiled);
  return compiled;
}

/** What Kyverno would refuse in the policy, or what does not compile. */
export function checkKyvernoValidatingPolicy(policy: Record<string, unknown>): string[] {
  return [...compile(policy).problems];
}

interface MatchedExceptions {
  names: string[];
  errors: string[];
  /** spec.images and spec.allowedValues of the matching exceptions: the policy reads them as `exceptions`. */
  allowedImages: string[];
  allowedValues: string[];
}

/** PolicyExceptions naming the policy whose matchConditions all hold for the request. */
function matchingExceptions(policy: CompiledPolicy, objects: Record<string, unknown>[], context: Record<string, unknown>): MatchedExceptions {
  const names: string[] = [];
  const errors: string[] = [];
  const allowedImages: string[] = [];
  const allowedValues: string[] = [];
  for (const exception of objects) {
    if (exception.kind !== "PolicyException" || !VERSIONS.some((v) => exception.apiVersion === `${GROUP}/${v}`)) continue;
    const spec = record(exception.spec);
    const refers = list(spec.policyRefs).some((ref) => str(record(ref).name) === policy.name && (record(ref).kind === undefined || record(ref).kind === policy.kind));
    if (!refers) continue;
    const name = str(record(exception.metadata).name);
    let holds = true;
    for (const [i, raw] of list(spec.matchConditions).entries()) {
      const compiled = compileCel(str(record(raw).expression), { library: "kyverno" });
      if (!compiled.ok) {
        errors.push(`PolicyException ${name}: spec.matchConditions[${i}].expression: ${compiled.error}`);
        holds = false;
        break;
      }
      const result = evaluateCel(compiled.program, context);
      if (!result.ok) {
        errors.push(`PolicyException ${name}: spec.matchConditions[${i}].expression: ${result.error}`);
        holds = false;
        break;
      }
      if (result.value !== true) {
        holds = false;
        break;
      }
    }
    if (holds) {
      names.push(name);
      allowedImages.push(...list(spec.images).map(str));
      allowedValues.push(...list(spec.allowedValues).map(str));
    }
  }
  return { names, errors, allowedImages, allowedValues };
}

/** Evaluate a Kyverno ValidatingPolicy against one object. */
export function evaluateKyvernoValidatingPolicy(policy: Record<string, unknown>, input: KyvernoPolicyInput): KyvernoPolicyResult {
  const compiled = compile(policy);
  const name = compiled.name;
  const skip = (message: string): KyvernoPolicyResult => ({ policy: name, result: "skip", actions: [], messages: [message] });
  const error = (messages: string[]): KyvernoPolicyResult => ({ policy: name, result: "error", actions: compiled.failurePolicy === "Ignore" ? [] : compiled.actions, messages });

  let context: Record<string, unknown>;
  if (compiled.json) {
    context = { object: input.object, oldObject: null, request: null, params: null, namespaceObject: null };
  } else {
    const attrs = requestAttributes(input as AdmissionInput);
    if (compiled.kind === "NamespacedValidatingPolicy" && attrs.namespace !== compiled.namespace) {
      return skip(`the policy does not apply: a NamespacedValidatingPolicy only applies in its namespace ${JSON.stringify(compiled.namespace)}`);
    }
    const matched = matchResources(compiled.spec.matchConstraints, attrs);
    if (!matched.matches) {
      if ("error" in matched) return error([`spec.matchConstraints.${matched.error}`]);
      return skip(`the policy does not apply: ${matched.reason}`);
    }
    context = celContext(attrs, null);
  }
  const blocking = compiled.expressions.problems;
  if (blocking.length > 0) return error(blocking.map((p) => `failed to compile policy: ${p}`));
  context.resource = new KyvernoResources(input.objects);

  const exceptions = matchingExceptions(compiled, input.objects, context);
  if (exceptions.errors.length > 0) return error(exceptions.errors);
  // Matching exceptions exclude the object, unless they allow images or values the policy reads.
  if (exceptions.names.length > 0 && exceptions.allowedImages.length === 0 && exceptions.allowedValues.length === 0) {
    return { policy: name, result: "skip", actions: [], messages: [`excluded by PolicyException ${exceptions.names.join(", ")}`], exceptions: exceptions.names };
  }
  context.exceptions = { allowedImages: exceptions.allowedImages, allowedValues: exceptions.allowedValues };

  const evaluation = withVariables(compiled.expressions, context);
  const conditions = evaluateMatchConditions(compiled.expressions, evaluation, compiled.failurePolicy);
  if (!conditions.matched) {
    if ("errors" in conditions) return error([`failed to evaluate match conditions: ${conditions.errors.join("; ")}`]);
    return skip(`the policy does not apply: ${conditions.reason}`);
  }
  // Kyverno stops at the first validation that is false or fails; its messages are its own.
  for (const [index, validation] of compiled.expressions.validations.entries()) {
    const outcome = evaluateValidation(validation, evaluation);
    if (outcome.kind === "admit") continue;
    if (outcome.kind === "error") return error([outcome.message]);
    let message = validation.message ?? "";
    if (validation.messageExpression) {
      const evaluated = evaluateCel(validation.messageExpression, evaluation);
      if (!evaluated.ok) message = `failed to evaluate message expression: ${evaluated.error}`;
      else if (typeof evaluated.value !== "string") message = "failed to convert message expression to string";
      else message = evaluated.value;
    }
    if (message === "") message = `CEL expression validation failed at index ${index}`;
    return { policy: name, result: "fail", actions: compiled.actions, messages: [message] };
  }
  return { policy: name, result: "pass", actions: [], messages: [] };
}
