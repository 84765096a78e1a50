// `gitops-verify drift`, scheduled: for each environment, what Git specifies (rendered at the checked-out revision)
// against the live objects. Changed fields are found with a server-side dry run of the desired object (what it
// would become), so defaults the server adds and fields other managers own are not drift; extra objects are those
// the environment owns (its ApplySet, or Flux's and Argo CD's labels for it) that Git no longer has.
import { randomBytes } from "node:crypto";
import type { Config } from "../config/config.ts";
import { withPartOf } from "../cluster/applyset.ts";
import { inventoryName, listMembers, readInventory, versionsOf } from "../cluster/inventory.ts";
import { readLive, refKey } from "../cluster/live.ts";
import { resolveObjects, type ClusterObject } from "../cluster/objects.ts";
import { identityKey } from "../cluster/prune.ts";
import type { DiscoveredEnvironment } from "../discover/discover.ts";
import { compareDrift } from "../drift/index.ts";
import { ClusterError, UserError } from "../errors.ts";
import type { DriftReport, EnvironmentDrift, KubeObject, RevisionInfo } from "../model.ts";
import type { Cluster } from "../ports.ts";
import type { RenderOutcome } from "./revision.ts";
import { mapConcurrent } from "../util/concurrency.ts";
import { globToRegExp } from "../util/paths.ts";
import { applyEnvironment, applyExitCode, revisionInfo, type ApplyPorts, type ApplyReport } from "./apply.ts";
import { lookupEnvironment, openWorkingTree, type WorkingTreeSettings } from "./environments.ts";
import { TOOL_VERSION } from "./verify.ts";

export interface DriftSettings extends WorkingTreeSettings {
  /** Environment names; the configuration's drift.environments, or all, when empty. */
  environments: string[];
  /** Only the environments of this cluster (the repository layout's name for it); default drift.cluster. */
  cluster?: string;
  /** Re-apply each drifted environment (gitops-verify apply), taking back fields others changed: Git wins. */
  heal: boolean;
  holder: string;
  fingerprintKey?: string;
}

export interface DriftResult {
  report: DriftReport;
  config: Config;
  healed: ApplyReport[];
}

/** 0 no drift (or all of it healed), 1 drift, 2 could not check. */
export function driftExitCode(result: DriftResult): number {
  if (result.report.result === "error") return 2;
  if (result.report.result === "none") return 0;
  const drifted = result.report.environments.filter((environment) => environment.status === "drifted");
  const healed = new Set(result.healed.filter((report) => applyExitCode(report) === 0).map((report) => report.environment));
  return result.healed.length > 0 && drifted.every((environment) => healed.has(environment.environment.name)) ? 0 : 1;
}

export async function checkDrift(settings: DriftSettings, ports: ApplyPorts): Promise<DriftResult> {
  const now = ports.now ?? Date.now;
  const started = now();
  const workDir = await ports.files.makeTempDir("gitops-verify-work-");
  let report: DriftReport;
  let config: Config;
  try {
    const opened = await openWorkingTree(settings, ports, workDir);
    config = opened.config;
    const revision = opened.revision;
    const all = await revision.allEnvironments();
    const named = selectEnvironments(all, settings.environments.length > 0 ? settings.environments : config.drift.environments, settings.environments.length > 0);
    const selected = ofCluster(named, settings.cluster ?? config.drift.cluster);
    const info: RevisionInfo = await revisionInfo(ports, revision.root);
    const fingerprintKey = settings.fingerprintKey ?? randomBytes(32).toString("hex");
    const environments: EnvironmentDrift[] = [];
    for (const [index, environment] of selected.entries()) {
      ports.logger.progress(index, selected.length, `drift: ${environment.environment.name}`);
      environments.push(await checkEnvironment(environment, await revision.render(environment), ports.cluster, config, fingerprintKey));
    }
    ports.logger.progress(selected.length, selected.length, "drift: done");
    report = driftReport(info, ports.cluster, environments, Math.round(now() - started));
  } finally {
    await ports.files.removeTree(workDir);
  }
  const healed: ApplyReport[] = [];
  if (settings.heal) {
    for (const environment of report.environments.filter((one) => one.status === "drifted")) {
      ports.logger.info(`healing ${environment.environment.name}: re-applying what Git specifies`);
      healed.push(await applyEnvironment({ repoDir: settings.repoDir, ...(settings.configPath ? { configPath: settings.configPath } : {}), environment: environment.environment.name, dryRun: false, holder: settings.holder, force: true }, ports));
    }
  }
  return { report, config, healed };
}

function selectEnvironments(all: DiscoveredEnvironment[], written: string[], strict: boolean): DiscoveredEnvironment[] {
  if (written.length === 0) return all;
  // names on the command line must each name an environment; configured entries may be globs
  if (strict) return written.map((name) => lookupEnvironment(all, name));
  const patterns = written.map(globToRegExp);
  return all.filter((environment) => patterns.some((pattern) => pattern.test(environment.environment.name) || pattern.test(environment.environment.path)));
}

/**
 * A kubeconfig reaches one cluster: with a cluster named, its environments only; without, the environments must not
 * belong to several clusters, or the others' objects would all be reported missing.
 */
function ofCluster(environments: DiscoveredEnvironment[], cluster: string | undefined): DiscoveredEnvironment[] {
  if (cluster !== undefined) {
    const known = [...new Set(environments.map((environment) => environment.environment.cluster).filter((name) => name !== undefined))];
    if (!known.includes(cluster)) throw new UserError(`--cluster ${cluster}: no environment belongs to it (clusters: ${known.length > 0 ? known.join(", ") : "none in this repository's layout"})`);
    return environments.filter((environment) => environment.environment.cluster === cluster);
  }
  const clusters = [...new Set(environments.map((environment) => environment.environment.cluster ?? "(no cluster)"))];
  if (clusters.length > 1) {
    throw new UserError(`the environments to check belong to ${clusters.length} clusters (${clusters.join(", ")}), and a kubeconfig reaches one: pass --cluster NAME, or name environments with --env or drift.environments`);
  }
  return environments;
}

async function checkEnvironment(environment: DiscoveredEnvironment, outcome: RenderOutcome, cluster: Cluster, config: Config, fingerprintKey: string): Promise<EnvironmentDrift> {
  const base = { environment: environment.environment, objects: [], inSync: 0 };
  if (!outcome.ok) {
    if (outcome.skipped !== undefined) return { ...base, status: "skipped", message: outcome.skipped };
    return { ...base, status: "error", message: `could not be rendered: ${outcome.findings.map((finding) => finding.message).join("; ")}` };
  }
  try {
    const defaultNamespace = config.apply.defaultNamespace ?? config.apply.inventoryNamespace;
    const resolved = await resolveObjects(outcome.manifests, cluster, defaultNamespace);
    if (resolved.problems.length > 0) return { ...base, status: "error", message: resolved.problems.join("; ") };
    const inventory = await inventoryOf(cluster, environment.environment.name, config.apply.inventoryNamespace);
    const live = new Map<string, KubeObject | undefined>();
    const predicted = new Map<string, KubeObject>();
    const current = await readLive(cluster, resolved.objects.map((one) => one.ref), config.apply.concurrency);
    await mapConcurrent(resolved.objects, config.apply.concurrency, async (one) => {
      const object = current.get(refKey(one.ref));
      live.set(one.key, object);
      if (!object) return;
      const result = await dryRun(cluster, inventory.exists ? withPartOf(one.object, inventory.id) : one.object, config.apply.fieldManager);
      if (result) predicted.set(one.key, result);
    });
    const extras = await extraObjects(cluster, environment, resolved.objects, inventory);
    const compared = compareDrift({
      desired: resolved.objects.map((one) => one.manifest),
      live,
      predicted,
      extras,
      ignore: config.drift.ignore,
      fingerprintKey,
      fieldManager: config.apply.fieldManager,
    });
    return { ...base, status: compared.objects.length > 0 ? "drifted" : "in-sync", objects: compared.objects, inSync: compared.inSync };
  } catch (error) {
    // one environment that cannot be checked (the server refused, another tool's ApplySet) does not stop the others
    if (error instanceof ClusterError || error instanceof UserError) return { ...base, status: "error", message: error.message };
    throw error;
  }
}

/**
 * The environment's apply inventory, if gitops-verify applies it; an identity that may not read Secrets in the
 * inventory namespace (a read-only drift job watching a Flux cluster) just has none.
 */
async function inventoryOf(cluster: Cluster, environment: string, namespace: string): Promise<Awaited<ReturnType<typeof readInventory>>> {
  try {
    return await readInventory(cluster, environment, namespace);
  } catch (error) {
    if (!(error instanceof ClusterError && error.reason === "Forbidden")) throw error;
    const name = inventoryName(environment);
    return { parent: { apiVersion: "v1", kind: "Secret", namespace, name }, id: "", exists: false, groupKinds: [], namespaces: [namespace] };
  }
}

/** The object as a forced apply would leave it; undefined when the server will not say (then only Git's fields are compared). */
async function dryRun(cluster: Cluster, object: KubeObject, fieldManager: string): Promise<KubeObject | undefined> {
  try {
    return await cluster.apply(object, { fieldManager, force: true, dryRun: true });
  } catch (error) {
    if (error instanceof ClusterError && error.reason !== "Unreachable") return undefined;
    throw error;
  }
}

/**
 * Live objects the environment owns that Git no longer has: members of its ApplySet (gitops-verify apply), or, for a
 * Flux Kustomization or an Argo CD Application, objects the puller marked as its own, among the kinds and namespaces
 * the environment uses.
 */
async function extraObjects(cluster: Cluster, environment: DiscoveredEnvironment, desired: readonly ClusterObject[], inventory: Awaited<ReturnType<typeof readInventory>>): Promise<KubeObject[]> {
  const desiredKeys = new Set(desired.map((one) => identityKey(one.object)));
  const found = new Map<string, KubeObject>();
  const keep = (objects: KubeObject[]) => {
    for (const object of objects) {
      const key = identityKey(object);
      if (!desiredKeys.has(key)) found.set(key, object);
    }
  };
  const versions = versionsOf(desired.map((one) => one.object));
  if (inventory.exists) keep(await listMembers(cluster, inventory, inventory.groupKinds, inventory.namespaces, versions));
  const owner = pullerOwnership(environment);
  if (owner) {
    const namespaces = [...new Set(desired.map((one) => one.ref.namespace).filter(Boolean))];
    const kinds = new Map<string, ClusterObject>();
    for (const one of desired) kinds.set(`${one.ref.apiVersion}/${one.ref.kind}`, one);
    for (const one of kinds.values()) {
      for (const namespace of one.namespaced ? namespaces : [""]) {
        const listed = await cluster.list(one.ref.apiVersion, one.ref.kind, { namespace, ...(owner.selector ? { labelSelector: owner.selector } : {}) });
        keep(listed.filter(owner.owns));
      }
    }
  }
  return [...found.values()];
}

interface PullerOwnership {
  /** A label selector that narrows the list on the server, when the puller marks objects with labels. */
  selector?: string;
  owns(object: KubeObject): boolean;
}

/**
 * How the puller marks what it applied for this environment: Flux's kustomize-controller with two labels; Argo CD
 * with its tracking annotation `<app>:<group>/<kind>:<namespace>/<name>` (the default since 3.0; the app name is
 * prefixed with its namespace for apps outside Argo CD's own) or, with label tracking, `app.kubernetes.io/instance`.
 */
function pullerOwnership(environment: DiscoveredEnvironment): PullerOwnership | undefined {
  const parts = environment.environment.name.split("/");
  const name = parts.at(-1) ?? "";
  const namespace = parts.at(-2) ?? "";
  if (environment.environment.kind === "flux-kustomization") {
    return { selector: `kustomize.toolkit.fluxcd.io/name=${name},kustomize.toolkit.fluxcd.io/namespace=${namespace}`, owns: () => true };
  }
  if (environment.environment.kind === "argocd-application") {
    return {
      owns: (object) => {
        const metadata = (object.metadata ?? {}) as { labels?: Record<string, string>; annotations?: Record<string, string> };
        const tracking = metadata.annotations?.["argocd.argoproj.io/tracking-id"];
        if (tracking !== undefined) return tracking.startsWith(`${name}:`) || tracking.startsWith(`${namespace}_${name}:`);
        return metadata.labels?.["app.kubernetes.io/instance"] === name;
      },
    };
  }
  return undefined;
}

function driftReport(revision: RevisionInfo, cluster: Cluster, environments: EnvironmentDrift[], durationMs: number): DriftReport {
  const count = (status: EnvironmentDrift["status"]) => environments.filter((environment) => environment.status === status).length;
  const objects = { missing: 0, extra: 0, changed: 0 };
  for (const environment of environments) for (const object of environment.objects) objects[object.change]++;
  const errors = count("error");
  const drifted = count("drifted");
  return {
    schemaVersion: 1,
    tool: { name: "gitops-verify", version: TOOL_VERSION },
    revision,
    cluster: { server: cluster.server, context: cluster.context },
    environments,
    result: errors > 0 ? "error" : drifted > 0 ? "drift" : "none",
    summary: { environments: environments.length, drifted, inSync: count("in-sync"), errors, skipped: count("skipped"), objects },
    durationMs,
  };
}
