// One apply at a time per environment: a coordination.k8s.io Lease in the inventory namespace, taken with
// optimistic concurrency (create, or replace at the resourceVersion read), so two jobs racing for it cannot both win.
// A Lease whose holder stopped renewing (a crashed job) expires after its duration and may be taken over.
import { ClusterError, UserError } from "../errors.ts";
import type { Cluster, ClusterRef } from "../ports.ts";

export interface LeaseOptions {
  name: string;
  namespace: string;
  /** Who holds it, for the message another job prints: the CI job's URL or host and process. */
  holder: string;
  durationSeconds: number;
  /** How long to wait for another holder; 0 fails at once. */
  waitSeconds: number;
  fieldManager: string;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Told once when the Lease is held by another and we wait. */
  onWait?: (message: string) => void;
  /** Told when a renewal fails (the apply goes on; the Lease may expire and be taken). */
  onRenewFailed?: (message: string) => void;
}

export interface HeldLease {
  ref: ClusterRef;
  /** Renews the Lease now (it is also renewed every third of its duration while held). */
  renew(): Promise<void>;
  /** Stops renewing and gives the Lease back (deletes it if still ours); never throws. */
  release(): Promise<void>;
}

type Lease = Record<string, unknown> & { metadata: Record<string, unknown>; spec?: Record<string, unknown> };

const POLL_MS = 2000;

export async function acquireLease(cluster: Cluster, options: LeaseOptions): Promise<HeldLease> {
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const ref: ClusterRef = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: options.namespace, name: options.name };
  const deadline = now().getTime() + options.waitSeconds * 1000;
  let told = false;
  for (;;) {
    const taken = await tryTake(cluster, ref, options, now());
    if (taken.ok) return held(cluster, ref, taken.uid, options, now);
    if (now().getTime() >= deadline) {
      throw new UserError(`another apply holds the Lease ${options.namespace}/${options.name}: ${taken.holder}${options.waitSeconds > 0 ? ` (waited ${options.waitSeconds} s)` : ""}; apply.lease.waitSeconds waits for it`);
    }
    if (!told) options.onWait?.(`waiting for the Lease ${options.namespace}/${options.name}, held by ${taken.holder}`);
    told = true;
    await sleep(Math.min(POLL_MS, Math.max(0, deadline - now().getTime())));
  }
}

async function tryTake(cluster: Cluster, ref: ClusterRef, options: LeaseOptions, at: Date): Promise<{ ok: true; uid: string } | { ok: false; holder: string }> {
  const spec = { holderIdentity: options.holder, leaseDurationSeconds: options.durationSeconds, acquireTime: microTime(at), renewTime: microTime(at) };
  const existing = (await cluster.get(ref)) as Lease | undefined;
  try {
    if (!existing) {
      const created = await cluster.create({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace }, spec }, { fieldManager: options.fieldManager });
      return { ok: true, uid: uidOf(created) };
    }
    const current = existing.spec ?? {};
    if (current.holderIdentity && current.holderIdentity !== options.holder && !expired(current, at)) {
      return { ok: false, holder: `${String(current.holderIdentity)} since ${String(current.acquireTime ?? current.renewTime ?? "?")}` };
    }
    const replaced = await cluster.replace({ ...existing, spec: { ...current, ...spec, leaseTransitions: Number(current.leaseTransitions ?? 0) + 1 } }, { fieldManager: options.fieldManager });
    return { ok: true, uid: uidOf(replaced) };
  } catch (error) {
    // another job created or took it between our read and write: it holds the Lease now
    if (error instanceof ClusterError && (error.reason === "AlreadyExists" || error.reason === "Conflict")) return { ok: false, holder: "another job (it was taken while we tried)" };
    if (error instanceof ClusterError && error.reason === "NotFound") {
      throw new UserError(`the namespace ${ref.namespace} of the apply Lease does not exist: create it, or set apply.inventoryNamespace`);
    }
    throw error;
  }
}

/** A held Lease, renewed in the background so an apply longer than its duration keeps it. */
function held(cluster: Cluster, ref: ClusterRef, uid: string, options: LeaseOptions, now: () => Date): HeldLease {
  let renewing: Promise<void> = Promise.resolve();
  const renewOnce = async () => {
    try {
      const live = (await cluster.get(ref)) as Lease | undefined;
      if (!live || uidOf(live) !== uid || live.spec?.holderIdentity !== options.holder) throw new UserError("it was taken over or deleted");
      await cluster.replace({ ...live, spec: { ...live.spec, renewTime: microTime(now()) } }, { fieldManager: options.fieldManager });
    } catch (error) {
      options.onRenewFailed?.(`could not renew the Lease ${ref.namespace}/${ref.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const timer = setInterval(() => {
    renewing = renewing.then(renewOnce);
  }, (options.durationSeconds * 1000) / 3);
  timer.unref();
  return {
    ref,
    renew: () => (renewing = renewing.then(renewOnce)),
    async release() {
      clearInterval(timer);
      await renewing;
      try {
        await cluster.delete(ref, { uid, dryRun: false });
      } catch {
        // taken over after expiry, or the server went away: it expires on its own
      }
    },
  };
}

function expired(spec: Record<string, unknown>, at: Date): boolean {
  const renewed = Date.parse(String(spec.renewTime ?? spec.acquireTime ?? ""));
  const duration = Number(spec.leaseDurationSeconds ?? 0);
  return !Number.isFinite(renewed) || renewed + duration * 1000 <= at.getTime();
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
function microTime(at: Date): string {
  return at.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

function uidOf(object: Record<string, unknown>): string {
  return String((object.metadata as Record<string, unknown> | undefined)?.uid ?? "");
}
