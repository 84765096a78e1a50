import path from "node:path";
import { ToolError, UserError } from "../../errors.ts";
import type { Checkout, Exec, Files, Git, GitIdentity, PushResult } from "../../ports.ts";

const GIT_TIMEOUT_MS = 5 * 60_000;

/** Who commits when neither the caller nor git's configuration says (a CI runner has no identity). */
const FALLBACK_IDENTITY: GitIdentity = { name: "gitops-verify", email: "gitops-verify@users.noreply.github.com" };

/** A push the remote refused because it moved on meanwhile (or another push held the ref): worth a rebase. */
const STALE_PUSH = /\[rejected\]|non-fast-forward|fetch first|stale info|cannot lock ref|failed to update ref|failed to lock|incorrect old value/i;

/** Checkouts not yet disposed, so an interrupted run can still remove its worktrees. */
const active = new Set<Checkout>();

export async function disposeActiveCheckouts(): Promise<void> {
  for (const checkout of [...active]) await checkout.dispose();
}

/**
 * Git through the real binary. Hooks are switched off for every call: a checkout of pull-request
 * content must not run anything.
 */
export class CliGit implements Git {
  constructor(
    private readonly exec: Exec,
    private readonly files: Files,
    private readonly cwd: string,
  ) {}

  private async git(args: string[], cwd = this.cwd, extraEnv: Record<string, string> = {}, input?: string) {
    const result = await this.exec.run("git", ["-c", "core.hooksPath=/dev/null", ...args], {
      cwd,
      timeoutMs: GIT_TIMEOUT_MS,
      env: { GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C", ...extraEnv },
      ...(input !== undefined ? { input } : {}),
    });
    if (result.timedOut) throw new ToolError(`git ${args[0]} timed out`, "git");
    return result;
  }

  private async gitOk(args: string[], what: string, cwd = this.cwd): Promise<string> {
    const result = await this.git(args, cwd);
    if (result.exitCode !== 0) throw new ToolError(`git failed: ${what}`, "git", result.stderr.trim());
    return result.stdout;
  }

  async topLevel(dir: string): Promise<string> {
    if (!(await this.files.stat(dir))) throw new UserError(`${dir}: no such directory`);
    const result = await this.git(["rev-parse", "--show-toplevel"], dir);
    if (result.exitCode !== 0) {
      throw new UserError(`${dir} is not inside a git repository (gitops-verify compares two revisions of one)`);
    }
    return result.stdout.trim();
  }

  async resolve(ref: string): Promise<string> {
    const result = await this.git(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
    if (result.exitCode !== 0) {
      throw new UserError(
        `git ref "${ref}" does not exist in this repository (in CI, fetch it first, e.g. actions/checkout with fetch-depth: 0)`,
      );
    }
    return result.stdout.trim();
  }

  async mergeBase(a: string, b: string): Promise<string> {
    const result = await this.git(["merge-base", a, b]);
    if (result.exitCode !== 0) {
      throw new UserError(
        `${a.slice(0, 12)} and ${b.slice(0, 12)} have no common ancestor (a shallow clone? fetch more history, e.g. fetch-depth: 0)`,
      );
    }
    return result.stdout.trim();
  }

  async upstream(): Promise<string | undefined> {
    const result = await this.git(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"]);
    return result.exitCode === 0 ? result.stdout.trim() || undefined : undefined;
  }

  async changedFiles(from: string, to: string | undefined): Promise<string[]> {
    const changed = new Set<string>();
    const diffArgs = ["diff", "--name-only", "-z", "--no-renames", from, ...(to ? [to] : []), "--"];
    for (const file of splitNul(await this.gitOk(diffArgs, `diff ${from} ${to ?? "(working tree)"}`))) changed.add(file);
    if (!to) {
      const untracked = await this.gitOk(["ls-files", "--others", "--exclude-standard", "-z"], "ls-files");
      for (const file of splitNul(untracked)) changed.add(file);
    }
    return [...changed].sort();
  }

  async remoteUrls(): Promise<string[]> {
    const result = await this.git(["config", "--get-regexp", "^remote\\..*\\.url$"]);
    if (result.exitCode !== 0) return [];
    return result.stdout
      .split("\n")
      .map((line) => line.trim().split(/\s+/)[1])
      .filter((url): url is string => Boolean(url));
  }

  async showFile(sha: string, file: string): Promise<string | undefined> {
    const result = await this.git(["show", `${sha}:${file.replace(/^\.\//, "")}`]);
    return result.exitCode === 0 ? result.stdout : undefined;
  }

  async currentBranch(): Promise<string | undefined> {
    const result = await this.git(["symbolic-ref", "--quiet", "--short", "HEAD"]);
    return result.exitCode === 0 ? result.stdout.trim() || undefined : undefined;
  }

  async dirtyFiles(): Promise<string[]> {
    const output = await this.gitOk(["status", "--porcelain", "-z", "--untracked-files=all"], "status");
    // entries are "XY path"; a rename carries its old path as the next entry
    const entries = splitNul(output);
    const files: string[] = [];
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      files.push(entry.slice(3));
      if (entry[0] === "R" || entry[0] === "C") i++;
    }
    return files;
  }

  /** The caller's identity, else git's configured one, else (a bare CI runner) gitops-verify's. */
  private async identityEnv(identity: GitIdentity | undefined): Promise<Record<string, string>> {
    if (identity) return identityEnv(identity);
    const configured = await this.git(["var", "GIT_COMMITTER_IDENT"]);
    return configured.exitCode === 0 ? {} : identityEnv(FALLBACK_IDENTITY);
  }

  async commit(files: string[], message: string, identity?: GitIdentity): Promise<string> {
    await this.gitOk(["add", "--", ...files], "add");
    const env = await this.identityEnv(identity);
    const result = await this.git(["commit", "--quiet", "--no-verify", "--no-gpg-sign", "--file=-", "--", ...files], this.cwd, env, message);
    if (result.exitCode !== 0) throw new ToolError("git failed: commit", "git", result.stderr.trim() || result.stdout.trim());
    return (await this.gitOk(["rev-parse", "HEAD"], "rev-parse HEAD")).trim();
  }

  async push(remote: string, source: string, branch: string, options: { force?: boolean } = {}): Promise<PushResult> {
    const result = await this.git(["push", "--porcelain", "--no-verify", ...(options.force ? ["--force"] : []), remote, `${source}:refs/heads/${branch}`]);
    if (result.exitCode === 0) return { ok: true };
    const message = `${result.stdout}\n${result.stderr}`.trim();
    return { ok: false, reason: STALE_PUSH.test(message) ? "stale" : "refused", message };
  }

  async fetch(remote: string, branch: string): Promise<string | undefined> {
    const result = await this.git(["fetch", "--quiet", "--no-tags", remote, `refs/heads/${branch}`]);
    if (result.exitCode !== 0) {
      if (/couldn't find remote ref/i.test(result.stderr)) return undefined;
      throw new ToolError(`git failed: fetch ${branch} from ${remote}`, "git", result.stderr.trim());
    }
    return (await this.gitOk(["rev-parse", "FETCH_HEAD^{commit}"], "rev-parse FETCH_HEAD")).trim();
  }

  async rebase(onto: string, identity?: GitIdentity): Promise<{ ok: true } | { ok: false; conflicts: string[] }> {
    const env = await this.identityEnv(identity);
    const result = await this.git(["rebase", "--no-autostash", "--no-gpg-sign", onto], this.cwd, env);
    if (result.exitCode === 0) return { ok: true };
    const conflicts = splitNul(await this.gitOk(["diff", "--name-only", "-z", "--diff-filter=U"], "diff (conflicts)"));
    await this.git(["rebase", "--abort"]);
    if (conflicts.length === 0) throw new ToolError(`git failed: rebase onto ${onto.slice(0, 12)}`, "git", result.stderr.trim());
    return { ok: false, conflicts };
  }

  async resetTo(sha: string): Promise<void> {
    await this.gitOk(["reset", "--quiet", "--keep", sha], `reset to ${sha.slice(0, 12)}`);
  }

  async checkout(sha: string): Promise<Checkout> {
    const parent = await this.files.makeTempDir("gitops-verify-");
    const dir = path.join(parent, "tree");
    const result = await this.git(["worktree", "add", "--detach", "--quiet", dir, sha]);
    if (result.exitCode !== 0) {
      await this.files.removeTree(parent);
      throw new ToolError(`git could not check out ${sha.slice(0, 12)}`, "git", result.stderr.trim());
    }
    let disposed = false;
    const checkout: Checkout = {
      dir,
      sha,
      dispose: async () => {
        if (disposed) return;
        disposed = true;
        active.delete(checkout);
        await this.git(["worktree", "remove", "--force", dir]);
        await this.files.removeTree(parent);
        await this.git(["worktree", "prune"]);
      },
    };
    active.add(checkout);
    return checkout;
  }
}

/** The identity as environment variables, for commits and the commits a rebase rewrites. */
function identityEnv(identity: GitIdentity): Record<string, string> {
  return { GIT_AUTHOR_NAME: identity.name, GIT_AUTHOR_EMAIL: identity.email, GIT_COMMITTER_NAME: identity.name, GIT_COMMITTER_EMAIL: identity.email };
}

function splitNul(output: string): string[] {
  return output.split("\0").filter((entry) => entry.length > 0);
}
