// `apply` and `drift` on the command line: the flags, the cluster connection, the tracking issue, the output.
import os from "node:os";
import { applyEnvironment, applyExitCode } from "../app/apply.ts";
import type { Ports } from "../app/context.ts";
import { checkDrift, driftExitCode } from "../app/drift.ts";
import { trackDrift } from "../app/drift-issue.ts";
import { UserError } from "../errors.ts";
import { DRIFT_FORMATS } from "../report/drift.ts";
import { applyMarkdown, applyText } from "./apply-output.ts";
import { issueTrackerFromEnvironment, MissingTokenError } from "./issue-tracker.ts";

export const APPLY_HELP = `Usage: gitops-verify apply --env ENV [options]

Applies one environment to the cluster of the kubeconfig (the push model, for teams without Flux or Argo CD):
renders it at the checked-out revision, refuses on a failing gate (schemas and policies; findings the last
applied rendering already had do not count), dry-runs everything on the server and shows what changes, then
applies in stages with server-side apply (CRDs, Namespaces and ClusterRoles first, then *Class kinds, then
the rest, admission webhooks last), prunes what the previous apply owned and Git no longer has (a kubectl
ApplySet), waits until everything is ready, and rolls back to the last good apply when something fails.
One apply per environment at a time: a Lease in apply.inventoryNamespace guards it.

Options:
  --env ENV               the environment (a name or path, as "gitops-verify list" shows it)
  --dry-run               server-side dry run: show what would change and be pruned; change nothing
  --force-conflicts       take fields another field manager owns (default: a conflict refuses the apply)
  --no-prune              do not delete anything
  --prune-namespaces      also prune Namespaces (never by default)
  --prune-crds            also prune CustomResourceDefinitions (never by default)
  --max-prune-share N     refuse a prune of more than this share of the inventory (default 0.5)
  --timeout SECONDS       how long to wait for readiness (default 300)
  --no-wait               do not wait for readiness
  --no-rollback           on failure, leave the cluster as the failed apply left it
  --kubeconfig FILE       kubeconfig (default: KUBECONFIG, ~/.kube/config, or in-cluster)
  --context NAME          kubeconfig context (default: the current one)
  --repo DIR              the repository (default: the current directory)
  --config FILE           configuration file (default: .gitops-verify.yaml at the repository root)
  --format FORMAT         text (default), markdown or json
  --output FILE           write the result to FILE instead of standard output
  -h, --help              this help

Exit codes: 0 applied, unchanged, or planned (--dry-run); 1 refused (gate, conflict, prune guard) or failed
(rolled back or not: the message says which); 2 could not run (not rendered, no cluster, bad configuration,
Lease held).`;

export const DRIFT_HELP = `Usage: gitops-verify drift [--env ENV...] [options]

Compares what Git specifies (each environment rendered at the checked-out revision) with the live objects of
the cluster in the kubeconfig: objects missing, extra (owned by the environment's apply inventory, or labelled
by Flux or Argo CD for it, but no longer in Git), and changed. Only fields Git specifies count: defaults the
server adds and fields other managers own are not drift (a server-side dry run tells them apart); drift.ignore
in the configuration lists more. Secret values are never shown.

Options:
  --env ENV           an environment to check (repeatable; default: drift.environments, else all)
  --cluster NAME      only the environments of this cluster, as the repository's layout names it
                      (clusters/NAME for Flux; default drift.cluster); needed when they span clusters
  --heal              re-apply each drifted environment as "gitops-verify apply" does, taking back
                      fields others changed (Git wins)
  --no-issue          do not open, update or close the tracking issue
  --kubeconfig FILE   kubeconfig (default: KUBECONFIG, ~/.kube/config, or in-cluster)
  --context NAME      kubeconfig context (default: the current one)
  --repo DIR          the repository (default: the current directory)
  --config FILE       configuration file (default: .gitops-verify.yaml at the repository root)
  --format FORMAT     text (default), markdown or json
  --output FILE       write the report to FILE instead of standard output
  -h, --help          this help

In GitHub Actions (GITHUB_TOKEN with issues: write) or GitLab CI (GITOPS_VERIFY_GITLAB_TOKEN with api scope)
one tracking issue per kubeconfig context is opened when drift is found, updated while it stays, and closed
when it is gone.

Exit codes: 0 no drift (or all of it healed), 1 drift, 2 could not check (cluster unreachable, render failed).`;

export const CLUSTER_OPTIONS = {
  apply: {
    env: { type: "string" },
    "dry-run": { type: "boolean" },
    "force-conflicts": { type: "boolean" },
    "no-prune": { type: "boolean" },
    "prune-namespaces": { type: "boolean" },
    "prune-crds": { type: "boolean" },
    "max-prune-share": { type: "string" },
    timeout: { type: "string" },
    "no-wait": { type: "boolean" },
    "no-rollback": { type: "boolean" },
    kubeconfig: { type: "string" },
    context: { type: "string" },
  },
  drift: {
    env: { type: "string", multiple: true },
    cluster: { type: "string" },
    heal: { type: "boolean" },
    "no-issue": { type: "boolean" },
    kubeconfig: { type: "string" },
    context: { type: "string" },
  },
} as const;

export interface ClusterCommandContext {
  values: Record<string, string | boolean | string[] | undefined>;
  ports: Ports;
  env: Record<string, string | undefined>;
  repoDir: string;
  configPath: string | undefined;
  cwd: string;
  emit(text: string): Promise<void>;
}

/** Who holds the apply Lease, as another job's message will name it. */
export function holderIdentity(env: Record<string, string | undefined>): string {
  if (env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY) return `${env.GITHUB_SERVER_URL ?? "https://github.com"}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  if (env.CI_JOB_URL) return env.CI_JOB_URL;
  return `${os.hostname()} pid ${process.pid}`;
}

/** What a command leaves for the Action: its exit code, a markdown summary, and step outputs. */
export interface ClusterCommandResult {
  exitCode: number;
  markdown: string;
  outputs: Record<string, string>;
}

export async function runApply(context: ClusterCommandContext): Promise<ClusterCommandResult> {
  const { values, ports } = context;
  const format = formatOf(values.format);
  if (typeof values.env !== "string" || values.env.trim() === "") throw new UserError('apply needs --env ENV (see "gitops-verify apply --help")');
  const cluster = await connect(kubeOptions(values, context.cwd));
  const report = await applyEnvironment(
    {
      repoDir: context.repoDir,
      ...(context.configPath ? { configPath: context.configPath } : {}),
      environment: values.env,
      dryRun: Boolean(values["dry-run"]),
      ...(values["force-conflicts"] ? { force: true } : {}),
      ...(values["no-prune"] ? { prune: false } : {}),
      ...(values["prune-namespaces"] ? { pruneNamespaces: true } : {}),
      ...(values["prune-crds"] ? { pruneCrds: true } : {}),
      ...(values["max-prune-share"] !== undefined ? { maxPruneShare: share(values["max-prune-share"]) } : {}),
      ...(values.timeout !== undefined ? { timeoutSeconds: seconds("--timeout", values.timeout) } : {}),
      ...(values["no-wait"] ? { wait: false } : {}),
      ...(values["no-rollback"] ? { rollback: false } : {}),
      holder: holderIdentity(context.env),
      ...(context.env.GITOPS_VERIFY_FINGERPRINT_KEY ? { fingerprintKey: context.env.GITOPS_VERIFY_FINGERPRINT_KEY } : {}),
    },
    { ...ports, cluster },
  );
  await context.emit(format === "json" ? `${JSON.stringify(report, null, 2)}\n` : format === "markdown" ? applyMarkdown(report) : applyText(report));
  const exitCode = applyExitCode(report);
  return { exitCode, markdown: applyMarkdown(report), outputs: { result: exitCode === 0 ? "pass" : exitCode === 1 ? "fail" : "error", "apply-result": report.result } };
}

export async function runDrift(context: ClusterCommandContext): Promise<ClusterCommandResult> {
  const { values, ports } = context;
  const format = formatOf(values.format);
  const cluster = await connect(kubeOptions(values, context.cwd));
  const result = await checkDrift(
    {
      repoDir: context.repoDir,
      ...(context.configPath ? { configPath: context.configPath } : {}),
      environments: Array.isArray(values.env) ? values.env : [],
      ...(typeof values.cluster === "string" ? { cluster: values.cluster } : {}),
      heal: Boolean(values.heal),
      holder: holderIdentity(context.env),
      ...(context.env.GITOPS_VERIFY_FINGERPRINT_KEY ? { fingerprintKey: context.env.GITOPS_VERIFY_FINGERPRINT_KEY } : {}),
    },
    { ...ports, cluster },
  );
  const { report, config } = result;
  let issueUrl = "";
  if (!values["no-issue"] && config.drift.issue.enabled) {
    let tracker;
    try {
      tracker = issueTrackerFromEnvironment(context.env, { log: (message) => ports.logger.info(message) });
    } catch (error) {
      // a missing token must not turn a finished check into a failure: the report is still printed
      if (!(error instanceof MissingTokenError)) throw error;
      ports.logger.warn(`no tracking issue: ${error.message}`);
    }
    if (tracker) {
      const healed = result.healed.length > 0 && driftExitCode(result) === 0;
      const tracked = await trackDrift(report, tracker, {
        title: config.drift.issue.title,
        labels: config.drift.issue.labels,
        render: (budget) => DRIFT_FORMATS.markdown(report, budget),
        healed,
        ...(runUrl(context.env) ? { runUrl: runUrl(context.env)! } : {}),
      });
      if (tracked.action !== "none") ports.logger.info(`tracking issue ${tracked.action}: ${tracked.url ?? ""}`);
      issueUrl = tracked.url ?? "";
    }
  }
  for (const healed of result.healed) ports.logger.info(applyText(healed).trimEnd());
  await context.emit(format === "json" ? DRIFT_FORMATS.json(report) : format === "markdown" ? DRIFT_FORMATS.markdown(report, config.report.markdownBudget) : DRIFT_FORMATS.text(report));
  const exitCode = driftExitCode(result);
  return {
    exitCode,
    markdown: DRIFT_FORMATS.markdown(report, 60_000),
    outputs: { result: exitCode === 0 ? "pass" : exitCode === 1 ? "fail" : "error", drift: report.result, "issue-url": issueUrl },
  };
}

/** The Kubernetes client is loaded only by the commands that need it: it would add a third to every start-up. */
async function connect(options: { kubeconfig?: string; context?: string }) {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major < 22 || (major === 22 && minor < 19)) {
    // the client's HTTP library (undici 8) fails to load on older Node with an unhelpful TypeError
    throw new UserError(`apply and drift need Node.js 22.19 or newer (the Kubernetes client requires it); this is Node.js ${process.versions.node}`);
  }
  const { connectCluster } = await import("../adapters/kubernetes/cluster.ts");
  return connectCluster(options);
}

function runUrl(env: Record<string, string | undefined>): string | undefined {
  if (env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY) return `${env.GITHUB_SERVER_URL ?? "https://github.com"}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  return env.CI_JOB_URL;
}

function kubeOptions(values: ClusterCommandContext["values"], cwd: string): { kubeconfig?: string; context?: string } {
  return {
    ...(typeof values.kubeconfig === "string" ? { kubeconfig: values.kubeconfig.startsWith("/") ? values.kubeconfig : `${cwd}/${values.kubeconfig}` } : {}),
    ...(typeof values.context === "string" ? { context: values.context } : {}),
  };
}

function formatOf(value: unknown): "text" | "markdown" | "json" {
  if (value === undefined) return "text";
  if (value === "text" || value === "markdown" || value === "json") return value;
  throw new UserError(`--format: "${String(value)}" is not one of text, markdown, json`);
}

function share(value: unknown): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || number > 1) throw new UserError(`--max-prune-share: "${String(value)}" is not a share from 0 to 1`);
  return number;
}

function seconds(flag: string, value: unknown): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new UserError(`${flag}: "${String(value)}" is not a whole number of seconds`);
  return number;
}
