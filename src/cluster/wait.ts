// Waiting for readiness: poll each applied object and read its status with kstatus rules, until every one is
// Current, one has Failed (fail fast: a failed rollout does not get better by waiting), or the time is up.
import type { Cluster, ClusterRef } from "../ports.ts";
import { REQUESTS_IN_FLIGHT } from "./apply-steps.ts";
import { computeStatus, type ObjectStatus } from "./kstatus.ts";
import { readLive, refKey } from "./live.ts";
import { describeRef } from "./objects.ts";

export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
  /** Requests in flight at once (default REQUESTS_IN_FLIGHT). */
  concurrency?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Told whenever the picture changes: "4/6 ready; waiting for Deployment shop/api: 1 of 3 updated". */
  onProgress?: (message: string) => void;
}

export interface WaitResult {
  outcome: "ready" | "failed" | "timeout";
  /** For failed: the first failed object; for timeout: those not ready, with why. */
  notReady: { ref: ClusterRef; status: ObjectStatus }[];
  elapsedMs: number;
}

export async function waitForReady(cluster: Cluster, refs: readonly ClusterRef[], options: WaitOptions): Promise<WaitResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = now();
  let pending = [...refs];
  let lastMessage = "";
  for (;;) {
    const live = await readLive(cluster, pending, options.concurrency ?? REQUESTS_IN_FLIGHT);
    const statuses = pending.map((ref) => ({ ref, status: computeStatus(live.get(refKey(ref))) }));
    const failed = statuses.find((entry) => entry.status.status === "Failed");
    if (failed) return { outcome: "failed", notReady: [failed], elapsedMs: now() - started };
    pending = statuses.filter((entry) => entry.status.status !== "Current").map((entry) => entry.ref);
    if (pending.length === 0) return { outcome: "ready", notReady: [], elapsedMs: now() - started };
    const waiting = statuses.filter((entry) => entry.status.status !== "Current");
    const first = waiting[0]!;
    const message = `${refs.length - waiting.length}/${refs.length} ready; waiting for ${describeRef(first.ref)}: ${first.status.message || first.status.status}${waiting.length > 1 ? ` (and ${waiting.length - 1} more)` : ""}`;
    if (message !== lastMessage) options.onProgress?.(message);
    lastMessage = message;
    const left = started + options.timeoutMs - now();
    if (left <= 0) return { outcome: "timeout", notReady: waiting, elapsedMs: now() - started };
    await sleep(Math.min(options.intervalMs, left));
  }
}
