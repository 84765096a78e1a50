// `gitops-verify apply --env ENV`: the push model. Render the environment at the checked-out revision, refuse on a
// failing gate, dry-run everything on the server and show what changes, then apply in stages with one field
// manager, prune what the previous apply owned and the rendering no longer has, wait for readiness, record the
// rendering as the last good one, and roll back to the previous record when something fails. One apply per
// environment at a time, guarded by a Lease.
import { randomBytes } from "node:crypto";
import type { Config } from "../config/config.ts";
import { applyInStages, deleteCandidates, dryRunAll, type ApplyOptions, type Conflict, type PruneResult } from "../cluster/apply-steps.ts";
import { formatGroupKind, parseGroupKinds, type GroupKind } from "../cluster/applyset.ts";
import { inventoryName, readInventory, listMembers, recordData, versionsOf, writeInventory, type Inventory } from "../cluster/inventory.ts";
import type { ObjectStatus } from "../cluster/kstatus.ts";
import { acquireLease } from "../cluster/lease.ts";
import { describeRef, resolveObjects, type ClusterObject } from "../cluster/objects.ts";
import { identityKey, planPrune } from "../cluster/prune.ts";
import { waitForReady } from "../cluster/wait.ts";
import type { DiscoveredEnvironment } from "../discover/discover.ts";
import { compareDrift } from "../drift/index.ts";
import { UserError } from "../errors.ts";
import type { DriftedObject, Finding, Manifest, RevisionInfo } from "../model.ts";
import type { Cluster, ClusterRef } from "../ports.ts";
import { toManifest } from "../render/manifests.ts";
import type { Ports } from "./context.ts";
import { openWorkingTree, lookupEnvironment, type WorkingTreeSettings } from "./environments.ts";
import { promotionValidation } from "./promote-gate.ts";
import { formatFindings } from "./revision.ts";
import { TOOL_VERSION } from "./verify.ts";

export interface ApplySettings extends WorkingTreeSettings {
  environment: string;
  /** Dry run on the server and show the plan; change nothing. */
  dryRun: boolean;
  /** Overrides of the configuration's apply section, from flags. */
  force?: boolean;
  prune?: boolean;
  pruneNamespaces?: boolean;
  pruneCrds?: boolean;
  maxPruneShare?: number;
  wait?: boolean;
  timeoutSeconds?: number;
  rollback?: boolean;
  /** Who holds the Lease, for others' messages: the CI job URL, or host and process. */
  holder: string;
  fingerprintKey?: string;
}

export interface ApplyPorts extends Ports {
  cluster: Cluster;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export type ApplyResult = "applied" | "unchanged" | "planned" | "refused" | "failed" | "rolled-back" | "rollback-failed" | "error";

/** What `gitops-verify apply --format json` prints (schemas/apply.v1.json). */
export interface ApplyReport {
  schemaVersion: 1;
  tool: { name: "gitops-verify"; version: string };
  environment: string;
  revision: RevisionInfo;
  cluster: { server: string; context: string };
  dryRun: boolean;
  result: ApplyResult;
  /** One sentence: what happened and why. */
  message: string;
  findings: Finding[];
  /** What the apply changes (live → what the server computes), masked: "missing" objects are created. */
  changes: DriftedObject[];
  unchanged: number;
  conflicts: Conflict[];
  prune: { planned: ClusterRef[]; kept: { ref: ClusterRef; reason: string }[]; refused?: string; result?: PruneResult };
  applied: number;
  wait?: { outcome: "ready" | "failed" | "timeout"; elapsedMs: number; notReady: { ref: ClusterRef; status: ObjectStatus }[] };
  rollback?: { revision: string; outcome: "rolled-back" | "failed" | "unavailable"; message: string };
  durationMs: number;
}

/** Exit code of an apply: 0 done (or planned), 1 refused or failed (rolled back or not), 2 not rendered. */
export function applyExitCode(report: ApplyReport): number {
  if (report.result === "error") return 2;
  return report.result === "applied" || report.result === "unchanged" || report.result === "planned" ? 0 : 1;
}

interface Knobs {
  fieldManager: string;
  force: boolean;
  prune: { enabled: boolean; namespaces: boolean; crds: boolean; maxShare: number };
  wait: { enabled: boolean; timeoutMs: number; intervalMs: number };
  rollback: boolean;
  defaultNamespace: string;
}

function knobs(config: Config, settings: ApplySettings): Knobs {
  const apply = config.apply;
  return {
    fieldManager: apply.fieldManager,
    force: settings.force ?? apply.force,
    prune: {
      enabled: settings.prune ?? apply.prune.enabled,
      namespaces: settings.pruneNamespaces ?? apply.prune.namespaces,
      crds: settings.pruneCrds ?? apply.prune.crds,
      maxShare: settings.maxPruneShare ?? apply.prune.maxShare,
    },
    wait: { enabled: settings.wait ?? apply.wait.enabled, timeoutMs: (settings.timeoutSeconds ?? apply.wait.timeoutSeconds) * 1000, intervalMs: apply.wait.intervalSeconds * 1000 },
    rollback: settings.rollback ?? apply.rollback,
    defaultNamespace: apply.defaultNamespace ?? apply.inventoryNamespace,
  };
}

export async function applyEnvironment(settings: ApplySettings, ports: ApplyPorts): Promise<ApplyReport> {
  const now = ports.now ?? Date.now;
  const started = now();
  const workDir = await ports.files.makeTempDir("gitops-verify-work-");
  try {
    const { revision, config } = await openWorkingTree(settings, ports, workDir);
    const environment = lookupEnvironment(await revision.allEnvironments(), settings.environment);
    const name = environment.environment.name;
    const info = await revisionInfo(ports, revision.root);
    const run = new ApplyRun(settings, ports, config, knobs(config, settings), environment, info, revision.root);
    const outcome = await revision.render(environment);
    if (!outcome.ok) {
      const why = outcome.skipped ?? outcome.findings.filter((finding) => finding.severity === "error").map((finding) => finding.message).join("; ");
      return run.finish(started, "error", `${name} could not be rendered${why ? `: ${why}` : ""}`, { findings: outcome.findings });
    }
    ports.logger.info(`apply ${name} (${info.sha.slice(0, 12)}) to ${ports.cluster.server} (context ${ports.cluster.context})${settings.dryRun ? ": dry run" : ""}`);
    if (settings.dryRun) return await run.execute(outcome.manifests, started);
    const lease = await acquireLease(ports.cluster, {
      name: inventoryName(name), // the Lease shares the inventory's name: one per environment
      namespace: config.apply.inventoryNamespace,
      holder: settings.holder,
      durationSeconds: config.apply.lease.durationSeconds,
      waitSeconds: config.apply.lease.waitSeconds,
      fieldManager: config.apply.fieldManager,
      ...(ports.sleep ? { sleep: ports.sleep } : {}),
      onWait: (message) => ports.logger.info(message),
      onRenewFailed: (message) => ports.logger.warn(message),
    });
    try {
      return await run.execute(outcome.manifests, started);
    } finally {
      await lease.release();
    }
  } finally {
    await ports.files.removeTree(workDir);
  }
}


export async function revisionInfo(ports: Ports, root: string): Promise<RevisionInfo> {
  const git = ports.gitAt(root);
  try {
    const sha = await git.resolve("HEAD");
    return { ref: (await git.currentBranch()) ?? "HEAD", sha };
  } catch (error) {
    if (error instanceof UserError) return { ref: "WORKTREE", sha: "WORKTREE" };
    throw error;
  }
}

class ApplyRun {
  private readonly cluster: Cluster;
  private readonly report: Omit<ApplyReport, "result" | "message" | "durationMs">;

  constructor(
    private readonly settings: ApplySettings,
    private readonly ports: ApplyPorts,
    private readonly config: Config,
    private readonly knobs: Knobs,
    private readonly environment: DiscoveredEnvironment,
    private readonly revision: RevisionInfo,
    private readonly root: string,
  ) {
    this.cluster = ports.cluster;
    this.report = {
      schemaVersion: 1,
      tool: { name: "gitops-verify", version: TOOL_VERSION },
      environment: environment.environment.name,
      revision,
      cluster: { server: ports.cluster.server, context: ports.cluster.context },
      dryRun: settings.dryRun,
      findings: [],
      changes: [],
      unchanged: 0,
      conflicts: [],
      prune: { planned: [], kept: [] },
      applied: 0,
    };
  }

  finish(started: number, result: ApplyResult, message: string, extra: Partial<ApplyReport> = {}): ApplyReport {
    const now = this.ports.now ?? Date.now;
    return { ...this.report, ...extra, result, message, durationMs: Math.round(now() - started) };
  }

  async execute(manifests: Manifest[], started: number): Promise<ApplyReport> {
    const { logger } = this.ports;
    const name = this.environment.environment.name;
    const inventory = await readInventory(this.cluster, name, this.config.apply.inventoryNamespace);
    if (inventory.recordProblem) logger.warn(`the last good rendering of ${name} cannot be read (${inventory.recordProblem}): rollback is not available`);

    // the gate: findings the last applied rendering already had do not refuse the apply
    const findings = await this.gate(manifests, inventory);
    this.report.findings = findings;
    const failing = findings.filter((finding) => atOrAbove(finding.severity, this.config.apply.failOn));
    if (failing.length > 0) {
      logger.warn(formatFindings(failing));
      return this.finish(started, "refused", `${failing.length} finding${failing.length === 1 ? "" : "s"} at ${this.config.apply.failOn} or above refuse the apply`);
    }

    const resolved = await resolveObjects(manifests, this.cluster, this.knobs.defaultNamespace);
    if (resolved.problems.length > 0) {
      return this.finish(started, "refused", `${resolved.problems.length} object${resolved.problems.length === 1 ? "" : "s"} cannot be applied: ${resolved.problems.join("; ")}`);
    }
    const options = { fieldManager: this.knobs.fieldManager, force: this.knobs.force, setId: inventory.id, concurrency: this.config.apply.concurrency };
    const dry = await dryRunAll(this.cluster, resolved.objects, options);
    const compared = compareDrift({
      desired: resolved.objects.map((one) => one.manifest),
      live: dry.live,
      predicted: dry.predicted,
      extras: [],
      ignore: [],
      fingerprintKey: this.settings.fingerprintKey ?? randomBytes(32).toString("hex"),
      fieldManager: this.knobs.fieldManager,
    });
    // deferred objects (their CRD or namespace comes with this apply) are new: shown as created
    this.report.changes = compared.objects;
    this.report.unchanged = compared.inSync;
    this.report.conflicts = dry.conflicts;
    for (const change of compared.objects) logger.info(`  ${change.change === "missing" ? "create" : "update"} ${change.id.kind} ${change.id.namespace ? `${change.id.namespace}/` : ""}${change.id.name}`);
    if (dry.conflicts.length > 0) {
      const lines = dry.conflicts.map((conflict) => `${describeRef(conflict.ref)}: ${conflict.fields.map((field) => `${field.field ?? ""} ${field.message}`.trim()).join("; ")}`);
      return this.finish(started, "refused", `${dry.conflicts.length} object${dry.conflicts.length === 1 ? " has" : "s have"} fields another manager owns (apply.force or --force-conflicts takes them): ${lines.join(" | ")}`);
    }
    if (dry.failures.length > 0) {
      return this.finish(started, "refused", `the server refused ${dry.failures.length} object${dry.failures.length === 1 ? "" : "s"} in the dry run: ${groupedFailures(dry.failures)}`);
    }

    const desiredKinds = groupKindsOf(resolved.objects);
    const desiredNamespaces = namespacesOf(resolved.objects, inventory.parent.namespace);
    const versions = versionsOf([...(inventory.record?.objects ?? []), ...resolved.objects.map((one) => one.object)]);
    const pruneKinds = union(inventory.groupKinds, desiredKinds);
    const pruneNamespaces = [...new Set([...inventory.namespaces, ...desiredNamespaces])].sort();
    const desiredKeys = new Set(resolved.objects.map((one) => identityKey(one.object)));
    if (this.knobs.prune.enabled && inventory.exists) {
      const members = await listMembers(this.cluster, inventory, pruneKinds, pruneNamespaces, versions);
      const plan = planPrune(members, desiredKeys, { ...this.knobs.prune, applySetId: inventory.id });
      this.report.prune = { planned: plan.delete.map((candidate) => refOf(candidate.ref)), kept: plan.kept.map((kept) => ({ ref: refOf(kept.ref), reason: kept.reason })), ...(plan.refused ? { refused: plan.refused } : {}) };
      for (const ref of this.report.prune.planned) logger.info(`  prune ${describeRef(ref)}`);
      if (plan.refused) return this.finish(started, "refused", plan.refused);
    }
    if (this.settings.dryRun) {
      return this.finish(started, "planned", `dry run: ${compared.objects.length} to create or update, ${this.report.prune.planned.length} to prune, ${compared.inSync} unchanged`);
    }

    await writeInventory(this.cluster, inventory, { groupKinds: pruneKinds, namespaces: pruneNamespaces }, this.knobs.fieldManager);
    const applied = await this.applyObjects(resolved.objects, options);
    if (applied.failure) return this.rollBack(started, inventory, `the server refused ${applied.failure.message}`);

    if (this.knobs.prune.enabled) {
      const members = await listMembers(this.cluster, inventory, pruneKinds, pruneNamespaces, versions);
      const plan = planPrune(members, desiredKeys, { ...this.knobs.prune, applySetId: inventory.id });
      if (plan.refused) return this.rollBack(started, inventory, plan.refused);
      const pruned = await deleteCandidates(this.cluster, plan.delete, false);
      this.report.prune.result = pruned;
      if (pruned.failures.length > 0) {
        return this.rollBack(started, inventory, `pruning failed: ${pruned.failures.map((failure) => `${describeRef(failure.ref)}: ${failure.message}`).join("; ")}`);
      }
    }

    if (this.knobs.wait.enabled) {
      const waited = await this.waitFor(resolved.objects.map((one) => one.ref));
      this.report.wait = waited;
      if (waited.outcome !== "ready") {
        const first = waited.notReady[0];
        const why = first ? `${describeRef(first.ref)}: ${first.status.message || first.status.status}` : "";
        return this.rollBack(started, inventory, waited.outcome === "failed" ? `rollout failed: ${why}` : `not ready after ${Math.round(this.knobs.wait.timeoutMs / 1000)} s: ${why}`);
      }
    }

    let record: { data: Record<string, string>; revision: string } | undefined;
    try {
      record = { data: recordData({ revision: this.revision.sha, environment: this.environment.environment.name, appliedAt: new Date().toISOString(), objects: resolved.objects.map((one) => one.object) }), revision: this.revision.sha };
    } catch (error) {
      logger.warn(error instanceof Error ? error.message : String(error));
    }
    await writeInventory(this.cluster, inventory, { groupKinds: desiredKinds, namespaces: desiredNamespaces, ...(record ? { record } : {}) }, this.knobs.fieldManager);
    const prunedCount = this.report.prune.result?.deleted.length ?? 0;
    const changed = compared.objects.length + prunedCount;
    return this.finish(
      started,
      changed === 0 ? "unchanged" : "applied",
      changed === 0 ? `${this.environment.environment.name} was already up to date (${resolved.objects.length} objects)` : `applied ${this.report.applied} objects (${compared.objects.length} created or changed), pruned ${prunedCount}${this.knobs.wait.enabled ? ", all ready" : ""}`,
    );
  }

  private async gate(manifests: Manifest[], inventory: Inventory): Promise<Finding[]> {
    const validation = await promotionValidation(this.config, this.root, this.ports);
    if (!validation) return [];
    const side = { root: this.root, discovered: this.environment, manifests };
    const base = inventory.record ? { ...side, manifests: inventory.record.objects.map((object, index) => toManifest(object, { index, line: 1 }, "last applied")) } : undefined;
    return validation.check(this.environment.environment.name, side, base);
  }

  private async applyObjects(objects: ClusterObject[], options: ApplyOptions) {
    const { logger } = this.ports;
    const result = await applyInStages(this.cluster, objects, options, {
      afterStage: async (stage, done) => {
        if (stage !== "definitions" || done.length === 0) return;
        // CRDs established and Namespaces active before anything that needs them
        const waited = await this.waitFor(done.map((one) => one.ref));
        if (waited.outcome !== "ready") logger.warn(`definitions not ready: ${waited.notReady.map((entry) => `${describeRef(entry.ref)}: ${entry.status.message}`).join("; ")}`);
      },
      resolveDeferred: async (deferred) => (await resolveObjects(deferred.map((one) => one.manifest), this.cluster, this.knobs.defaultNamespace, { refresh: true })).objects,
      onApplied: (one, done, total) => logger.progress(done, total, `applied ${describeRef(one.ref)}`),
    });
    this.report.applied = result.applied.length;
    return result;
  }

  private waitFor(refs: ClusterRef[]) {
    return waitForReady(this.cluster, refs, {
      timeoutMs: this.knobs.wait.timeoutMs,
      intervalMs: this.knobs.wait.intervalMs,
      concurrency: this.config.apply.concurrency,
      ...(this.ports.now ? { now: this.ports.now } : {}),
      ...(this.ports.sleep ? { sleep: this.ports.sleep } : {}),
      onProgress: (message) => this.ports.logger.info(`  ${message}`),
    });
  }

  /** Re-applies the last good rendering and prunes what the failed apply added; reports either way. */
  private async rollBack(started: number, inventory: Inventory, why: string): Promise<ApplyReport> {
    const { logger } = this.ports;
    logger.warn(`apply failed: ${why}`);
    const record = inventory.record;
    if (!this.knobs.rollback || !record) {
      const reason = !this.knobs.rollback ? "rollback is switched off" : inventory.recordProblem ? `the last good rendering cannot be read: ${inventory.recordProblem}` : "no earlier good apply is recorded";
      return this.finish(started, "failed", `apply failed: ${why}; not rolled back: ${reason}`, { rollback: { revision: "", outcome: "unavailable", message: reason } });
    }
    const short = record.revision.slice(0, 12);
    logger.info(`rolling back ${this.environment.environment.name} to ${short}`);
    try {
      const manifests = record.objects.map((object, index) => toManifest(object, { index, line: 1 }, "last applied"));
      const resolved = await resolveObjects(manifests, this.cluster, this.knobs.defaultNamespace, { refresh: true });
      if (resolved.problems.length > 0) throw new UserError(resolved.problems.join("; "));
      // the last good state is restored even over fields someone changed since
      const options = { fieldManager: this.knobs.fieldManager, force: true, setId: inventory.id, concurrency: this.config.apply.concurrency };
      const applied = await applyInStages(this.cluster, resolved.objects, options, {
        afterStage: async () => {},
        resolveDeferred: async (deferred) => (await resolveObjects(deferred.map((one) => one.manifest), this.cluster, this.knobs.defaultNamespace, { refresh: true })).objects,
      });
      if (applied.failure) throw new UserError(applied.failure.message);
      // what the failed apply added is not part of the good state
      const keys = new Set(resolved.objects.map((one) => identityKey(one.object)));
      const versions = versionsOf([...record.objects, ...resolved.objects.map((one) => one.object)]);
      const members = await listMembers(this.cluster, inventory, inventory.groupKinds, inventory.namespaces, versions);
      const plan = planPrune(members, keys, { ...this.knobs.prune, maxShare: 1, applySetId: inventory.id });
      const pruned = await deleteCandidates(this.cluster, this.knobs.prune.enabled ? plan.delete : [], false);
      if (pruned.failures.length > 0) throw new UserError(pruned.failures.map((failure) => `${describeRef(failure.ref)}: ${failure.message}`).join("; "));
      if (this.knobs.wait.enabled) {
        const waited = await this.waitFor(resolved.objects.map((one) => one.ref));
        if (waited.outcome !== "ready") throw new UserError(`the rolled-back state is not ready either: ${waited.notReady.map((entry) => `${describeRef(entry.ref)}: ${entry.status.message}`).join("; ")}`);
      }
      await writeInventory(this.cluster, inventory, { groupKinds: groupKindsOf(resolved.objects), namespaces: namespacesOf(resolved.objects, inventory.parent.namespace) }, this.knobs.fieldManager);
      const message = `re-applied ${resolved.objects.length} objects of ${short}${pruned.deleted.length > 0 ? ` and removed ${pruned.deleted.length} the failed apply added` : ""}`;
      return this.finish(started, "rolled-back", `apply failed: ${why}; rolled back to ${short}`, { rollback: { revision: record.revision, outcome: "rolled-back", message } });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.warn(`rollback failed: ${message}`);
      return this.finish(started, "rollback-failed", `apply failed: ${why}; ROLLBACK FAILED: ${message}`, { rollback: { revision: record.revision, outcome: "failed", message } });
    }
  }
}

const RANK = { error: 3, warning: 2, notice: 1, never: Infinity } as const;
function atOrAbove(severity: Finding["severity"], failOn: Config["apply"]["failOn"]): boolean {
  return RANK[severity] >= RANK[failOn];
}

/** "reason: A, B and 3 more" per distinct reason, so one missing namespace is one sentence, not one per object. */
function groupedFailures(failures: readonly { ref: ClusterRef; message: string }[]): string {
  const byMessage = new Map<string, ClusterRef[]>();
  for (const failure of failures) byMessage.set(failure.message, [...(byMessage.get(failure.message) ?? []), failure.ref]);
  return [...byMessage]
    .map(([message, refs]) => {
      const named = refs.slice(0, 3).map(describeRef).join(", ");
      return `${refs.length === 1 ? `${named}: ` : ""}${message}${refs.length > 1 ? ` (${named}${refs.length > 3 ? ` and ${refs.length - 3} more` : ""})` : ""}`;
    })
    .join(" | ");
}

function groupKindsOf(objects: readonly ClusterObject[]): GroupKind[] {
  const seen = new Map<string, GroupKind>();
  for (const one of objects) {
    const apiVersion = one.ref.apiVersion;
    const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "";
    const groupKind = { group, kind: one.ref.kind };
    seen.set(formatGroupKind(groupKind), groupKind);
  }
  return [...seen.values()];
}

function union(a: readonly GroupKind[], b: readonly GroupKind[]): GroupKind[] {
  return parseGroupKinds([...a, ...b].map(formatGroupKind).join(","));
}

function namespacesOf(objects: readonly ClusterObject[], parentNamespace: string): string[] {
  return [...new Set([parentNamespace, ...objects.map((one) => one.ref.namespace).filter(Boolean)])].sort();
}

function refOf(ref: { apiVersion: string; kind: string; namespace: string; name: string }): ClusterRef {
  return { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace, name: ref.name };
}
