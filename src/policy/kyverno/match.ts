// Which resources a Kyverno rule (match / exclude) or PolicyException applies to, as Kyverno decides it
// (pkg/engine/utils/match.go MatchesResourceDescription and checkKind / checkName / checkNameSpace /
// checkSelector / checkAnnotations; pkg/utils/wildcard; pkg/utils/kube/kind.go ParseKindSelector).
import { list, record } from "../../util/values.ts";
import { wildcardMatch } from "./wildcard.ts";

export interface MatchSubject {
  object: Record<string, unknown>;
  operation: string;
  /** labels of the resource's namespace (for namespaceSelector); undefined when unknown */
  namespaceLabels?: Record<string, string>;
  userInfo?: { username?: string; groups?: string[]; roles?: string[]; clusterRoles?: string[] };
  /** "scale", "status"… when the request is for a subresource */
  subresource?: string;
}

export { wildcardMatch };

function groupVersionOf(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** "Pod", "v1/Pod", "apps/v1/Deployment", "*\/Pod", "Deployment/scale", "apps/v1/Deployment/scale" (each part may hold wildcards). */
export function kindMatches(selector: string, apiVersion: string, kind: string, subresource = ""): boolean {
  const { group, version } = groupVersionOf(apiVersion);
  const parts = selector.split("/");
  let g = "*";
  let v = "*";
  let k: string;
  let sub = "";
  // ParseKindSelector: kind | kind/subresource | version/kind | group/version/kind | group/version/kind/subresource
  if (parts.length === 1) k = parts[0]!;
  else if (parts.length === 2) {
    // "Deployment/scale" (a kind starts upper case) or "v1/Pod"
    if (/^[A-Z*]/.test(parts[0]!) && parts[0] !== "*" ) [k, sub] = [parts[0]!, parts[1]!];
    else [v, k] = [parts[0]!, parts[1]!];
  } else if (parts.length === 3) [g, v, k] = [parts[0]!, parts[1]!, parts[2]!];
  else [g, v, k, sub] = [parts[0]!, parts[1]!, parts[2]!, parts.slice(3).join("/")];
  if (!wildcardMatch(g, group) || !wildcardMatch(v, version) || !wildcardMatch(k, kind)) return false;
  // a selector without a subresource matches the resource itself only
  return sub === "" ? subresource === "" : wildcardMatch(sub, subresource);
}

function matchesLabelSelector(selector: unknown, labels: Record<string, string>): boolean {
  const s = record(selector);
  for (const [key, value] of Object.entries(record(s.matchLabels))) {
    // Kyverno allows wildcards in both keys and values of matchLabels
    const matching = Object.entries(labels).filter(([labelKey]) => wildcardMatch(key, labelKey));
    if (!matching.some(([, labelValue]) => wildcardMatch(String(value), labelValue))) return false;
  }
  for (const expression of list(s.matchExpressions)) {
    const e = record(expression);
    const key = String(e.key ?? "");
    const values = list(e.values).map(String);
    const present = key in labels;
    switch (e.operator) {
      case "In":
        if (!present || !values.includes(labels[key]!)) return false;
        break;
      case "NotIn":
        if (present && values.includes(labels[key]!)) return false;
        break;
      case "Exists":
        if (!present) return false;
        break;
      case "DoesNotExist":
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

const stringsOf = (value: unknown): string[] => list(value).map(String);

/** One ResourceDescription (kinds, names, namespaces, annotations, selector, namespaceSelector, operations): all that are set must hold. */
export function matchesResourceDescription(description: unknown, subject: MatchSubject): boolean {
  const d = record(description);
  const object = subject.object;
  const metadata = record(object.metadata);
  const kind = String(object.kind ?? "");
  const apiVersion = String(object.apiVersion ?? "");
  const name = String(metadata.name ?? metadata.generateName ?? "");
  const namespace = typeof metadata.namespace === "string" ? metadata.namespace : "";
  const kinds = stringsOf(d.kinds);
  if (kinds.length && !kinds.some((selector) => kindMatches(selector, apiVersion, kind, subject.subresource))) return false;
  const names = [...stringsOf(d.names), ...(typeof d.name === "string" && d.name ? [d.name] : [])];
  if (names.length && !names.some((pattern) => wildcardMatch(pattern, name))) return false;
  const namespaces = stringsOf(d.namespaces);
  if (namespaces.length) {
    // a Namespace is matched by its own name
    const own = kind === "Namespace" && apiVersion === "v1" ? name : namespace;
    if (!namespaces.some((pattern) => wildcardMatch(pattern, own))) return false;
  }
  const annotations = record(d.annotations);
  if (Object.keys(annotations).length) {
    const actual = record(metadata.annotations);
    for (const [key, value] of Object.entries(annotations)) {
      const matching = Object.entries(actual).filter(([actualKey]) => wildcardMatch(key, actualKey));
      if (!matching.some(([, actualValue]) => wildcardMatch(String(value), String(actualValue)))) return false;
    }
  }
  if (d.selector !== undefined && d.selector !== null) {
    if (!matchesLabelSelector(d.selector, Object.fromEntries(Object.entries(record(metadata.labels)).map(([k, v]) => [k, String(v)])))) return false;
  }
  if (d.namespaceSelector !== undefined && d.namespaceSelector !== null) {
    const labels = kind === "Namespace" && apiVersion === "v1" ? Object.fromEntries(Object.entries(record(metadata.labels)).map(([k, v]) => [k, String(v)])) : subject.namespaceLabels;
    if (!labels || !matchesLabelSelector(d.namespaceSelector, labels)) return false;
  }
  const operations = stringsOf(d.operations);
  if (operations.length && !operations.includes(subject.operation)) return false;
  return true;
}

function matchesUserInfo(filter: Record<string, unknown>, subject: MatchSubject): boolean {
  const roles = stringsOf(filter.roles);
  const clusterRoles = stringsOf(filter.clusterRoles);
  const subjects = list(filter.subjects).map(record);
  if (!roles.length && !clusterRoles.length && !subjects.length) return true;
  const user = subject.userInfo ?? {};
  if (roles.length && !roles.some((role) => (user.roles ?? []).some((actual) => wildcardMatch(role, actual)))) return false;
  if (clusterRoles.length && !clusterRoles.some((role) => (user.clusterRoles ?? []).some((actual) => wildcardMatch(role, actual)))) return false;
  if (subjects.length) {
    const matched = subjects.some((s) => {
      if (s.kind === "Group") return (user.groups ?? []).some((group) => wildcardMatch(String(s.name), group));
      if (s.kind === "User") return user.username !== undefined && wildcardMatch(String(s.name), user.username);
      if (s.kind === "ServiceAccount") return user.username === `system:serviceaccount:${String(s.namespace)}:${String(s.name)}`;
      return false;
    });
    if (!matched) return false;
  }
  return true;
}

/** A ResourceFilter of any/all: its resources and its userInfo (roles, clusterRoles, subjects). */
function matchesFilter(filter: unknown, subject: MatchSubject): boolean {
  const f = record(filter);
  return matchesResourceDescription(f.resources, subject) && matchesUserInfo(f, subject);
}

/** match or exclude block: `any` (one filter), `all` (every filter), or the legacy form (resources + userInfo at the top). */
export function matchesBlock(block: unknown, subject: MatchSubject): boolean {
  const b = record(block);
  const any = list(b.any);
  const all = list(b.all);
  if (any.length) return any.some((filter) => matchesFilter(filter, subject));
  if (all.length) return all.every((filter) => matchesFilter(filter, subject));
  if (b.resources === undefined && !b.roles && !b.clusterRoles && !b.subjects) return false;
  return matchesFilter(b, subject);
}

/** A rule applies when its match block matches and its exclude block (if any) does not. */
export function ruleApplies(rule: Record<string, unknown>, subject: MatchSubject): boolean {
  if (!matchesBlock(rule.match, subject)) return false;
  const exclude = record(rule.exclude);
  if (Object.keys(exclude).length && matchesBlock(exclude, subject)) return false;
  return true;
}
