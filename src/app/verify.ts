// The verify use case: render every environment a change can reach at base and head, and diff them.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { CONFIG_FILE_NAME, type Config } from "../config/config.ts";
import type { DiscoveredEnvironment } from "../discover/discover.ts";
import { KUSTOMIZATION_FILE_NAMES } from "../discover/kustomization.ts";
import { diffManifests } from "../diff/index.ts";
import type {
  Environment,
  EnvironmentResult,
  EnvironmentStatus,
  Finding,
  GateResult,
  RevisionInfo,
  RunReport,
  RunSummary,
} from "../model.ts";
import type { Checkout } from "../ports.ts";
import { createRenderers, loadConfig, loadConfigAt, mapConcurrent, type Ports } from "./context.ts";
import { Revision, type RenderOutcome, type RenderReuse } from "./revision.ts";
import { objectsInFile } from "../discover/objects.ts";
import { createValidator, EnvironmentValidation, loadCrdPaths, loadPolicySettings, type PolicySettings } from "./validation.ts";

export const TOOL_VERSION = "0.1.0";

export interface VerifySettings {
  repoDir: string;
  /** Default: the upstream of the current branch, else "main". */
  baseRef?: string;
  /** Default: the working tree. */
  headRef?: string;
  configPath?: string;
  /** Key for Secret fingerprints; random per run when not given. */
  fingerprintKey?: string;
  /** The lowest finding severity that fails the gate (exit 1). Default: error. */
  failOn?: FailOn;
  /**
   * Which revision's .gitops-verify.yaml applies. "base" for pull_request_target, where the
   * pull request's own files must not decide how it is checked.
   */
  configRevision?: "head" | "base";
}

export type FailOn = "error" | "warning" | "notice" | "never";

export interface VerifyResult {
  report: RunReport;
  config: Config;
}

export async function verify(settings: VerifySettings, ports: Ports): Promise<VerifyResult> {
  const started = performance.now();
  const { files, logger } = ports;
  const git = ports.gitAt(path.resolve(settings.repoDir));
  const root = await git.topLevel(path.resolve(settings.repoDir));
  const repoGit = ports.gitAt(root);

  const baseRef = settings.baseRef ?? (await repoGit.upstream()) ?? "main";
  const baseTip = await repoGit.resolve(baseRef);
  const headSha = settings.headRef ? await repoGit.resolve(settings.headRef) : undefined;
  const mergeBase = await repoGit.mergeBase(baseTip, headSha ?? (await repoGit.resolve("HEAD")));
  const changedFiles = await repoGit.changedFiles(mergeBase, headSha);
  logger.info(`comparing ${settings.headRef ?? "the working tree"} with ${baseRef} (merge-base ${mergeBase.slice(0, 12)}): ${changedFiles.length} files changed`);

  const checkouts: Checkout[] = [];
  const workDir = await files.makeTempDir("gitops-verify-work-");
  try {
    let headRoot = root;
    if (headSha) {
      const checkout = await repoGit.checkout(headSha);
      checkouts.push(checkout);
      headRoot = checkout.dir;
    }
    const { config, file: configFile } =
      settings.configRevision === "base"
        ? await loadConfigAt(repoGit, mergeBase, settings.configPath)
        : await loadConfig(files, headRoot, { explicitPath: settings.configPath });
    const renderers = await createRenderers(ports, config, workDir, headRoot);
    const remoteUrls = await repoGit.remoteUrls();
    // renders whose inputs did not change are shared by both revisions (a parent Kustomization, say)
    const reuse: RenderReuse = { changed: new Set(changedFiles), outcomes: new Map() };

    const head = await Revision.open(headRoot, files, config, renderers, { remoteUrls, reuse });
    const changed = new Set(changedFiles);
    const configChanged = changed.has(configFile ?? CONFIG_FILE_NAME);
    const touches = (environment: DiscoveredEnvironment) => configChanged || [...environment.inputs].some((file) => changed.has(file));

    // The base is only checked out when something can differ: an environment's inputs changed, or a file
    // changed that can add or remove environments (a kustomization file, a file with Flux or Argo CD objects).
    const needsBase =
      configChanged ||
      head.environments.some(touches) ||
      (await someAsync(changedFiles, (file) => mayDefineEnvironments(file, headRoot, ports)));
    let base: Revision | undefined;
    if (needsBase) {
      logger.info(`checking out the merge-base ${mergeBase.slice(0, 12)}`);
      const checkout = await repoGit.checkout(mergeBase);
      checkouts.push(checkout);
      base = await Revision.open(checkout.dir, files, config, renderers, { remoteUrls, reuse });
    }

    const runFindings: Finding[] = [];
    const validator = config.schemas.enabled ? createValidator(config, headRoot, ports) : undefined;
    if (validator) {
      const crds = await loadCrdPaths(config, headRoot, files);
      runFindings.push(...crds.findings, ...validator.addSharedCrds(crds.manifests));
    }
    let policies: PolicySettings | undefined;
    if (config.policies.enabled) {
      const loaded = await loadPolicySettings(config, headRoot, files);
      runFindings.push(...loaded.findings);
      policies = loaded.settings;
    }
    const validation = validator || policies ? new EnvironmentValidation(validator, files, policies) : undefined;

    const plans = planEnvironments(head.environments, base?.environments, touches);
    const childInputs = new Set<string>();
    const fingerprintKey = settings.fingerprintKey ?? randomBytes(32).toString("hex");
    let done = 0;
    const toRender = plans.filter((plan) => plan.render).length;
    const concurrency = config.render.concurrency || ports.cores;
    const options = { fingerprintKey, context: config.diff.contextLines };
    const renderPlan = async (plan: Plan): Promise<EnvironmentResult[]> => {
      if (!plan.render) return [unaffected(plan.environment)];
      const [baseOutcome, headOutcome] = await Promise.all([
        plan.base ? base!.render(plan.base) : undefined,
        plan.head ? head.render(plan.head) : undefined,
      ]);
      const result = compare(plan.environment, baseOutcome, headOutcome, options);
      if (validation && plan.head && headOutcome?.ok) {
        const baseSide = plan.base && baseOutcome?.ok ? { root: base!.root, discovered: plan.base, manifests: baseOutcome.manifests } : undefined;
        result.findings.push(
          ...(await validation.check(plan.environment.name, { root: head.root, discovered: plan.head, manifests: headOutcome.manifests }, baseSide)),
        );
      }
      const results = [result];
      // a Flux Kustomization's HelmReleases are environments of their own, found in its renders
      const headChildren = plan.head && headOutcome ? head.helmReleasesOf(plan.head, headOutcome) : [];
      const baseChildren = plan.base && baseOutcome ? base!.helmReleasesOf(plan.base, baseOutcome) : [];
      for (const child of [...headChildren, ...baseChildren]) for (const file of child.inputs) childInputs.add(file);
      for (const child of planEnvironments(headChildren, baseChildren, touches)) results.push(...(await renderPlan(child)));
      return results;
    };
    const results = (
      await mapConcurrent(plans, concurrency, async (plan) => {
        const planResults = await renderPlan(plan);
        if (plan.render) logger.progress(++done, toRender, plan.environment.name);
        return planResults;
      })
    ).flat();

    const readFiles = new Set<string>();
    for (const environment of [...head.environments, ...(base?.environments ?? [])]) {
      for (const file of environment.inputs) readFiles.add(file);
    }
    // the inputs of HelmReleases found while rendering count as read too
    for (const file of childInputs) readFiles.add(file);
    const report = buildReport({
      base: { ref: baseRef, sha: mergeBase },
      head: { ref: settings.headRef ?? "working tree", sha: headSha ?? "WORKTREE" },
      environments: results,
      changedFiles,
      unreadChangedFiles: configChanged ? [] : changedFiles.filter((file) => !readFiles.has(file)),
      findings: [...runFindings, ...(validator?.locationFindings() ?? [])],
      durationMs: performance.now() - started,
      failOn: settings.failOn,
    });
    return { report, config };
  } finally {
    for (const checkout of checkouts) await checkout.dispose();
    await files.removeTree(workDir);
  }
}

interface Plan {
  environment: Environment;
  base?: DiscoveredEnvironment;
  head?: DiscoveredEnvironment;
  render: boolean;
}

/**
 * Which environments to render: those whose inputs changed, whose defining object changed (a parent's patch,
 * a new ApplicationSet element), and those that exist on one side only. Without a base checkout nothing changed.
 */
function planEnvironments(
  head: DiscoveredEnvironment[],
  base: DiscoveredEnvironment[] | undefined,
  touches: (environment: DiscoveredEnvironment) => boolean,
): Plan[] {
  const plans = new Map<string, Plan>();
  for (const environment of head) {
    plans.set(environment.environment.name, { environment: environment.environment, head: environment, render: touches(environment) });
  }
  for (const environment of base ?? []) {
    const plan = plans.get(environment.environment.name);
    if (plan) {
      plan.base = environment;
      plan.render ||= touches(environment) || environment.definition !== plan.head!.definition;
    } else {
      plans.set(environment.environment.name, { environment: environment.environment, base: environment, render: true });
    }
  }
  for (const plan of plans.values()) {
    // an environment that exists on one side only (a kustomization that stopped or started being
    // included elsewhere, a new Application) is always shown
    if (base === undefined) plan.render = false;
    else if (!plan.base || !plan.head) plan.render = true;
  }
  return [...plans.values()].sort((a, b) => compareEnvironments(a.environment, b.environment));
}

/** Reports list environments by cluster, then by name. */
export function compareEnvironments(a: Environment, b: Environment): number {
  const clusterA = a.cluster ?? "";
  const clusterB = b.cluster ?? "";
  if (clusterA !== clusterB) return clusterA < clusterB ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Can a changed file add or remove environments? Kustomization files, and YAML with Flux or Argo CD objects. */
async function mayDefineEnvironments(file: string, headRoot: string, ports: Ports): Promise<boolean> {
  if ((KUSTOMIZATION_FILE_NAMES as readonly string[]).includes(path.posix.basename(file))) return true;
  if (!/\.ya?ml$/i.test(file)) return false;
  const absolute = path.join(headRoot, ...file.split("/"));
  if (!(await ports.files.stat(absolute))) return true; // deleted: it may have defined some at base
  return objectsInFile(await ports.files.readText(absolute), file).some((found) => found.kind !== "configmap" && found.kind !== "secret");
}

async function someAsync<T>(items: T[], test: (item: T) => Promise<boolean>): Promise<boolean> {
  for (const item of items) if (await test(item)) return true;
  return false;
}

function unaffected(environment: Environment): EnvironmentResult {
  return { environment, status: "unaffected", diffs: [], findings: [], counts: { added: 0, changed: 0, removed: 0, unchanged: 0 } };
}

function skipped(environment: Environment, findings: Finding[]): EnvironmentResult {
  return { environment, status: "skipped", diffs: [], findings, counts: { added: 0, changed: 0, removed: 0, unchanged: 0 } };
}

function compare(
  environment: Environment,
  base: RenderOutcome | undefined,
  head: RenderOutcome | undefined,
  options: { fingerprintKey: string; context: number },
): EnvironmentResult {
  const findings: Finding[] = [];
  if (head && !head.ok && head.skipped !== undefined) return skipped(environment, head.findings);
  if (!head && base && !base.ok && base.skipped !== undefined) return skipped(environment, base.findings);
  if (head && !head.ok) {
    return { environment, status: "failed", diffs: [], findings: head.findings, counts: { added: 0, changed: 0, removed: 0, unchanged: 0 } };
  }
  if (head?.ok) findings.push(...head.findings);
  if (base && !base.ok && base.skipped === undefined) {
    // the change repairs an environment that did not render before: show everything as added
    findings.push(
      ...base.findings.map((finding) => ({
        ...finding,
        severity: "notice" as const,
        message: `at the base revision: ${finding.message} (all objects are shown as added)`,
      })),
    );
  }
  const baseManifests = base?.ok ? base.manifests : [];
  const headManifests = head?.ok ? head.manifests : [];
  const { diffs, unchanged } = diffManifests(baseManifests, headManifests, options);
  const counts = { added: 0, changed: 0, removed: 0, unchanged };
  for (const diff of diffs) counts[diff.change]++;
  let status: EnvironmentStatus = diffs.length > 0 ? "changed" : "unchanged";
  if (!base) status = "added";
  else if (!head) status = "removed";
  return { environment, status, diffs, findings, counts };
}

export function buildReport(parts: {
  base: RevisionInfo;
  head: RevisionInfo;
  environments: EnvironmentResult[];
  changedFiles: string[];
  unreadChangedFiles: string[];
  findings?: Finding[];
  durationMs: number;
  failOn?: FailOn;
}): RunReport {
  const findings = parts.findings ?? [];
  const summary = summarize(parts.environments, findings);
  const gate = decideGate(parts.environments, findings, parts.failOn ?? "error");
  return {
    schemaVersion: 1,
    tool: { name: "gitops-verify", version: TOOL_VERSION },
    base: parts.base,
    head: parts.head,
    environments: parts.environments,
    findings,
    changedFiles: parts.changedFiles,
    unreadChangedFiles: parts.unreadChangedFiles,
    summary,
    gate,
    durationMs: Math.round(parts.durationMs),
  };
}

function summarize(environments: EnvironmentResult[], findings: Finding[]): RunSummary {
  const summary: RunSummary = {
    environments: environments.length,
    changed: 0,
    unchanged: 0,
    unaffected: 0,
    failed: 0,
    skipped: 0,
    added: 0,
    removed: 0,
    objects: { added: 0, changed: 0, removed: 0 },
    findings: { error: 0, warning: 0, notice: 0 },
  };
  for (const result of environments) {
    summary[result.status]++;
    summary.objects.added += result.counts.added;
    summary.objects.changed += result.counts.changed;
    summary.objects.removed += result.counts.removed;
    for (const finding of result.findings) summary.findings[finding.severity]++;
  }
  for (const finding of findings) summary.findings[finding.severity]++;
  return summary;
}

const SEVERITY_RANK: Record<Finding["severity"], number> = { error: 3, warning: 2, notice: 1 };
const FAIL_ON_RANK: Record<FailOn, number> = { error: 3, warning: 2, notice: 1, never: Infinity };

/** Diffs never fail the gate. An environment that cannot be rendered at head is an error (exit 2). */
function decideGate(environments: EnvironmentResult[], findings: Finding[], failOn: FailOn): RunReport["gate"] {
  const reasons: string[] = [];
  let result: GateResult = "pass";
  const failed = environments.filter((environment) => environment.status === "failed");
  if (failed.length > 0) {
    result = "error";
    reasons.push(`${failed.length} environment${failed.length === 1 ? "" : "s"} could not be rendered: ${failed.map((f) => f.environment.name).join(", ")}`);
  }
  const failing = [...findings, ...environments.filter((e) => e.status !== "failed").flatMap((e) => e.findings)].filter(
    (finding) => SEVERITY_RANK[finding.severity] >= FAIL_ON_RANK[failOn],
  );
  if (failing.length > 0) {
    if (result === "pass") result = "fail";
    reasons.push(`${failing.length} finding${failing.length === 1 ? "" : "s"} at ${failOn} severity or above`);
  }
  return { result, reasons };
}
