// What a prune may delete: the members of the ApplySet the new rendering no longer has, minus what must never be
// deleted this way, with a guard against deleting most of an environment at once.
import { groupOf, objectKey, type KubeObject } from "../model.ts";
import { list, record, stringMap } from "../util/values.ts";
import { PART_OF_LABEL } from "./applyset.ts";
import { deleteOrder } from "./stages.ts";

export interface PruneOptions {
  /** Namespaces may be pruned (deleting one deletes everything in it). */
  namespaces: boolean;
  /** CustomResourceDefinitions may be pruned (deleting one deletes every custom resource of its kind). */
  crds: boolean;
  /** The largest share of the inventory one prune may delete, 0..1; 1 disables the guard. */
  maxShare: number;
  /**
   * The ApplySet id: a member whose part-of label differs is never deleted. Without it, a member without a part-of
   * label is never deleted (the label selector should not have listed either).
   */
  applySetId?: string;
}

/** An object as the API identifies it, with the uid the deletion is preconditioned on. */
export interface PruneRef {
  apiVersion: string;
  kind: string;
  /** "" for cluster-scoped objects. */
  namespace: string;
  name: string;
  uid: string;
}

export interface PruneCandidate {
  /** The live object. */
  object: KubeObject;
  ref: PruneRef;
}

export interface PrunePlan {
  /** What to delete, in deleteOrder (admission first, definitions last). */
  delete: PruneCandidate[];
  /** Members the new rendering no longer has that are not deleted, and why. */
  kept: { ref: PruneRef; reason: string }[];
  /** How many members the set had. */
  inventory: number;
  /** Set when the deletions exceed options.maxShare of the inventory: the caller decides whether to go on. */
  refused?: string;
}

/** Kinds that are cluster-scoped, by "group/Kind", for objects rendered without a namespace. */
const CLUSTER_SCOPED = new Set([
  "/Namespace",
  "/Node",
  "/PersistentVolume",
  "/ComponentStatus",
  "rbac.authorization.k8s.io/ClusterRole",
  "rbac.authorization.k8s.io/ClusterRoleBinding",
  "apiextensions.k8s.io/CustomResourceDefinition",
  "apiregistration.k8s.io/APIService",
  "storage.k8s.io/StorageClass",
  "storage.k8s.io/CSIDriver",
  "storage.k8s.io/CSINode",
  "storage.k8s.io/VolumeAttachment",
  "networking.k8s.io/IngressClass",
  "scheduling.k8s.io/PriorityClass",
  "node.k8s.io/RuntimeClass",
  "certificates.k8s.io/CertificateSigningRequest",
  "flowcontrol.apiserver.k8s.io/FlowSchema",
  "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
  "admissionregistration.k8s.io/MutatingAdmissionPolicy",
  "admissionregistration.k8s.io/MutatingAdmissionPolicyBinding",
  "gateway.networking.k8s.io/GatewayClass",
  "snapshot.storage.k8s.io/VolumeSnapshotClass",
  "snapshot.storage.k8s.io/VolumeSnapshotContent",
]);

/** Whether a built-in (or well-known) kind is cluster-scoped; false for kinds this list does not know. */
export function isKnownClusterScoped(group: string, kind: string): boolean {
  return CLUSTER_SCOPED.has(`${group}/${kind}`);
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/**
 * "group/Kind/namespace/name", version-independent (apps/v1 and apps/v1beta1 Deployments are one object; the core
 * group is ""). `defaultNamespace` applies to an object without a namespace unless its kind is known to be
 * cluster-scoped; for custom kinds the caller knows the scope from discovery and should pass no default for
 * cluster-scoped ones (planPrune also tolerates a namespace on a cluster-scoped key, keeping rather than deleting).
 */
export function identityKey(obj: KubeObject, defaultNamespace?: string): string {
  const metadata = record(obj.metadata);
  const kind = str(obj.kind);
  const { group, version } = groupOf(str(obj.apiVersion));
  let namespace = str(metadata.namespace);
  if (!namespace && defaultNamespace && !isKnownClusterScoped(group, kind)) namespace = defaultNamespace;
  return objectKey({ group, version, kind, namespace, name: str(metadata.name) });
}

/** The key with its namespace replaced by "*" (group/Kind/<any>/name), for the scope-tolerant match. */
function scopelessKey(key: string): string | undefined {
  const parts = key.split("/");
  return parts.length === 4 ? `${parts[0]}/${parts[1]}/*/${parts[3]}` : undefined;
}

function refOf(object: KubeObject): PruneRef {
  const metadata = record(object.metadata);
  return {
    apiVersion: str(object.apiVersion),
    kind: str(object.kind),
    namespace: str(metadata.namespace),
    name: str(metadata.name),
    uid: str(metadata.uid),
  };
}

/** Annotations by which an object opts out of pruning, as the tools that wrote them mean them. */
function optOut(annotations: Record<string, string>): string | undefined {
  const value = (key: string) => annotations[key]?.trim().toLowerCase();
  if (value("gitops-verify.io/prune") === "disabled") return "annotated gitops-verify.io/prune: disabled";
  if (value("kustomize.toolkit.fluxcd.io/prune") === "disabled") return "annotated kustomize.toolkit.fluxcd.io/prune: disabled (Flux)";
  const argo = annotations["argocd.argoproj.io/sync-options"];
  if (argo !== undefined && argo.split(",").some((option) => option.trim().toLowerCase() === "prune=false")) {
    return "annotated argocd.argoproj.io/sync-options: Prune=false (Argo CD)";
  }
  if (value("helm.sh/resource-policy") === "keep") return "annotated helm.sh/resource-policy: keep (Helm)";
  if (value("client.lifecycle.config.k8s.io/deletion") === "detach") return "annotated client.lifecycle.config.k8s.io/deletion: detach";
  return undefined;
}

/** Why a member the rendering no longer has must not be deleted, or undefined when it may be. */
function keepReason(object: KubeObject, options: PruneOptions): string | undefined {
  const metadata = record(object.metadata);
  const { group } = groupOf(str(object.apiVersion));
  const kind = str(object.kind);
  const partOf = stringMap(metadata.labels)[PART_OF_LABEL];
  if (partOf === undefined || partOf === "") return `it has no ${PART_OF_LABEL} label`;
  if (options.applySetId !== undefined && partOf !== options.applySetId) return `it belongs to another ApplySet (${PART_OF_LABEL}=${partOf})`;
  if (metadata.deletionTimestamp) return "it is being deleted already";
  if (group === "" && kind === "Namespace" && !options.namespaces) {
    return "a Namespace is pruned only with --prune-namespaces (deleting it deletes everything in it)";
  }
  if (group === "apiextensions.k8s.io" && kind === "CustomResourceDefinition" && !options.crds) {
    return "a CustomResourceDefinition is pruned only with --prune-crds (deleting it deletes every resource of its kind)";
  }
  const opted = optOut(stringMap(metadata.annotations));
  if (opted) return opted;
  const controller = list(metadata.ownerReferences)
    .map(record)
    .find((owner) => owner.controller === true);
  if (controller) return `it is controlled by ${str(controller.kind)} ${str(controller.name)}, whose garbage collection removes it`;
  return undefined;
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

/**
 * Plans a prune. `members` are the live objects the part-of selector lists; `desired` the identityKey()s of the new
 * rendering. Members the rendering still has are left alone; of the others, those kept say why, the rest are deleted
 * in deleteOrder. A cluster-scoped member also matches a desired key of the same group, kind and name in any namespace,
 * and a desired key without a namespace matches a member in any namespace: a doubt about scope keeps an object.
 */
export function planPrune(members: readonly KubeObject[], desired: ReadonlySet<string>, options: PruneOptions): PrunePlan {
  const scopeless = new Set<string>();
  const unnamespaced = new Set<string>();
  for (const key of desired) {
    const loose = scopelessKey(key);
    if (loose === undefined) continue;
    scopeless.add(loose);
    if (key.split("/")[2] === "") unnamespaced.add(loose);
  }

  const candidates = new Map<KubeObject, PruneCandidate>();
  const kept: PrunePlan["kept"] = [];
  for (const object of members) {
    const key = identityKey(object);
    if (desired.has(key)) continue;
    const loose = scopelessKey(key);
    const namespace = str(record(object.metadata).namespace);
    if (loose !== undefined && ((namespace === "" && scopeless.has(loose)) || unnamespaced.has(loose))) continue;
    const ref = refOf(object);
    const reason = keepReason(object, options);
    if (reason) kept.push({ ref, reason });
    else candidates.set(object, { object, ref });
  }

  const ordered = deleteOrder([...candidates.keys()]).map((object) => candidates.get(object)!);
  const plan: PrunePlan = { delete: ordered, kept, inventory: members.length };
  // a share that is not a number is the strictest one
  const maxShare = Number.isFinite(options.maxShare) ? Math.min(Math.max(options.maxShare, 0), 1) : 0;
  if (maxShare < 1 && members.length > 0 && ordered.length > maxShare * members.length) {
    plan.refused =
      `refusing to prune ${ordered.length} of ${members.length} objects (${percent(ordered.length / members.length)}), ` +
      `more than the allowed ${percent(maxShare)}: a rendering that lost most of its objects is more often a mistake ` +
      "(a wrong path, an empty overlay, a failed generator) than an intent; if it is intended, set apply.prune.maxShare " +
      "or pass --max-prune-share to allow it";
  }
  return plan;
}
