// The GitHub Action (bundled as dist/action.js, run by action.yml on node24): inputs parsed once into
// settings, verify run, and the report published as a sticky comment, a check run, annotations and files; or,
// with `command: promote`, a promotion committed and pushed, or opened as one pull request.
import os from "node:os";
import path from "node:path";
import * as core from "@actions/core";
import { NodeExec } from "../adapters/node/exec.ts";
import { NodeFiles } from "../adapters/node/files.ts";
import { NodeHttp } from "../adapters/node/http.ts";
import { CliGit } from "../adapters/node/git.ts";
import { GitHubHost } from "../adapters/github/host.ts";
import type { Ports } from "../app/context.ts";
import { annotationsOf, DEFAULT_MARKER, publish, type CommentMode } from "../app/publish.ts";
import { verify, type FailOn } from "../app/verify.ts";
import { promote, type PromoteSettings } from "../app/promote.ts";
import { promotionText } from "./promote-output.ts";
import { runApply, runDrift, type ClusterCommandContext } from "./cluster-commands.ts";
import { ClusterError, describeError, ToolError, UserError } from "../errors.ts";
import type { Annotation, Logger } from "../ports.ts";
import { readGitHubContext, type GitHubContext } from "./github-context.ts";

export interface ActionSettings {
  command: "verify" | "promote" | "apply" | "drift";
  workingDirectory: string;
  configPath?: string;
  baseRef?: string;
  headRef?: string;
  token: string;
  commentMode: CommentMode;
  commentId: string;
  checkName: string;
  publishStatus: boolean;
  failOn: FailOn;
  outputDir: string;
  /** command: promote: what to promote and how (undefined for verify). */
  promote?: PromoteActionSettings;
  /** command: apply or drift: the same flags the command line takes. */
  cluster?: ClusterCommandContext["values"];
}

export type PromoteActionSettings = Pick<
  PromoteSettings,
  "target" | "images" | "from" | "apps" | "mode" | "dryRun" | "pinDigest" | "branch" | "push" | "maxRetries" | "reason"
>;

const COMMANDS = ["verify", "promote", "apply", "drift"] as const;
const PROMOTE_MODES = ["commit", "pull-request"] as const;
const COMMENT_MODES = ["always", "on-change", "never"] as const;
const FAIL_ON = ["error", "warning", "notice", "never"] as const;

/** Every input, read and checked once. */
export function readActionSettings(input: (name: string) => string, workspace: string): ActionSettings {
  const choice = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = input(name).trim() || fallback;
    if (!(allowed as readonly string[]).includes(value)) throw new UserError(`input ${name}: "${value}" is not one of ${allowed.join(", ")}`);
    return value as T;
  };
  const optional = (name: string) => input(name).trim() || undefined;
  const command = choice("command", COMMANDS, "verify");
  const workingDirectory = path.resolve(workspace, optional("working-directory") ?? ".");
  const booleanInput = (name: string, fallback: boolean) => {
    const value = input(name).trim().toLowerCase();
    if (!value) return fallback;
    if (["true", "false"].includes(value)) return value === "true";
    throw new UserError(`input ${name}: "${value}" is not true or false`);
  };
  // every input is read, whichever the command: a typo in one is an error either way
  const list = (name: string) =>
    input(name)
      .split(/[\n,]/)
      .map((entry) => entry.trim())
      .filter(Boolean);
  const promoteSettings: PromoteActionSettings = {
    target: optional("target") ?? "",
    images: list("images"),
    ...(optional("from") ? { from: optional("from")! } : {}),
    apps: list("apps"),
    mode: choice("mode", PROMOTE_MODES, "commit"),
    dryRun: booleanInput("dry-run", false),
    pinDigest: booleanInput("pin-digest", false),
    ...(optional("branch") ? { branch: optional("branch")! } : {}),
    push: booleanInput("push", true),
    maxRetries: retries(optional("max-retries")),
    ...(optional("reason") ? { reason: optional("reason")! } : {}),
  };
  if (command === "promote" && !promoteSettings.target) throw new UserError("input target: the environment to promote into is required with command: promote");
  const environments = list("environment");
  if (command === "apply" && environments.length !== 1) throw new UserError("input environment: one environment to apply is required with command: apply");
  const timeout = optional("timeout");
  const cluster: ClusterCommandContext["values"] = {
    ...(command === "apply" ? { env: environments[0] } : { env: environments }),
    "dry-run": booleanInput("dry-run", false),
    "force-conflicts": booleanInput("force-conflicts", false),
    "no-prune": !booleanInput("prune", true),
    "no-rollback": !booleanInput("rollback", true),
    ...(timeout ? { timeout } : {}),
    heal: booleanInput("heal", false),
    ...(optional("cluster") ? { cluster: optional("cluster") } : {}),
    "no-issue": !booleanInput("drift-issue", true),
    ...(optional("kubeconfig") ? { kubeconfig: optional("kubeconfig") } : {}),
    ...(optional("kube-context") ? { context: optional("kube-context") } : {}),
  };
  return {
    ...(command === "promote" ? { promote: promoteSettings } : {}),
    ...(command === "apply" || command === "drift" ? { cluster } : {}),
    command,
    workingDirectory,
    configPath: optional("config"),
    baseRef: optional("base"),
    headRef: optional("head"),
    token: input("token").trim(),
    commentMode: choice("comment", COMMENT_MODES, "always"),
    commentId: optional("comment-id") ?? "",
    checkName: optional("check-name") ?? "gitops-verify",
    publishStatus: booleanInput("status", true),
    failOn: choice("fail-on", FAIL_ON, "error"),
    outputDir: path.resolve(workingDirectory, optional("output-dir") ?? "gitops-verify-report"),
  };
}

function retries(value: string | undefined): number {
  if (value === undefined) return 3;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 100) throw new UserError(`input max-retries: "${value}" is not a whole number from 0 to 100`);
  return number;
}

/** The bot's identity for promotion commits (a runner has no git identity of its own). */
const ACTIONS_IDENTITY = { name: "github-actions[bot]", email: "41898282+github-actions[bot]@users.noreply.github.com" };

/** command: promote — the promotion, its outputs, and the job summary. */
async function runPromote(settings: ActionSettings, context: GitHubContext, ports: Ports, env: Record<string, string | undefined>): Promise<number> {
  const promotion = settings.promote!;
  const host = settings.token ? new GitHubHost({ token: settings.token, baseUrl: context.apiUrl, target: { owner: context.owner, repo: context.repo }, log: (message) => core.info(message) }) : undefined;
  const identity = env.GIT_AUTHOR_NAME && env.GIT_AUTHOR_EMAIL ? { name: env.GIT_AUTHOR_NAME, email: env.GIT_AUTHOR_EMAIL } : ACTIONS_IDENTITY;
  const result = await promote(
    { ...promotion, repoDir: settings.workingDirectory, configPath: settings.configPath, allowDowngrade: false, remote: "origin", identity, failOn: settings.failOn },
    ports,
    host,
  );
  const text = promotionText(result);
  core.info(text);
  await core.summary.addRaw(`### gitops-verify promote\n\n\`\`\`\n${text.slice(0, 60_000)}\n\`\`\`\n`, true).write();
  core.setOutput("result", result.status === "refused" ? "fail" : "pass");
  core.setOutput("promotion", result.status);
  core.setOutput("promotion-commit", result.commit ?? "");
  core.setOutput("pull-request-url", result.request?.url ?? "");
  if (result.status === "refused") core.setFailed(`gitops-verify promote refused: ${result.problems.join("; ")}`);
  return result.status === "refused" ? 1 : 0;
}

/** command: apply or drift — the same use cases as the command line; the token opens the drift tracking issue. */
async function runClusterCommand(settings: ActionSettings, ports: Ports, env: Record<string, string | undefined>): Promise<number> {
  const context = {
    values: settings.cluster!,
    ports,
    env: settings.token ? { ...env, GITHUB_TOKEN: settings.token } : env,
    repoDir: settings.workingDirectory,
    configPath: settings.configPath,
    cwd: settings.workingDirectory,
    emit: async (text: string) => core.info(text.trimEnd()),
  };
  const result = await (settings.command === "apply" ? runApply(context) : runDrift(context));
  await core.summary.addRaw(result.markdown, true).write();
  core.setOutput("result", result.outputs.result ?? "error");
  if (settings.command === "apply") core.setOutput("apply-result", result.outputs["apply-result"] ?? "");
  else {
    core.setOutput("drift", result.outputs.drift ?? "");
    core.setOutput("issue-url", result.outputs["issue-url"] ?? "");
  }
  if (result.exitCode !== 0) core.setFailed(`gitops-verify ${settings.command}: ${result.outputs["apply-result"] ?? result.outputs.drift ?? "failed"} (see the log and the job summary)`);
  return result.exitCode;
}

/** GitHub shows at most 10 annotations of each level per step from workflow commands. */
const WORKFLOW_ANNOTATIONS_PER_LEVEL = 10;

/** Without a check run, findings still reach the pull request's files through workflow commands. */
function annotateWithWorkflowCommands(annotations: Annotation[]): void {
  const emit = { failure: core.error, warning: core.warning, notice: core.notice } as const;
  const shown = { failure: 0, warning: 0, notice: 0 };
  let omitted = 0;
  for (const annotation of annotations) {
    if (shown[annotation.level] >= WORKFLOW_ANNOTATIONS_PER_LEVEL) {
      omitted++;
      continue;
    }
    shown[annotation.level]++;
    emit[annotation.level](annotation.message, { title: annotation.title, file: annotation.file, startLine: annotation.line });
  }
  if (omitted > 0) core.info(`${omitted} more findings are not annotated (GitHub shows 10 per level per step): see the report`);
}

function actionsLogger(): Logger {
  return {
    info: (message) => core.info(message),
    warn: (message) => core.warning(message),
    debug: (message) => core.debug(message),
    progress: (done, total) => {
      if (done === total || done % Math.max(1, Math.ceil(total / 10)) === 0) core.info(`rendered ${done}/${total} environments`);
    },
  };
}

export async function runAction(env: Record<string, string | undefined>, readEvent: (file: string) => Promise<unknown>): Promise<number> {
  const files = new NodeFiles();
  const exec = new NodeExec();
  const logger = actionsLogger();
  let context: GitHubContext | undefined;
  let host: GitHubHost | undefined;
  let settings: ActionSettings | undefined;
  try {
    settings = readActionSettings((name) => core.getInput(name), env.GITHUB_WORKSPACE ?? process.cwd());
    const event = env.GITHUB_EVENT_PATH ? ((await readEvent(env.GITHUB_EVENT_PATH)) as Parameters<typeof readGitHubContext>[1]) : {};
    context = readGitHubContext(env, event);
    if (settings.command === "promote") {
      const ports: Ports = { files, exec, http: new NodeHttp(), gitAt: (dir) => new CliGit(exec, files, dir), logger, cores: Math.max(1, os.availableParallelism()), env };
      return await runPromote(settings, context, ports, env);
    }
    if (settings.command === "apply" || settings.command === "drift") {
      const ports: Ports = { files, exec, http: new NodeHttp(), gitAt: (dir) => new CliGit(exec, files, dir), logger, cores: Math.max(1, os.availableParallelism()), env };
      return await runClusterCommand(settings, ports, env);
    }
    const marker = settings.commentId ? `<!-- gitops-verify:${settings.commentId} -->` : DEFAULT_MARKER;
    if (settings.token) {
      host = new GitHubHost({
        token: settings.token,
        baseUrl: context.apiUrl,
        target: { owner: context.owner, repo: context.repo, pullNumber: context.pullNumber },
        log: (message) => core.info(message),
      });
    } else {
      core.warning("no token: the report is written to files and the job summary only (set the token input to comment and set a status)");
    }
    const ports: Ports = { files, exec, http: new NodeHttp(), gitAt: (dir) => new CliGit(exec, files, dir), logger, cores: Math.max(1, os.availableParallelism()), env };
    const { report } = await verify(
      {
        repoDir: settings.workingDirectory,
        baseRef: settings.baseRef ?? context.baseSha,
        headRef: settings.headRef ?? context.headSha,
        configPath: settings.configPath,
        fingerprintKey: env.GITOPS_VERIFY_FINGERPRINT_KEY || undefined,
        failOn: settings.failOn,
        configRevision: context.untrustedHead ? "base" : "head",
      },
      ports,
    );
    const result = await publish(
      report,
      host,
      {
        outputDir: settings.outputDir,
        commentMode: settings.commentMode,
        marker,
        checkName: settings.checkName,
        sha: context.statusSha,
        publishStatus: settings.publishStatus,
        fullReportUrl: context.runUrl,
        detailsUrl: context.runUrl,
      },
      { files, logger },
    );
    if (result.status?.kind !== "check-run") annotateWithWorkflowCommands(annotationsOf(report));
    await core.summary.addRaw(result.summary, true).write();
    core.setOutput("result", report.gate.result);
    core.setOutput("changed-environments", String(report.summary.changed + report.summary.added + report.summary.removed));
    core.setOutput("objects-added", String(report.summary.objects.added));
    core.setOutput("objects-changed", String(report.summary.objects.changed));
    core.setOutput("objects-removed", String(report.summary.objects.removed));
    core.setOutput("report-dir", settings.outputDir);
    core.setOutput("sarif-file", result.files.sarif ?? "");
    core.setOutput("comment-url", result.comment?.url ?? "");
    if (report.gate.result !== "pass") core.setFailed(`gitops-verify ${report.gate.result === "fail" ? "failed" : "could not complete"}: ${report.gate.reasons.join("; ")}`);
    return report.gate.result === "pass" ? 0 : report.gate.result === "fail" ? 1 : 2;
  } catch (error) {
    const message = error instanceof UserError || error instanceof ToolError || error instanceof ClusterError ? describeError(error) : `internal error (please report it): ${(error as Error)?.stack ?? error}`;
    core.setFailed(`gitops-verify: ${message}`);
    core.setOutput("result", "error");
    // the pull request hears about it too, in the same sticky comment
    if (host && settings && settings.command === "verify" && settings.commentMode !== "never") {
      const marker = settings.commentId ? `<!-- gitops-verify:${settings.commentId} -->` : DEFAULT_MARKER;
      const body = `${marker}\n\n### ⚠️ gitops-verify could not complete\n\n\`\`\`\n${message.slice(0, 4000)}\n\`\`\`\n`;
      await host.upsertComment(marker, () => body, true).catch((postError) => core.warning(`could not post the failure: ${describeError(postError)}`));
    }
    return 2;
  }
}
