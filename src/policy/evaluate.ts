// Policies over one environment's rendered objects, as the cluster's admission control would apply them: the
// built-in pack, the Kyverno policies / PolicyExceptions / ValidatingAdmissionPolicies and bindings, Gatekeeper
// ConstraintTemplates and Constraints the environment renders itself (and those of configured paths), and the Rego
// policies a repository keeps for conftest or as compiled OPA bundles. Each violation becomes a Finding located in
// the repository; waivers (annotation or configuration) are honoured and shown.
import { objectKey, type Finding, type Manifest, type SourceLocation } from "../model.ts";
import { list, record } from "../util/values.ts";
import { globToRegExp } from "../util/paths.ts";
import { evaluateKyvernoValidatingPolicy, isKyvernoValidatingPolicy } from "./cel/kyverno-validating-policy.ts";
import { checkValidatingAdmissionPolicy, checkValidatingAdmissionPolicyBinding, evaluateValidatingAdmissionPolicy } from "./cel/vap.ts";
import { evaluateKyvernoPolicy, policyName, type RuleResult } from "./kyverno/engine.ts";
import { evaluateConftest, type ConftestPolicy } from "./conftest/index.ts";
import { emptyGatekeeperSet, evaluateGatekeeper, isGatekeeperObject, TemplateCache, withGatekeeperPolicies, type GatekeeperPolicySet, type RegoEvaluation } from "./gatekeeper/index.ts";
import { evaluateWasmBundle, type WasmBundle } from "./rego/wasm.ts";

export type Severity = Finding["severity"];

/** A policy document with where it came from. */
export interface PolicyDocument {
  object: Record<string, unknown>;
  /** "builtin" for the pack, else the repository file */
  origin: "builtin" | SourceLocation;
}

export interface PolicySet {
  kyverno: PolicyDocument[];
  /** Kyverno's CEL ValidatingPolicies (policies.kyverno.io) */
  validatingPolicies: PolicyDocument[];
  exceptions: PolicyDocument[];
  vaps: PolicyDocument[];
  bindings: PolicyDocument[];
  /** ConstraintTemplates, Constraints (and Gatekeeper's ExpansionTemplates and Config) */
  gatekeeper: GatekeeperPolicySet;
  /** Templates compiled once for the whole run, whichever environment renders them */
  templateCache: TemplateCache;
  /** conftest-style Rego policies, compiled once for the run */
  conftest?: { policy: ConftestPolicy; namespaces: string[] | "all" };
  /** compiled OPA bundles */
  bundles: WasmBundle[];
}

export const IGNORE_ANNOTATION = "gitops-verify.io/ignore";
export const IGNORE_REASON_ANNOTATION = "gitops-verify.io/ignore-reason";
export const ID_ANNOTATION = "gitops-verify.io/id";
export const SEVERITY_ANNOTATION = "gitops-verify.io/severity";

export function emptyPolicySet(): PolicySet {
  return { kyverno: [], validatingPolicies: [], exceptions: [], vaps: [], bindings: [], gatekeeper: emptyGatekeeperSet(), templateCache: new TemplateCache(), bundles: [] };
}

const isKyvernoPolicy = (object: Record<string, unknown>) => /^kyverno\.io\//.test(String(object.apiVersion)) && (object.kind === "ClusterPolicy" || object.kind === "Policy");
const isException = (object: Record<string, unknown>) => /^kyverno\.io\//.test(String(object.apiVersion)) && object.kind === "PolicyException";
const isVap = (object: Record<string, unknown>) => /^admissionregistration\.k8s\.io\//.test(String(object.apiVersion)) && object.kind === "ValidatingAdmissionPolicy";
const isBinding = (object: Record<string, unknown>) => /^admissionregistration\.k8s\.io\//.test(String(object.apiVersion)) && object.kind === "ValidatingAdmissionPolicyBinding";

/** Adds the policy objects among `objects` to a set (a copy). */
export function withPolicies(set: PolicySet, objects: Array<{ object: Record<string, unknown>; origin: PolicyDocument["origin"]; manifest?: Manifest }>): PolicySet {
  const out: PolicySet = {
    ...set,
    kyverno: [...set.kyverno],
    validatingPolicies: [...set.validatingPolicies],
    exceptions: [...set.exceptions],
    vaps: [...set.vaps],
    bindings: [...set.bindings],
    gatekeeper: withGatekeeperPolicies(
      set.gatekeeper,
      objects
        .filter((document) => isGatekeeperObject(document.object))
        .map((document) => ({ object: document.object, origin: document.origin, ...(document.manifest ? { manifest: document.manifest } : {}) })),
    ),
  };
  for (const document of objects) {
    if (isKyvernoPolicy(document.object)) out.kyverno.push(document);
    else if (isKyvernoValidatingPolicy(document.object)) out.validatingPolicies.push(document);
    else if (isException(document.object)) out.exceptions.push(document);
    else if (isVap(document.object)) out.vaps.push(document);
    else if (isBinding(document.object)) out.bindings.push(document);
  }
  return out;
}

export function isPolicyObject(object: Record<string, unknown>): boolean {
  return isKyvernoPolicy(object) || isKyvernoValidatingPolicy(object) || isException(object) || isVap(object) || isBinding(object) || isGatekeeperObject(object);
}

export interface PolicyOptions {
  environment?: string;
  locate?: (manifest: Manifest, path: Array<string | number>) => SourceLocation | undefined;
  /** severity overrides of built-in checks ("off" switches one off) */
  severities?: Record<string, Severity | "off">;
  waivers?: Array<{ ids: string[]; paths: string[]; reason: string }>;
  /**
   * The object as the cluster has it before this revision is applied (the base rendering's), when it exists: the
   * request is then an UPDATE with it as oldObject, as admission control would see the change; otherwise a CREATE.
   */
  previous?: (manifest: Manifest) => Record<string, unknown> | undefined;
}

/**
 * Evaluates every policy of the set on every object of the environment (policy objects themselves are not checked
 * by the policies). Returns findings: violations, policies that could not be evaluated, rules not evaluated.
 */
export function evaluatePolicies(manifests: Manifest[], set: PolicySet, options: PolicyOptions = {}): Finding[] {
  return evaluatePoliciesDetailed(manifests, set, options).findings;
}

/** One policy result for one object, as `kyverno apply` reports them (pass, fail, skip, warn, error). */
export interface PolicyResult {
  manifest: Manifest;
  policy: string;
  rule: string;
  result: "pass" | "fail" | "skip" | "warn" | "error";
  message: string;
}

/** The findings, and every result (passes and skips too) for reports that list them. */
export function evaluatePoliciesDetailed(manifests: Manifest[], set: PolicySet, options: PolicyOptions = {}): { findings: Finding[]; results: PolicyResult[] } {
  const findings: Finding[] = [];
  const all: PolicyResult[] = [];
  const namespaces = new Map<string, Record<string, string>>();
  for (const manifest of manifests) {
    if (manifest.id.group === "" && manifest.id.kind === "Namespace") namespaces.set(manifest.id.name, stringMap(record(manifest.object.metadata).labels));
  }
  const configMaps = new Map<string, Record<string, unknown>>();
  for (const manifest of manifests) if (manifest.id.group === "" && manifest.id.kind === "ConfigMap") configMaps.set(`${manifest.id.namespace}/${manifest.id.name}`, manifest.object);
  const exceptions = set.exceptions.map((document) => document.object);
  const notEvaluated = new Map<string, Finding>();
  const errors = new Map<string, Finding>();
  const objects = manifests.filter((manifest) => !isPolicyObject(manifest.object));
  // what the API server would refuse in the policies themselves, whether or not an object reaches them
  for (const document of set.vaps) {
    for (const problem of checkValidatingAdmissionPolicy(document.object)) errors.set(`static#${problem}`, policyProblem(document, problem, options));
  }
  for (const document of set.bindings) {
    for (const problem of checkValidatingAdmissionPolicyBinding(document.object)) errors.set(`static#${problem}`, policyProblem(document, problem, options));
  }

  for (const manifest of objects) {
    const namespaceLabels = namespaces.get(manifest.id.namespace);
    const waiver = waiverOf(manifest);
    const oldObject = options.previous?.(manifest);
    const request = oldObject ? { operation: "UPDATE" as const, oldObject } : { operation: "CREATE" as const };
    for (const document of set.kyverno) {
      const builtinId = stringMap(record(document.object.metadata).annotations)[ID_ANNOTATION];
      const severityOverride = builtinId ? options.severities?.[builtinId] : undefined;
      if (severityOverride === "off") continue;
      let results: RuleResult[];
      try {
        results = evaluateKyvernoPolicy(document.object, { object: manifest.object, ...request, ...(namespaceLabels ? { namespaceLabels } : {}) }, {
          exceptions,
          configMap: (namespace, name) => configMaps.get(`${namespace}/${name}`),
          apiCall: (urlPath) => listFromEnvironment(urlPath, manifests),
        });
      } catch (error) {
        const key = `${policyName(document.object)}#error`;
        if (!errors.has(key)) errors.set(key, policyProblem(document, `could not be evaluated: ${(error as Error).message}`, options));
        continue;
      }
      for (const result of results) {
        all.push({ manifest, policy: result.policy, rule: result.rule, result: result.status, message: result.message });
        const id = builtinId ?? `kyverno:${result.policy}/${result.rule.replace(/^autogen-(cronjob-)?/, "")}`;
        if (result.notEvaluated) {
          const key = `${result.policy}/${result.rule}`;
          if (!notEvaluated.has(key)) notEvaluated.set(key, { ruleId: "policy-not-evaluated", severity: "notice", message: `policy ${result.policy}, rule ${result.rule}: ${result.message}`, ...origin(document), ...env(options) });
          continue;
        }
        if (result.status === "error") {
          const key = `${result.policy}/${result.rule}#error`;
          if (!errors.has(key)) errors.set(key, policyProblem(document, `rule ${result.rule}: ${result.message}`, options));
          continue;
        }
        if (result.status !== "fail" && result.status !== "warn") continue;
        const severity: Severity = severityOverride ?? (builtinId ? builtinSeverity(document) : result.status === "warn" ? "warning" : kyvernoSeverity(document.object, result.rule));
        const text = conciseMessage(result.message);
        const finding = violation(manifest, id, severity, builtinId ? `${title(document)}: ${text}` : `${result.policy}/${result.rule}: ${text}`, pathOf(result.message), options);
        findings.push(applyWaivers(finding, manifest, [builtinId, result.policy].filter((value): value is string => Boolean(value)), waiver, options));
      }
    }
    for (const document of set.validatingPolicies) {
      const name = String(record(document.object.metadata).name ?? "");
      const namespaceObject = manifest.id.namespace ? { apiVersion: "v1", kind: "Namespace", metadata: { name: manifest.id.namespace, labels: namespaceLabels ?? {} } } : undefined;
      const outcome = evaluateKyvernoValidatingPolicy(document.object, {
        object: manifest.object,
        ...request,
        ...(namespaceObject ? { namespaceObject } : {}),
        objects: manifests.map((candidate) => candidate.object),
      });
      all.push({ manifest, policy: name, rule: "", result: outcome.result, message: outcome.messages.join("; ") });
      if (outcome.result === "error") {
        const key = `${name}#${outcome.messages.join()}`;
        if (!errors.has(key)) errors.set(key, policyProblem(document, outcome.messages.join("; ") || "could not be evaluated", options));
        continue;
      }
      if (outcome.result !== "fail") continue;
      const severity: Severity = outcome.actions.includes("Deny") ? "error" : outcome.actions.includes("Warn") ? "warning" : "notice";
      findings.push(applyWaivers(violation(manifest, `kyverno:${name}`, severity, `${name}: ${outcome.messages.join("; ")}`, undefined, options), manifest, [name], waiver, options));
    }
    for (const document of set.vaps) {
      const name = String(record(document.object.metadata).name ?? "");
      const bindings = set.bindings.map((binding) => binding.object).filter((binding) => record(binding.spec).policyName === name);
      const namespaceObject = manifest.id.namespace ? { apiVersion: "v1", kind: "Namespace", metadata: { name: manifest.id.namespace, labels: namespaceLabels ?? {} } } : undefined;
      let results;
      try {
        results = evaluateValidatingAdmissionPolicy(document.object, bindings, {
          object: manifest.object,
          ...request,
          ...(namespaceObject ? { namespaceObject } : {}),
          objects: manifests.map((candidate) => candidate.object),
        });
      } catch (error) {
        const key = `${name}#error`;
        if (!errors.has(key)) errors.set(key, policyProblem(document, `could not be evaluated: ${(error as Error).message}`, options));
        continue;
      }
      for (const result of results) {
        all.push({ manifest, policy: name, rule: result.binding ?? "", result: result.result, message: result.messages.join("; ") });
        if (result.result === "error") {
          const key = `${name}#${result.messages.join()}`;
          if (!errors.has(key)) errors.set(key, policyProblem(document, result.messages.join("; ") || "could not be evaluated", options));
          continue;
        }
        if (result.result !== "fail") continue;
        const severity: Severity = result.actions.includes("Deny") ? "error" : result.actions.includes("Warn") ? "warning" : "notice";
        const finding = violation(manifest, `vap:${name}`, severity, `${name}${result.binding ? ` (binding ${result.binding})` : ""}: ${result.messages.join("; ")}`, undefined, options);
        findings.push(applyWaivers(finding, manifest, [name], waiver, options));
      }
    }
  }
  const rego = evaluateRegoEngines(manifests, objects, set, options);
  for (const result of rego.results) all.push({ manifest: result.manifest, policy: result.policy, rule: result.rule, result: result.result, message: result.message });
  findings.push(...rego.findings);
  return { findings: [...findings, ...errors.values(), ...notEvaluated.values()], results: all };
}

/** Gatekeeper constraints, conftest policies and OPA bundles over the environment, waivers applied to their findings. */
function evaluateRegoEngines(manifests: Manifest[], objects: Manifest[], set: PolicySet, options: PolicyOptions): RegoEvaluation {
  const located = { ...(options.environment ? { environment: options.environment } : {}), ...(options.locate ? { locate: options.locate } : {}) };
  const evaluations: RegoEvaluation[] = [];
  if (set.gatekeeper.constraints.length > 0 || set.gatekeeper.templates.length > 0) {
    // the objects as the cluster has them before this revision: reviewed as UPDATEs with them as oldObject
    const baseObjects = options.previous
      ? objects.flatMap((manifest) => {
          const old = options.previous!(manifest);
          return old ? [{ ...manifest, object: old }] : [];
        })
      : [];
    evaluations.push(evaluateGatekeeper(set.gatekeeper, manifests, { ...located, baseObjects, cache: set.templateCache }));
  }
  if (set.conftest) evaluations.push(evaluateConftest(set.conftest.policy, objects, { ...located, namespaces: set.conftest.namespaces }));
  for (const bundle of set.bundles) evaluations.push(evaluateWasmBundle(bundle, objects, located));
  const byKey = new Map(manifests.map((manifest) => [manifest.id, manifest]));
  const findings = evaluations.flatMap((evaluation) => evaluation.findings).map((finding) => {
    const manifest = finding.object ? byKey.get(finding.object) : undefined;
    if (!manifest || finding.ruleId.startsWith("policy-")) return finding;
    return applyWaivers(finding, manifest, waiverIds(finding.ruleId), waiverOf(manifest), options);
  });
  return { results: evaluations.flatMap((evaluation) => evaluation.results), findings };
}

/**
 * The names a waiver may give for a Rego finding: the rule ID itself, and its parts — a Gatekeeper constraint's
 * kind and name, a conftest rule's namespace and rule, a bundle's file.
 */
function waiverIds(ruleId: string): string[] {
  const [engine, rest = ""] = ruleId.split(/:(.*)/s, 2) as [string, string?];
  const parts = engine === "opa-wasm" ? rest.split("#") : rest.split("/");
  return [ruleId, rest, ...parts].filter(Boolean);
}

/**
 * A list request (/api/v1/namespaces/NS/RESOURCE, /apis/GROUP/VERSION/[namespaces/NS/]RESOURCE) answered with the
 * environment's own objects of that kind: what the cluster will hold once the environment is applied.
 */
export function listFromEnvironment(urlPath: string, manifests: Manifest[]): unknown {
  // an object without a namespace asks for /namespaces//…: the objects without one answer it
  const match = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]*))?\/([a-z0-9.-]+)\/?$/.exec(urlPath.split("?")[0]!);
  if (!match) return undefined;
  const group = match[2] ?? "";
  const namespace = match[4];
  const resource = match[5]!;
  const items = manifests
    .filter((manifest) => manifest.id.group === group && pluralOf(manifest.id.kind) === resource && (namespace === undefined || manifest.id.namespace === namespace))
    .map((manifest) => manifest.object);
  return { apiVersion: "v1", kind: "List", items };
}

/** The resource name of a kind, as the API server names it (lower case plural). */
function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower === "endpoints") return lower;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

function stringMap(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(record(value)).map(([key, item]) => [key, String(item)]));
}

function env(options: PolicyOptions): { environment?: string } {
  return options.environment ? { environment: options.environment } : {};
}

function origin(document: PolicyDocument): { location?: SourceLocation } {
  return document.origin === "builtin" ? {} : { location: document.origin };
}

function policyProblem(document: PolicyDocument, message: string, options: PolicyOptions): Finding {
  const kind = String(document.object.kind);
  const name = String(record(document.object.metadata).name ?? "");
  return { ruleId: "policy-invalid", severity: "error", message: `${kind} ${name} ${message}`, ...origin(document), ...env(options) };
}

function title(document: PolicyDocument): string {
  const annotations = stringMap(record(document.object.metadata).annotations);
  return annotations["policies.kyverno.io/title"] ?? String(record(document.object.metadata).name);
}

function builtinSeverity(document: PolicyDocument): Severity {
  const severity = stringMap(record(document.object.metadata).annotations)[SEVERITY_ANNOTATION];
  return severity === "error" || severity === "warning" || severity === "notice" ? severity : "warning";
}

/** Enforce fails admission (error); Audit only reports (warning). The rule's failureAction wins over the policy's. */
function kyvernoSeverity(policy: Record<string, unknown>, ruleName: string): Severity {
  const spec = record(policy.spec);
  const rule = list(spec.rules)
    .map(record)
    .find((candidate) => candidate.name === ruleName.replace(/^autogen-(cronjob-)?/, ""));
  const action = String(record(rule?.validate).failureAction ?? spec.validationFailureAction ?? "Audit");
  return action.toLowerCase() === "enforce" ? "error" : "warning";
}

/**
 * Kyverno's message without its frame ("validation error: <message>. rule <rule> failed at path <path>"): the
 * finding carries the path and the location already.
 */
function conciseMessage(message: string): string {
  const trimmed = message
    .replace(/^validation (error|failure): /, "")
    .replace(/\.? ?rule \S+ failed at (element \d+ )?path \S*$/, "")
    .trim();
  return trimmed || message;
}

/** Kyverno's failure path ("…failed at path /spec/containers/0/image/") as segments. */
function pathOf(message: string): Array<string | number> | undefined {
  const match = / at path (\/\S*)/.exec(message);
  if (!match) return undefined;
  return match[1]!
    .split("/")
    .filter(Boolean)
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment.replace(/^[=X^<+]?\((.*)\)$/, "$1")));
}

function dotted(segments: Array<string | number>): string {
  return segments.reduce<string>((path, segment) => (typeof segment === "number" ? `${path}[${segment}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment) ? (path ? `${path}.${segment}` : segment) : `${path}[${JSON.stringify(segment)}]`), "");
}

function violation(manifest: Manifest, ruleId: string, severity: Severity, message: string, path: Array<string | number> | undefined, options: PolicyOptions): Finding {
  const location = options.locate?.(manifest, path ?? []) ?? manifest.source;
  return {
    ruleId,
    severity,
    message,
    object: manifest.id,
    ...(path && path.length ? { path: dotted(path) } : {}),
    ...(location ? { location } : {}),
    ...env(options),
  };
}

interface Waiver {
  ids: string[];
  reason?: string;
}

function waiverOf(manifest: Manifest): Waiver | undefined {
  const annotations = stringMap(record(manifest.object.metadata).annotations);
  const ids = annotations[IGNORE_ANNOTATION];
  if (!ids) return undefined;
  const reason = annotations[IGNORE_REASON_ANNOTATION];
  return { ids: ids.split(",").map((id) => id.trim()).filter(Boolean), ...(reason ? { reason } : {}) };
}

/** A waived violation becomes a notice that says who waived it and why; a waiver without a reason is a warning. */
function applyWaivers(finding: Finding, manifest: Manifest, ids: string[], waiver: Waiver | undefined, options: PolicyOptions): Finding {
  if (waiver && ids.some((id) => waiver.ids.includes(id))) {
    if (!waiver.reason) return { ...finding, severity: "warning", message: `${finding.message} (waived by ${IGNORE_ANNOTATION} without a reason: add ${IGNORE_REASON_ANNOTATION})` };
    return { ...finding, severity: "notice", message: `waived (${waiver.reason}): ${finding.message}` };
  }
  const file = manifest.source?.file;
  const configured = file ? options.waivers?.find((candidate) => candidate.ids.some((id) => ids.includes(id)) && candidate.paths.some((glob) => globToRegExp(glob).test(file))) : undefined;
  if (configured) return { ...finding, severity: "notice", message: `waived by configuration (${configured.reason}): ${finding.message}` };
  return finding;
}

export { objectKey };
