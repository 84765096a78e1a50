// The admission side shared by ValidatingAdmissionPolicy and Kyverno's ValidatingPolicy: the request a manifest
// becomes, matchConstraints / matchResources (k8s.io/apiserver/pkg/admission/plugin/policy/matching and
// .../webhook/predicates: namespace, object and rules matchers), and the CEL part of a policy — matchConditions,
// variables, validations, auditAnnotations — compiled once and evaluated as
// k8s.io/apiserver/pkg/admission/plugin/policy/validating/validator.go does.
import { compileCel, evaluateCel, lazyMap, quoteExpression, type CelLibrary, type CelProgram } from "./environment.ts";
import { equivalentGroups, kindInfo, matchLabelSelector, splitApiVersion } from "./resources.ts";

export type Operation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

export interface AdmissionInput {
  /** The object of the request; for DELETE, the object being deleted (CEL sees it as oldObject). */
  object: Record<string, unknown>;
  oldObject?: Record<string, unknown>;
  operation: Operation;
  /** The namespace of the request's object, with its labels (namespaceSelector, namespaceObject). */
  namespaceObject?: Record<string, unknown>;
  /** The namespace a namespaced object without metadata.namespace is in (what kubectl's context would give it). */
  namespace?: string;
  userInfo?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
}

export interface RequestAttributes {
  group: string;
  version: string;
  kind: string;
  resource: string;
  name: string;
  /** The request namespace: the object's, "" for cluster-scoped objects, a Namespace's own name for a Namespace. */
  namespace: string;
  operation: Operation;
  object: Record<string, unknown> | null;
  oldObject: Record<string, unknown> | null;
  isNamespace: boolean;
  namespaceLabels: Record<string, string>;
  /** The namespace as CEL's namespaceObject sees it (CreateNamespaceObject), or null. */
  namespaceObject: Record<string, unknown> | null;
  request: Record<string, unknown>;
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(record(value))) if (item !== null && item !== undefined) out[key] = String(item);
  return out;
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** The admission request a manifest becomes, as the API server would build it. */
export function requestAttributes(input: AdmissionInput): RequestAttributes {
  const deleting = input.operation === "DELETE";
  const subject = deleting ? (input.oldObject ?? input.object) : input.object;
  const { group, version } = splitApiVersion(str(subject.apiVersion));
  const kind = str(subject.kind);
  const metadata = record(subject.metadata);
  const name = str(metadata.name);
  const info = kindInfo(group, kind);
  const isNamespace = group === "" && version === "v1" && kind === "Namespace";
  const namespaced = info.namespaced ?? str(metadata.namespace) !== "";
  const namespace = isNamespace ? name : namespaced ? str(metadata.namespace) || (input.namespace ?? "") : "";
  // The API server gives a namespaced object without a namespace the request's (EnsureObjectNamespaceMatchesRequestNamespace).
  const placed = (o: Record<string, unknown> | undefined): Record<string, unknown> | null => {
    if (!o) return null;
    if (!namespaced || isNamespace || namespace === "" || str(record(o.metadata).namespace) !== "") return o;
    return { ...o, metadata: { ...record(o.metadata), namespace } };
  };
  const object = deleting ? null : placed(input.object);
  const oldObject = deleting ? placed(subject) : placed(input.oldObject);

  // The namespace's labels: a Namespace being created or updated is its own; others come from namespaceObject,
  // which always carries kubernetes.io/metadata.name as the API server sets it.
  let namespaceLabels: Record<string, string> = {};
  let namespaceObject: Record<string, unknown> | null = null;
  if (isNamespace) {
    // The API server labels every namespace with its name before admission.
    namespaceLabels = { ...stringMap(record(subject.metadata).labels), "kubernetes.io/metadata.name": name };
  } else if (namespace !== "") {
    const given = record(input.namespaceObject);
    const givenMeta = record(given.metadata);
    namespaceLabels = { "kubernetes.io/metadata.name": namespace, ...stringMap(givenMeta.labels) };
    const meta: Record<string, unknown> = { name: namespace, creationTimestamp: givenMeta.creationTimestamp ?? null, labels: namespaceLabels };
    for (const key of ["generateName", "uid", "resourceVersion", "generation", "deletionTimestamp", "deletionGracePeriodSeconds", "annotations"]) {
      if (givenMeta[key] !== undefined) meta[key] = givenMeta[key];
    }
    namespaceObject = { metadata: meta, spec: record(given.spec), status: record(given.status) };
  }

  const userInfo: Record<string, unknown> = {};
  if (input.userInfo?.username) userInfo.username = input.userInfo.username;
  if (input.userInfo?.uid) userInfo.uid = input.userInfo.uid;
  if (input.userInfo?.groups?.length) userInfo.groups = input.userInfo.groups;
  if (input.userInfo?.extra && Object.keys(input.userInfo.extra).length) userInfo.extra = input.userInfo.extra;
  // admissionv1.AdmissionRequest as CreateAdmissionRequest fills it, with its JSON omitempty fields left out.
  const request: Record<string, unknown> = {
    uid: "",
    kind: { group, version, kind },
    resource: { group, version, resource: info.resource },
    requestKind: { group, version, kind },
    requestResource: { group, version, resource: info.resource },
    operation: input.operation,
    userInfo,
  };
  if (name) request.name = name;
  if (namespace) request.namespace = namespace;
  return {
    group,
    version,
    kind,
    resource: info.resource,
    name,
    namespace,
    operation: input.operation,
    object,
    oldObject,
    isNamespace,
    namespaceLabels,
    namespaceObject,
    request,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Matching

export type MatchResult = { matches: true } | { matches: false; reason: string } | { matches: false; error: string };

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function strings(value: unknown): string[] {
  return list(value).filter((item): item is string => typeof item === "string");
}

function exactOrWildcard(items: string[], requested: string): boolean {
  return items.some((item) => item === "*" || item === requested);
}

/** rules.Matcher for one rule against the request, for one candidate group (matchPolicy Equivalent tries several). */
function ruleMatches(rule: Record<string, unknown>, attrs: RequestAttributes, group: string, anyVersion: boolean): boolean {
  const operations = strings(rule.operations);
  // The API server requires operations; a rule without them is read as all operations (Kyverno's CLI reads it so).
  if (operations.length > 0 && !exactOrWildcard(operations, attrs.operation)) return false;
  const scope = typeof rule.scope === "string" ? rule.scope : "*";
  if (scope === "Namespaced" && (attrs.isNamespace || attrs.namespace === "")) return false;
  if (scope === "Cluster" && !(attrs.isNamespace || attrs.namespace === "")) return false;
  if (scope !== "*" && scope !== "Namespaced" && scope !== "Cluster") return false;
  if (!exactOrWildcard(strings(rule.apiGroups), group)) return false;
  if (!anyVersion && !exactOrWildcard(strings(rule.apiVersions), attrs.version)) return false;
  if (anyVersion && strings(rule.apiVersions).length === 0) return false;
  return strings(rule.resources).some((entry) => {
    const slash = entry.indexOf("/");
    const res = slash < 0 ? entry : entry.slice(0, slash);
    const sub = slash < 0 ? "" : entry.slice(slash + 1);
    return (res === "*" || res === attrs.resource) && (sub === "*" || sub === "");
  });
}

function namedRuleMatches(rule: Record<string, unknown>, attrs: RequestAttributes, group: string, anyVersion: boolean): boolean {
  if (!ruleMatches(rule, attrs, group, anyVersion)) return false;
  const names = strings(rule.resourceNames);
  return names.length === 0 || names.includes(attrs.name);
}

function rulesMatch(rules: unknown[], attrs: RequestAttributes, equivalent: boolean): boolean {
  const named = rules.map(record);
  if (named.some((rule) => namedRuleMatches(rule, attrs, attrs.group, false))) return true;
  if (!equivalent) return false;
  // Equivalent: the same resource in another version, or in a group that serves it too, is converted and matches.
  return equivalentGroups(attrs.group, attrs.resource).some((group) => named.some((rule) => namedRuleMatches(rule, attrs, group, true)));
}

/** matching.Matcher.Matches: namespaceSelector, objectSelector, excludeResourceRules, resourceRules. */
export function matchResources(criteria: unknown, attrs: RequestAttributes): MatchResult {
  const c = record(criteria);
  let selectorError: string | undefined;

  // Cluster-scoped objects other than namespaces are never excluded by a namespaceSelector.
  if (attrs.namespace !== "" || attrs.isNamespace) {
    const ns = matchLabelSelector(c.namespaceSelector, attrs.namespaceLabels);
    if (!ns.ok) selectorError = `namespaceSelector: ${ns.error}`;
    else if (!ns.matches) return { matches: false, reason: "the namespace does not match namespaceSelector" };
  }
  const labelsOf = (o: Record<string, unknown> | null) => (o ? stringMap(record(o.metadata).labels) : undefined);
  if (c.objectSelector !== undefined && c.objectSelector !== null) {
    const results = [labelsOf(attrs.object), labelsOf(attrs.oldObject)]
      .filter((labels): labels is Record<string, string> => labels !== undefined)
      .map((labels) => matchLabelSelector(c.objectSelector, labels));
    const failed = results.find((r) => !r.ok);
    if (failed && !failed.ok) selectorError ??= `objectSelector: ${failed.error}`;
    else if (!results.some((r) => r.ok && r.matches)) return { matches: false, reason: "the object does not match objectSelector" };
  }
  const equivalent = c.matchPolicy !== "Exact";
  if (rulesMatch(list(c.excludeResourceRules), attrs, equivalent)) return { matches: false, reason: "the object is excluded by excludeResourceRules" };
  const rules = list(c.resourceRules);
  if (rules.length > 0 && !rulesMatch(rules, attrs, equivalent)) {
    return { matches: false, reason: `no resourceRules match ${attrs.group ? `${attrs.group}/` : ""}${attrs.version} ${attrs.resource} ${attrs.operation}` };
  }
  if (selectorError) return { matches: false, error: selectorError };
  return { matches: true };
}

// ---------------------------------------------------------------------------------------------------------------
// The CEL part of a policy

export interface CompiledExpressions {
  problems: string[];
  matchConditions: { name: string; path: string; program: CelProgram }[];
  variables: { name: string; path: string; program: CelProgram }[];
  validations: {
    path: string;
    program: CelProgram;
    expression: string;
    message?: string;
    messageExpression?: CelProgram;
    reason?: string;
  }[];
  auditAnnotations: { key: string; program: CelProgram }[];
}

const CEL_IDENTIFIER = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const REASONS = ["Unauthorized", "Forbidden", "Invalid", "RequestEntityTooLarge"];

/**
 * Compile matchConditions, variables, validations and auditAnnotations of a policy spec. Problems say where
 * ("spec.validations[0].expression: ...") and what; a policy with problems is not evaluated.
 */
export function compileExpressions(
  spec: Record<string, unknown>,
  options: { library: CelLibrary; hasParams: boolean; variablesInMatchConditions?: boolean },
): CompiledExpressions {
  const out: CompiledExpressions = { problems: [], matchConditions: [], variables: [], validations: [], auditAnnotations: [] };
  const variableNames = new Set<string>();
  for (const raw of list(spec.variables)) {
    const name = record(raw).name;
    if (typeof name === "string") variableNames.add(name);
  }

  const compile = (path: string, expression: unknown, expect: "bool" | "string" | "any"): CelProgram | undefined => {
    if (typeof expression !== "string" || expression.trim() === "") {
      out.problems.push(`${path}: Required value`);
      return undefined;
    }
    const result = compileCel(expression, { library: options.library });
    if (!result.ok) {
      out.problems.push(`${path}: ${result.error}`);
      return undefined;
    }
    const program = result.program;
    if (!options.hasParams && program.identifiers.has("params")) {
      out.problems.push(`${path}: expression ${quoteExpression(expression)} refers to params, but spec.paramKind is not set`);
      return undefined;
    }
    for (const name of program.variableReferences) {
      if (!variableNames.has(name)) {
        out.problems.push(`${path}: expression ${quoteExpression(expression)} refers to variables.${name}, which spec.variables does not define`);
        return undefined;
      }
    }
    const type = program.resultType;
    if (expect === "bool" && type !== "bool" && type !== "dyn") {
      out.problems.push(`${path}: expression ${quoteExpression(expression)} must evaluate to bool, not ${type}`);
      return undefined;
    }
    if (expect === "string" && type !== "string" && type !== "dyn") {
      out.problems.push(`${path}: expression ${quoteExpression(expression)} must evaluate to string, not ${type}`);
      return undefined;
    }
    return program;
  };

  const seenConditions = new Set<string>();
  for (const [i, raw] of list(spec.matchConditions).entries()) {
    const condition = record(raw);
    const path = `spec.matchConditions[${i}]`;
    const name = condition.name;
    if (typeof name !== "string" || name === "") out.problems.push(`${path}.name: Required value`);
    else if (!QUALIFIED_NAME.test(name) || name.length > 316) out.problems.push(`${path}.name: Invalid value: ${JSON.stringify(name)}: must be a qualified name`);
    else if (seenConditions.has(name)) out.problems.push(`${path}.name: Duplicate value: ${JSON.stringify(name)}`);
    else seenConditions.add(name);
    const program = compile(`${path}.expression`, condition.expression, "bool");
    if (program && options.variablesInMatchConditions === false && program.identifiers.has("variables")) {
      out.problems.push(`${path}.expression: Forbidden: variables cannot be referenced in matchConditions, which are evaluated before them`);
      continue;
    }
    if (program) out.matchConditions.push({ name: typeof name === "string" ? name : `#${i}`, path, program });
  }

  const seenVariables = new Set<string>();
  for (const [i, raw] of list(spec.variables).entries()) {
    const variable = record(raw);
    const path = `spec.variables[${i}]`;
    const name = variable.name;
    if (typeof name !== "string" || name === "") {
      out.problems.push(`${path}.name: Required value`);
      continue;
    }
    if (!CEL_IDENTIFIER.test(name)) out.problems.push(`${path}.name: Invalid value: ${JSON.stringify(name)}: name is not a valid CEL identifier`);
    if (seenVariables.has(name)) out.problems.push(`${path}.name: Duplicate value: ${JSON.stringify(name)}`);
    seenVariables.add(name);
    const program = compile(`${path}.expression`, variable.expression, "any");
    if (program) out.variables.push({ name, path, program });
  }

  for (const [i, raw] of list(spec.validations).entries()) {
    const validation = record(raw);
    const path = `spec.validations[${i}]`;
    const program = compile(`${path}.expression`, validation.expression, "bool");
    let messageExpression: CelProgram | undefined;
    if (validation.messageExpression !== undefined) messageExpression = compile(`${path}.messageExpression`, validation.messageExpression, "string");
    const message = typeof validation.message === "string" ? validation.message : undefined;
    if (message !== undefined && /[\r\n]/.test(message.trim())) out.problems.push(`${path}.message: Invalid value: message must not contain line breaks`);
    const reason = typeof validation.reason === "string" ? validation.reason : undefined;
    if (reason !== undefined && !REASONS.includes(reason)) {
      out.problems.push(`${path}.reason: Unsupported value: ${JSON.stringify(reason)}: supported values: ${REASONS.map((r) => JSON.stringify(r)).join(", ")}`);
    }
    if (program) out.validations.push({ path, program, expression: program.expression, message, messageExpression, reason });
  }

  for (const [i, raw] of list(spec.auditAnnotations).entries()) {
    const annotation = record(raw);
    const path = `spec.auditAnnotations[${i}]`;
    if (typeof annotation.key !== "string" || annotation.key === "") out.problems.push(`${path}.key: Required value`);
    const program = compile(`${path}.valueExpression`, annotation.valueExpression, "any");
    if (program) out.auditAnnotations.push({ key: str(annotation.key), program });
  }
  return out;
}

export type FailurePolicy = "Fail" | "Ignore";

export interface Decision {
  /** "ignored": an evaluation error that failurePolicy Ignore admits. */
  kind: "admit" | "deny" | "error" | "ignored";
  message: string;
  reason?: string;
}

export type EvaluationOutcome = { matched: false; reason: string } | { matched: true; decisions: Decision[] };

/** The CEL variables of one evaluation: object, oldObject, request, params, namespaceObject. */
export function celContext(attrs: RequestAttributes, params: unknown): Record<string, unknown> {
  return {
    object: attrs.object,
    oldObject: attrs.oldObject,
    request: attrs.request,
    params: params ?? null,
    namespaceObject: attrs.namespaceObject,
  };
}

const MAX_MESSAGE_BYTES = 5 * 1024;

/** The evaluation context with `variables`: computed lazily, once, an error in one the error of its readers. */
export function withVariables(compiled: CompiledExpressions, base: Record<string, unknown>): Record<string, unknown> {
  const context: Record<string, unknown> = { ...base };
  const entries: Record<string, () => unknown> = {};
  for (const variable of compiled.variables) {
    entries[variable.name] = () => {
      const result = evaluateCel(variable.program, context);
      if (!result.ok) throw new Error(`composited variable ${JSON.stringify(variable.name)} fails to evaluate: ${result.error}`);
      return result.value;
    };
  }
  context.variables = lazyMap(entries);
  return context;
}

export type ConditionsOutcome = { matched: true } | { matched: false; reason: string } | { matched: false; errors: string[] };

/** matchconditions.Matcher: any false condition skips; otherwise errors fail (Fail) or skip (Ignore). */
export function evaluateMatchConditions(compiled: CompiledExpressions, context: Record<string, unknown>, failurePolicy: FailurePolicy): ConditionsOutcome {
  const errors: string[] = [];
  for (const condition of compiled.matchConditions) {
    const result = evaluateCel(condition.program, context);
    if (!result.ok) errors.push(`${condition.path} (${condition.name}): ${result.error}`);
    else if (result.value === false) return { matched: false, reason: `match condition ${JSON.stringify(condition.name)} is false` };
    else if (result.value !== true) errors.push(`${condition.path} (${condition.name}): the expression must evaluate to bool`);
  }
  if (errors.length === 0) return { matched: true };
  if (failurePolicy === "Ignore") return { matched: false, reason: `match conditions failed to evaluate (ignored, failurePolicy is Ignore): ${errors.join("; ")}` };
  return { matched: false, errors };
}

export type ValidationOutcome = { kind: "admit" } | { kind: "deny" } | { kind: "error"; message: string };

/** One validation: admitted only when it evaluates to true. */
export function evaluateValidation(validation: CompiledExpressions["validations"][number], context: Record<string, unknown>): ValidationOutcome {
  const result = evaluateCel(validation.program, context);
  if (!result.ok) return { kind: "error", message: `${validation.path}.expression: ${result.error}` };
  return result.value === true ? { kind: "admit" } : { kind: "deny" };
}

/** The API server's message for a failed validation: messageExpression, else message, else the expression. */
function denialMessage(validation: CompiledExpressions["validations"][number], context: Record<string, unknown>): string {
  if (validation.messageExpression) {
    const evaluated = evaluateCel(validation.messageExpression, context);
    if (evaluated.ok && typeof evaluated.value === "string") {
      const trimmed = evaluated.value.trim();
      if (trimmed !== "" && new TextEncoder().encode(trimmed).length <= MAX_MESSAGE_BYTES && !trimmed.includes("\n")) return trimmed;
    }
  }
  if (validation.message && validation.message.trim() !== "") return validation.message.trim();
  return `failed expression: ${validation.expression.trim()}`;
}

/** matchConditions, then every validation with its message: validator.Validate. */
export function evaluateExpressions(compiled: CompiledExpressions, base: Record<string, unknown>, failurePolicy: FailurePolicy): EvaluationOutcome {
  const context = withVariables(compiled, base);
  const conditions = evaluateMatchConditions(compiled, context, failurePolicy);
  if (!conditions.matched) {
    if ("errors" in conditions) return { matched: true, decisions: [{ kind: "error", message: `failed to evaluate match conditions: ${conditions.errors.join("; ")}` }] };
    return { matched: false, reason: conditions.reason };
  }
  const decisions: Decision[] = [];
  for (const validation of compiled.validations) {
    const outcome = evaluateValidation(validation, context);
    if (outcome.kind === "admit") decisions.push({ kind: "admit", message: "" });
    else if (outcome.kind === "error") decisions.push({ kind: failurePolicy === "Ignore" ? "ignored" : "error", message: outcome.message, reason: validation.reason });
    else decisions.push({ kind: "deny", message: denialMessage(validation, context), reason: validation.reason ?? "Invalid" });
  }
  return { matched: true, decisions };
}

/** Labels of an object. */
export function labelsOf(object: unknown): Record<string, string> {
  return stringMap(record(record(object).metadata).labels);
}
