// Kyverno's validate rules against one resource, as the Kyverno CLI (`kyverno apply`, `kyverno test`) evaluates
// them (pkg/engine/validation.go, handlers/validation/validate_resource.go, validate_pss.go, validate_cel.go):
// the rules Kyverno computes (autogen for Pod controllers), match/exclude, PolicyExceptions, context entries,
// preconditions, then pattern / anyPattern / deny / foreach / cel. Mutate, generate and image verification rules are
// reported as not evaluated, never passed.
import { compileCel, evaluateCel } from "../cel/environment.ts";
import { list, record } from "../../util/values.ts";
import { computeRules } from "./autogen.ts";
import { ruleApplies, type MatchSubject } from "./match.ts";
import { wildcardMatch } from "./wildcard.ts";
import { searchJmespath } from "./jmespath.ts";
import { evaluateConditionBlock } from "./operators.ts";
import { evaluatePodSecurity, type PodSecurityRule } from "./pod-security.ts";
import { validateAnyPattern, validatePattern, type PatternResult } from "./pattern.ts";
import { evaluateVariableEntry, KyvernoContext, substituteVariables } from "./variables.ts";

export type RuleStatus = "pass" | "fail" | "skip" | "warn" | "error";

export interface RuleResult {
  policy: string;
  rule: string;
  status: RuleStatus;
  message: string;
  /** a rule this engine does not evaluate (mutate, generate, verifyImages, cluster lookups): reported, never passed */
  notEvaluated?: boolean;
}

export interface KyvernoResource {
  object: Record<string, unknown>;
  oldObject?: Record<string, unknown>;
  operation?: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  namespaceLabels?: Record<string, string>;
  userInfo?: MatchSubject["userInfo"];
  subresource?: string;
}

export interface EvaluateOptions {
  /** PolicyExceptions (kyverno.io/v2, v2beta1, v2alpha1) that may exempt the resource */
  exceptions?: Record<string, unknown>[];
  /** Values that stand in for context entries and request fields, as the CLI's values file gives them (dotted keys). */
  globalValues?: Record<string, unknown>;
  ruleValues?: (policy: string, rule: string) => Record<string, unknown> | undefined;
  /** Per-element values of foreach context entries (the CLI's foreachValues): entry name → one value per element. */
  foreachValues?: (policy: string, rule: string) => Record<string, unknown[]> | undefined;
  resourceValues?: Record<string, unknown>;
  /** ConfigMaps of the environment, for `configMap` context entries */
  configMap?: (namespace: string, name: string) => Record<string, unknown> | undefined;
  /**
   * GET requests of `apiCall` context entries, answered from what the environment renders (the cluster as Git
   * describes it); undefined when the path cannot be answered so (the rule is then not evaluated).
   */
  apiCall?: (urlPath: string) => unknown;
}

const CLUSTER_ONLY = ["apiCall", "globalReference", "imageRegistry"] as const;

export function policyName(policy: Record<string, unknown>): string {
  const metadata = record(policy.metadata);
  return policy.kind === "Policy" && metadata.namespace ? `${String(metadata.namespace)}/${String(metadata.name)}` : String(metadata.name ?? "");
}

/** The results of every validate rule of a ClusterPolicy or Policy that applies to the resource. */
export function evaluateKyvernoPolicy(policy: Record<string, unknown>, given: KyvernoResource, options: EvaluateOptions = {}): RuleResult[] {
  const resource = withRequestObjectValues(given, { ...options.globalValues, ...options.resourceValues });
  const name = policyName(policy);
  const metadata = record(policy.metadata);
  const objectNamespace = String(record(resource.object.metadata).namespace ?? "default");
  // a namespaced Policy applies to its own namespace only
  if (policy.kind === "Policy" && metadata.namespace && objectNamespace !== metadata.namespace) return [];
  const scored = record(metadata.annotations)["policies.kyverno.io/scored"] !== "false";
  const results: RuleResult[] = [];
  for (const rule of computeRules(policy)) {
    const ruleName = String(rule.name ?? "");
    const subject: MatchSubject = {
      object: resource.object,
      operation: resource.operation ?? "CREATE",
      ...(resource.namespaceLabels ? { namespaceLabels: resource.namespaceLabels } : {}),
      ...(resource.userInfo ? { userInfo: resource.userInfo } : {}),
      ...(resource.subresource ? { subresource: resource.subresource } : {}),
    };
    if (!ruleApplies(rule, subject)) continue;
    const result = (status: RuleStatus, message: string, notEvaluated = false): RuleResult => ({
      policy: name,
      rule: ruleName,
      status: status === "fail" && !scored ? "warn" : status,
      message,
      ...(notEvaluated ? { notEvaluated } : {}),
    });
    if (!rule.validate) {
      const what = rule.mutate ? "mutate" : rule.generate ? "generate" : rule.verifyImages ? "verifyImages" : "this kind of";
      results.push(result("skip", `${what} rules are not evaluated (only validate rules are)`, true));
      continue;
    }
    const exception = exceptionFor(options.exceptions ?? [], name, ruleName, subject, resource);
    if (exception && !exception.podSecurity) {
      results.push(result("skip", `rule skipped due to policy exception ${exception.name}`));
      continue;
    }
    const validate = record(rule.validate);
    if (validate.podSecurity !== undefined) {
      results.push(evaluatePodSecurityRule(record(validate.podSecurity), resource, String(rule.name ?? ""), typeof validate.message === "string" ? validate.message : "", exception, result));
      continue;
    }
    results.push(evaluateRule(policy, rule, resource, options, result));
  }
  return results;
}

/**
 * Values for `request.object.…` (the CLI's values file) describe the object of the simulated request: the CLI
 * matches and validates that object, so they are merged into it before matching, not only into the context.
 */
function withRequestObjectValues(resource: KyvernoResource, values: Record<string, unknown>): KyvernoResource {
  const keys = Object.keys(values).filter((key) => key.startsWith("request.object."));
  if (keys.length === 0) return resource;
  let context = new KyvernoContext({ object: resource.object, operation: resource.operation ?? "CREATE" });
  for (const key of keys) context = context.withVariable(key, values[key]);
  return { ...resource, object: record(context.query("request.object")) };
}

type MakeResult = (status: RuleStatus, message: string, notEvaluated?: boolean) => RuleResult;

/**
 * validate.podSecurity: the Pod Security Standards at a level and version, with the rule's exclusions; a failure
 * that a PolicyException's podSecurity exclusions clear is a skip, as Kyverno reports it.
 */
function evaluatePodSecurityRule(
  podSecurity: Record<string, unknown>,
  resource: KyvernoResource,
  ruleName: string,
  message: string,
  exception: { name: string; podSecurity?: unknown[] } | undefined,
  result: MakeResult,
): RuleResult {
  const level = String(podSecurity.level ?? "baseline") as PodSecurityRule["level"];
  const version = typeof podSecurity.version === "string" ? podSecurity.version : undefined;
  const exclude = list(podSecurity.exclude).map(record) as unknown as NonNullable<PodSecurityRule["exclude"]>;
  let outcome;
  try {
    outcome = evaluatePodSecurity(resource.object, { level, ...(version ? { version } : {}), exclude });
  } catch (error) {
    return result("error", `podSecurity: ${(error as Error).message}`);
  }
  if (outcome.status === "pass") return result("pass", `validation rule '${ruleName}' passed.`);
  if (exception?.podSecurity) {
    const exempted = evaluatePodSecurity(resource.object, { level, ...(version ? { version } : {}), exclude: [...exclude, ...(list(exception.podSecurity).map(record) as unknown as typeof exclude)] });
    if (exempted.status === "pass") return result("skip", `rule skipped due to policy exception ${exception.name}`);
  }
  const details = outcome.violations.map((violation) => `${violation.control}: ${violation.message}`).join("; ");
  return result("fail", `${message ? `${message.trim().replace(/\.$/, "")}. ` : ""}Pod Security Standards (${level}${version ? ` ${version}` : ""}) violated: ${details}`);
}

function evaluateRule(policy: Record<string, unknown>, rule: Record<string, unknown>, resource: KyvernoResource, options: EvaluateOptions, result: MakeResult): RuleResult {
  const ruleName = String(rule.name ?? "");
  const values = { ...options.globalValues, ...options.resourceValues, ...options.ruleValues?.(policyName(policy), ruleName.replace(/^autogen-(cronjob-)?/, "")), ...options.ruleValues?.(policyName(policy), ruleName) };
  let context: KyvernoContext;
  try {
    context = withValues(baseContext(resource), values);
    // context entries, in order (later ones may use earlier ones); values stand in for those they name
    for (const entry of list(rule.context).map(record)) {
      const entryName = String(entry.name ?? "");
      if (Object.keys(values).some((key) => key === entryName || key.startsWith(`${entryName}.`))) continue;
      if (entry.apiCall !== undefined && options.apiCall) {
        const answered = answerApiCall(record(entry.apiCall), context, options.apiCall);
        if (answered.ok) {
          context = context.with(entryName, answered.value);
          continue;
        }
        return result("skip", `context entry "${entryName}" (apiCall ${answered.path}) needs a cluster: not evaluated`, true);
      }
      const cluster = CLUSTER_ONLY.find((kind) => entry[kind] !== undefined);
      if (cluster) return result("skip", `context entry "${entryName}" (${cluster}) needs a cluster: not evaluated`, true);
      context = context.with(entryName, loadEntry(entry, context, resource, options));
    }
  } catch (error) {
    return result("error", `failed to load context: ${(error as Error).message}`);
  }

  for (const [index, condition] of list(rule.celPreconditions).map(record).entries()) {
    const compiled = compileCel(String(condition.expression ?? ""));
    if (!compiled.ok) return result("error", `celPreconditions[${index}]: ${compiled.error}`);
    const evaluated = evaluateCel(compiled.program, celActivation(resource));
    if (!evaluated.ok) return result("error", `celPreconditions[${index}]: ${evaluated.error}`);
    if (evaluated.value !== true) return result("skip", `cel precondition ${String(condition.name ?? index)} not met`);
  }

  const preconditions = rule.preconditions;
  if (preconditions !== undefined && preconditions !== null) {
    try {
      const evaluated = evaluateLazily(preconditions, context);
      if (!evaluated.ok) return result("error", `failed to evaluate preconditions: ${evaluated.error}`);
      if (!evaluated.value) return result("skip", "preconditions not met");
    } catch (error) {
      return result("error", `failed to substitute variables in preconditions: ${(error as Error).message}`);
    }
  }

  const validate = record(rule.validate);
  const message = substituteMessage(validate.message, context);
  try {
    if (validate.pattern !== undefined) return fromPattern(validatePattern(resource.object, substituteVariables(validate.pattern, context)), message, ruleName, result);
    if (validate.anyPattern !== undefined) {
      const patterns = list(substituteVariables(validate.anyPattern, context));
      return fromPattern(validateAnyPattern(resource.object, patterns), message, ruleName, result);
    }
    if (validate.deny !== undefined) {
      const denied = evaluateDeny(validate.deny, context);
      if (!denied.ok) return result("error", denied.error);
      return denied.value ? result("fail", message || `validation error: rule ${ruleName} failed`) : result("pass", `validation rule '${ruleName}' passed.`);
    }
    if (validate.foreach !== undefined) {
      const baseRule = ruleName.replace(/^autogen-(cronjob-)?/, "");
      const mocks: ForeachMocks = {
        provided: new Set(Object.keys(values).map((key) => key.split(".")[0]!)),
        perElement: options.foreachValues?.(policyName(policy), ruleName) ?? options.foreachValues?.(policyName(policy), baseRule) ?? {},
      };
      // the message is filled in per element: it may name {{ element.name }}
      return evaluateForeach(list(validate.foreach), context, resource, typeof validate.message === "string" ? validate.message : "", ruleName, result, mocks);
    }
    if (validate.cel !== undefined) return evaluateCelRule(record(validate.cel), resource, ruleName, result);
  } catch (error) {
    return result("error", `failed to substitute variables: ${(error as Error).message}`);
  }
  const kind = validate.podSecurity !== undefined ? "podSecurity" : validate.manifests !== undefined ? "manifests" : validate.assert !== undefined ? "assert" : "this";
  return result("skip", `${kind} validation is not evaluated yet`, true);
}

function baseContext(resource: KyvernoResource): KyvernoContext {
  const namespace = record(resource.object.metadata).namespace;
  return new KyvernoContext({
    object: resource.object,
    ...(resource.oldObject ? { oldObject: resource.oldObject } : {}),
    operation: resource.operation ?? "CREATE",
    ...(typeof namespace === "string" ? { namespace } : {}),
    ...(resource.userInfo ? { userInfo: resource.userInfo } : {}),
    ...(resource.namespaceLabels ? { namespaceLabels: resource.namespaceLabels } : {}),
  });
}

/** Dotted keys ("request.object.metadata.name", "dictionary.data.env", quoted keys too) set into the context data. */
function withValues(context: KyvernoContext, values: Record<string, unknown>): KyvernoContext {
  let out = context;
  for (const [key, value] of Object.entries(values)) out = out.withVariable(key, value);
  return out;
}

function loadEntry(entry: Record<string, unknown>, context: KyvernoContext, resource: KyvernoResource, options: EvaluateOptions): unknown {
  if (entry.variable !== undefined) return evaluateVariableEntry(String(entry.name ?? ""), record(entry.variable), context);
  if (entry.configMap !== undefined) {
    const reference = record(substituteVariables(entry.configMap, context));
    const namespace = String(reference.namespace ?? record(resource.object.metadata).namespace ?? "default");
    const found = options.configMap?.(namespace, String(reference.name));
    if (!found) throw new Error(`ConfigMap ${namespace}/${String(reference.name)} not found`);
    return found;
  }
  throw new Error(`context entry ${String(entry.name)} has no known source`);
}

function answerApiCall(call: Record<string, unknown>, context: KyvernoContext, api: (urlPath: string) => unknown): { ok: true; value: unknown } | { ok: false; path: string } {
  const method = String(call.method ?? "GET").toUpperCase();
  const path = String(substituteVariables(call.urlPath ?? "", context));
  if (method !== "GET" || call.service !== undefined || !path) return { ok: false, path: path || "(service call)" };
  const response = api(path);
  if (response === undefined) return { ok: false, path };
  const jmesPath = typeof call.jmesPath === "string" && call.jmesPath ? String(substituteVariables(call.jmesPath, context)) : undefined;
  return { ok: true, value: jmesPath ? searchJmespath(jmesPath, response) : response };
}

function substituteMessage(message: unknown, context: KyvernoContext): string {
  if (typeof message !== "string") return "";
  try {
    return String(substituteVariables(message, context, { allowMissing: true }));
  } catch {
    return message;
  }
}

function fromPattern(outcome: PatternResult, message: string, ruleName: string, result: MakeResult): RuleResult {
  switch (outcome.status) {
    case "pass":
      return result("pass", `validation rule '${ruleName}' passed.`);
    case "skip":
      return result("skip", `rule skipped: ${outcome.message}`);
    case "error":
      return result("error", outcome.message);
    case "fail":
      return result("fail", `validation error: ${sentence(message)}rule ${ruleName} failed at path ${outcome.path}`);
  }
}

function evaluateDeny(deny: unknown, context: KyvernoContext): { ok: true; value: boolean } | { ok: false; error: string } {
  const conditions = record(deny).conditions;
  // a deny without conditions always denies
  if (conditions === undefined || conditions === null) return { ok: true, value: true };
  const evaluated = evaluateLazily(conditions, context);
  return evaluated.ok ? { ok: true, value: evaluated.value } : { ok: false, error: `failed to evaluate deny conditions: ${evaluated.error}` };
}

/**
 * any / all conditions (or the deprecated plain list, meaning all), each substituted only when it is evaluated, in
 * order, stopping as Kyverno stops: a later condition that names a missing field is never reached when an earlier
 * one already decided (all: the first false; any: the first true).
 */
function evaluateLazily(block: unknown, context: KyvernoContext): { ok: true; value: boolean } | { ok: false; error: string } {
  const one = (condition: unknown): { ok: true; value: boolean } | { ok: false; error: string } => {
    const evaluated = evaluateConditionBlock({ all: [substituteVariables(condition, context)] });
    return evaluated.ok ? { ok: true, value: evaluated.value } : { ok: false, error: evaluated.error };
  };
  const any = Array.isArray(block) ? [] : list(record(block).any);
  const all = Array.isArray(block) ? block : list(record(block).all);
  let anyResult = true;
  if (any.length) {
    anyResult = false;
    for (const condition of any) {
      const result = one(condition);
      if (!result.ok) return result;
      if (result.value) {
        anyResult = true;
        break;
      }
    }
  }
  let allResult = true;
  for (const condition of all) {
    const result = one(condition);
    if (!result.ok) return result;
    if (!result.value) {
      allResult = false;
      break;
    }
  }
  return { ok: true, value: anyResult && allResult };
}

interface ElementOutcome {
  status: "pass" | "fail" | "skip" | "error";
  message: string;
}

/** Values standing in for context entries inside foreach: names given for the whole rule, and values per element. */
interface ForeachMocks {
  provided: Set<string>;
  perElement: Record<string, unknown[]>;
}

function evaluateForeach(blocks: unknown[], context: KyvernoContext, resource: KyvernoResource, message: string, ruleName: string, result: MakeResult, mocks: ForeachMocks): RuleResult {
  let applied = 0;
  for (const block of blocks.map(record)) {
    const outcome = foreachBlock(block, context, resource, message, ruleName, mocks);
    if (outcome.status === "fail" || outcome.status === "error") return result(outcome.status, outcome.message);
    if (outcome.status === "pass") applied++;
  }
  return applied === 0 ? result("skip", "rule skipped") : result("pass", `validation rule '${ruleName}' passed.`);
}

function foreachBlock(block: Record<string, unknown>, context: KyvernoContext, resource: KyvernoResource, message: string, ruleName: string, mocks: ForeachMocks, depth = 0): ElementOutcome {
  const expression = String(substituteVariables(block.list ?? "", context));
  let elements: unknown;
  try {
    elements = context.query(expression);
  } catch {
    // Kyverno's validateForEach: a list that does not evaluate is passed over (the rule is skipped if nothing applied)
    return { status: "skip", message: `the foreach list ${expression} did not evaluate` };
  }
  if (elements === null || elements === undefined) return { status: "skip", message: "no elements" };
  if (!Array.isArray(elements)) return { status: "error", message: `the foreach list ${expression} is not a list` };
  let applied = 0;
  for (const [index, element] of elements.entries()) {
    if (element === null || element === undefined) continue;
    let outcome: ElementOutcome;
    try {
      outcome = foreachElement(block, element, index, context, resource, message, ruleName, mocks, depth);
    } catch (error) {
      outcome = { status: "error", message: `failed to substitute variables: ${(error as Error).message}` };
    }
    // Kyverno's validateElements: an element that errors is passed over, unless it is the last one
    if (outcome.status === "error" && index < elements.length - 1) continue;
    if (outcome.status === "fail" || outcome.status === "error") return outcome;
    if (outcome.status === "pass") applied++;
  }
  return applied === 0 ? { status: "skip", message: "no element applied" } : { status: "pass", message: "" };
}

function foreachElement(block: Record<string, unknown>, element: unknown, index: number, context: KyvernoContext, resource: KyvernoResource, message: string, ruleName: string, mocks: ForeachMocks, depth: number): ElementOutcome {
  let elementContext = context.withElement(element, index, depth);
  for (const [name, values] of Object.entries(mocks.perElement)) if (index < values.length) elementContext = elementContext.with(name, values[index]);
  for (const entry of list(block.context).map(record)) {
    const entryName = String(entry.name ?? "");
    if (mocks.provided.has(entryName) || entryName in mocks.perElement) continue;
    const cluster = CLUSTER_ONLY.find((kind) => entry[kind] !== undefined);
    if (cluster) return { status: "skip", message: `context entry "${String(entry.name)}" (${cluster}) needs a cluster` };
    elementContext = elementContext.with(String(entry.name), loadEntry(entry, elementContext, resource, {}));
  }
  if (block.preconditions !== undefined && block.preconditions !== null) {
    const evaluated = evaluateLazily(block.preconditions, elementContext);
    if (!evaluated.ok) return { status: "error", message: `failed to evaluate preconditions: ${evaluated.error}` };
    if (!evaluated.value) return { status: "skip", message: "preconditions not met" };
  }
  // elementScope (default: true when the element is a map) decides what a pattern is checked against; Kyverno
  // makes the element the object, which a scalar cannot be
  const isMap = element !== null && typeof element === "object" && !Array.isArray(element);
  if (block.elementScope === true && !isMap) return { status: "error", message: `foreach element ${index} is not an object: elementScope: true cannot apply to it` };
  const scoped = block.elementScope === undefined ? isMap : block.elementScope === true;
  const target = scoped ? element : resource.object;
  const elementMessage = substituteMessage(message, elementContext);
  if (block.pattern !== undefined) return fromElementPattern(validatePattern(target, substituteVariables(block.pattern, elementContext)), elementMessage, ruleName, index);
  if (block.anyPattern !== undefined) return fromElementPattern(validateAnyPattern(target, list(substituteVariables(block.anyPattern, elementContext))), elementMessage, ruleName, index);
  if (block.deny !== undefined) {
    const denied = evaluateDeny(block.deny, elementContext);
    return !denied.ok ? { status: "error", message: denied.error } : denied.value ? { status: "fail", message: elementMessage || `validation failure for element ${index}` } : { status: "pass", message: "" };
  }
  if (block.foreach !== undefined) {
    let outcome: ElementOutcome = { status: "skip", message: "" };
    for (const nested of list(block.foreach).map(record)) {
      const inner = foreachBlock(nested, elementContext, resource, message, ruleName, mocks, depth + 1);
      if (inner.status === "fail" || inner.status === "error") return inner;
      if (inner.status === "pass") outcome = inner;
    }
    return outcome;
  }
  return { status: "error", message: "a foreach needs pattern, anyPattern, deny or foreach" };
}

/** "message. " for Kyverno's "validation error: <message>. rule …" (without doubling a full stop the message has). */
function sentence(message: string): string {
  const trimmed = message.trim();
  return trimmed ? `${trimmed.replace(/\.$/, "")}. ` : "";
}

function fromElementPattern(outcome: PatternResult, message: string, ruleName: string, index: number): ElementOutcome {
  if (outcome.status === "fail") return { status: "fail", message: `validation failure: ${sentence(message)}rule ${ruleName} failed at element ${index} path ${outcome.path}` };
  if (outcome.status === "error") return { status: "error", message: outcome.message };
  return { status: outcome.status, message: "" };
}

/** The CEL variables of a Kyverno rule: object, oldObject, request, namespaceObject, params. */
function celActivation(resource: KyvernoResource): Record<string, unknown> {
  const namespace = String(record(resource.object.metadata).namespace ?? "default");
  return {
    object: resource.object,
    oldObject: resource.oldObject ?? null,
    request: { operation: resource.operation ?? "CREATE", namespace, name: String(record(resource.object.metadata).name ?? ""), userInfo: resource.userInfo ?? {} },
    // the namespace as the CLI knows it: its name, and its labels when given
    namespaceObject: { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: resource.namespaceLabels ?? {} } },
    params: null,
  };
}

function evaluateCelRule(cel: Record<string, unknown>, resource: KyvernoResource, ruleName: string, result: MakeResult): RuleResult {
  const activation = celActivation(resource);
  const variables: Record<string, unknown> = {};
  activation.variables = variables;
  for (const variable of list(cel.variables).map(record)) {
    const compiled = compileCel(String(variable.expression ?? ""));
    if (!compiled.ok) return result("error", `variables ${String(variable.name)}: ${compiled.error}`);
    const evaluated = evaluateCel(compiled.program, activation);
    if (!evaluated.ok) return result("error", `variables ${String(variable.name)}: ${evaluated.error}`);
    variables[String(variable.name)] = evaluated.value;
  }
  for (const [index, expression] of list(cel.expressions).map(record).entries()) {
    const compiled = compileCel(String(expression.expression ?? ""));
    if (!compiled.ok) return result("error", `expressions[${index}]: ${compiled.error}`);
    const evaluated = evaluateCel(compiled.program, activation);
    if (!evaluated.ok) return result("error", `expressions[${index}]: ${evaluated.error}`);
    if (evaluated.value !== true) {
      let message = typeof expression.message === "string" ? expression.message : `failed expression: ${String(expression.expression)}`;
      if (typeof expression.messageExpression === "string") {
        const compiledMessage = compileCel(expression.messageExpression);
        const evaluatedMessage = compiledMessage.ok ? evaluateCel(compiledMessage.program, activation) : undefined;
        // on error the static message stands
        if (evaluatedMessage?.ok) message = String(evaluatedMessage.value);
      }
      return result("fail", message);
    }
  }
  return result("pass", `validation rule '${ruleName}' passed.`);
}

/** The PolicyException that exempts this resource from this rule, as "namespace/name", if any. */
function exceptionFor(exceptions: Record<string, unknown>[], policy: string, rule: string, subject: MatchSubject, resource: KyvernoResource): { name: string; podSecurity?: unknown[] } | undefined {
  for (const exception of exceptions) {
    const spec = record(exception.spec);
    const covers = list(spec.exceptions)
      .map(record)
      .some((entry) => String(entry.policyName) === policy && list(entry.ruleNames).some((ruleName) => wildcardMatch(String(ruleName), rule)));
    if (!covers) continue;
    if (!ruleApplies({ match: spec.match }, subject)) continue;
    if (spec.conditions !== undefined && spec.conditions !== null) {
      try {
        const evaluated = evaluateConditionBlock(substituteVariables(spec.conditions, baseContext(resource)));
        if (!evaluated.ok || !evaluated.value) continue;
      } catch {
        continue;
      }
    }
    const metadata = record(exception.metadata);
    const name = metadata.namespace ? `${String(metadata.namespace)}/${String(metadata.name)}` : String(metadata.name);
    // an exception with podSecurity controls exempts those controls only, not the whole rule
    return Array.isArray(spec.podSecurity) ? { name, podSecurity: spec.podSecurity } : { name };
  }
  return undefined;
}
