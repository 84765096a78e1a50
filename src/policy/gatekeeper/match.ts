// Whether a Constraint's `spec.match` selects an object, as Gatekeeper decides it (pkg/mutation/match/match.go:
// kinds, scope, namespaces, excludedNamespaces, labelSelector, namespaceSelector, name, source; every one must
// agree).
import { matchLabelSelector } from "../cel/resources.js";
import { list, record, stringMap } from "../../util/values.js";

/** The object under review and, when it is namespaced, its Namespace object (labels for namespaceSelector). */
export interface MatchTarget {
  object: Record<string, unknown>;
  /** The object's Namespace; undefined for cluster-scoped objects or when it is not known. */
  namespace?: Record<string, unknown>;
  /** "Generated" for an object an ExpansionTemplate implies; "Original" (the default) for the others. */
  source?: "Original" | "Generated";
}

export type ConstraintMatch = { matches: true } | { matches: false; reason: string } | { matches: false; error: string };

/** Gatekeeper's Wildcard: a leading and/or trailing `*` is a suffix, prefix or substring match; otherwise exact. */
export function wildcardMatches(pattern: string, candidate: string): boolean {
  const leading = pattern.startsWith("*");
  const trailing = pattern.length > 1 && pattern.endsWith("*");
  if (pattern === "*") return true;
  if (leading && trailing) return candidate.includes(pattern.slice(1, -1));
  if (leading) return candidate.endsWith(pattern.slice(1));
  if (trailing) return candidate.startsWith(pattern.slice(0, -1));
  return pattern === candidate;
}

function strings(value: unknown): string[] {
  return list(value).filter((item): item is string => typeof item === "string");
}

function groupAndKind(object: Record<string, unknown>): { group: string; kind: string } {
  const apiVersion = typeof object.apiVersion === "string" ? object.apiVersion : "";
  const slash = apiVersion.indexOf("/");
  return { group: slash < 0 ? "" : apiVersion.slice(0, slash), kind: typeof object.kind === "string" ? object.kind : "" };
}

export function isNamespaceObject(object: Record<string, unknown>): boolean {
  const { group, kind } = groupAndKind(object);
  return group === "" && kind === "Namespace";
}

function metadataString(object: Record<string, unknown> | undefined, key: "name" | "namespace"): string {
  const value = record(record(object).metadata)[key];
  return typeof value === "string" ? value : "";
}

function kindsMatch(match: Record<string, unknown>, target: MatchTarget): boolean {
  const kinds = list(match.kinds).map(record);
  if (kinds.length === 0) return true;
  const { group, kind } = groupAndKind(target.object);
  return kinds.some((entry) => {
    const names = strings(entry.kinds);
    const groups = strings(entry.apiGroups);
    const kindMatches = names.length === 0 || names.includes("*") || names.includes(kind);
    return kindMatches && (groups.length === 0 || groups.includes("*") || groups.includes(group));
  });
}

function scopeMatch(match: Record<string, unknown>, target: MatchTarget): boolean {
  const hasNamespace = metadataString(target.object, "namespace") !== "" || target.namespace !== undefined;
  const isNamespace = isNamespaceObject(target.object);
  // anything else, typos included, is Gatekeeper's default "*"
  if (match.scope === "Cluster") return isNamespace || !hasNamespace;
  if (match.scope === "Namespaced") return !isNamespace && hasNamespace;
  return true;
}

/** The namespace the namespaces / excludedNamespaces lists are compared with; undefined for cluster-scoped objects. */
function namespaceName(target: MatchTarget): string | undefined {
  if (isNamespaceObject(target.object)) return metadataString(target.object, "name");
  if (target.namespace) return metadataString(target.namespace, "name");
  const own = metadataString(target.object, "namespace");
  return own === "" ? undefined : own;
}

function namespacesMatch(match: Record<string, unknown>, target: MatchTarget): boolean {
  const patterns = strings(match.namespaces);
  if (patterns.length === 0) return true;
  const namespace = namespaceName(target);
  return namespace === undefined || patterns.some((pattern) => wildcardMatches(pattern, namespace));
}

function excludedNamespacesMatch(match: Record<string, unknown>, target: MatchTarget): boolean {
  const patterns = strings(match.excludedNamespaces);
  if (patterns.length === 0) return true;
  const namespace = namespaceName(target);
  return namespace === undefined || !patterns.some((pattern) => wildcardMatches(pattern, namespace));
}

type Verdict = boolean | { error: string };

function labelSelectorMatch(match: Record<string, unknown>, target: MatchTarget): Verdict {
  if (match.labelSelector === undefined || match.labelSelector === null) return true;
  const result = matchLabelSelector(match.labelSelector, stringMap(record(target.object.metadata).labels));
  return result.ok ? result.matches : { error: `labelSelector: ${result.error}` };
}

function namespaceSelectorMatch(match: Record<string, unknown>, target: MatchTarget): Verdict {
  if (match.namespaceSelector === undefined || match.namespaceSelector === null) return true;
  const isNamespace = isNamespaceObject(target.object);
  // cluster-scoped objects other than Namespaces always match
  if (!isNamespace && target.namespace === undefined && metadataString(target.object, "namespace") === "") return true;
  const labelsOf = isNamespace ? target.object : target.namespace;
  if (!labelsOf) return { error: "namespaceSelector: the object's Namespace is not known" };
  const result = matchLabelSelector(match.namespaceSelector, stringMap(record(labelsOf.metadata).labels));
  return result.ok ? result.matches : { error: `namespaceSelector: ${result.error}` };
}

function nameMatch(match: Record<string, unknown>, target: MatchTarget): boolean {
  const name = typeof match.name === "string" ? match.name : "";
  return name === "" || wildcardMatches(name, metadataString(target.object, "name"));
}

/** match.source: All (or unset) selects both; Original and Generated the objects so made. */
function sourceMatch(match: Record<string, unknown>, target: MatchTarget): boolean {
  const wanted = typeof match.source === "string" ? match.source : "";
  return wanted === "" || wanted === "All" || wanted === (target.source ?? "Original");
}

const MATCHERS: Array<[string, (match: Record<string, unknown>, target: MatchTarget) => Verdict]> = [
  ["kinds", kindsMatch],
  ["scope", scopeMatch],
  ["namespaces", namespacesMatch],
  ["excludedNamespaces", excludedNamespacesMatch],
  ["labelSelector", labelSelectorMatch],
  ["namespaceSelector", namespaceSelectorMatch],
  ["name", nameMatch],
  ["source", sourceMatch],
];

/** Gatekeeper's match.Matches: the first criterion that does not select the object says why. */
export function matchConstraint(match: unknown, target: MatchTarget): ConstraintMatch {
  const criteria = record(match);
  for (const [name, matcher] of MATCHERS) {
    const verdict = matcher(criteria, target);
    if (typeof verdict === "object") return { matches: false, error: verdict.error };
    if (!verdict) return { matches: false, reason: `not selected by match.${name}` };
  }
  return { matches: true };
}

/** Processes of Gatekeeper's Config whose exclusions apply to admission ("webhook", or all). */
const ADMISSION_PROCESSES = ["*", "webhook"];

/**
 * Whether Gatekeeper's admission webhook reviews the object at all: its Config's `spec.match[].excludedNamespaces`
 * for the webhook process leave namespaces out (a Namespace by its own name, cluster-scoped objects never).
 */
export function excludedByConfig(configs: Array<Record<string, unknown>>, target: MatchTarget): boolean {
  const namespace = namespaceName(target);
  if (namespace === undefined) return false;
  return configs.some((config) =>
    list(record(config.spec).match)
      .map(record)
      .some((entry) => strings(entry.processes).some((process) => ADMISSION_PROCESSES.includes(process)) && strings(entry.excludedNamespaces).some((pattern) => wildcardMatches(pattern, namespace))),
  );
}

/** The label Gatekeeper's webhook namespaceSelector leaves out (its exempt namespaces carry it). */
export const IGNORE_LABEL = "admission.gatekeeper.sh/ignore";

/** Whether the admission webhook is not called for the object: its namespace (or itself, a Namespace) has the label. */
export function ignoredByWebhook(target: MatchTarget): boolean {
  const namespace = isNamespaceObject(target.object) ? target.object : target.namespace;
  return namespace !== undefined && Object.hasOwn(record(record(namespace.metadata).labels), IGNORE_LABEL);
}
