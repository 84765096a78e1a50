// The kinds the stand-in serves: the built-in table, extra kinds a test asks for, and those of established CRDs.
import { isMap, stringAt, type KubeObject } from "./objects.ts";

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  /** The URL segment, lowercase plural. */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Built-in kinds list their items without apiVersion/kind, as the real server's typed lists do. */
  builtin: boolean;
  /** Subresources listed in discovery ("status", "scale"); served only as 404s. */
  subresources: string[];
}

/** An extra kind for a test: `{ apiVersion: "example.com/v1", kind: "Widget" }`. */
export interface ExtraResource {
  apiVersion: string;
  kind: string;
  plural?: string;
  namespaced?: boolean;
}

export const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

function builtin(groupVersion: string, kind: string, plural: string, namespaced: boolean, subresources: string[] = [], shortNames?: string[]): ResourceType {
  const [group, version] = groupVersion.includes("/") ? groupVersion.split("/") : ["", groupVersion];
  return { group: group!, version: version!, kind, plural, singular: kind.toLowerCase(), namespaced, shortNames, builtin: true, subresources };
}

const BUILTIN: ResourceType[] = [
  builtin("v1", "Namespace", "namespaces", false, ["status", "finalize"], ["ns"]),
  builtin("v1", "ConfigMap", "configmaps", true, [], ["cm"]),
  builtin("v1", "Secret", "secrets", true),
  builtin("v1", "Service", "services", true, ["status"], ["svc"]),
  builtin("v1", "ServiceAccount", "serviceaccounts", true, ["token"], ["sa"]),
  builtin("v1", "Pod", "pods", true, ["status", "log", "exec"], ["po"]),
  builtin("v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, ["status"], ["pvc"]),
  builtin("apps/v1", "Deployment", "deployments", true, ["status", "scale"], ["deploy"]),
  builtin("apps/v1", "StatefulSet", "statefulsets", true, ["status", "scale"], ["sts"]),
  builtin("apps/v1", "DaemonSet", "daemonsets", true, ["status"], ["ds"]),
  builtin("apps/v1", "ReplicaSet", "replicasets", true, ["status", "scale"], ["rs"]),
  builtin("batch/v1", "Job", "jobs", true, ["status"]),
  builtin("batch/v1", "CronJob", "cronjobs", true, ["status"], ["cj"]),
  builtin("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", false),
  builtin("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", false),
  builtin("rbac.authorization.k8s.io/v1", "Role", "roles", true),
  builtin("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", true),
  builtin("apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions", false, ["status"], ["crd", "crds"]),
  builtin("coordination.k8s.io/v1", "Lease", "leases", true),
  builtin("networking.k8s.io/v1", "Ingress", "ingresses", true, ["status"], ["ing"]),
  builtin("networking.k8s.io/v1", "IngressClass", "ingressclasses", false),
  builtin("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies", true, [], ["netpol"]),
  builtin("storage.k8s.io/v1", "StorageClass", "storageclasses", false, [], ["sc"]),
  builtin("scheduling.k8s.io/v1", "PriorityClass", "priorityclasses", false, [], ["pc"]),
  builtin("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false),
  builtin("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false),
  builtin("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", true, ["status"], ["pdb"]),
];

export const CRD_TYPE = BUILTIN.find((type) => type.kind === "CustomResourceDefinition")!;
export const NAMESPACE_TYPE = BUILTIN.find((type) => type.kind === "Namespace")!;

export function groupVersionOf(type: Pick<ResourceType, "group" | "version">): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** "deployments.apps", "configmaps": how messages name a resource. */
export function qualifiedResource(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

/** "Deployment.apps", "Service": how Invalid messages name a kind. */
export function qualifiedKind(type: ResourceType): string {
  return type.group ? `${type.kind}.${type.group}` : type.kind;
}

function extraType(extra: ExtraResource): ResourceType {
  const [group, version] = extra.apiVersion.includes("/") ? extra.apiVersion.split("/") : ["", extra.apiVersion];
  const plural = extra.plural ?? `${extra.kind.toLowerCase()}s`;
  return { group: group!, version: version!, kind: extra.kind, plural, singular: extra.kind.toLowerCase(), namespaced: extra.namespaced ?? true, builtin: false, subresources: [] };
}

/** The kinds an established CRD adds: one per served version. */
export function crdTypes(crd: KubeObject): ResourceType[] {
  const spec = isMap(crd.spec) ? crd.spec : {};
  const names = isMap(spec.names) ? spec.names : {};
  const group = stringAt(spec, "group");
  const kind = stringAt(names, "kind");
  const plural = stringAt(names, "plural");
  if (!group || !kind || !plural) return [];
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isMap) : [];
  return versions
    .filter((version) => version.served !== false && typeof version.name === "string")
    .map((version) => ({
      group,
      version: version.name as string,
      kind,
      plural,
      singular: stringAt(names, "singular") ?? kind.toLowerCase(),
      namespaced: spec.scope !== "Cluster",
      shortNames: Array.isArray(names.shortNames) ? (names.shortNames as string[]) : undefined,
      builtin: false,
      subresources: isMap(version.subresources) ? Object.keys(version.subresources) : [],
    }));
}

/** Every kind served right now. CRD kinds come and go as CRDs are established and deleted. */
export class ResourceRegistry {
  private readonly fixed: ResourceType[];
  private readonly fromCrds = new Map<string, ResourceType[]>();

  constructor(extra: ExtraResource[] = []) {
    this.fixed = [...BUILTIN, ...extra.map(extraType)];
  }

  all(): ResourceType[] {
    return [...this.fixed, ...[...this.fromCrds.values()].flat()];
  }

  setCrd(crdName: string, types: ResourceType[]): void {
    if (types.length === 0) this.fromCrds.delete(crdName);
    else this.fromCrds.set(crdName, types);
  }

  byPlural(group: string, version: string, plural: string): ResourceType | undefined {
    return this.all().find((type) => type.group === group && type.version === version && type.plural === plural);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.all().find((type) => groupVersionOf(type) === apiVersion && type.kind === kind);
  }

  /** Group → versions, in first-seen order (the preferred version first). */
  groups(): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const type of this.all()) {
      const versions = groups.get(type.group) ?? [];
      if (!versions.includes(type.version)) versions.push(type.version);
      groups.set(type.group, versions);
    }
    return groups;
  }
}
