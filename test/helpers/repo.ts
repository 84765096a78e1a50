// Real git repositories in temporary directories, for integration tests.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "gitops-verify tests",
  GIT_AUTHOR_EMAIL: "tests@gitops-verify.invalid",
  GIT_COMMITTER_NAME: "gitops-verify tests",
  GIT_COMMITTER_EMAIL: "tests@gitops-verify.invalid",
  GIT_CONFIG_NOSYSTEM: "1",
};

export class TempRepo {
  readonly dir: string;

  constructor(prefix = "gv-test-", init = true) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    if (init) this.git("init", "-q", "-b", "main");
  }

  /** A clone of `url` (a bare repository on disk, say), with `origin` pointing at it. */
  static cloneOf(url: string): TempRepo {
    const repo = new TempRepo("gv-clone-", false);
    repo.git("clone", "-q", url, ".");
    return repo;
  }

  /** A bare copy of this repository in a temporary directory, and this repository's `origin` set to it. */
  bareOrigin(): string {
    const bare = mkdtempSync(path.join(os.tmpdir(), "gv-origin-"));
    execFileSync("git", ["clone", "-q", "--bare", this.dir, bare], { env: GIT_ENV, stdio: ["ignore", "pipe", "pipe"] });
    this.git("remote", "add", "origin", bare);
    return bare;
  }

  static fromDirectory(source: string): TempRepo {
    const repo = new TempRepo();
    cpSync(source, repo.dir, { recursive: true });
    repo.commitAll("initial");
    return repo;
  }

  static fromFiles(files: Record<string, string>): TempRepo {
    const repo = new TempRepo();
    repo.write(files);
    repo.commitAll("initial");
    return repo;
  }

  git(...args: string[]): string {
    return execFileSync("git", args, { cwd: this.dir, env: GIT_ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  }

  write(files: Record<string, string>): void {
    for (const [file, content] of Object.entries(files)) {
      const target = path.join(this.dir, file);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
  }

  read(file: string): string {
    return readFileSync(path.join(this.dir, file), "utf8");
  }

  remove(file: string): void {
    rmSync(path.join(this.dir, file), { recursive: true, force: true });
  }

  commitAll(message: string): string {
    this.git("add", "-A");
    this.git("commit", "-q", "--allow-empty", "-m", message);
    return this.git("rev-parse", "HEAD").trim();
  }

  branch(name: string): void {
    this.git("checkout", "-q", "-b", name);
  }

  status(): string {
    return this.git("status", "--porcelain");
  }

  worktrees(): string {
    return this.git("worktree", "list", "--porcelain");
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function kubectlKustomize(dir: string): string {
  return execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 });
}

export const SHARED = path.resolve(import.meta.dirname, "../../../shared");
