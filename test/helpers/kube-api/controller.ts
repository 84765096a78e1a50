// A stand-in for the controllers that write status, so readiness can be waited on: workloads roll out after a
// delay (or fail to, when an image matches the "failing image" predicate), Jobs complete, PVCs bind, CRDs become
// Established. Counters that are zero are left out, as the real API's omitempty fields are.
import { createHash } from "node:crypto";
import { clone, deepEqual, isMap, stringAt, timestamp, type KubeObject } from "./objects.ts";
import type { ResourceType } from "./resources.ts";
import type { ObjectStore } from "./store.ts";

export interface ControllerOptions {
  /** How often the loop runs (default 50 ms). */
  intervalMs?: number;
  /** How long a rollout (or a Job) takes after a change of generation (default 0: the next tick). */
  rolloutDelayMs?: number;
  /** Images that never become ready (default: the image contains ":broken"). */
  failingImage?: (image: string) => boolean;
  /** Nodes a DaemonSet runs on (default 1). */
  nodes?: number;
}

type Phase = "progressing" | "done" | "failed";
type Condition = { type: string; status: string; reason: string; message: string };

function spec(object: KubeObject): Record<string, unknown> {
  return isMap(object.spec) ? object.spec : {};
}

function podSpecOf(object: KubeObject): Record<string, unknown> {
  const template = spec(object).template;
  return isMap(template) && isMap(template.spec) ? template.spec : {};
}

function images(object: KubeObject): string[] {
  const podSpec = podSpecOf(object);
  return [podSpec.containers, podSpec.initContainers]
    .flatMap((list) => (Array.isArray(list) ? list : []))
    .filter(isMap)
    .map((container) => String(container.image ?? ""));
}

function replicasOf(object: KubeObject): number {
  const replicas = spec(object).replicas;
  return typeof replicas === "number" ? replicas : 1;
}

/** Drops zero counters, as the API's omitempty fields do. */
function counters(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== 0));
}

function hashOf(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value ?? null)).digest("hex").slice(0, 10);
}

export class Controller {
  private readonly started = new Map<string, { generation: unknown; since: number }>();
  private timer?: NodeJS.Timeout;
  private readonly rolloutDelayMs: number;
  private readonly failingImage: (image: string) => boolean;
  private readonly nodes: number;

  constructor(
    private readonly store: ObjectStore,
    private readonly options: ControllerOptions | false,
  ) {
    const settings = options || {};
    this.rolloutDelayMs = settings.rolloutDelayMs ?? 0;
    this.failingImage = settings.failingImage ?? ((image) => image.includes(":broken"));
    this.nodes = settings.nodes ?? 1;
  }

  start(): void {
    const intervalMs = (this.options && this.options.intervalMs) || 50;
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One pass: CRDs always (their delay is the store's), workloads when the controller is on. */
  tick(now = Date.now()): void {
    this.store.establishPendingCrds(now);
    if (this.options === false) return;
    for (const { type, object } of this.store.readOnlyEntries()) {
      const status = this.desiredStatus(type, object, now);
      if (status) this.writeIfChanged(type, object, status);
    }
  }

  /** Where this generation's rollout stands: progressing until the delay passed, then done or failed. */
  private phase(object: KubeObject, now: number): Phase {
    const metadata = isMap(object.metadata) ? object.metadata : {};
    const key = String(metadata.uid);
    let started = this.started.get(key);
    if (!started || started.generation !== metadata.generation) {
      started = { generation: metadata.generation, since: now };
      this.started.set(key, started);
    }
    if (now - started.since < this.rolloutDelayMs) return "progressing";
    return images(object).some((image) => this.failingImage(image)) ? "failed" : "done";
  }

  private desiredStatus(type: ResourceType, object: KubeObject, now: number): Record<string, unknown> | undefined {
    const kind = `${type.group}/${type.kind}`;
    switch (kind) {
      case "apps/Deployment":
        return this.deployment(object, this.phase(object, now));
      case "apps/StatefulSet":
        return this.statefulSet(object, this.phase(object, now));
      case "apps/DaemonSet":
        return this.daemonSet(object, this.phase(object, now));
      case "batch/Job":
        return this.job(object, this.phase(object, now));
      case "/PersistentVolumeClaim":
        return this.claim(object);
      default:
        return undefined;
    }
  }

  private deployment(object: KubeObject, phase: Phase): Record<string, unknown> {
    const generation = (object.metadata as Record<string, unknown>).generation;
    const replicas = replicasOf(object);
    const previous = isMap(object.status) ? object.status : {};
    const replicaSet = `${String((object.metadata as Record<string, unknown>).name)}-${hashOf(spec(object).template)}`;
    if (phase === "progressing") {
      const available = typeof previous.availableReplicas === "number" ? previous.availableReplicas : 0;
      return {
        observedGeneration: generation,
        ...counters({ replicas, updatedReplicas: 0, readyReplicas: available, availableReplicas: available, unavailableReplicas: replicas - Math.min(available, replicas) }),
        conditions: [
          available >= replicas
            ? { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." }
            : { type: "Available", status: "False", reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability." },
          { type: "Progressing", status: "True", reason: "ReplicaSetUpdated", message: `ReplicaSet "${replicaSet}" is progressing.` },
        ],
      };
    }
    if (phase === "failed") {
      return {
        observedGeneration: generation,
        ...counters({ replicas, updatedReplicas: replicas, unavailableReplicas: replicas }),
        conditions: [
          { type: "Available", status: replicas === 0 ? "True" : "False", reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability." },
          { type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: `ReplicaSet "${replicaSet}" has timed out progressing.` },
        ],
      };
    }
    return {
      observedGeneration: generation,
      ...counters({ replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas }),
      conditions: [
        { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." },
        { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet "${replicaSet}" has successfully progressed.` },
      ],
    };
  }

  private statefulSet(object: KubeObject, phase: Phase): Record<string, unknown> {
    const metadata = object.metadata as Record<string, unknown>;
    const replicas = replicasOf(object);
    const previous = isMap(object.status) ? object.status : {};
    const updateRevision = `${String(metadata.name)}-${hashOf(spec(object).template)}`;
    const currentRevision = stringAt(previous, "currentRevision") ?? updateRevision;
    const base = { observedGeneration: metadata.generation, updateRevision, collisionCount: 0 };
    if (phase === "done") {
      return { ...base, currentRevision: updateRevision, ...counters({ replicas, readyReplicas: replicas, currentReplicas: replicas, updatedReplicas: replicas, availableReplicas: replicas }) };
    }
    const updated = phase === "failed" ? Math.min(1, replicas) : 0;
    return { ...base, currentRevision, ...counters({ replicas, updatedReplicas: updated, currentReplicas: replicas - updated }) };
  }

  private daemonSet(object: KubeObject, phase: Phase): Record<string, unknown> {
    const nodes = this.nodes;
    const base = { observedGeneration: (object.metadata as Record<string, unknown>).generation, desiredNumberScheduled: nodes, currentNumberScheduled: nodes, numberMisscheduled: 0 };
    if (phase === "done") return { ...base, ...counters({ numberReady: nodes, updatedNumberScheduled: nodes, numberAvailable: nodes }) };
    return { ...base, ...counters({ updatedNumberScheduled: phase === "failed" ? nodes : 0, numberUnavailable: nodes }) };
  }

  private job(object: KubeObject, phase: Phase): Record<string, unknown> {
    const previous = isMap(object.status) ? object.status : {};
    const startTime = stringAt(previous, "startTime") ?? timestamp();
    const finished = stringAt(previous, "completionTime") ?? timestamp();
    if (phase === "progressing") return { startTime, active: 1 };
    if (phase === "failed") {
      const backoffLimit = typeof spec(object).backoffLimit === "number" ? (spec(object).backoffLimit as number) : 6;
      return {
        startTime,
        failed: backoffLimit + 1,
        conditions: [
          { type: "FailureTarget", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" },
          { type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" },
        ],
      };
    }
    const completions = typeof spec(object).completions === "number" ? (spec(object).completions as number) : 1;
    return {
      startTime,
      completionTime: finished,
      succeeded: completions,
      conditions: [
        { type: "SuccessCriteriaMet", status: "True", reason: "CompletionsReached", message: "Reached expected number of succeeded pods" },
        { type: "Complete", status: "True", reason: "CompletionsReached", message: "Reached expected number of succeeded pods" },
      ],
    };
  }

  private claim(object: KubeObject): Record<string, unknown> {
    const claimSpec = spec(object);
    const resources = isMap(claimSpec.resources) ? claimSpec.resources : {};
    const requests = isMap(resources.requests) ? resources.requests : {};
    return { phase: "Bound", accessModes: clone(claimSpec.accessModes ?? []), capacity: { storage: requests.storage ?? "1Gi" } };
  }

  /** Writes a status that differs in more than times; conditions keep their time while their status holds. */
  private writeIfChanged(type: ResourceType, object: KubeObject, desired: Record<string, unknown>): void {
    const current = isMap(object.status) ? object.status : {};
    const previousConditions = Array.isArray(current.conditions) ? current.conditions.filter(isMap) : [];
    const strip = (status: Record<string, unknown>) => {
      const copy = clone(status);
      if (Array.isArray(copy.conditions)) copy.conditions = copy.conditions.map((condition: Record<string, unknown>) => ({ ...condition, lastTransitionTime: undefined, lastUpdateTime: undefined }));
      return JSON.parse(JSON.stringify(copy)) as Record<string, unknown>;
    };
    if (deepEqual(strip(current), strip(desired))) return;
    const now = timestamp();
    if (Array.isArray(desired.conditions)) {
      desired.conditions = (desired.conditions as Condition[]).map((condition) => {
        const before = previousConditions.find((candidate) => candidate.type === condition.type);
        const kept = before && before.status === condition.status ? String(before.lastTransitionTime ?? now) : now;
        const times = type.kind === "Deployment" ? { lastUpdateTime: now, lastTransitionTime: kept } : { lastTransitionTime: kept };
        return { ...condition, ...times };
      });
    }
    const metadata = object.metadata as Record<string, unknown>;
    this.store.writeStatus(type, String(metadata.namespace ?? ""), String(metadata.name), desired);
  }
}
