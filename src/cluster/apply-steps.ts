// The steps of an apply that talk to the cluster: a server-side dry run of everything, the staged server-side apply
// (definitions established before what uses them, admission last), and deleting what a prune plan allows.
import { ClusterError } from "../errors.ts";
import { mapConcurrent } from "../util/concurrency.ts";
import type { KubeObject } from "../model.ts";
import type { Cluster, ClusterRef } from "../ports.ts";
import { withPartOf } from "./applyset.ts";
import { readLive, refKey } from "./live.ts";
import { describeRef, type ClusterObject } from "./objects.ts";
import type { PruneCandidate } from "./prune.ts";
import { applyStages, type StageName } from "./stages.ts";

export interface ApplyOptions {
  fieldManager: string;
  force: boolean;
  /** Requests in flight at once. */
  concurrency: number;
  /** The ApplySet id every applied object is labelled with. */
  setId: string;
}

export interface Conflict {
  ref: ClusterRef;
  /** One per field: "conflict with \"kubectl-edit\" using apps/v1" at ".spec.replicas". */
  fields: { field?: string; message: string }[];
}

export interface DryRunResult {
  live: Map<string, KubeObject | undefined>;
  /** What each object becomes when applied, as the server computes it (defaults, admission, other owners' fields). */
  predicted: Map<string, KubeObject>;
  conflicts: Conflict[];
  failures: { ref: ClusterRef; message: string }[];
  /** Not dry-run: the kind or namespace is created by this same apply; each with why. */
  deferred: { ref: ClusterRef; reason: string }[];
}

/**
 * Requests in flight at once against the API server, by default (apply.concurrency): round trips dominate an apply
 * of many objects (a few hundred objects at 30 ms each is most of a minute one by one), and the server's own limits
 * (max-requests-inflight, 400 by default, and priority and fairness) are far above this.
 */
export const REQUESTS_IN_FLIGHT = 8;

/** Dry-runs every object (dryRun=All): conflicts, invalid objects and refusals before anything changes. */
export async function dryRunAll(cluster: Cluster, objects: readonly ClusterObject[], options: ApplyOptions): Promise<DryRunResult> {
  const result: DryRunResult = { live: new Map(), predicted: new Map(), conflicts: [], failures: [], deferred: [] };
  const createdNamespaces = new Set(objects.filter((one) => one.ref.kind === "Namespace" && one.ref.apiVersion === "v1").map((one) => one.ref.name));
  const missingNamespaces = new Map<string, Promise<boolean>>();
  const namespaceMissing = (name: string) => {
    let missing = missingNamespaces.get(name);
    if (!missing) missingNamespaces.set(name, (missing = namespaceExists(cluster, name).then((exists) => !exists)));
    return missing;
  };
  type Outcome = { one: ClusterObject; live?: KubeObject; predicted?: KubeObject; deferred?: string; conflict?: Conflict; failure?: string };
  const current = await readLive(cluster, objects.filter((one) => one.served).map((one) => one.ref), options.concurrency);
  const outcomes = await mapConcurrent(objects, options.concurrency, async (one): Promise<Outcome> => {
    if (!one.served) return { one, deferred: "its CustomResourceDefinition is applied first" };
    const live = current.get(refKey(one.ref));
    if (!live && one.ref.namespace && createdNamespaces.has(one.ref.namespace) && (await namespaceMissing(one.ref.namespace))) {
      return { one, deferred: `its namespace ${one.ref.namespace} is created by this apply` };
    }
    try {
      const predicted = await cluster.apply(withPartOf(one.object, options.setId), { fieldManager: options.fieldManager, force: options.force, dryRun: true });
      return { one, ...(live ? { live } : {}), predicted };
    } catch (error) {
      if (!(error instanceof ClusterError) || error.reason === "Unreachable") throw error;
      const base = { one, ...(live ? { live } : {}) };
      if (error.reason === "Conflict") return { ...base, conflict: { ref: one.ref, fields: conflictFields(error) } };
      if (error.reason === "NotFound" && one.ref.namespace && (await namespaceMissing(one.ref.namespace))) {
        return { ...base, failure: `namespace ${one.ref.namespace} does not exist: add its Namespace to the environment, or create it first` };
      }
      return { ...base, failure: error.message };
    }
  });
  for (const outcome of outcomes) {
    const { one } = outcome;
    if (outcome.deferred !== undefined) {
      result.deferred.push({ ref: one.ref, reason: outcome.deferred });
      continue;
    }
    result.live.set(one.key, outcome.live);
    if (outcome.predicted) result.predicted.set(one.key, outcome.predicted);
    if (outcome.conflict) result.conflicts.push(outcome.conflict);
    if (outcome.failure !== undefined) result.failures.push({ ref: one.ref, message: outcome.failure });
  }
  return result;
}

async function namespaceExists(cluster: Cluster, name: string): Promise<boolean> {
  return (await cluster.get({ apiVersion: "v1", kind: "Namespace", namespace: "", name })) !== undefined;
}

function conflictFields(error: ClusterError): Conflict["fields"] {
  return error.causes.length > 0 ? error.causes.map((cause) => ({ ...(cause.field ? { field: cause.field } : {}), message: cause.message })) : [{ message: error.message }];
}

export interface StagedApplyHooks {
  /** After a stage is applied: the definitions stage waits here until CRDs are established and Namespaces active. */
  afterStage(stage: StageName, applied: readonly ClusterObject[]): Promise<void>;
  /** Objects not served before the definitions stage are resolved again here (their CRDs now exist). */
  resolveDeferred(objects: readonly ClusterObject[]): Promise<ClusterObject[]>;
  onApplied?(object: ClusterObject, done: number, total: number): void;
}

export interface StagedApplyResult {
  applied: ClusterObject[];
  /** The first object the server refused; nothing after it was applied. */
  failure?: { ref: ClusterRef; message: string; conflict?: Conflict };
}

/** Applies stage by stage, in order, stopping at the first refusal (the caller rolls back). */
export async function applyInStages(cluster: Cluster, objects: readonly ClusterObject[], options: ApplyOptions, hooks: StagedApplyHooks): Promise<StagedApplyResult> {
  const byObject = new Map(objects.map((one) => [one.object, one]));
  const applied: ClusterObject[] = [];
  for (const stage of applyStages(objects.map((one) => one.object))) {
    let members = stage.objects.map((object) => byObject.get(object)!);
    const deferred = members.filter((one) => !one.served);
    if (deferred.length > 0) {
      const resolved = await hooks.resolveDeferred(deferred);
      members = members.map((one) => (one.served ? one : resolved.find((again) => again.key === one.key) ?? one));
    }
    const unserved = members.find((one) => !one.served);
    if (unserved) return { applied, failure: { ref: unserved.ref, message: `${describeRef(unserved.ref)}: the cluster still does not serve ${unserved.ref.apiVersion} ${unserved.ref.kind} after its CustomResourceDefinition was applied` } };
    const done: ClusterObject[] = [];
    // kinds one after the other, in the stage's order; the objects of one kind side by side
    for (const group of byKind(members)) {
      const failures = await mapConcurrent(group, options.concurrency, async (one) => {
        try {
          await cluster.apply(withPartOf(one.object, options.setId), { fieldManager: options.fieldManager, force: options.force, dryRun: false });
        } catch (error) {
          if (!(error instanceof ClusterError) || error.reason === "Unreachable") throw error;
          const conflict = error.reason === "Conflict" ? { ref: one.ref, fields: conflictFields(error) } : undefined;
          return { ref: one.ref, message: `${describeRef(one.ref)}: ${error.message}`, ...(conflict ? { conflict } : {}) };
        }
        applied.push(one);
        done.push(one);
        hooks.onApplied?.(one, applied.length, objects.length);
        return undefined;
      });
      const failure = failures.find((entry) => entry !== undefined);
      if (failure) return { applied, failure };
    }
    await hooks.afterStage(stage.name, done);
  }
  return { applied };
}

/** Runs of consecutive objects of one kind, in the order given (a stage's objects come sorted by kind). */
function byKind(objects: readonly ClusterObject[]): ClusterObject[][] {
  const runs: ClusterObject[][] = [];
  for (const one of objects) {
    const last = runs.at(-1);
    if (last && last[0]!.ref.kind === one.ref.kind && last[0]!.ref.apiVersion === one.ref.apiVersion) last.push(one);
    else runs.push([one]);
  }
  return runs;
}

export interface PruneResult {
  deleted: ClusterRef[];
  /** Already gone, or replaced by a newer object of the same name (the uid precondition held it back). */
  skipped: { ref: ClusterRef; reason: string }[];
  failures: { ref: ClusterRef; message: string }[];
}

/** Deletes each candidate with its uid as precondition: never a newer object that happens to have the name. */
export async function deleteCandidates(cluster: Cluster, candidates: readonly PruneCandidate[], dryRun: boolean): Promise<PruneResult> {
  const result: PruneResult = { deleted: [], skipped: [], failures: [] };
  for (const candidate of candidates) {
    const ref: ClusterRef = { apiVersion: candidate.ref.apiVersion, kind: candidate.ref.kind, namespace: candidate.ref.namespace, name: candidate.ref.name };
    try {
      const outcome = await cluster.delete(ref, { ...(candidate.ref.uid ? { uid: candidate.ref.uid } : {}), dryRun, propagationPolicy: "Background" });
      if (outcome === "deleted") result.deleted.push(ref);
      else result.skipped.push({ ref, reason: "already gone" });
    } catch (error) {
      if (error instanceof ClusterError && error.reason === "Conflict") result.skipped.push({ ref, reason: "replaced by a newer object of the same name (uid precondition)" });
      else if (error instanceof ClusterError && error.reason !== "Unreachable") result.failures.push({ ref, message: error.message });
      else throw error;
    }
  }
  return result;
}
