// Gatekeeper's verdict on an environment, as `gator test` gives it: every Constraint whose template compiled is
// matched against every object (spec.match, Gatekeeper's Config exclusions, ExpansionTemplates' implied Pods), and
// its template's `violation` rule evaluated with `input.review`, `input.parameters` and `data.inventory` (the
// environment's objects), or its K8sNativeValidation CEL when it has no Rego. Violations become findings by the
// constraint's enforcement action; what is wrong with templates and constraints is a policy-invalid problem naming
// the file and line, and the rest keeps running.
import { objectKey, type Finding, type KubeObject, type Manifest } from "../../model.js";
import { record } from "../../util/values.js";
import { fromJSON, RegoEvalError, RegoObject, toJSON, type Value } from "../rego/index.js";
import { isGatekeeperObject, type GatekeeperPolicySet, type GatekeeperDocument } from "./documents.js";
import { enforcementOf, type EnforcementAction } from "./enforcement.js";
import { expandObject } from "./expansion.js";
import { evaluateCelSource } from "./cel.js";
import { buildInventory } from "./inventory.js";
import { excludedByConfig, ignoredByWebhook, isNamespaceObject, matchConstraint } from "./match.js";
import { ProblemList, violationFinding, type LocateOptions, type RegoEvaluation, type RegoPolicyResult } from "./results.js";
import { documentLocation, nameOf, policyProblem, templateProblem } from "./problems.js";
import { buildReview, type ReviewInput } from "./review.js";
import { evaluationProblem, TemplateCache, type CompiledTemplate, type TemplateProblem } from "./template.js";

export interface GatekeeperOptions extends LocateOptions {
  /** Namespaces the cluster has beyond the manifests' own (their labels serve namespaceSelector). */
  namespaces?: KubeObject[];
  /** The base rendering: an object it has too is reviewed as an UPDATE, with it as oldObject. */
  baseObjects?: Manifest[];
  userInfo?: ReviewInput["userInfo"];
  /** Templates compiled earlier in the run (another environment's, the configured paths'). */
  cache?: TemplateCache;
  /** Milliseconds one evaluation of a constraint on an object may take. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const SEVERITY: Record<EnforcementAction, Finding["severity"]> = { deny: "error", warn: "warning", dryrun: "notice" };

/** What one review is about: an object, or an object a workload implies (reported on the workload). */
interface Subject {
  /** The manifest results and findings are reported on. */
  manifest: Manifest;
  object: KubeObject;
  oldObject?: KubeObject;
  implied?: { by: string; action?: EnforcementAction };
}

/** The Namespace of a namespaced object: the environment's, the cluster's given, or one the API server would have. */
function namespaceLookup(manifests: Manifest[], given: KubeObject[]): (name: string) => KubeObject {
  const byName = new Map<string, KubeObject>();
  for (const object of [...given, ...manifests.map((manifest) => manifest.object)]) {
    if (isNamespaceObject(object)) byName.set(nameOf(object), object);
  }
  return (name) => {
    const found = byName.get(name);
    const metadata = record(found?.metadata);
    // the API server labels every namespace with its name; one the environment does not define exists all the same
    // (objects cannot be created in a namespace that does not), with labels unknown here
    return { apiVersion: "v1", kind: "Namespace", ...found, metadata: { ...metadata, name, labels: { ...record(metadata.labels), "kubernetes.io/metadata.name": name } } };
  };
}

/** Violations of the template's `violation` rule: { msg, details } objects. */
function violationsOf(value: Value | undefined): Array<{ msg: string; details?: unknown }> {
  if (value === undefined) return [];
  const json = toJSON(value);
  const members = Array.isArray(json) ? json : [];
  return members.map((member) => {
    const entry = record(member);
    return { msg: typeof entry.msg === "string" ? entry.msg : JSON.stringify(member), ...(entry.details !== undefined ? { details: entry.details } : {}) };
  });
}

interface ReadyConstraint {
  document: GatekeeperDocument;
  template: CompiledTemplate;
  action: EnforcementAction;
  parameters: Value | undefined;
}

/** The constraints that can be evaluated, each with its compiled template; what cannot is added to `problems`. */
function readyConstraints(set: GatekeeperPolicySet, cache: TemplateCache, problems: ProblemList, options: LocateOptions): ReadyConstraint[] {
  const templates = new Map<string, CompiledTemplate>();
  for (const document of set.templates) {
    const template = cache.get(document);
    for (const problem of template.problems) problems.add(templateProblem(template, problem, options));
    if (!template.kind) continue;
    if (templates.has(template.kind)) {
      problems.add(policyProblem(document, `kind ${template.kind} is defined by another ConstraintTemplate too (${templates.get(template.kind)!.name}): the first one is used`, "error", documentLocation(document, ["spec", "crd", "spec", "names", "kind"], options), options));
      continue;
    }
    templates.set(template.kind, template);
  }

  const constraints: ReadyConstraint[] = [];
  for (const document of set.constraints) {
    const kind = String(document.object.kind);
    const template = templates.get(kind);
    if (!template) {
      problems.add(policyProblem(document, `no ConstraintTemplate defines the kind ${kind}`, "error", documentLocation(document, ["kind"], options), options));
      continue;
    }
    const enforcement = enforcementOf(document.object);
    if (!enforcement.ok) {
      problems.add(policyProblem(document, enforcement.problem, "error", documentLocation(document, ["spec", "enforcementAction"], options), options));
      continue;
    }
    if (enforcement.action === undefined) {
      problems.add(policyProblem(document, `not evaluated: ${enforcement.reason}`, "notice", documentLocation(document, ["spec", "scopedEnforcementActions"], options), options));
      continue;
    }
    if (!template.program && !template.cel && template.unevaluatedEngines.length === 0) continue; // the template's problem says why
    const parameters = record(document.object.spec).parameters;
    constraints.push({ document, template, action: enforcement.action, parameters: parameters === undefined ? undefined : fromJSON(parameters) });
  }
  return constraints;
}

export function evaluateGatekeeper(set: GatekeeperPolicySet, manifests: Manifest[], options: GatekeeperOptions = {}): RegoEvaluation {
  const problems = new ProblemList();
  const results: RegoPolicyResult[] = [];
  const findings: Finding[] = [];

  const constraints = readyConstraints(set, options.cache ?? new TemplateCache(), problems, options);
  if (constraints.length === 0) return { results, findings: problems.findings };

  const objects = manifests.filter((manifest) => !isGatekeeperObject(manifest.object));
  const data = fromJSON({ inventory: buildInventory(objects.map((manifest) => manifest.object)) });
  const namespaceOf = namespaceLookup(manifests, options.namespaces ?? []);
  const base = new Map((options.baseObjects ?? []).map((manifest) => [objectKey(manifest.id), manifest.object]));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const configs = (set.configs ?? []).map((document) => document.object);
  const expansionDocuments = set.expansions ?? [];
  const expansions = expansionDocuments.map((document) => document.object);

  const review = (subject: Subject): void => {
    const { manifest, object } = subject;
    const namespaceName = String(record(object.metadata).namespace ?? "");
    const namespace = namespaceName && !isNamespaceObject(object) ? namespaceOf(namespaceName) : undefined;
    const target = { object, ...(namespace ? { namespace } : {}) };
    if (excludedByConfig(configs, target) || ignoredByWebhook(target)) return;
    let input: Value | undefined;
    const reviewInput = (): Value => {
      // one review per object, shared by the constraints; parameters are added per constraint
      input ??= fromJSON(buildReview({ object, ...(subject.oldObject ? { oldObject: subject.oldObject } : {}), ...(options.userInfo ? { userInfo: options.userInfo } : {}) }));
      return input;
    };
    for (const constraint of constraints) {
      const { document, template, parameters } = constraint;
      const action = subject.implied?.action ?? constraint.action;
      const implied = subject.implied ? `[Implied by ${subject.implied.by}] ` : "";
      const constraintName = nameOf(document.object);
      const result = (kind: RegoPolicyResult["result"], message: string, extra: Partial<RegoPolicyResult> = {}): void => {
        results.push({ engine: "gatekeeper", manifest, policy: template.name, rule: constraintName, result: kind, message: kind === "pass" ? message : `${implied}${message}`, enforcementAction: action, ...extra });
      };
      const spec = record(document.object.spec);
      const matched = matchConstraint(spec.match, { object, ...(namespace ? { namespace } : {}), source: subject.implied ? "Generated" : "Original" });
      if (!matched.matches) {
        if ("error" in matched) {
          result("error", matched.error);
          problems.add(policyProblem(document, `spec.match: ${matched.error}`, "error", documentLocation(document, ["spec", "match"], options), options));
        }
        continue;
      }
      if (!template.program && !template.cel) {
        result("skip", `ConstraintTemplate ${template.name} is not evaluated (no Rego, no K8sNativeValidation)`);
        problems.add(policyProblem(document, `not evaluated: its ConstraintTemplate ${template.name} has neither Rego nor K8sNativeValidation`, "notice", documentLocation(document, [], options), options));
        continue;
      }
      let violations: Array<{ msg: string; details?: unknown }>;
      if (template.program) {
        const reviewValue = reviewInput();
        // Gatekeeper leaves `parameters` out when the constraint has none
        const inputValue = RegoObject.of(parameters === undefined ? [["review", reviewValue]] : [["review", reviewValue], ["parameters", parameters]]);
        try {
          violations = violationsOf(template.program.evaluate([...template.packagePath, "violation"], { input: inputValue, data, deadline: Date.now() + timeoutMs }));
        } catch (error) {
          // reported at the template's Rego line, once however many objects and constraints meet it; an evaluator
          // failure of another kind too, so one template cannot stop the others
          const problem: TemplateProblem = error instanceof RegoEvalError ? evaluationProblem(template, error.problem) : { severity: "error", message: `evaluator failure: ${(error as Error).message}`, path: [] };
          result("error", problem.message);
          problems.add(templateProblem(template, problem, options, "evaluating: "));
          continue;
        }
      } else {
        const verdict = evaluateCelSource(template.cel!, { object, ...(subject.oldObject ? { oldObject: subject.oldObject } : {}), ...(namespace ? { namespace } : {}), constraint: document.object, ...(options.userInfo ? { userInfo: options.userInfo } : {}) });
        if (!verdict.ok) {
          result("error", verdict.error);
          problems.add(policyProblem(template.document, `evaluating K8sNativeValidation: ${verdict.error}`, "error", documentLocation(template.document, ["spec", "targets"], options), options));
          continue;
        }
        violations = verdict.violations.map((msg) => ({ msg }));
      }
      if (violations.length === 0) {
        result("pass", "");
        continue;
      }
      for (const violation of violations) {
        result(action === "deny" ? "fail" : "warn", violation.msg, violation.details !== undefined ? { details: violation.details } : {});
        const ruleId = `gatekeeper:${String(document.object.kind)}/${constraintName}`;
        const label = action === "dryrun" ? " (dryrun)" : "";
        findings.push(violationFinding(manifest, ruleId, SEVERITY[action], `${String(document.object.kind)}/${constraintName}${label}: ${implied}${violation.msg}`, options));
      }
    }
  };

  for (const manifest of objects) {
    const oldObject = base.get(objectKey(manifest.id));
    review({ manifest, object: manifest.object, ...(oldObject ? { oldObject } : {}) });
    for (const expansion of expandObject(manifest.object, expansions)) {
      if (!expansion.ok) {
        const document = expansionDocuments.find((candidate) => nameOf(candidate.object) === expansion.template)!;
        problems.add(policyProblem(document, expansion.problem, "error", documentLocation(document, ["spec", "templateSource"], options), options));
        continue;
      }
      const { expanded } = expansion;
      // the Pods a changed workload makes are new ones: reviewed as created, never as updated
      review({ manifest, object: expanded.object, implied: { by: expanded.template, ...(expanded.enforcementAction ? { action: expanded.enforcementAction } : {}) } });
    }
  }
  return { results, findings: [...findings, ...problems.findings] };
}
