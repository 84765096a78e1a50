import path from "node:path";
import { ToolError, UserError } from "../../errors.ts";
import type { Checkout, Exec, Files, Git } from "../../ports.ts";

const GIT_TIMEOUT_MS = 5 * 60_000;

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

  private async git(args: string[], cwd = this.cwd) {
    const result = await this.exec.run("git", ["-c", "core.hooksPath=/dev/null", ...args], {
      cwd,
      timeoutMs: GIT_TIMEOUT_MS,
      env: { GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" },
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

function splitNul(output: string): string[] {
  return output.split("\0").filter((entry) => entry.length > 0);
}
