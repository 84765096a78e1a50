// The order of an apply: definitions other objects need first, admission webhooks and policies last; and the reverse
// for pruning.
import { groupOf, type KubeObject } from "../model.ts";
import { record } from "../util/values.ts";

export type StageName = "definitions" | "classes" | "resources" | "admission";

export interface Stage {
  name: StageName;
  objects: KubeObject[];
}

export const STAGE_ORDER: readonly StageName[] = ["definitions", "classes", "resources", "admission"];

/** Kinds later objects need to exist (and be established) first: kinds of custom resources, namespaces, roles. */
const DEFINITIONS = new Set(["apiextensions.k8s.io/CustomResourceDefinition", "/Namespace", "rbac.authorization.k8s.io/ClusterRole"]);

/**
 * Admission configuration goes last: a webhook whose backend is in the same apply would otherwise refuse (or time
 * out on) every object applied after it, and a new policy would judge objects the same apply is changing.
 */
const ADMISSION_KINDS = new Set([
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
]);

/** Install order within a stage, by kind, in the spirit of Helm's: what others refer to comes first. */
const KIND_ORDER: readonly string[] = [
  "Namespace",
  "NetworkPolicy",
  "ResourceQuota",
  "LimitRange",
  "PodSecurityPolicy",
  "PodDisruptionBudget",
  "ServiceAccount",
  "Secret",
  "SecretList",
  "ConfigMap",
  "StorageClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleList",
  "ClusterRoleBinding",
  "ClusterRoleBindingList",
  "Role",
  "RoleList",
  "RoleBinding",
  "RoleBindingList",
  "Service",
  "DaemonSet",
  "Pod",
  "ReplicationController",
  "ReplicaSet",
  "Deployment",
  "HorizontalPodAutoscaler",
  "StatefulSet",
  "Job",
  "CronJob",
  "IngressClass",
  "Ingress",
  "APIService",
  // admission, in its own stage: configurations before the bindings that refer to policies
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
];
const KIND_RANK = new Map(KIND_ORDER.map((kind, index) => [kind, index]));

interface Sortable {
  object: KubeObject;
  stage: StageName;
  rank: number;
  kind: string;
  group: string;
  namespace: string;
  name: string;
  apiVersion: string;
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** The stage an object is applied in. */
export function stageOf(object: KubeObject): StageName {
  const kind = str(object.kind);
  const { group } = groupOf(str(object.apiVersion));
  if (DEFINITIONS.has(`${group}/${kind}`)) return "definitions";
  if (group === "admissionregistration.k8s.io" && ADMISSION_KINDS.has(kind)) return "admission";
  if (kind.endsWith("Class") && kind !== "Class") return "classes";
  return "resources";
}

function sortable(object: KubeObject): Sortable {
  const metadata = record(object.metadata);
  const kind = str(object.kind);
  const apiVersion = str(object.apiVersion);
  return {
    object,
    stage: stageOf(object),
    rank: KIND_RANK.get(kind) ?? KIND_ORDER.length,
    kind,
    group: groupOf(apiVersion).group,
    namespace: str(metadata.namespace),
    name: str(metadata.name),
    apiVersion,
  };
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Kind rank (unknown kinds after known ones, then by name), group, namespace, name, apiVersion. */
function compareInStage(a: Sortable, b: Sortable): number {
  return (
    a.rank - b.rank ||
    byteOrder(a.kind, b.kind) ||
    byteOrder(a.group, b.group) ||
    byteOrder(a.namespace, b.namespace) ||
    byteOrder(a.name, b.name) ||
    byteOrder(a.apiVersion, b.apiVersion)
  );
}

/**
 * The apply in stages, non-empty ones only, in order: definitions (CRDs, Namespaces, ClusterRoles: waited on until
 * established), classes (kinds named "…Class"), resources, admission. Within a stage objects are sorted by kind as
 * KIND_ORDER says, then by group, namespace and name; the input order does not matter.
 */
export function applyStages(objects: readonly KubeObject[]): Stage[] {
  const buckets = new Map<StageName, Sortable[]>(STAGE_ORDER.map((name) => [name, []]));
  for (const object of objects) {
    const item = sortable(object);
    buckets.get(item.stage)!.push(item);
  }
  const stages: Stage[] = [];
  for (const name of STAGE_ORDER) {
    const items = buckets.get(name)!;
    if (items.length === 0) continue;
    stages.push({ name, objects: items.sort(compareInStage).map((item) => item.object) });
  }
  return stages;
}

/**
 * The order of deletion when pruning: the reverse of the apply's dependencies. Admission first (a webhook must not
 * judge the deletions that follow, nor outlive its backend), definitions last (deleting a CRD deletes its custom
 * resources, a Namespace its contents); within a stage kinds in reverse order (Ingress before Service, Deployment before
 * ConfigMap), and objects of one kind by group, namespace and name.
 */
export function deleteOrder(objects: readonly KubeObject[]): KubeObject[] {
  const stageRank = (stage: StageName) => STAGE_ORDER.indexOf(stage);
  return objects
    .map(sortable)
    .sort((a, b) => {
      const stage = stageRank(b.stage) - stageRank(a.stage);
      if (stage) return stage;
      if (a.rank !== b.rank) return b.rank - a.rank;
      if (a.kind !== b.kind) return byteOrder(b.kind, a.kind);
      return byteOrder(a.group, b.group) || byteOrder(a.namespace, b.namespace) || byteOrder(a.name, b.name) || byteOrder(a.apiVersion, b.apiVersion);
    })
    .map((item) => item.object);
}
