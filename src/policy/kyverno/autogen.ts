// Kyverno's auto-generated rules for Pod controllers (pkg/autogen/v1/autogen.go and rule.go): a policy whose rules
// match Pods also checks the Pod templates of Deployments, DaemonSets, Jobs, StatefulSets, ReplicaSets and
// ReplicationControllers ("autogen-<rule>") and of CronJobs ("autogen-cronjob-<rule>"), unless the annotation
// pod-policies.kyverno.io/autogen-controllers says otherwise.
import { list, record } from "../../util/values.ts";

export const AUTOGEN_ANNOTATION = "pod-policies.kyverno.io/autogen-controllers";
const CONTROLLERS = ["DaemonSet", "Deployment", "Job", "StatefulSet", "ReplicaSet", "ReplicationController"];
const POD_CONTROLLER_KINDS = new Set([...CONTROLLERS, "CronJob", "Pod"]);

type Rule = Record<string, unknown>;

function kindName(selector: string): string {
  const parts = selector.split("/");
  // "Deployment/scale" is a subresource selector, "apps/v1/Deployment" a group/version/kind
  return parts.length === 2 && /^[A-Z]/.test(parts[0]!) ? parts[0]! : parts[parts.length - 1]!;
}

function descriptionsOf(block: unknown): Record<string, unknown>[] {
  const b = record(block);
  return [record(b.resources), ...list(b.any).map((f) => record(record(f).resources)), ...list(b.all).map((f) => record(record(f).resources))];
}

/** checkAutogenSupport: no names, selector or annotations, and not Pod mixed with other kinds. */
function supports(description: Record<string, unknown>, needed: { value: boolean }): boolean {
  const kinds = list(description.kinds).map(String);
  if (description.name || list(description.names).length || description.selector || description.annotations) return false;
  if (kinds.length > 1 && kinds.map(kindName).includes("Pod")) return false;
  if (kinds.some((kind) => POD_CONTROLLER_KINDS.has(kindName(kind)))) needed.value = true;
  return true;
}

function canAutogen(rules: Rule[]): boolean {
  const needed = { value: false };
  for (const rule of rules) {
    if (rule.generate) return false;
    if (record(rule.mutate).patchesJson6902) return false;
    for (const description of [...descriptionsOf(rule.match), ...(rule.exclude ? descriptionsOf(rule.exclude) : [])]) {
      if (!supports(description, needed)) return false;
    }
  }
  return needed.value;
}

function kindsOf(block: unknown): string[] {
  return descriptionsOf(block).flatMap((description) => list(description.kinds).map((kind) => kindName(String(kind))));
}

const computed = new WeakMap<Record<string, unknown>, Rule[]>();

/**
 * The rules Kyverno evaluates for a policy: its own, then the generated ones, in Kyverno's order. Computed once per
 * policy object (policies are evaluated against every object of an environment); the result must not be modified.
 */
export function computeRules(policy: Record<string, unknown>): Rule[] {
  let rules = computed.get(policy);
  if (!rules) computed.set(policy, (rules = computeRulesOnce(policy)));
  return rules;
}

function computeRulesOnce(policy: Record<string, unknown>): Rule[] {
  const spec = record(policy.spec);
  const rules = list(spec.rules).map(record);
  const own = rules.filter((rule) => !String(rule.name ?? "").startsWith("autogen-"));
  if (!canAutogen(rules)) return rules;
  const annotation = record(record(policy.metadata).annotations)[AUTOGEN_ANNOTATION];
  const requested = typeof annotation === "string" ? annotation.split(",").map((kind) => kind.trim()) : [...CONTROLLERS, "CronJob"];
  if (requested.includes("none")) return rules;
  const controllers = requested.filter((kind) => CONTROLLERS.includes(kind)).sort();
  const generated: Rule[] = [];
  for (const rule of own) {
    const forControllers = controllers.length ? controllerRule(rule, controllers) : undefined;
    if (forControllers) generated.push(convert(forControllers, POD_REPLACEMENTS, rule));
    if (requested.includes("CronJob")) {
      // generateCronJobRule starts from the controllers' rule (with every controller, as "all" would)
      const base = controllerRule(rule, CONTROLLERS);
      const cronjob = base ? generateRule(`autogen-cronjob-${String(rule.name)}`, base, "jobTemplate", ["CronJob"], true) : undefined;
      if (cronjob) generated.push(convert(cronjob, CRONJOB_REPLACEMENTS, rule));
    }
  }
  return generated.length ? [...own, ...generated] : rules;
}

function controllerRule(rule: Rule, controllers: string[]): Rule | undefined {
  const matchKinds = kindsOf(rule.match);
  const excludeKinds = rule.exclude ? kindsOf(rule.exclude) : [];
  if (!matchKinds.includes("Pod") || (excludeKinds.length && !excludeKinds.includes("Pod"))) return undefined;
  return generateRule(`autogen-${String(rule.name)}`, rule, "template", controllers, false);
}

function truncateName(name: string): string {
  return name.length > 63 ? name.slice(0, 63) : name;
}

/** Replaces the kinds of a match/exclude block (the filters holding Pod, or every filter for CronJob). */
function withKinds(block: unknown, kinds: string[], every: boolean): Record<string, unknown> {
  const b = structuredClone(record(block));
  const replace = (filter: Record<string, unknown>) => {
    const resources = record(filter.resources);
    if (every || list(resources.kinds).map((kind) => kindName(String(kind))).includes("Pod")) filter.resources = { ...resources, kinds };
    return filter;
  };
  if (list(b.any).length) b.any = list(b.any).map((filter) => replace(record(filter)));
  else if (list(b.all).length) b.all = list(b.all).map((filter) => replace(record(filter)));
  else b.resources = { ...record(b.resources), kinds };
  return b;
}

function generateRule(name: string, rule: Rule, templateKey: string, kinds: string[], every: boolean): Rule | undefined {
  const out: Rule = structuredClone(rule);
  out.name = truncateName(name);
  out.match = withKinds(rule.match, kinds, every);
  if (rule.exclude) {
    const exclude = record(rule.exclude);
    if (list(exclude.any).length || list(exclude.all).length || list(record(exclude.resources).kinds).length) out.exclude = withKinds(exclude, kinds, every);
  }
  const validate = record(rule.validate);
  if (!rule.validate) return rule.verifyImages ? out : undefined;
  const wrap = (pattern: unknown) => ({ spec: { [templateKey]: pattern } });
  if (validate.pattern !== undefined) out.validate = { ...pick(validate), pattern: wrap(validate.pattern) };
  else if (validate.deny !== undefined) out.validate = { ...pick(validate), deny: validate.deny };
  else if (validate.podSecurity !== undefined) out.validate = { ...pick(validate), podSecurity: validate.podSecurity };
  else if (validate.anyPattern !== undefined) out.validate = { ...pick(validate), anyPattern: list(validate.anyPattern).map(wrap) };
  else if (validate.foreach !== undefined) out.validate = { ...pick(validate), foreach: validate.foreach };
  else if (validate.cel !== undefined) out.validate = { ...validate };
  else return undefined;
  return out;
}

/** The fields a generated validate keeps besides its check. */
function pick(validate: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ["message", "failureAction", "failureActionOverrides", "allowExistingViolations", "validationFailureAction"]) {
    if (validate[key] !== undefined) out[key] = validate[key];
  }
  return out;
}

const POD_REPLACEMENTS: Array<[string, string]> = [
  ["request.object.spec", "request.object.spec.template.spec"],
  ["request.oldObject.spec", "request.oldObject.spec.template.spec"],
  ["request.object.metadata", "request.object.spec.template.metadata"],
  ["request.oldObject.metadata", "request.oldObject.spec.template.metadata"],
];
const POD_CEL_REPLACEMENTS: Array<[string, string]> = [
  ["object.spec", "object.spec.template.spec"],
  ["oldObject.spec", "oldObject.spec.template.spec"],
  ["object.metadata", "object.spec.template.metadata"],
  ["oldObject.metadata", "oldObject.spec.template.metadata"],
];
const CRONJOB_REPLACEMENTS: Array<[string, string]> = [
  ["request.object.spec", "request.object.spec.jobTemplate.spec.template.spec"],
  ["request.oldObject.spec", "request.oldObject.spec.jobTemplate.spec.template.spec"],
  ["request.object.metadata", "request.object.spec.jobTemplate.spec.template.metadata"],
  ["request.oldObject.metadata", "request.oldObject.spec.jobTemplate.spec.template.metadata"],
];
const CRONJOB_CEL_REPLACEMENTS: Array<[string, string]> = [
  ["object.spec", "object.spec.jobTemplate.spec.template.spec"],
  ["oldObject.spec", "oldObject.spec.jobTemplate.spec.template.spec"],
  ["object.metadata", "object.spec.jobTemplate.spec.template.metadata"],
  ["oldObject.metadata", "oldObject.spec.jobTemplate.spec.template.metadata"],
];

/** convertRule: Kyverno rewrites the rule's JSON text, so every reference to the Pod's fields points into the template. */
function convert(rule: Rule, replacements: Array<[string, string]>, original: Rule): Rule {
  const cel = record(record(original).validate).cel !== undefined;
  const table = cel ? (replacements === POD_REPLACEMENTS ? POD_CEL_REPLACEMENTS : CRONJOB_CEL_REPLACEMENTS) : replacements;
  let text = JSON.stringify(rule);
  for (const [from, to] of table) text = text.split(from).join(to);
  return JSON.parse(text) as Rule;
}
