// Readiness of live objects, following the rules of sigs.k8s.io/cli-utils' kstatus: generic checks (deletion, observed
// generation, the Reconciling and Stalled conditions) first, then the built-in kinds by their status fields, then
// everything else by its conditions.
import { groupOf, type KubeObject } from "../model.ts";
import { list, record } from "../util/values.ts";

export type ReadyStatus = "Current" | "InProgress" | "Failed" | "Terminating" | "NotFound";

export interface ObjectStatus {
  status: ReadyStatus;
  message: string;
}

export const READY_STATUSES: readonly ReadyStatus[] = ["Current", "InProgress", "Failed", "Terminating", "NotFound"];

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

const current = (message: string): ObjectStatus => ({ status: "Current", message });
const inProgress = (message: string): ObjectStatus => ({ status: "InProgress", message });
const failed = (message: string): ObjectStatus => ({ status: "Failed", message });

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** An integer field, or `fallback` when absent or not a number. */
function int(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function conditionsOf(status: Record<string, unknown>): Condition[] {
  return list(status.conditions).map((item) => {
    const c = record(item);
    return { type: str(c.type), status: str(c.status), reason: str(c.reason), message: str(c.message) };
  });
}

function find(conditions: readonly Condition[], type: string): Condition | undefined {
  return conditions.find((c) => c.type === type);
}

/** "text" or "text: message" when the condition says more. */
function withDetail(text: string, condition: Condition): string {
  const detail = condition.message || condition.reason;
  return detail ? `${text}: ${detail}` : text;
}

type KindRule = (object: KubeObject, spec: Record<string, unknown>, status: Record<string, unknown>, conditions: Condition[]) => ObjectStatus;

function deployment(_object: KubeObject, spec: Record<string, unknown>, status: Record<string, unknown>, conditions: Condition[]): ObjectStatus {
  // Without progressDeadlineSeconds the controller sets no Progressing condition: it is always progressing.
  let progressing = spec.progressDeadlineSeconds === undefined;
  let available = false;
  for (const c of conditions) {
    if (c.type === "Progressing") {
      if (c.reason === "ProgressDeadlineExceeded") return failed(c.message || "Deployment rollout: progress deadline exceeded");
      if (c.status === "True" && c.reason === "NewReplicaSetAvailable") progressing = true;
    } else if (c.type === "Available" && c.status === "True") {
      available = true;
    }
  }
  const wanted = int(spec.replicas, 1);
  const replicas = int(status.replicas, 0);
  const updated = int(status.updatedReplicas, 0);
  const ready = int(status.readyReplicas, 0);
  const availableReplicas = int(status.availableReplicas, 0);
  if (wanted > replicas) return inProgress(`Deployment rollout: ${replicas} of ${wanted} replicas created`);
  if (wanted > updated) return inProgress(`Deployment rollout: ${updated} of ${wanted} updated`);
  if (replicas > wanted) return inProgress(`Deployment rollout: ${replicas - wanted} old replicas pending termination`);
  if (updated > availableReplicas) return inProgress(`Deployment rollout: ${availableReplicas} of ${updated} available`);
  if (wanted > ready) return inProgress(`Deployment rollout: ${ready} of ${wanted} ready`);
  if (!progressing) return inProgress("Deployment rollout: new ReplicaSet not available yet");
  if (!available) return inProgress("Deployment not available yet");
  return current(`Deployment available: ${replicas} replicas`);
}

function statefulSet(_object: KubeObject, spec: Record<string, unknown>, status: Record<string, unknown>): ObjectStatus {
  const strategy = record(spec.updateStrategy);
  // OnDelete: pods are replaced when someone deletes them, there is no rollout to wait for.
  if (str(strategy.type) === "OnDelete") return current("StatefulSet uses the OnDelete update strategy");
  const wanted = int(spec.replicas, 1);
  const replicas = int(status.replicas, 0);
  const ready = int(status.readyReplicas, 0);
  const currentReplicas = int(status.currentReplicas, 0);
  const updated = int(status.updatedReplicas, 0);
  const partition = record(strategy.rollingUpdate).partition;
  if (wanted > replicas) return inProgress(`StatefulSet rollout: ${replicas} of ${wanted} replicas created`);
  if (wanted > ready) return inProgress(`StatefulSet rollout: ${ready} of ${wanted} ready`);
  if (replicas > wanted) return inProgress(`StatefulSet rollout: ${replicas - wanted} replicas pending termination`);
  if (typeof partition === "number") {
    // Only the ordinals at or above the partition are updated.
    const toUpdate = Math.max(wanted - partition, 0);
    if (updated < toUpdate) return inProgress(`StatefulSet rollout: ${updated} of ${toUpdate} updated (partition ${partition})`);
    return current(`StatefulSet partitioned rollout complete: ${updated} updated`);
  }
  if (wanted > currentReplicas) return inProgress(`StatefulSet rollout: ${currentReplicas} of ${wanted} at the current revision`);
  const currentRevision = str(status.currentRevision);
  const updateRevision = str(status.updateRevision);
  if (currentRevision !== updateRevision) return inProgress(`StatefulSet rollout: waiting for revision ${updateRevision || "(unknown)"}`);
  return current(`StatefulSet ready: ${replicas} replicas`);
}

function daemonSet(object: KubeObject, _spec: Record<string, unknown>, status: Record<string, unknown>): ObjectStatus {
  // The controller always sets both once it acted: before that, the status says nothing.
  if (typeof record(object.metadata).generation !== "number" || typeof status.observedGeneration !== "number") {
    return inProgress("DaemonSet not yet observed by its controller");
  }
  const desired = status.desiredNumberScheduled;
  if (typeof desired !== "number") return inProgress("DaemonSet not yet scheduled");
  const scheduled = int(status.currentNumberScheduled, 0);
  const updated = int(status.updatedNumberScheduled, 0);
  const available = int(status.numberAvailable, 0);
  const ready = int(status.numberReady, 0);
  if (desired > scheduled) return inProgress(`DaemonSet rollout: ${scheduled} of ${desired} scheduled`);
  if (desired > updated) return inProgress(`DaemonSet rollout: ${updated} of ${desired} updated`);
  if (desired > available) return inProgress(`DaemonSet rollout: ${available} of ${desired} available`);
  if (desired > ready) return inProgress(`DaemonSet rollout: ${ready} of ${desired} ready`);
  return current(`DaemonSet ready: ${desired} scheduled`);
}

function replicaSet(_object: KubeObject, spec: Record<string, unknown>, status: Record<string, unknown>, conditions: Condition[]): ObjectStatus {
  const failure = conditions.find((c) => c.type === "ReplicaFailure" && c.status === "True");
  if (failure) return inProgress(withDetail("ReplicaSet cannot create pods", failure));
  const wanted = int(spec.replicas, 1);
  const replicas = int(status.replicas, 0);
  const labelled = int(status.fullyLabeledReplicas, 0);
  const available = int(status.availableReplicas, 0);
  const ready = int(status.readyReplicas, 0);
  if (wanted > labelled) return inProgress(`ReplicaSet: ${labelled} of ${wanted} replicas created`);
  if (wanted > available) return inProgress(`ReplicaSet: ${available} of ${wanted} available`);
  if (wanted > ready) return inProgress(`ReplicaSet: ${ready} of ${wanted} ready`);
  if (replicas > wanted) return inProgress(`ReplicaSet: ${replicas - wanted} replicas pending termination`);
  return current(`ReplicaSet ready: ${replicas} replicas`);
}

function job(_object: KubeObject, spec: Record<string, unknown>, status: Record<string, unknown>, conditions: Condition[]): ObjectStatus {
  const parallelism = int(spec.parallelism, 1);
  const completions = int(spec.completions, parallelism);
  const succeeded = int(status.succeeded, 0);
  const failedPods = int(status.failed, 0);
  const active = int(status.active, 0);
  const failure = conditions.find((c) => c.type === "Failed" && c.status === "True");
  if (failure) return failed(withDetail(`Job failed (${failedPods} failed pods)`, failure));
  if (conditions.some((c) => c.type === "Complete" && c.status === "True")) return current(`Job complete: ${succeeded} of ${completions} succeeded`);
  // A suspended Job runs nothing until someone resumes it: waiting for it would never end.
  if (spec.suspend === true) return current("Job suspended");
  if (!str(status.startTime)) return inProgress("Job not started");
  return inProgress(`Job in progress: ${succeeded} of ${completions} succeeded, ${active} running, ${failedPods} failed`);
}

/** Waiting reasons that do not go away by waiting. */
const BROKEN_CONTAINER_REASONS = new Set(["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "InvalidImageName"]);

function pod(_object: KubeObject, _spec: Record<string, unknown>, status: Record<string, unknown>, conditions: Condition[]): ObjectStatus {
  const phase = str(status.phase);
  if (phase === "Succeeded") return current("Pod completed");
  if (phase === "Failed") return failed(str(status.message) ? `Pod failed: ${str(status.message)}` : "Pod failed");
  if (phase === "Running" && find(conditions, "Ready")?.status === "True") return current("Pod ready");
  const broken: string[] = [];
  for (const containerStatus of [...list(status.initContainerStatuses), ...list(status.containerStatuses)]) {
    const cs = record(containerStatus);
    const reason = str(record(record(cs.state).waiting).reason);
    if (BROKEN_CONTAINER_REASONS.has(reason)) broken.push(`${str(cs.name) || "(unnamed)"} (${reason})`);
  }
  if (broken.length > 0) return failed(`Pod containers failing: ${broken.join(", ")}`);
  if (phase === "Running") return inProgress("Pod running but not ready");
  const scheduled = find(conditions, "PodScheduled");
  // kstatus fails an unschedulable pod after a grace period; without a clock here, the caller's timeout decides.
  if (scheduled?.status === "False" && scheduled.reason === "Unschedulable") return inProgress(withDetail("Pod not scheduled", scheduled));
  return inProgress(phase ? `Pod ${phase.toLowerCase()}` : "Pod not yet observed");
}

function persistentVolumeClaim(_object: KubeObject, _spec: Record<string, unknown>, status: Record<string, unknown>): ObjectStatus {
  const phase = str(status.phase);
  return phase === "Bound" ? current("PersistentVolumeClaim bound") : inProgress(`PersistentVolumeClaim not bound (phase ${phase || "unknown"})`);
}

function customResourceDefinition(_object: KubeObject, _spec: Record<string, unknown>, _status: Record<string, unknown>, conditions: Condition[]): ObjectStatus {
  const names = find(conditions, "NamesAccepted");
  if (names?.status === "False") return failed(withDetail("CustomResourceDefinition names not accepted", names));
  if (find(conditions, "Established")?.status === "True") return current("CustomResourceDefinition established");
  return inProgress("CustomResourceDefinition not established yet");
}

function service(_object: KubeObject, spec: Record<string, unknown>, status: Record<string, unknown>): ObjectStatus {
  if (str(spec.type) === "LoadBalancer" && list(record(status.loadBalancer).ingress).length === 0) {
    return inProgress("Service waiting for its load balancer");
  }
  return current("Service ready");
}

function podDisruptionBudget(object: KubeObject, _spec: Record<string, unknown>, status: Record<string, unknown>): ObjectStatus {
  // The generic check compared the generations when both are present; the disruption controller always sets one.
  if (typeof record(object.metadata).generation === "number" && typeof status.observedGeneration !== "number") {
    return inProgress("PodDisruptionBudget not yet observed by its controller");
  }
  return current("PodDisruptionBudget computed");
}

const always = (message: string): KindRule => () => current(message);

/** Built-in kinds by "group/Kind" (core group: "/Kind"). */
const KIND_RULES = new Map<string, KindRule>([
  ["apps/Deployment", deployment],
  ["extensions/Deployment", deployment],
  ["apps/StatefulSet", statefulSet],
  ["apps/DaemonSet", daemonSet],
  ["extensions/DaemonSet", daemonSet],
  ["apps/ReplicaSet", replicaSet],
  ["extensions/ReplicaSet", replicaSet],
  ["batch/Job", job],
  ["batch/CronJob", always("CronJob created")],
  ["/Pod", pod],
  ["/PersistentVolumeClaim", persistentVolumeClaim],
  ["/Service", service],
  ["/ConfigMap", always("ConfigMap created")],
  ["/Secret", always("Secret created")],
  ["policy/PodDisruptionBudget", podDisruptionBudget],
  ["apiextensions.k8s.io/CustomResourceDefinition", customResourceDefinition],
]);

/** Any other kind, by the conventions controllers follow (Flux, Crossplane, cert-manager…): Ready, else current. */
function byConditions(kind: string, conditions: Condition[]): ObjectStatus {
  const ready = find(conditions, "Ready");
  if (ready?.status === "True") return current(ready.message || `${kind} ready`);
  // Ready False is a report, not a verdict: the controller keeps retrying. Only Stalled (handled before) fails.
  if (ready) return inProgress(withDetail(`${kind} not ready`, ready));
  return current(`${kind} created`);
}

/** The readiness of a live object (undefined: it does not exist). */
export function computeStatus(live: KubeObject | undefined): ObjectStatus {
  if (live === undefined) return { status: "NotFound", message: "not found" };
  const kind = str(live.kind) || "object";
  const metadata = record(live.metadata);
  if (metadata.deletionTimestamp) return { status: "Terminating", message: `${kind} is being deleted` };

  const status = record(live.status);
  const generation = metadata.generation;
  const observed = status.observedGeneration;
  if (typeof generation === "number" && typeof observed === "number" && observed < generation) {
    return inProgress(`${kind} generation ${generation} not yet observed by its controller (observed ${observed})`);
  }

  const conditions = conditionsOf(status);
  const stalled = conditions.find((c) => c.type === "Stalled" && c.status === "True");
  if (stalled) return failed(withDetail(`${kind} stalled`, stalled));
  const reconciling = conditions.find((c) => c.type === "Reconciling" && c.status === "True");
  if (reconciling) return inProgress(withDetail(`${kind} reconciling`, reconciling));

  const rule = KIND_RULES.get(`${groupOf(str(live.apiVersion)).group}/${kind}`);
  if (rule) return rule(live, record(live.spec), status, conditions);
  return byConditions(kind, conditions);
}

export interface StatusSummary {
  /** How many objects have each status (every status present, 0 when none). */
  counts: Record<ReadyStatus, number>;
  total: number;
  /** The first Failed object, in the order given. */
  firstFailed?: { ref: string; status: ObjectStatus };
  /** Every object is Current (true for none). */
  allCurrent: boolean;
}

export function summarizeStatuses(statuses: readonly { ref: string; status: ObjectStatus }[]): StatusSummary {
  const counts = Object.fromEntries(READY_STATUSES.map((s) => [s, 0])) as Record<ReadyStatus, number>;
  let firstFailed: StatusSummary["firstFailed"];
  for (const entry of statuses) {
    counts[entry.status.status] += 1;
    if (entry.status.status === "Failed" && !firstFailed) firstFailed = entry;
  }
  const summary: StatusSummary = { counts, total: statuses.length, allCurrent: counts.Current === statuses.length };
  if (firstFailed) summary.firstFailed = firstFailed;
  return summary;
}

/** "3 Current, 1 InProgress" (statuses with a count only, in READY_STATUSES order); "none" for no objects. */
export function describeSummary(summary: StatusSummary): string {
  const parts = READY_STATUSES.filter((s) => summary.counts[s] > 0).map((s) => `${summary.counts[s]} ${s}`);
  return parts.length > 0 ? parts.join(", ") : "none";
}
