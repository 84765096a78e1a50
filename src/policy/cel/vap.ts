// ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1) with its ValidatingAdmissionPolicyBindings, evaluated
// against one object as the API server's validating admission policy plugin does
// (k8s.io/apiserver/pkg/admission/plugin/policy/validating: dispatcher.go, validator.go; .../policy/generic:
// CollectParams; .../policy/matching).
//
// Where a repository is not a cluster:
// - a policy with no binding in the input is evaluated as if bound with validationActions [Deny] and no
//   matchResources (what Kyverno's CLI does), so policies can be checked before their bindings exist;
// - a binding without validationActions (which the API server refuses) is read as [Deny];
// - a resource rule without operations (which the API server refuses) is read as all operations; what the API
//   server would refuse is reported by checkValidatingAdmissionPolicy, and only expressions that do not compile
//   stop an evaluation;
// - params are looked up in the objects handed in; a namespaced object without a namespace is in
//   `input.namespace` when given (as kubectl would place it);
// - failurePolicy Ignore turns evaluation and configuration errors into results "error" with no actions, rather
//   than silently admitting, so they stay visible without failing anything.
import {
  celContext,
  compileExpressions,
  evaluateExpressions,
  labelsOf,
  matchResources,
  requestAttributes,
  type AdmissionInput,
  type CompiledExpressions,
  type Decision,
  type FailurePolicy,
  type RequestAttributes,
} from "./admission.ts";
import { kindInfo, matchLabelSelector, splitApiVersion } from "./resources.ts";

/** A request as both CEL policy kinds see it, and the objects that answer params and lookups. */
export interface VapInput extends Omit<AdmissionInput, "operation" | "userInfo"> {
  operation: "CREATE" | "UPDATE" | "DELETE";
  userInfo?: { username?: string; groups?: string[] };
  /** Objects to resolve params from (paramKind + the binding's paramRef), and Kyverno's resource.get / list. */
  objects: Record<string, unknown>[];
}

export interface VapResult {
  policy: string;
  /** The binding that produced the result; absent when the policy was evaluated without one. */
  binding?: string;
  result: "pass" | "fail" | "skip" | "error";
  /** The binding's validationActions that apply (Deny, Warn, Audit); empty for pass, skip and ignored errors. */
  actions: string[];
  messages: string[];
}

const API_GROUP = "admissionregistration.k8s.io";
const VALIDATION_ACTIONS = ["Deny", "Warn", "Audit"];

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function nameOf(object: unknown): string {
  return str(record(record(object).metadata).name);
}

function selectorProblems(path: string, selector: unknown): string[] {
  if (selector === undefined || selector === null) return [];
  const result = matchLabelSelector(selector, {});
  return result.ok ? [] : [`${path}: ${result.error}`];
}

/** Problems of a MatchResources (ValidateMatchResources); resourceRules are required for a policy's matchConstraints. */
export function matchResourcesProblems(path: string, value: unknown, requireRules: boolean): string[] {
  const problems: string[] = [];
  if (value === undefined || value === null) return requireRules ? [`${path}: Required value`] : [];
  const m = record(value);
  if (m.matchPolicy !== undefined && m.matchPolicy !== "Exact" && m.matchPolicy !== "Equivalent") {
    problems.push(`${path}.matchPolicy: Unsupported value: ${JSON.stringify(m.matchPolicy)}: supported values: "Equivalent", "Exact"`);
  }
  problems.push(...selectorProblems(`${path}.namespaceSelector`, m.namespaceSelector), ...selectorProblems(`${path}.objectSelector`, m.objectSelector));
  if (requireRules && list(m.resourceRules).length === 0) problems.push(`${path}.resourceRules: Required value`);
  for (const key of ["resourceRules", "excludeResourceRules"]) {
    for (const [i, raw] of list(m[key]).entries()) {
      const rule = record(raw);
      const at = `${path}.${key}[${i}]`;
      for (const field of ["apiGroups", "apiVersions", "operations", "resources"]) {
        if (list(rule[field]).length === 0) problems.push(`${at}.${field}: Required value`);
      }
      if (rule.scope !== undefined && !["*", "Cluster", "Namespaced"].includes(str(rule.scope))) {
        problems.push(`${at}.scope: Unsupported value: ${JSON.stringify(rule.scope)}: supported values: "*", "Cluster", "Namespaced"`);
      }
    }
  }
  return problems;
}

interface CompiledPolicy {
  name: string;
  spec: Record<string, unknown>;
  failurePolicy: FailurePolicy;
  expressions: CompiledExpressions;
  /** Everything the API server would refuse. */
  problems: string[];
  /** What makes evaluation impossible: expressions that are missing or do not compile. */
  blocking: string[];
}

const compiledPolicies = new WeakMap<object, CompiledPolicy>();

function compilePolicy(policy: Record<string, unknown>): CompiledPolicy {
  const cached = compiledPolicies.get(policy);
  if (cached) return cached;
  const spec = record(policy.spec);
  const problems: string[] = [];
  const { group } = splitApiVersion(str(policy.apiVersion));
  if (group !== API_GROUP || policy.kind !== "ValidatingAdmissionPolicy") {
    problems.push(`not a ValidatingAdmissionPolicy: apiVersion ${JSON.stringify(policy.apiVersion)}, kind ${JSON.stringify(policy.kind)}`);
  }
  if (nameOf(policy) === "") problems.push("metadata.name: Required value");
  const failurePolicy = spec.failurePolicy ?? "Fail";
  if (failurePolicy !== "Fail" && failurePolicy !== "Ignore") {
    problems.push(`spec.failurePolicy: Unsupported value: ${JSON.stringify(failurePolicy)}: supported values: "Fail", "Ignore"`);
  }
  if (spec.paramKind !== undefined && spec.paramKind !== null) {
    const paramKind = record(spec.paramKind);
    if (str(paramKind.apiVersion) === "") problems.push("spec.paramKind.apiVersion: Required value");
    if (str(paramKind.kind) === "") problems.push("spec.paramKind.kind: Required value");
  }
  problems.push(...matchResourcesProblems("spec.matchConstraints", spec.matchConstraints, true));
  if (list(spec.validations).length === 0 && list(spec.auditAnnotations).length === 0) {
    problems.push("spec.validations: Required value: validations or auditAnnotations must contain at least one item");
  }
  const expressions = compileExpressions(spec, { library: "kubernetes", hasParams: spec.paramKind !== undefined && spec.paramKind !== null });
  problems.push(...expressions.problems);
  const compiled: CompiledPolicy = {
    name: nameOf(policy),
    spec,
    failurePolicy: failurePolicy === "Ignore" ? "Ignore" : "Fail",
    expressions,
    problems,
    blocking: expressions.problems,
  };
  compiledPolicies.set(policy, compiled);
  return compiled;
}

/** What the API server would refuse in the policy, or what does not compile: "spec.validations[0].expression: ...". */
export function checkValidatingAdmissionPolicy(policy: Record<string, unknown>): string[] {
  return [...compilePolicy(policy).problems];
}

/** What the API server would refuse in a binding. */
export function checkValidatingAdmissionPolicyBinding(binding: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const spec = record(binding.spec);
  if (nameOf(binding) === "") problems.push("metadata.name: Required value");
  if (str(spec.policyName) === "") problems.push("spec.policyName: Required value");
  const actions = list(spec.validationActions);
  if (actions.length === 0) problems.push("spec.validationActions: Required value");
  for (const [i, action] of actions.entries()) {
    if (!VALIDATION_ACTIONS.includes(str(action))) {
      problems.push(`spec.validationActions[${i}]: Unsupported value: ${JSON.stringify(action)}: supported values: "Audit", "Deny", "Warn"`);
    }
  }
  if (actions.includes("Deny") && actions.includes("Warn")) problems.push('spec.validationActions: Invalid value: "Deny" and "Warn" cannot be used together');
  if (spec.paramRef !== undefined && spec.paramRef !== null) {
    const paramRef = record(spec.paramRef);
    const hasName = str(paramRef.name) !== "";
    const hasSelector = paramRef.selector !== undefined && paramRef.selector !== null;
    if (hasName === hasSelector) problems.push("spec.paramRef: Invalid value: one of name or selector must be set");
    problems.push(...selectorProblems("spec.paramRef.selector", paramRef.selector));
    if (paramRef.parameterNotFoundAction !== undefined && !["Allow", "Deny"].includes(str(paramRef.parameterNotFoundAction))) {
      problems.push(`spec.paramRef.parameterNotFoundAction: Unsupported value: ${JSON.stringify(paramRef.parameterNotFoundAction)}: supported values: "Allow", "Deny"`);
    }
  }
  problems.push(...matchResourcesProblems("spec.matchResources", spec.matchResources, false));
  return problems;
}

type Params = { ok: true; params: unknown[] } | { ok: false; error: string };

/** generic.CollectParams, over the objects handed in instead of an informer. */
function collectParams(spec: Record<string, unknown>, paramRefValue: unknown, attrs: RequestAttributes, input: VapInput): Params {
  const paramKind = spec.paramKind === undefined || spec.paramKind === null ? undefined : record(spec.paramKind);
  const paramRef = paramRefValue === undefined || paramRefValue === null ? undefined : record(paramRefValue);
  if (!paramKind) return { ok: true, params: [null] };
  const kindText = `${str(paramKind.apiVersion)}, Kind=${str(paramKind.kind)}`;
  if (!paramRef) return { ok: false, error: `paramKind kind \`${kindText}\` is specified but paramRef is not` };

  const candidates = input.objects.filter((o) => o && o.apiVersion === paramKind.apiVersion && o.kind === paramKind.kind);
  const { group } = splitApiVersion(str(paramKind.apiVersion));
  const namespacedKind = kindInfo(group, str(paramKind.kind)).namespaced;
  const namespaceOf = (o: Record<string, unknown>) => str(record(o.metadata).namespace);
  const namespaced = namespacedKind ?? candidates.some((o) => namespaceOf(o) !== "");
  let store = candidates;
  if (namespaced) {
    const namespace = str(paramRef.namespace) || attrs.namespace;
    if (namespace === "") return { ok: false, error: "cannot use namespaced paramRef in policy binding that matches cluster-scoped resources" };
    store = candidates.filter((o) => (namespaceOf(o) || input.namespace || "") === namespace);
  }
  let params: unknown[];
  const name = str(paramRef.name);
  if (name !== "") {
    if (paramRef.selector !== undefined && paramRef.selector !== null) return { ok: false, error: "paramRef.name and paramRef.selector are mutually exclusive" };
    params = store.filter((o) => nameOf(o) === name);
  } else if (paramRef.selector !== undefined && paramRef.selector !== null) {
    params = [];
    for (const o of store) {
      const selected = matchLabelSelector(paramRef.selector, labelsOf(o));
      if (!selected.ok) return { ok: false, error: `paramRef.selector: ${selected.error}` };
      if (selected.matches) params.push(o);
    }
  } else {
    return { ok: false, error: "one of name or selector must be provided" };
  }
  if (params.length === 0 && paramRef.parameterNotFoundAction === "Deny") {
    return { ok: false, error: "no params found for policy binding with `Deny` parameterNotFoundAction" };
  }
  return { ok: true, params };
}

function unique(messages: string[]): string[] {
  return [...new Set(messages)];
}

/** The result of one binding's decisions (over all its params). */
function summarize(policy: string, binding: string | undefined, actions: string[], decisions: Decision[]): VapResult {
  const base = binding === undefined ? { policy } : { policy, binding };
  const enforced = decisions.filter((d) => d.kind === "deny" || d.kind === "error");
  const ignored = decisions.filter((d) => d.kind === "ignored");
  const messages = unique(
    decisions.filter((d) => d.kind !== "admit").map((d) => (d.kind === "ignored" ? `${d.message} (ignored: failurePolicy is Ignore)` : d.message)),
  );
  if (enforced.length > 0) return { ...base, result: enforced[0]!.kind === "deny" ? "fail" : "error", actions, messages };
  if (ignored.length > 0) return { ...base, result: "error", actions: [], messages };
  return { ...base, result: "pass", actions: [], messages: [] };
}

function configError(policy: CompiledPolicy, binding: string | undefined, errors: string[]): VapResult {
  const prefix = binding === undefined ? "failed to configure policy" : "failed to configure binding";
  const base = binding === undefined ? { policy: policy.name } : { policy: policy.name, binding };
  if (policy.failurePolicy === "Ignore") {
    return { ...base, result: "error", actions: [], messages: errors.map((e) => `${prefix}: ${e} (ignored: failurePolicy is Ignore)`) };
  }
  return { ...base, result: "error", actions: ["Deny"], messages: errors.map((e) => `${prefix}: ${e}`) };
}

function skip(policy: string, binding: string | undefined, reason: string): VapResult {
  return { ...(binding === undefined ? { policy } : { policy, binding }), result: "skip", actions: [], messages: [reason] };
}

/**
 * Evaluate a ValidatingAdmissionPolicy against one object: one result per binding of the policy among `bindings`
 * (a skip when the policy or the binding does not match), or one result without a binding when none binds it.
 */
export function evaluateValidatingAdmissionPolicy(policy: Record<string, unknown>, bindings: Record<string, unknown>[], input: VapInput): VapResult[] {
  const compiled = compilePolicy(policy);
  const attrs = requestAttributes(input as AdmissionInput);
  const definition = matchResources(compiled.spec.matchConstraints, attrs);
  if (!definition.matches) {
    if ("error" in definition) return [configError(compiled, undefined, [`spec.matchConstraints.${definition.error}`])];
    return [skip(compiled.name, undefined, `the policy does not apply: ${definition.reason}`)];
  }
  if (compiled.blocking.length > 0) return [configError(compiled, undefined, compiled.blocking)];

  const own = bindings.filter((b) => str(record(b.spec).policyName) === compiled.name && compiled.name !== "");
  const targets: { name: string | undefined; spec: Record<string, unknown> }[] =
    own.length > 0 ? own.map((b) => ({ name: nameOf(b), spec: record(b.spec) })) : [{ name: undefined, spec: { validationActions: ["Deny"] } }];

  const results: VapResult[] = [];
  for (const target of targets) {
    if (target.spec.matchResources !== undefined && target.spec.matchResources !== null) {
      const bound = matchResources(target.spec.matchResources, attrs);
      if (!bound.matches) {
        results.push("error" in bound ? configError(compiled, target.name, [`spec.matchResources.${bound.error}`]) : skip(compiled.name, target.name, `the binding does not apply: ${bound.reason}`));
        continue;
      }
    }
    const params = collectParams(compiled.spec, target.spec.paramRef, attrs, input);
    if (!params.ok) {
      results.push(configError(compiled, target.name, [params.error]));
      continue;
    }
    if (params.params.length === 0) {
      results.push(skip(compiled.name, target.name, "no params found for the binding's paramRef (parameterNotFoundAction Allow)"));
      continue;
    }
    const declared = list(target.spec.validationActions).map(str).filter((a) => VALIDATION_ACTIONS.includes(a));
    const actions = declared.length > 0 ? declared : ["Deny"];
    const decisions: Decision[] = [];
    let skipped: string | undefined;
    for (const param of params.params) {
      const outcome = evaluateExpressions(compiled.expressions, celContext(attrs, param), compiled.failurePolicy);
      if (outcome.matched) decisions.push(...outcome.decisions);
      else skipped ??= outcome.reason;
    }
    if (decisions.length === 0 && skipped !== undefined) results.push(skip(compiled.name, target.name, `the policy does not apply: ${skipped}`));
    else results.push(summarize(compiled.name, target.name, actions, decisions));
  }
  return results;
}
