// The promote use case: move images into a target environment by editing the configuration repository, so that the
// in-cluster puller deploys them. Plan (src/promote), show, write, re-render and check the target, commit, and push
// — to the branch itself (a rejected push is rebased, re-checked and retried) or to a promotion branch with one
// pull/merge request that later promotions update.
import path from "node:path";
import type { Config } from "../config/config.ts";
import type { DiscoveredEnvironment } from "../discover/discover.ts";
import { ToolError, UserError } from "../errors.ts";
import type { Manifest } from "../model.ts";
import type { ChangeRequest, Checkout, Git, GitIdentity, PromotionHost } from "../ports.ts";
import { applyPlan } from "../promote/apply.ts";
import { imagesToPromote } from "../promote/from-renderings.ts";
import { canonicalImageRef, type ImageRef } from "../promote/image-ref.ts";
import { formatPlan, planPromotion, type PromoteOptions, type PromotionPlan } from "../promote/plan.ts";
import { createRenderers, loadConfig, type Ports } from "./context.ts";
import { gateProblems, promotionValidation } from "./promote-gate.ts";
import { commitMessage, planDiff, requestBody, requestMarker, requestTitle, type PromotionStory } from "./promote-message.ts";
import { parseRequestedImages, PromotionWorkspace, tagPoliciesFor } from "./promote-target.ts";
import type { FailOn } from "./verify.ts";

export const PROMOTION_BRANCH_PREFIX = "gitops-verify/promote/";

export interface PromoteSettings {
  repoDir: string;
  configPath?: string;
  /** The environment promoted into: a name or path as `list` shows them. */
  target: string;
  /** Images to promote ("registry/app:1.4.2", "…@sha256:…"); when empty, what differs from `from`. */
  images: string[];
  /** The source environment (default: the one before the target in promote.chain). */
  from?: string;
  /** With `from`: only these apps (workload names or image names). */
  apps: string[];
  pinDigest: boolean;
  allowDowngrade: boolean;
  /** Print the plan and the diff; write nothing. */
  dryRun: boolean;
  /** `commit`: on the branch itself; `pull-request`: on gitops-verify/promote/<target>, with one open request. */
  mode: "commit" | "pull-request";
  /** commit: the branch pushed to; pull-request: the request's base. Default: the current branch. */
  branch?: string;
  /** commit mode: push the commit (pull-request mode always pushes). */
  push: boolean;
  remote: string;
  /** Rebase-and-retry rounds after a push rejected because the branch moved on. */
  maxRetries: number;
  /** Why, for the commit message and the request. */
  reason?: string;
  identity?: GitIdentity;
  /** Lowest finding severity that refuses the promotion (as verify's gate). Default: error. */
  failOn?: FailOn;
}

export interface PromoteResult {
  status: "promoted" | "unchanged" | "dry-run" | "refused";
  target: string;
  images: string[];
  /** The plan as text: files, lines, old and new values, why. */
  planText: string;
  /** The edits as a unified diff. */
  diff: string;
  /** Why the gate refused (status "refused"). */
  problems: string[];
  notices: string[];
  commit?: string;
  /** The branch pushed to, when pushed. */
  pushedTo?: string;
  pushAttempts: number;
  rebases: number;
  request?: ChangeRequest & { action: "created" | "updated" };
}

interface Session {
  settings: PromoteSettings;
  ports: Ports;
  config: Config;
  open(root: string): Promise<PromotionWorkspace>;
  checkout(git: Git, sha: string): Promise<Checkout>;
}

export async function promote(settings: PromoteSettings, ports: Ports, host?: PromotionHost): Promise<PromoteResult> {
  const { files } = ports;
  const dir = path.resolve(settings.repoDir);
  const root = await ports.gitAt(dir).topLevel(dir);
  const git = ports.gitAt(root);
  const pullRequest = settings.mode === "pull-request";
  if (settings.images.length > 0 && (settings.from !== undefined || settings.apps.length > 0)) {
    throw new UserError("give either --image (the images to promote) or --from (an environment to promote from, optionally with --app), not both");
  }
  if (!settings.dryRun) {
    const dirty = await git.dirtyFiles();
    if (dirty.length > 0) {
      throw new UserError(`the working tree has uncommitted changes (${dirty.slice(0, 5).join(", ")}${dirty.length > 5 ? ", …" : ""}): commit or stash them first, a promotion commits only its own edits`);
    }
    if (pullRequest && !host) throw new UserError("--mode pull-request needs a code host (GitHub: GITHUB_REPOSITORY and GITHUB_TOKEN; GitLab: CI_SERVER_URL, CI_PROJECT_ID and GITOPS_VERIFY_GITLAB_TOKEN)");
  }
  const branch = settings.branch ?? (await git.currentBranch());
  if (!settings.dryRun && (settings.push || pullRequest) && !branch) throw new UserError("HEAD is detached: name the branch with --branch");
  const { config } = await loadConfig(files, root, { explicitPath: settings.configPath });

  const workDir = await files.makeTempDir("gitops-verify-work-");
  const checkouts: Checkout[] = [];
  try {
    const renderers = await createRenderers(ports, config, workDir, root);
    const remoteUrls = await git.remoteUrls();
    const session: Session = {
      settings,
      ports,
      config,
      open: (at) => PromotionWorkspace.open(at, files, config, renderers, remoteUrls),
      checkout: async (repoGit, sha) => {
        const checkout = await repoGit.checkout(sha);
        checkouts.push(checkout);
        return checkout;
      },
    };
    // the checkout as it is: where the target is looked up and a source environment is read
    const current = await session.open(root);
    let workspace = current;
    let target = await current.find(settings.target, "--to");
    let requestBranch: string | undefined;
    let existing: ChangeRequest | undefined;
    let startTip: string | undefined;
    if (pullRequest && !settings.dryRun) {
      // the request's branch (or the base) in a worktree: the checkout is left as it is
      requestBranch = PROMOTION_BRANCH_PREFIX + target.environment.name.replace(/[^A-Za-z0-9._/-]+/g, "-");
      existing = await host!.findOpenRequest(requestBranch);
      startTip = existing ? await git.fetch(settings.remote, requestBranch) : undefined;
      const checkout = await session.checkout(git, startTip ?? (await git.resolve("HEAD")));
      workspace = await session.open(checkout.dir);
      target = await workspace.find(target.environment.name, "--to");
    }

    const { images, source, notices } = await whatToPromote(current, workspace, target, settings);
    const empty = { target: target.environment.name, problems: [], pushAttempts: 0, rebases: 0 };
    if (images.length === 0) {
      return { ...empty, status: "unchanged", images: [], planText: `Promotion to ${target.environment.name}: nothing differs${source ? ` from ${source.environment.name}` : ""}`, diff: "", notices };
    }
    const options = promoteOptions(settings, config, target);
    const plan = await planPromotion(await workspace.target(target), images, options);
    const planText = formatPlan(plan);
    const diff = planDiff(plan);
    const story: PromotionStory = {
      target: target.environment.name,
      targetPath: target.environment.path,
      ...(source ? { source: source.environment.name } : {}),
      images,
      plan,
      ...(settings.reason ? { reason: settings.reason } : {}),
    };
    const base = { ...empty, images: plan.images, planText, diff, notices: [...notices, ...plan.notices] };
    if (plan.changes.length === 0) return { ...base, status: "unchanged" };
    if (settings.dryRun) return { ...base, status: "dry-run" };

    const before = await workspace.render(target);
    const problems = await writeAndCheck(session, workspace, target, plan, before, images);
    if (problems.length > 0) return { ...base, status: "refused", problems };

    const workGit = ports.gitAt(workspace.root);
    const startHead = await workGit.resolve("HEAD");
    const commit = await workGit.commit(plan.changes.map((change) => change.file), commitMessage(story), settings.identity);
    ports.logger.info(`committed ${commit.slice(0, 12)}: ${commitMessage(story).split("\n")[0]}`);

    if (pullRequest) {
      const pushed = await workGit.push(settings.remote, "HEAD", requestBranch!, { force: startTip === undefined });
      if (!pushed.ok) throw new ToolError(`git push of ${requestBranch} to ${settings.remote} failed`, "git", pushed.message);
      const body = requestBody(story, existing?.body);
      const earlier = existing?.body.includes(requestMarker(story.target)) === true;
      const request = existing
        ? { ...(await host!.updateRequest(existing.number, { title: requestTitle(story, earlier), body })), action: "updated" as const }
        : { ...(await host!.createRequest({ head: requestBranch!, base: branch!, title: requestTitle(story, false), body })), action: "created" as const };
      ports.logger.info(`${request.action} ${host!.name === "github" ? "pull request" : "merge request"} ${request.url}`);
      return { ...base, status: "promoted", commit, pushedTo: requestBranch, pushAttempts: 1, request };
    }
    if (!settings.push) return { ...base, status: "promoted", commit };
    const pushed = await pushWithRebase(session, workspace.root, branch!, startHead, { images, options, target: target.environment.name });
    if (pushed.problems.length > 0) return { ...base, status: "refused", problems: pushed.problems, pushAttempts: pushed.attempts, rebases: pushed.rebases };
    const head = await workGit.resolve("HEAD");
    return { ...base, status: "promoted", commit: head, pushedTo: branch, pushAttempts: pushed.attempts, rebases: pushed.rebases };
  } finally {
    for (const checkout of checkouts) await checkout.dispose();
    await files.removeTree(workDir);
  }
}

/**
 * The images asked for, else what runs in the source environment (--from, else the chain) as the checkout has it,
 * and differs in the target as the promotion starts from it (an open request's branch already has earlier ones).
 */
async function whatToPromote(
  current: PromotionWorkspace,
  workspace: PromotionWorkspace,
  target: DiscoveredEnvironment,
  settings: PromoteSettings,
): Promise<{ images: ImageRef[]; source?: DiscoveredEnvironment; notices: string[] }> {
  if (settings.images.length > 0) return { images: parseRequestedImages(settings.images), notices: [] };
  const currentTarget = await current.find(target.environment.name, "--to");
  const source = settings.from !== undefined ? await current.find(settings.from, "--from") : await current.previousInChain(currentTarget);
  if (!source) throw new UserError(`nothing to promote: give --image, or --from an environment (or list ${target.environment.name} in promote.chain after its source)`);
  if (source.environment.name === target.environment.name) throw new UserError(`--from and --to name the same environment (${target.environment.name})`);
  const found = imagesToPromote(await current.render(source), await workspace.render(target), settings.apps);
  if (settings.apps.length > 0 && found.images.length === 0 && found.notices.length === 0) {
    return { ...found, source, notices: [`no image of ${settings.apps.join(", ")} differs between ${source.environment.name} and ${target.environment.name}`] };
  }
  return { ...found, source };
}

function promoteOptions(settings: PromoteSettings, config: Config, target: DiscoveredEnvironment): PromoteOptions {
  return { pinDigest: settings.pinDigest, allowDowngrade: settings.allowDowngrade, policies: tagPoliciesFor(config, target) };
}

/**
 * Writes the plan, renders the target again and runs the gate. When it refuses (or anything fails), the files are
 * written back as they were: nothing is left half-promoted.
 */
async function writeAndCheck(session: Session, workspace: PromotionWorkspace, target: DiscoveredEnvironment, plan: PromotionPlan, before: Manifest[], images: ImageRef[]): Promise<string[]> {
  const { files } = session.ports;
  await applyPlan(plan, files, workspace.root);
  try {
    const problems = await gateAfterWrite(session, workspace.root, { root: workspace.root, discovered: target, manifests: before }, images);
    if (problems.length > 0) await restore(session, workspace.root, plan);
    return problems;
  } catch (error) {
    await restore(session, workspace.root, plan);
    throw error;
  }
}

/** The gate on the tree at `root` (the target rendered there) against the target as `before` rendered it. */
async function gateAfterWrite(session: Session, root: string, before: { root: string; discovered: DiscoveredEnvironment; manifests: Manifest[] }, images: ImageRef[]): Promise<string[]> {
  const after = await session.open(root);
  const name = before.discovered.environment.name;
  let environment: DiscoveredEnvironment;
  let manifests: Manifest[];
  try {
    environment = await after.find(name, "the promoted environment");
    manifests = await after.render(environment);
  } catch (error) {
    if (error instanceof UserError) return [`after the promotion, ${error.message}`];
    throw error;
  }
  const validation = await promotionValidation(session.config, root, session.ports);
  return gateProblems(validation, before, { root, discovered: environment, manifests }, images, session.settings.failOn ?? "error");
}

async function restore(session: Session, root: string, plan: PromotionPlan): Promise<void> {
  for (const change of plan.changes) await session.ports.files.writeText(path.join(root, ...change.file.split("/")), change.before);
}

/**
 * Pushes HEAD to the branch. When the branch moved on meanwhile, fetches it, rebases the promotion onto it, checks
 * again that the plan holds on the new tree and that the gate passes there, and retries, at most maxRetries times.
 * A conflict, a refusal or giving up moves the branch back to where it was before the promotion.
 */
async function pushWithRebase(
  session: Session,
  root: string,
  branch: string,
  startHead: string,
  promotion: { images: ImageRef[]; options: PromoteOptions; target: string },
): Promise<{ attempts: number; rebases: number; problems: string[] }> {
  const { settings, ports } = session;
  const git = ports.gitAt(root);
  const undo = () => git.resetTo(startHead);
  let rebases = 0;
  try {
    for (let attempt = 1; ; attempt++) {
      const pushed = await git.push(settings.remote, "HEAD", branch);
      if (pushed.ok) {
        ports.logger.info(`pushed to ${settings.remote} ${branch}${rebases > 0 ? ` after ${rebases} rebase${rebases === 1 ? "" : "s"}` : ""}`);
        return { attempts: attempt, rebases, problems: [] };
      }
      if (pushed.reason === "refused") {
        await undo();
        throw new ToolError(`git push to ${settings.remote} ${branch} was refused; the promotion commit was undone`, "git", pushed.message);
      }
      if (attempt > settings.maxRetries) {
        await undo();
        throw new UserError(`${settings.remote} ${branch} kept moving: gave up after ${attempt} pushes (--max-retries ${settings.maxRetries}); the promotion commit was undone`);
      }
      const tip = await git.fetch(settings.remote, branch);
      if (!tip) throw new UserError(`${branch} does not exist on ${settings.remote}`);
      ports.logger.info(`${settings.remote} ${branch} moved on to ${tip.slice(0, 12)}: rebasing the promotion onto it (retry ${attempt} of ${settings.maxRetries})`);
      const rebased = await git.rebase(tip, settings.identity);
      if (!rebased.ok) {
        await undo();
        throw new UserError(
          `the promotion to ${promotion.target} conflicts with what was pushed to ${settings.remote} ${branch} meanwhile (${rebased.conflicts.join(", ")}): the rebase was aborted, nothing was pushed, and ${branch} is back at ${startHead.slice(0, 12)}; promote again from the new ${branch}`,
          { file: rebased.conflicts[0]! },
        );
      }
      rebases++;
      const problems = await recheckAfterRebase(session, root, tip, promotion);
      if (problems.length > 0) {
        await undo();
        return { attempts: attempt, rebases, problems: problems.map((problem) => `after rebasing onto ${tip.slice(0, 12)}: ${problem}`) };
      }
    }
  } catch (error) {
    // whatever failed, the branch is not left with an unpushed promotion on it (a second reset is a no-op)
    await undo().catch(() => {});
    throw error;
  }
}

/** On the rebased tree the plan must have nothing left to do, and the gate must pass against the new tip. */
async function recheckAfterRebase(session: Session, root: string, tip: string, promotion: { images: ImageRef[]; options: PromoteOptions; target: string }): Promise<string[]> {
  const rebased = await session.open(root);
  const environment = await rebased.find(promotion.target, "the promoted environment");
  const again = await planPromotion(await rebased.target(environment), promotion.images, promotion.options);
  if (again.changes.length > 0) {
    return again.changes.map((change) => `${change.file} no longer sets ${promotion.images.map(canonicalImageRef).join(", ")} as promoted (the plan would change it again)`);
  }
  const checkout = await session.checkout(session.ports.gitAt(root), tip);
  const atTip = await session.open(checkout.dir);
  const tipEnvironment = await atTip.find(promotion.target, "the promoted environment");
  const before = { root: checkout.dir, discovered: tipEnvironment, manifests: await atTip.render(tipEnvironment) };
  return gateAfterWrite(session, root, before, promotion.images);
}
