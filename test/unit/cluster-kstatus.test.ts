import { describe, expect, it } from "vitest";
import { computeStatus, describeSummary, summarizeStatuses, type ReadyStatus } from "../../src/cluster/kstatus.ts";
import type { KubeObject } from "../../src/model.ts";

function live(apiVersion: string, kind: string, parts: { spec?: unknown; status?: unknown; metadata?: Record<string, unknown> } = {}): KubeObject {
  return { apiVersion, kind, metadata: { name: "x", namespace: "ns", generation: 2, ...parts.metadata }, spec: parts.spec ?? {}, status: parts.status ?? {} };
}
const cond = (type: string, status: string, reason = "", message = "") => ({ type, status, reason, message });

const deploymentDone = {
  observedGeneration: 2,
  replicas: 3,
  updatedReplicas: 3,
  readyReplicas: 3,
  availableReplicas: 3,
  conditions: [cond("Available", "True", "MinimumReplicasAvailable"), cond("Progressing", "True", "NewReplicaSetAvailable")],
};
const deploymentSpec = { replicas: 3, progressDeadlineSeconds: 600 };

interface Case {
  name: string;
  object: KubeObject | undefined;
  status: ReadyStatus;
  message?: RegExp;
}

const generic: Case[] = [
  { name: "a missing object", object: undefined, status: "NotFound" },
  { name: "an object being deleted", object: live("v1", "ConfigMap", { metadata: { deletionTimestamp: "2024-01-01T00:00:00Z" } }), status: "Terminating" },
  {
    name: "a generation not yet observed",
    object: live("apps/v1", "Deployment", { spec: deploymentSpec, status: { ...deploymentDone, observedGeneration: 1 } }),
    status: "InProgress",
    message: /generation 2 not yet observed/,
  },
  { name: "a Stalled condition", object: live("example.io/v1", "Widget", { status: { conditions: [cond("Stalled", "True", "Broken", "bad spec")] } }), status: "Failed", message: /stalled: bad spec/ },
  { name: "a Reconciling condition", object: live("example.io/v1", "Widget", { status: { conditions: [cond("Reconciling", "True", "Progressing")] } }), status: "InProgress" },
  { name: "a Ready True condition", object: live("example.io/v1", "Widget", { status: { conditions: [cond("Ready", "True", "Succeeded", "Applied revision main@sha1:abc")] } }), status: "Current", message: /Applied revision/ },
  {
    name: "a Ready False condition with a failure reason (not Stalled)",
    object: live("kustomize.toolkit.fluxcd.io/v1", "Kustomization", { status: { observedGeneration: 2, conditions: [cond("Ready", "False", "ReconciliationFailed", "kustomize build failed")] } }),
    status: "InProgress",
    message: /not ready: kustomize build failed/,
  },
  { name: "a Ready Unknown condition", object: live("example.io/v1", "Widget", { status: { conditions: [cond("Ready", "Unknown", "Progressing")] } }), status: "InProgress" },
  { name: "no status at all", object: { apiVersion: "example.io/v1", kind: "Widget", metadata: { name: "w" } }, status: "Current" },
  { name: "a ConfigMap", object: live("v1", "ConfigMap"), status: "Current" },
  { name: "a CronJob", object: live("batch/v1", "CronJob"), status: "Current" },
];

const deployments: Case[] = [
  { name: "a rolled-out Deployment", object: live("apps/v1", "Deployment", { spec: deploymentSpec, status: deploymentDone }), status: "Current" },
  {
    name: "a Deployment with too few replicas updated",
    object: live("apps/v1", "Deployment", { spec: deploymentSpec, status: { ...deploymentDone, updatedReplicas: 1 } }),
    status: "InProgress",
    message: /1 of 3 updated/,
  },
  {
    name: "a Deployment with old replicas terminating",
    object: live("apps/v1", "Deployment", { spec: deploymentSpec, status: { ...deploymentDone, replicas: 5 } }),
    status: "InProgress",
    message: /2 old replicas pending termination/,
  },
  {
    name: "a Deployment with too few available",
    object: live("apps/v1", "Deployment", { spec: deploymentSpec, status: { ...deploymentDone, availableReplicas: 2 } }),
    status: "InProgress",
    message: /2 of 3 available/,
  },
  {
    name: "a Deployment with too few ready",
    object: live("apps/v1", "Deployment", { spec: deploymentSpec, status: { ...deploymentDone, readyReplicas: 2 } }),
    status: "InProgress",
    message: /2 of 3 ready/,
  },
  {
    name: "a Deployment past its progress deadline",
    object: live("apps/v1", "Deployment", {
      spec: deploymentSpec,
      status: { ...deploymentDone, updatedReplicas: 1, conditions: [cond("Progressing", "False", "ProgressDeadlineExceeded", 'ReplicaSet "web-7d" has timed out progressing.')] },
    }),
    status: "Failed",
    message: /timed out progressing/,
  },
  {
    name: "a Deployment not Available",
    object: live("apps/v1", "Deployment", { spec: deploymentSpec, status: { ...deploymentDone, conditions: [cond("Available", "False"), cond("Progressing", "True", "NewReplicaSetAvailable")] } }),
    status: "InProgress",
    message: /not available/,
  },
  {
    name: "a Deployment whose new ReplicaSet is still progressing",
    object: live("apps/v1", "Deployment", { spec: deploymentSpec, status: { ...deploymentDone, conditions: [cond("Available", "True"), cond("Progressing", "True", "ReplicaSetUpdated")] } }),
    status: "InProgress",
  },
  {
    name: "a Deployment with the default of one replica",
    object: live("apps/v1", "Deployment", { spec: { progressDeadlineSeconds: 600 }, status: { ...deploymentDone, replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0 } }),
    status: "InProgress",
    message: /0 of 1/,
  },
  {
    name: "a Deployment scaled to zero",
    object: live("apps/v1", "Deployment", { spec: { replicas: 0, progressDeadlineSeconds: 600 }, status: { ...deploymentDone, replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0 } }),
    status: "Current",
  },
];

const sts = (status: Record<string, unknown>, spec: Record<string, unknown> = { replicas: 3 }) =>
  live("apps/v1", "StatefulSet", {
    spec,
    status: { observedGeneration: 2, replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: "web-1", updateRevision: "web-1", ...status },
  });
const statefulSets: Case[] = [
  { name: "a rolled-out StatefulSet", object: sts({}), status: "Current" },
  { name: "a StatefulSet with too few ready", object: sts({ readyReplicas: 1 }), status: "InProgress", message: /1 of 3 ready/ },
  { name: "a StatefulSet between revisions", object: sts({ updateRevision: "web-2" }), status: "InProgress", message: /web-2/ },
  { name: "a StatefulSet with too few current", object: sts({ currentReplicas: 2 }), status: "InProgress" },
  { name: "an OnDelete StatefulSet", object: sts({ readyReplicas: 0 }, { replicas: 3, updateStrategy: { type: "OnDelete" } }), status: "Current" },
  {
    name: "a partitioned StatefulSet done with its partition",
    object: sts({ updatedReplicas: 1, currentReplicas: 2, updateRevision: "web-2" }, { replicas: 3, updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 2 } } }),
    status: "Current",
  },
  {
    name: "a partitioned StatefulSet still updating",
    object: sts({ updatedReplicas: 0, updateRevision: "web-2" }, { replicas: 3, updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 2 } } }),
    status: "InProgress",
    message: /0 of 1 updated/,
  },
];

const ds = (status: Record<string, unknown>) =>
  live("apps/v1", "DaemonSet", {
    status: { observedGeneration: 2, desiredNumberScheduled: 4, currentNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 4, numberReady: 4, ...status },
  });
const daemonSets: Case[] = [
  { name: "a rolled-out DaemonSet", object: ds({}), status: "Current" },
  { name: "a DaemonSet not yet observed", object: ds({ observedGeneration: undefined }), status: "InProgress" },
  { name: "a DaemonSet without desiredNumberScheduled", object: ds({ desiredNumberScheduled: undefined }), status: "InProgress" },
  { name: "a DaemonSet updating", object: ds({ updatedNumberScheduled: 2 }), status: "InProgress", message: /2 of 4 updated/ },
  { name: "a DaemonSet not all available", object: ds({ numberAvailable: 3 }), status: "InProgress", message: /3 of 4 available/ },
  { name: "a DaemonSet not all ready", object: ds({ numberReady: 3 }), status: "InProgress" },
];

const rs = (status: Record<string, unknown>) =>
  live("apps/v1", "ReplicaSet", { spec: { replicas: 2 }, status: { observedGeneration: 2, replicas: 2, fullyLabeledReplicas: 2, availableReplicas: 2, readyReplicas: 2, ...status } });
const replicaSets: Case[] = [
  { name: "a ready ReplicaSet", object: rs({}), status: "Current" },
  { name: "a ReplicaSet with a replica failure", object: rs({ conditions: [cond("ReplicaFailure", "True", "FailedCreate", "quota exceeded")] }), status: "InProgress", message: /quota exceeded/ },
  { name: "a ReplicaSet with too few available", object: rs({ availableReplicas: 1 }), status: "InProgress" },
];

const jobs: Case[] = [
  { name: "a complete Job", object: live("batch/v1", "Job", { status: { succeeded: 1, conditions: [cond("Complete", "True")] } }), status: "Current" },
  { name: "a failed Job", object: live("batch/v1", "Job", { status: { failed: 6, conditions: [cond("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit")] } }), status: "Failed", message: /backoff limit/ },
  { name: "a running Job", object: live("batch/v1", "Job", { status: { startTime: "2024-01-01T00:00:00Z", active: 1 } }), status: "InProgress", message: /Job in progress/ },
  { name: "a Job not started", object: live("batch/v1", "Job"), status: "InProgress", message: /not started/ },
  { name: "a suspended Job", object: live("batch/v1", "Job", { spec: { suspend: true }, status: { conditions: [cond("Suspended", "True")] } }), status: "Current", message: /suspended/ },
];

const waiting = (name: string, reason: string) => ({ name, state: { waiting: { reason, message: "..." } } });
const pods: Case[] = [
  { name: "a succeeded Pod", object: live("v1", "Pod", { status: { phase: "Succeeded" } }), status: "Current" },
  { name: "a failed Pod", object: live("v1", "Pod", { status: { phase: "Failed" } }), status: "Failed" },
  { name: "a running ready Pod", object: live("v1", "Pod", { status: { phase: "Running", conditions: [cond("Ready", "True")] } }), status: "Current" },
  { name: "a running Pod not ready", object: live("v1", "Pod", { status: { phase: "Running", conditions: [cond("Ready", "False")] } }), status: "InProgress" },
  {
    name: "a crash-looping Pod",
    object: live("v1", "Pod", { status: { phase: "Running", conditions: [cond("Ready", "False")], containerStatuses: [{ name: "ok", state: { running: {} } }, waiting("app", "CrashLoopBackOff")] } }),
    status: "Failed",
    message: /app \(CrashLoopBackOff\)/,
  },
  {
    name: "a Pod whose image cannot be pulled",
    object: live("v1", "Pod", { status: { phase: "Pending", containerStatuses: [waiting("web", "ImagePullBackOff")] } }),
    status: "Failed",
    message: /web \(ImagePullBackOff\)/,
  },
  { name: "an init container failing to pull", object: live("v1", "Pod", { status: { phase: "Pending", initContainerStatuses: [waiting("migrate", "ErrImagePull")] } }), status: "Failed", message: /migrate/ },
  { name: "a Pod creating its containers", object: live("v1", "Pod", { status: { phase: "Pending", containerStatuses: [waiting("web", "ContainerCreating")] } }), status: "InProgress" },
  { name: "an unschedulable Pod", object: live("v1", "Pod", { status: { phase: "Pending", conditions: [cond("PodScheduled", "False", "Unschedulable", "0/3 nodes are available")] } }), status: "InProgress", message: /0\/3 nodes/ },
];

const others: Case[] = [
  { name: "a bound PVC", object: live("v1", "PersistentVolumeClaim", { status: { phase: "Bound" } }), status: "Current" },
  { name: "a pending PVC", object: live("v1", "PersistentVolumeClaim", { status: { phase: "Pending" } }), status: "InProgress", message: /Pending/ },
  { name: "an established CRD", object: live("apiextensions.k8s.io/v1", "CustomResourceDefinition", { status: { conditions: [cond("NamesAccepted", "True"), cond("Established", "True")] } }), status: "Current" },
  {
    name: "a CRD whose names are taken",
    object: live("apiextensions.k8s.io/v1", "CustomResourceDefinition", { status: { conditions: [cond("NamesAccepted", "False", "MultipleNamesNotAllowed", '"widget" is already in use'), cond("Established", "False", "NotAccepted")] } }),
    status: "Failed",
    message: /already in use/,
  },
  { name: "a CRD being installed", object: live("apiextensions.k8s.io/v1", "CustomResourceDefinition", { status: { conditions: [cond("Established", "False", "Installing")] } }), status: "InProgress" },
  { name: "a CRD without status", object: live("apiextensions.k8s.io/v1", "CustomResourceDefinition"), status: "InProgress" },
  { name: "a ClusterIP Service", object: live("v1", "Service", { spec: { type: "ClusterIP" } }), status: "Current" },
  { name: "a LoadBalancer without an address", object: live("v1", "Service", { spec: { type: "LoadBalancer" }, status: { loadBalancer: {} } }), status: "InProgress", message: /load balancer/ },
  { name: "a LoadBalancer with an address", object: live("v1", "Service", { spec: { type: "LoadBalancer" }, status: { loadBalancer: { ingress: [{ ip: "10.0.0.1" }] } } }), status: "Current" },
  { name: "an observed PodDisruptionBudget", object: live("policy/v1", "PodDisruptionBudget", { status: { observedGeneration: 2, disruptionsAllowed: 0 } }), status: "Current" },
  { name: "a PodDisruptionBudget not yet observed", object: live("policy/v1", "PodDisruptionBudget"), status: "InProgress" },
];

describe("computeStatus", () => {
  it.each([...generic, ...deployments, ...statefulSets, ...daemonSets, ...replicaSets, ...jobs, ...pods, ...others])("$name is $status", ({ object, status, message }) => {
    const result = computeStatus(object);
    expect(result.status).toBe(status);
    expect(result.message).not.toBe("");
    if (message) expect(result.message).toMatch(message);
  });
});

describe("summarizeStatuses", () => {
  const s = (status: ReadyStatus, message: string = status) => ({ status, message });
  it.each([
    { name: "nothing", input: [], counts: { Current: 0, InProgress: 0, Failed: 0, Terminating: 0, NotFound: 0 }, firstFailed: undefined, allCurrent: true, text: "none" },
    {
      name: "a mix with two failures",
      input: [
        { ref: "Deployment a/web", status: s("Current") },
        { ref: "Job a/migrate", status: s("Failed", "Job failed") },
        { ref: "Pod a/p", status: s("Failed", "Pod failed") },
        { ref: "Service a/web", status: s("InProgress") },
      ],
      counts: { Current: 1, InProgress: 1, Failed: 2, Terminating: 0, NotFound: 0 },
      firstFailed: { ref: "Job a/migrate", status: s("Failed", "Job failed") },
      allCurrent: false,
      text: "1 Current, 1 InProgress, 2 Failed",
    },
    {
      name: "all current",
      input: [
        { ref: "a", status: s("Current") },
        { ref: "b", status: s("Current") },
      ],
      counts: { Current: 2, InProgress: 0, Failed: 0, Terminating: 0, NotFound: 0 },
      firstFailed: undefined,
      allCurrent: true,
      text: "2 Current",
    },
  ])("summarizes $name", ({ input, counts, firstFailed, allCurrent, text }) => {
    const summary = summarizeStatuses(input);
    expect(summary.counts).toEqual(counts);
    expect(summary.total).toBe(input.length);
    expect(summary.firstFailed).toEqual(firstFailed);
    expect(summary.allCurrent).toBe(allCurrent);
    expect(describeSummary(summary)).toBe(text);
  });
});
