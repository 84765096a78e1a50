// The command line: parse arguments once, build the adapters, call one use case, map errors to exit codes.
import os from "node:os";
import path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { NodeExec } from "../adapters/node/exec.ts";
import { NodeFiles } from "../adapters/node/files.ts";
import { NodeHttp } from "../adapters/node/http.ts";
import { CliGit } from "../adapters/node/git.ts";
import { consoleLogger } from "../adapters/node/logger.ts";
import type { Ports } from "../app/context.ts";
import { listEnvironments, renderEnvironments } from "../app/environments.ts";
import { DEFAULT_MARKER, publish } from "../app/publish.ts";
import { promote } from "../app/promote.ts";
import { promotionText } from "./promote-output.ts";
import { APPLY_HELP, CLUSTER_OPTIONS, DRIFT_HELP, runApply, runDrift } from "./cluster-commands.ts";
import { promotionHostFromEnv } from "./promotion-host.ts";
import { TOOL_VERSION, verify } from "../app/verify.ts";
import { validateFiles } from "../app/validate-files.ts";
import { BUILTIN_KUBERNETES_VERSION } from "../schema/builtin.ts";
import { validateGate, validateReportText } from "../report/validate.ts";
import { detectPlatform } from "./platform.ts";
import { ClusterError, describeError, InternalError, ToolError, UserError } from "../errors.ts";
import { REPORT_FORMATS, renderReport, type ReportFormat } from "../report/index.ts";

export const EXIT = { passed: 0, gateFailed: 1, error: 2 } as const;

const HELP: Record<string, string> = {
  main: `gitops-verify ${TOOL_VERSION}: render every GitOps environment at a pull request's base and head, and report what changes.

Usage: gitops-verify <command> [options]

Commands:
  verify   render the environments a change can reach at base and head, and report the differences
  list     list the environments found, with the path each renders
  render   print the rendered YAML of one or more environments
  validate check plain manifests against their schemas, without git (like kubeconform)
  promote  move images into an environment by editing the repository: a commit, or a promotion PR/MR
  apply    apply an environment to a cluster: server-side apply, safe prune, wait, roll back
  drift    compare what Git specifies with the live cluster, and keep a tracking issue

Run "gitops-verify <command> --help" for a command's options.

Exit codes:
  0  passed (differences are not failures)
  1  the gate failed (findings at error severity)
  2  gitops-verify could not do its job (bad configuration, render error, git error)`,
  verify: `Usage: gitops-verify verify [options]

Renders every environment whose inputs the change touches, at the merge-base of base and head and
at head, and reports what changed, object by object. Secret values are never shown.

Options:
  --repo DIR        the repository (default: the current directory)
  --base REF        what the change is compared with (default: the upstream of the current branch, else main)
  --head REF        the change (default: the working tree, including uncommitted and untracked files)
  --config FILE     configuration file (default: .gitops-verify.yaml at the repository root, if present)
  --format FORMAT   text (default), markdown, json, sarif, junit or codequality
  --output FILE     write the report to FILE instead of standard output
  --report-dir DIR  also write every format to DIR (report.json, report.md, report.sarif, junit.xml,
                    gl-code-quality-report.json); in GitLab CI the default is gitops-verify-report
  --fail-on LEVEL   lowest finding severity that fails the gate: error (default), warning, notice, never
  --comment MODE    in a GitLab merge request pipeline: always (default), on-change or never
  --verbose         text format: every diff in full, however long
  --quiet           no progress messages on standard error
  -h, --help        this help

In a GitLab merge request pipeline (GITLAB_CI=true) verify compares with the merge request's diff base,
and posts or updates one note on the merge request when GITOPS_VERIFY_GITLAB_TOKEN holds a project or
group access token with api scope.`,
  list: `Usage: gitops-verify list [options]

Lists the environments found in the working tree: leaf Kustomize overlays (kustomizations no other
kustomization includes, components excluded) and the directories the configuration names.

Options:
  --repo DIR        the repository (default: the current directory)
  --config FILE     configuration file (default: .gitops-verify.yaml at the repository root)
  --format FORMAT   text (default) or json
  -h, --help        this help`,
  validate: `Usage: gitops-verify validate [FILE|DIR|-]... [options]

Validates Kubernetes manifests against their JSON Schemas (strict: unknown fields are errors), reports
removed and deprecated apiVersions and what schemas cannot express (names, labels, quantities,
duplicates), with the file and line of each problem. Directories are read recursively (.yaml, .yml,
.json); "-" or no path reads standard input. CRDs among the inputs validate their custom resources.

Options:
  --kubernetes-version V   the clusters' Kubernetes version (default: schemas.kubernetesVersion, else ${BUILTIN_KUBERNETES_VERSION})
  --schema-location L      a schema location, as kubeconform's -schema-location ("default" = embedded
                           schemas, "embedded-crds" = embedded schemas of well-known CRDs; URL or
                           directory templates); repeat to try several in order
  --crd PATH               a file or directory of CustomResourceDefinitions to validate against (repeatable)
  --policy PATH            policies to evaluate (repeatable): Kyverno policies, PolicyExceptions,
                           ValidatingAdmissionPolicies and bindings, Gatekeeper ConstraintTemplates and
                           Constraints, and conftest-style .rego files with the data files beside them; those
                           among the inputs are evaluated too, as kyverno apply and gator test do
  --namespace NS           conftest packages whose rules apply (repeatable; default main)
  --all-namespaces         the rules of every package apply
  --builtin                evaluate the built-in policy pack (policies/builtin)
  --skip KINDS             comma-separated kinds not to validate (Kind or group/version/Kind)
  --lax                    accept fields the schemas do not have
  --fail-missing           an object without a schema is an error (default: counted and skipped)
  --config FILE            read the schemas section of a .gitops-verify.yaml
  --format FORMAT          text (default) or json (schemas/validate.v1.json)
  --fail-on LEVEL          lowest severity that fails: error (default), warning, notice, never
  --output FILE            write the report to FILE instead of standard output
  --quiet                  no progress messages on standard error
  -h, --help               this help

Exit codes: 0 valid, 1 findings at the --fail-on severity, 2 could not run.`,
  promote: `Usage: gitops-verify promote --to ENV (--image REF... | --from ENV [--app NAME...]) [options]

Moves images along the chain of environments by editing the configuration repository where the target
sets them (kustomize images, Flux setters, Helm values, Argo CD parameters, containers), so that the
in-cluster puller deploys them. The target is rendered again and checked (only the promoted images may
change; schemas and policies must pass) before anything is committed; a refusal restores the files.

What to promote:
  --to ENV            the target environment, by name or path as "gitops-verify list" shows them
  --image REF         an image to promote: registry/app:1.4.2, registry/app@sha256:..., or both (repeatable)
  --from ENV          promote every image that runs in ENV and differs in the target
                      (default, without --image: the environment before the target in promote.chain)
  --app NAME          with --from: only these workloads or images (repeatable)
  --pin-digest        write digests (tag@sha256:...) even where the target has none yet
  --allow-downgrade   accept a tag the target's tag policy orders before the current one (a rollback)

How to write it back:
  --dry-run           print the plan and the diff; write nothing
  --mode MODE         commit (default): a commit on the branch; pull-request: a commit on
                      gitops-verify/promote/<target> and one pull/merge request, updated while it is open
  --branch NAME       commit: the branch pushed to; pull-request: the request's base (default: the current branch)
  --push              commit mode: push the commit (pull-request mode always pushes)
  --remote NAME       the remote pushed to (default: origin)
  --max-retries N     when the push is rejected because the branch moved on: fetch, rebase, check again and
                      push again, at most N times (default: 3); a conflict aborts with the tree restored
  --reason TEXT       why, for the commit message and the request
  --author "N <E>"    commit as this identity (default: git's configuration, else gitops-verify)
  --fail-on LEVEL     lowest finding severity that refuses the promotion: error (default), warning, notice, never

Options:
  --repo DIR          the repository (default: the current directory)
  --config FILE       configuration file (default: .gitops-verify.yaml at the repository root)
  --format FORMAT     text (default) or json
  --output FILE       write the result to FILE instead of standard output
  --quiet             no progress messages on standard error
  -h, --help          this help

Pull/merge requests: on GitHub with GITHUB_REPOSITORY and GITHUB_TOKEN (GITHUB_API_URL for GitHub
Enterprise Server); on GitLab with CI_SERVER_URL, CI_PROJECT_ID and GITOPS_VERIFY_GITLAB_TOKEN.

Exit codes: 0 promoted, or nothing to promote; 1 refused by the check; 2 could not run (an image not
found, a conflict, bad input).`,
  render: `Usage: gitops-verify render [ENV...] [options]

Prints the rendered YAML of the named environments (all when none is named), as kustomize builds it.
Secret values are masked unless --show-secrets is given.

Options:
  --repo DIR        the repository (default: the current directory)
  --config FILE     configuration file (default: .gitops-verify.yaml at the repository root)
  --output FILE     write to FILE instead of standard output
  --show-secrets    print Secret values as kustomize does (keep such output out of CI logs)
  -h, --help        this help`,
};

HELP.apply = APPLY_HELP;
HELP.drift = DRIFT_HELP;

const COMMON = {
  repo: { type: "string" },
  config: { type: "string" },
  format: { type: "string" },
  output: { type: "string" },
  quiet: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

const OPTIONS = {
  verify: {
    ...COMMON,
    base: { type: "string" },
    head: { type: "string" },
    "report-dir": { type: "string" },
    "fail-on": { type: "string" },
    comment: { type: "string" },
    verbose: { type: "boolean" },
  },
  list: COMMON,
  render: { ...COMMON, "show-secrets": { type: "boolean" } },
  promote: {
    ...COMMON,
    to: { type: "string" },
    image: { type: "string", multiple: true },
    from: { type: "string" },
    app: { type: "string", multiple: true },
    "pin-digest": { type: "boolean" },
    "allow-downgrade": { type: "boolean" },
    "dry-run": { type: "boolean" },
    mode: { type: "string" },
    branch: { type: "string" },
    push: { type: "boolean" },
    remote: { type: "string" },
    "max-retries": { type: "string" },
    reason: { type: "string" },
    author: { type: "string" },
    "fail-on": { type: "string" },
  },
  apply: { ...COMMON, ...CLUSTER_OPTIONS.apply },
  drift: { ...COMMON, ...CLUSTER_OPTIONS.drift },
  validate: {
    ...COMMON,
    "kubernetes-version": { type: "string" },
    "schema-location": { type: "string", multiple: true },
    crd: { type: "string", multiple: true },
    policy: { type: "string", multiple: true },
    namespace: { type: "string", multiple: true },
    "all-namespaces": { type: "boolean" },
    builtin: { type: "boolean" },
    skip: { type: "string", multiple: true },
    lax: { type: "boolean" },
    "fail-missing": { type: "boolean" },
    "fail-on": { type: "string" },
  },
} as const;

type Command = keyof typeof OPTIONS;

export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Standard input, read whole (validate -). */
  stdin?: () => Promise<string>;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof UserError || error instanceof ToolError || error instanceof ClusterError) {
      io.stderr.write(`gitops-verify: error: ${describeError(error)}\n`);
    } else {
      const internal = error instanceof InternalError ? error : new InternalError(String((error as Error)?.stack ?? error));
      io.stderr.write(`gitops-verify: internal error (please report it): ${internal.message}\n`);
    }
    return EXIT.error;
  }
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    io.stdout.write(`${HELP.main}\n`);
    return first === undefined ? EXIT.error : EXIT.passed;
  }
  if (first === "--version" || first === "-v") {
    io.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT.passed;
  }
  if (!(first in OPTIONS)) throw new UserError(`unknown command "${first}" (expected one of: ${Object.keys(OPTIONS).join(", ")})`);
  const command = first as Command;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: OPTIONS[command], allowPositionals: command === "render" || command === "validate", strict: true });
  } catch (error) {
    throw new UserError(`${(error as Error).message.replace(/\. To specify.*$/s, "")}; see "gitops-verify ${command} --help"`);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values.help) {
    io.stdout.write(`${HELP[command]}\n`);
    return EXIT.passed;
  }
  const files = new NodeFiles();
  const exec = new NodeExec();
  const quiet = Boolean(values.quiet);
  const ports: Ports = {
    files,
    exec,
    http: new NodeHttp(),
    gitAt: (dir) => new CliGit(exec, files, dir),
    logger: consoleLogger(io.stderr, { quiet, debug: io.env.GITOPS_VERIFY_DEBUG === "1" }),
    cores: Math.max(1, os.availableParallelism()),
    env: io.env,
  };
  const repoDir = path.resolve(io.cwd, typeof values.repo === "string" ? values.repo : ".");
  const configPath = typeof values.config === "string" ? path.resolve(io.cwd, values.config) : undefined;
  const outputFile = typeof values.output === "string" ? path.resolve(io.cwd, values.output) : undefined;
  const emit = async (text: string) => {
    if (outputFile) await files.writeText(outputFile, text);
    else io.stdout.write(text);
  };

  if (command === "verify") {
    const format = reportFormat(values.format, REPORT_FORMATS);
    const failOn = choice("--fail-on", values["fail-on"], ["error", "warning", "notice", "never"] as const, "error");
    const commentMode = choice("--comment", values.comment, ["always", "on-change", "never"] as const, "always");
    const platform = detectPlatform(io.env, (message) => ports.logger.info(message));
    const { report, config } = await verify(
      {
        repoDir,
        baseRef: (values.base as string | undefined) ?? (platform.kind === "gitlab" ? platform.baseSha : undefined),
        headRef: values.head as string | undefined,
        configPath,
        fingerprintKey: io.env.GITOPS_VERIFY_FINGERPRINT_KEY || undefined,
        failOn,
      },
      ports,
    );
    const reportDir = typeof values["report-dir"] === "string" ? path.resolve(io.cwd, values["report-dir"]) : platform.kind === "gitlab" ? path.resolve(repoDir, "gitops-verify-report") : undefined;
    if (reportDir || platform.kind === "gitlab") {
      if (platform.kind === "gitlab" && platform.noHostReason) ports.logger.warn(`no merge request note: ${platform.noHostReason}`);
      await publish(
        report,
        platform.kind === "gitlab" ? platform.host : undefined,
        {
          outputDir: reportDir,
          commentMode,
          marker: DEFAULT_MARKER,
          checkName: "gitops-verify",
          publishStatus: false,
          fullReportUrl: platform.kind === "gitlab" ? platform.jobUrl : undefined,
        },
        { files, logger: ports.logger },
      );
    }
    const color = !outputFile && Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
    await emit(
      renderReport(format, report, {
        color,
        verbose: Boolean(values.verbose),
        budget: config.report.markdownBudget,
        fullReportUrl: config.report.fullReportUrl,
      }),
    );
    return report.gate.result === "pass" ? EXIT.passed : report.gate.result === "fail" ? EXIT.gateFailed : EXIT.error;
  }
  if (command === "validate") {
    const format = choice("--format", values.format, ["text", "json"] as const, "text");
    const failOn = choice("--fail-on", values["fail-on"], ["error", "warning", "notice", "never"] as const, "error");
    const strings = (value: unknown) => (Array.isArray(value) ? (value as string[]) : []);
    const report = await validateFiles(
      {
        paths: parsed.positionals,
        cwd: io.cwd,
        stdin: io.stdin,
        configPath,
        policyPaths: strings(values.policy),
        ...(values["all-namespaces"] ? { namespaces: "all" as const } : strings(values.namespace).length ? { namespaces: strings(values.namespace) } : {}),
        builtin: Boolean(values.builtin),
        schemas: {
          ...(typeof values["kubernetes-version"] === "string" ? { kubernetesVersion: values["kubernetes-version"] } : {}),
          ...(strings(values["schema-location"]).length ? { locations: strings(values["schema-location"]) } : {}),
          ...(strings(values.crd).length ? { crdPaths: strings(values.crd) } : {}),
          ...(strings(values.skip).length ? { skipKinds: strings(values.skip).flatMap((entry) => entry.split(",")).map((kind) => kind.trim()).filter(Boolean) } : {}),
          ...(values.lax ? { strict: false } : {}),
          ...(values["fail-missing"] ? { ignoreMissingSchemas: false } : {}),
        },
      },
      ports,
    );
    const color = !outputFile && Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
    await emit(format === "json" ? `${JSON.stringify(report, null, 2)}\n` : validateReportText(report, { color }));
    return validateGate(report, failOn) ? EXIT.passed : EXIT.gateFailed;
  }
  if (command === "promote") {
    const format = choice("--format", values.format, ["text", "json"] as const, "text");
    const mode = choice("--mode", values.mode, ["commit", "pull-request"] as const, "commit");
    const failOn = choice("--fail-on", values["fail-on"], ["error", "warning", "notice", "never"] as const, "error");
    if (typeof values.to !== "string" || values.to.trim() === "") throw new UserError('promote needs --to ENV (see "gitops-verify promote --help")');
    const strings = (value: unknown) => (Array.isArray(value) ? (value as string[]) : []);
    const dryRun = Boolean(values["dry-run"]);
    const result = await promote(
      {
        repoDir,
        configPath,
        target: values.to,
        images: strings(values.image).flatMap((entry) => entry.split(",")).map((entry) => entry.trim()).filter(Boolean),
        ...(typeof values.from === "string" ? { from: values.from } : {}),
        apps: strings(values.app).flatMap((entry) => entry.split(",")).map((entry) => entry.trim()).filter(Boolean),
        pinDigest: Boolean(values["pin-digest"]),
        allowDowngrade: Boolean(values["allow-downgrade"]),
        dryRun,
        mode,
        ...(typeof values.branch === "string" ? { branch: values.branch } : {}),
        push: Boolean(values.push),
        remote: typeof values.remote === "string" ? values.remote : "origin",
        maxRetries: count("--max-retries", values["max-retries"], 3),
        ...(typeof values.reason === "string" ? { reason: values.reason } : {}),
        ...(typeof values.author === "string" ? { identity: identity(values.author) } : {}),
        failOn,
      },
      ports,
      mode === "pull-request" && !dryRun ? promotionHostFromEnv(io.env, (message) => ports.logger.info(message)) : undefined,
    );
    await emit(format === "json" ? `${JSON.stringify(result, null, 2)}\n` : promotionText(result));
    return result.status === "refused" ? EXIT.gateFailed : EXIT.passed;
  }
  if (command === "apply" || command === "drift") {
    const context = { values, ports, env: io.env, repoDir, configPath, cwd: io.cwd, emit };
    return (await (command === "apply" ? runApply(context) : runDrift(context))).exitCode;
  }
  if (command === "list") {
    const format = reportFormat(values.format, ["text", "json"]);
    const environments = await listEnvironments({ repoDir, configPath }, ports);
    if (format === "json") {
      const rows = environments.map(({ environment, inputs, problems, spec }) => ({
        ...environment,
        inputs: [...inputs].sort(),
        problems,
        ...(spec.type === "skipped" ? { notRendered: spec.reason } : {}),
      }));
      await emit(`${JSON.stringify({ environments: rows }, null, 2)}\n`);
    } else {
      const width = Math.max(4, ...environments.map(({ environment }) => environment.name.length));
      const kindWidth = Math.max(4, ...environments.map(({ environment }) => environment.kind.length));
      const pathWidth = Math.max(4, ...environments.map(({ environment }) => environment.path.length));
      const lines: string[] = [];
      const grouped = environments.some(({ environment }) => environment.cluster !== undefined);
      let cluster: string | undefined | null = null;
      for (const { environment, inputs, problems, spec } of environments) {
        if (grouped && environment.cluster !== cluster) {
          cluster = environment.cluster;
          lines.push(cluster === undefined ? "(no cluster)" : `cluster ${cluster}`);
        }
        const note =
          problems.length > 0
            ? `  (${problems.length} problem${problems.length === 1 ? "" : "s"}: ${problems[0]!.message})`
            : spec.type === "skipped"
              ? `  (${spec.reason})`
              : "";
        lines.push(
          `${grouped ? "  " : ""}${environment.name.padEnd(width)}  ${environment.kind.padEnd(kindWidth)}  ${environment.path.padEnd(pathWidth)}  ${String(inputs.size).padStart(3)} files${note}`,
        );
      }
      await emit(`${lines.join("\n")}${lines.length > 0 ? "\n" : ""}`);
      ports.logger.info(`${environments.length} environment${environments.length === 1 ? "" : "s"}`);
    }
    return EXIT.passed;
  }
  const text = await renderEnvironments(
    { repoDir, configPath, names: parsed.positionals, showSecrets: Boolean(values["show-secrets"]) },
    ports,
  );
  await emit(text);
  return EXIT.passed;
}

function count(flag: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 100) throw new UserError(`${flag}: "${String(value)}" is not a whole number from 0 to 100`);
  return number;
}

/** "Name <email>" as a git identity. */
function identity(written: string): { name: string; email: string } {
  const match = /^\s*(.+?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(written);
  if (!match) throw new UserError(`--author: "${written}" is not "Name <email>"`);
  return { name: match[1]!, email: match[2]! };
}

function choice<T extends string>(flag: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw new UserError(`${flag}: "${String(value)}" is not one of ${allowed.join(", ")}`);
  }
  return value as T;
}

function reportFormat(value: unknown, allowed: ReportFormat[]): ReportFormat {
  const format = (typeof value === "string" ? value : "text") as ReportFormat;
  if (!allowed.includes(format)) throw new UserError(`unknown format "${format}" (expected one of: ${allowed.join(", ")})`);
  return format;
}
