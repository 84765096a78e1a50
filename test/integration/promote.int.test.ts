// `gitops-verify promote` end to end, with real git and kustomize on copies of examples/gitops-repo: commits on the
// branch, promotions from another environment, dry runs, the gate refusing and restoring the files, two promotions
// racing to push one branch of a bare repository on disk, a conflict aborting cleanly, and promotion pull/merge
// requests. The GitHub and GitLab APIs are FakeGitHub and FakeGitLab: HTTP servers on 127.0.0.1 speaking the
// platforms' real REST wire formats (Octokit and Gitbeaker talk to them as to github.com and gitlab.com), since no
// real code host can be reached from here.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/entrypoints/cli.ts";
import { FakeGitHub } from "../helpers/fake-github.ts";
import { FakeGitLab } from "../helpers/fake-gitlab.ts";
import { TempRepo } from "../helpers/repo.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const EXAMPLE = path.join(ROOT, "examples/gitops-repo");
const PRODUCTION = "apps/overlays/production/kustomization.yaml";
const PRODUCTION_APPS = "production/Kustomization/flux-system/apps";
const STAGING_APPS = "staging/Kustomization/flux-system/apps";
const REQUEST_BRANCH = `gitops-verify/promote/${PRODUCTION_APPS}`;

const cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0)) await step();
});

function exampleRepo(extra: Record<string, string> = {}): TempRepo {
  const repo = TempRepo.fromDirectory(EXAMPLE);
  if (Object.keys(extra).length > 0) {
    repo.write(extra);
    repo.commitAll("configuration");
  }
  cleanup.push(() => repo.dispose());
  return repo;
}

/** A bare repository on disk holding the example, and `count` clones of it, each on main tracking origin. */
function withOrigin(count: number): { bare: string; clones: TempRepo[] } {
  const seed = exampleRepo();
  const bare = seed.bareOrigin();
  cleanup.push(() => rmSync(bare, { recursive: true, force: true }));
  const clones = Array.from({ length: count }, () => {
    const clone = TempRepo.cloneOf(bare);
    cleanup.push(() => clone.dispose());
    return clone;
  });
  return { bare, clones };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command line in this process, as a user or a CI job runs it. */
async function promote(repo: TempRepo, args: string[], env: Record<string, string> = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["promote", "--repo", repo.dir, ...args], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    cwd: repo.dir,
  });
  return { code, stdout, stderr };
}

const head = (repo: TempRepo) => repo.git("rev-parse", "HEAD").trim();
/** The lines a commit removes and adds, as `git diff` shows them. */
function changedLines(repo: TempRepo, range: string): string[] {
  return repo
    .git("diff", "--unified=0", "--no-color", range)
    .split("\n")
    .filter((line) => /^[-+]/.test(line) && !/^(---|\+\+\+) /.test(line));
}

describe("promote: a commit on the branch", () => {
  it("an explicit image into an overlay: one commit whose diff is only the value", async () => {
    const repo = exampleRepo();
    const before = head(repo);
    const run = await promote(repo, ["--to", "apps/overlays/production", "--image", "ghcr.io/example/shop-api:2.3.2", "--reason", "soaked in staging"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/promoted: commit [0-9a-f]{12}; not pushed/);
    expect(repo.git("rev-parse", "HEAD~1").trim()).toBe(before);
    expect(repo.git("diff", "--name-only", "HEAD~1").trim()).toBe(PRODUCTION);
    expect(changedLines(repo, "HEAD~1")).toEqual(["-    newTag: 2.3.1", "+    newTag: 2.3.2"]);
    const message = repo.git("log", "-1", "--format=%B");
    expect(message.split("\n")[0]).toBe(`Promote shop-api:2.3.2 to ${PRODUCTION_APPS}`);
    expect(message).toContain(`${PRODUCTION}:17: "2.3.1" -> "2.3.2"`);
    expect(message).toContain("Why: soaked in staging");
    expect(repo.status()).toBe("");
  });

  it("--from a source environment, limited to one app", async () => {
    const repo = exampleRepo();
    const run = await promote(repo, ["--to", PRODUCTION_APPS, "--from", STAGING_APPS, "--app", "frontend"]);
    expect(run.code, run.stderr).toBe(0);
    expect(changedLines(repo, "HEAD~1")).toEqual(["-    newTag: 1.4.0", "+    newTag: 1.4.1"]);
    expect(repo.git("log", "-1", "--format=%B")).toContain(`from ${STAGING_APPS}`);

    // everything else that differs, without --app
    const rest = await promote(repo, ["--to", "apps/overlays/production", "--from", "apps/overlays/staging"]);
    expect(rest.code, rest.stderr).toBe(0);
    expect(changedLines(repo, "HEAD~1")).toEqual(["-    newTag: 2.3.1", "+    newTag: 2.3.2", "-    newTag: 2.3.1", "+    newTag: 2.3.2"]);
    // and then nothing is left to promote
    const again = await promote(repo, ["--to", "apps/overlays/production", "--from", "apps/overlays/staging"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/nothing differs/);
  });

  it("--from defaults to the environment before the target in promote.chain", async () => {
    const repo = exampleRepo({ ".gitops-verify.yaml": "promote:\n  chain: [apps/overlays/development, apps/overlays/staging, apps/overlays/production]\n" });
    const run = await promote(repo, ["--to", "apps/overlays/staging", "--dry-run"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("ghcr.io/example/shop-frontend:1.5.0-rc.2");
  });

  it("--dry-run prints the plan and the diff and writes nothing", async () => {
    const repo = exampleRepo();
    const before = head(repo);
    const run = await promote(repo, ["--to", "apps/overlays/production", "--image", "ghcr.io/example/shop-worker:2.3.2", "--dry-run"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`--- a/${PRODUCTION}\n+++ b/${PRODUCTION}`);
    expect(run.stdout).toMatch(/^-    newTag: 2\.3\.1\n\+    newTag: 2\.3\.2$/m);
    expect(run.stdout).toContain("dry run: nothing was written");
    expect(head(repo)).toBe(before);
    expect(repo.status()).toBe("");
  });

  it("refused by the gate (a policy the promotion would break): exit 1, the files restored, no commit", async () => {
    const repo = exampleRepo({
      ".gitops-verify.yaml": "policies:\n  paths: [policies]\n",
      "policies/no-rc-in-production.yaml": `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: no-release-candidates-in-production
spec:
  validationFailureAction: Enforce
  rules:
    - name: no-rc
      match:
        any:
          - resources:
              kinds: [Deployment]
              namespaces: [shop-production]
      validate:
        message: release candidates do not run in production
        pattern:
          spec:
            template:
              spec:
                containers:
                  - image: "!*-rc*"
`,
    });
    const before = head(repo);
    const text = repo.read(PRODUCTION);
    const run = await promote(repo, ["--to", "apps/overlays/production", "--image", "ghcr.io/example/shop-api:2.4.0-rc.1"]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/refused: the promotion to production\/Kustomization\/flux-system\/apps did not pass the check/);
    expect(run.stdout).toMatch(/no-release-candidates-in-production|release candidates do not run in production/);
    expect(head(repo)).toBe(before);
    expect(repo.read(PRODUCTION)).toBe(text);
    expect(repo.status()).toBe("");
  });

  it("promote.tagPolicies: a tag outside the range, or a downgrade, is refused before anything is written", async () => {
    const repo = exampleRepo({
      ".gitops-verify.yaml": 'promote:\n  tagPolicies:\n    - {image: ghcr.io/example/shop-api, environments: [apps/overlays/production], semver: ">=2.0.0 <3"}\n',
    });
    const before = head(repo);
    const outside = await promote(repo, ["--to", "apps/overlays/production", "--image", "ghcr.io/example/shop-api:3.0.0"]);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/accepts the semver range ">=2\.0\.0 <3" for ghcr\.io\/example\/shop-api; "3\.0\.0" is not accepted/);
    const downgrade = await promote(repo, ["--to", "apps/overlays/production", "--image", "ghcr.io/example/shop-api:2.3.0"]);
    expect(downgrade.code).toBe(2);
    expect(downgrade.stderr).toMatch(/apps\/overlays\/production\/kustomization\.yaml:16 runs 2\.3\.1, .* a downgrade \(--allow-downgrade allows a rollback\)/);
    expect(head(repo)).toBe(before);
    expect(repo.status()).toBe("");
    // the policy applies to production only
    const staging = await promote(repo, ["--to", "apps/overlays/staging", "--image", "ghcr.io/example/shop-api:3.0.0", "--dry-run"]);
    expect(staging.code, staging.stderr).toBe(0);
  });

  it("an image the target does not set: a clear error, nothing written", async () => {
    const repo = exampleRepo();
    const before = head(repo);
    const run = await promote(repo, ["--to", "apps/overlays/production", "--image", "ghcr.io/example/shop-billing:1.0.0"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/ghcr\.io\/example\/shop-billing:1\.0\.0: ghcr\.io\/example\/shop-billing is not set anywhere in production\/Kustomization\/flux-system\/apps/);
    expect(head(repo)).toBe(before);
    expect(repo.status()).toBe("");
  });

  it("refuses a working tree with uncommitted changes, and an unknown environment", async () => {
    const repo = exampleRepo();
    repo.write({ "apps/overlays/production/api-limits.yaml": "# local edit\n" });
    const dirty = await promote(repo, ["--to", "apps/overlays/production", "--image", "ghcr.io/example/shop-api:2.3.2"]);
    expect(dirty.code).toBe(2);
    expect(dirty.stderr).toMatch(/uncommitted changes \(apps\/overlays\/production\/api-limits\.yaml\)/);
    const unknown = await promote(repo, ["--to", "qa", "--image", "ghcr.io/example/shop-api:2.3.2", "--dry-run"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--to: no environment named "qa"/);
  });
});

describe("promote: pushing to a bare repository on disk", () => {
  it("pushes the commit to the branch", async () => {
    const { bare, clones } = withOrigin(1);
    const run = await promote(clones[0]!, ["--to", "apps/overlays/production", "--image", "ghcr.io/example/shop-api:2.3.2", "--push"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/pushed to main\n/);
    const check = TempRepo.cloneOf(bare);
    cleanup.push(() => check.dispose());
    expect(check.read(PRODUCTION)).toContain("newTag: 2.3.2");
  });

  it("two promotions racing to push the same branch both end correctly: one rebases, no update is lost", async () => {
    const { bare, clones } = withOrigin(2);
    const [first, second] = await Promise.all([
      promote(clones[0]!, ["--to", "apps/overlays/production", "--image", "ghcr.io/example/shop-frontend:1.4.1", "--push", "--format", "json"]),
      promote(clones[1]!, ["--to", "apps/overlays/production", "--image", "ghcr.io/example/shop-worker:2.3.2", "--push", "--format", "json"]),
    ]);
    expect(first!.code, first!.stderr).toBe(0);
    expect(second!.code, second!.stderr).toBe(0);
    const results = [JSON.parse(first!.stdout), JSON.parse(second!.stdout)] as Array<{ status: string; rebases: number; pushedTo: string }>;
    expect(results.map((result) => result.status)).toEqual(["promoted", "promoted"]);
    expect(results.map((result) => result.rebases).sort()).toEqual([0, 1]);
    expect((first!.stderr + second!.stderr).match(/moved on to [0-9a-f]{12}: rebasing the promotion onto it/g)).toHaveLength(1);

    const check = TempRepo.cloneOf(bare);
    cleanup.push(() => check.dispose());
    const text = check.read(PRODUCTION);
    expect(text).toMatch(/shop-frontend\n {4}newTag: 1\.4\.1/);
    expect(text).toMatch(/shop-worker\n {4}newTag: 2\.3\.2/);
    expect(text).toMatch(/shop-api\n {4}newTag: 2\.3\.1/);
    // a linear history: the initial commit and the two promotions, the rebased one on top
    const log = check.git("log", "--format=%s", "--first-parent").trim().split("\n");
    expect(log).toHaveLength(3);
    expect(log.slice(0, 2).sort()).toEqual([`Promote shop-frontend:1.4.1 to ${PRODUCTION_APPS}`, `Promote shop-worker:2.3.2 to ${PRODUCTION_APPS}`]);
    expect(check.git("log", "--merges", "--format=%H").trim()).toBe("");
  });

  it("a conflict with what was pushed meanwhile aborts cleanly: nothing pushed, the tree restored", async () => {
    const { bare, clones } = withOrigin(2);
    const [winner, loser] = clones as [TempRepo, TempRepo];
    const loserStart = head(loser);
    const won = await promote(winner, ["--to", "apps/overlays/production", "--image", "ghcr.io/example/shop-api:2.3.2", "--push"]);
    expect(won.code, won.stderr).toBe(0);
    const lost = await promote(loser, ["--to", "apps/overlays/production", "--image", "ghcr.io/example/shop-api:2.3.3", "--push"]);
    expect(lost.code).toBe(2);
    expect(lost.stderr).toMatch(/conflicts with what was pushed to origin main meanwhile \(apps\/overlays\/production\/kustomization\.yaml\): the rebase was aborted, nothing was pushed/);
    expect(head(loser)).toBe(loserStart);
    expect(loser.status()).toBe("");
    expect(loser.read(PRODUCTION)).toContain("newTag: 2.3.1");
    expect(loser.git("rev-parse", "--abbrev-ref", "HEAD").trim()).toBe("main");
    const check = TempRepo.cloneOf(bare);
    cleanup.push(() => check.dispose());
    expect(check.read(PRODUCTION)).toMatch(/shop-api\n {4}newTag: 2\.3\.2/);
  });
});

describe("promote: pull/merge requests (loopback servers speaking the GitHub and GitLab REST wire formats)", () => {
  it("GitHub: one pull request, created once, then reused and updated, never duplicated", async () => {
    const github = new FakeGitHub();
    const apiUrl = await github.start();
    cleanup.push(() => github.stop());
    const { bare, clones } = withOrigin(1);
    const clone = clones[0]!;
    const start = head(clone);
    const env = { GITHUB_REPOSITORY: "acme/config", GITHUB_TOKEN: "test-token", GITHUB_API_URL: apiUrl };

    const first = await promote(clone, ["--to", PRODUCTION_APPS, "--image", "ghcr.io/example/shop-api:2.3.2", "--mode", "pull-request"], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/created https:\/\/github\.example\/acme\/config\/pull\/\d+/);
    expect([...github.pulls.values()]).toHaveLength(1);
    const pull = [...github.pulls.values()][0]!;
    expect(pull).toMatchObject({ state: "open", head: { ref: REQUEST_BRANCH }, base: { ref: "main" }, title: `Promote shop-api:2.3.2 to ${PRODUCTION_APPS}` });
    expect(pull.body).toContain(`<!-- gitops-verify:promote ${PRODUCTION_APPS} -->`);
    expect(pull.body).toContain("`ghcr.io/example/shop-api:2.3.2`");
    // the checkout is left alone: the promotion was made in a worktree of the request's branch
    expect(head(clone)).toBe(start);
    expect(clone.status()).toBe("");
    expect(clone.git("worktree", "list").trim().split("\n")).toHaveLength(1);

    const second = await promote(clone, ["--to", PRODUCTION_APPS, "--image", "ghcr.io/example/shop-frontend:1.4.1", "--mode", "pull-request"], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/updated https:\/\/github\.example\/acme\/config\/pull\/\d+/);
    expect([...github.pulls.values()]).toHaveLength(1);
    expect(github.requests.filter((request) => request.method === "POST" && request.path.endsWith("/pulls"))).toHaveLength(1);
    expect(github.requests.filter((request) => request.method === "PATCH" && /\/pulls\/\d+$/.test(request.path))).toHaveLength(1);
    expect(pull.title).toBe(`Promote to ${PRODUCTION_APPS}: shop-frontend:1.4.1 and earlier`);
    expect(pull.body.indexOf("shop-frontend:1.4.1")).toBeLessThan(pull.body.indexOf("shop-api:2.3.2"));
    expect(pull.body.match(/<!-- gitops-verify:promote/g)).toHaveLength(1);
    expect(github.requests.every((request) => request.authorization === "token test-token")).toBe(true);

    // the branch holds both promotions, one commit each, on top of main
    const check = TempRepo.cloneOf(bare);
    cleanup.push(() => check.dispose());
    check.git("checkout", "-q", REQUEST_BRANCH);
    expect(check.git("log", "--format=%s", `origin/main..${REQUEST_BRANCH}`).trim().split("\n")).toEqual([
      `Promote shop-frontend:1.4.1 to ${PRODUCTION_APPS}`,
      `Promote shop-api:2.3.2 to ${PRODUCTION_APPS}`,
    ]);
    expect(check.read(PRODUCTION)).toMatch(/shop-frontend\n {4}newTag: 1\.4\.1[\s\S]*shop-api\n {4}newTag: 2\.3\.2/);

    // once that request is closed, the next promotion opens a new one (from main again)
    pull.state = "closed";
    const third = await promote(clone, ["--to", PRODUCTION_APPS, "--image", "ghcr.io/example/shop-worker:2.3.2", "--mode", "pull-request"], env);
    expect(third.code, third.stderr).toBe(0);
    expect([...github.pulls.values()].filter((candidate) => candidate.state === "open")).toHaveLength(1);
    check.git("fetch", "-q", "origin", `+${REQUEST_BRANCH}:refs/remotes/origin/${REQUEST_BRANCH}`);
    expect(check.git("log", "--format=%s", `origin/main..origin/${REQUEST_BRANCH}`).trim()).toBe(`Promote shop-worker:2.3.2 to ${PRODUCTION_APPS}`);
  });

  it("GitLab: one merge request, created once, then reused and updated, never duplicated", async () => {
    const gitlab = new FakeGitLab();
    const serverUrl = await gitlab.start();
    cleanup.push(() => gitlab.stop());
    const { bare, clones } = withOrigin(1);
    const clone = clones[0]!;
    const env = { GITLAB_CI: "true", CI_SERVER_URL: serverUrl, CI_PROJECT_ID: "42", GITOPS_VERIFY_GITLAB_TOKEN: "glpat-test" };

    const first = await promote(clone, ["--to", "apps/overlays/production", "--image", "ghcr.io/example/shop-api:2.3.2", "--mode", "pull-request"], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/created https:\/\/gitlab\.example\/42\/-\/merge_requests\/1/);
    const requests = () => gitlab.mergeRequests.get("42") ?? [];
    expect(requests()).toHaveLength(1);
    expect(requests()[0]).toMatchObject({ state: "opened", source_branch: REQUEST_BRANCH, target_branch: "main" });

    // staging moves on in main; promoting from it updates the open request with what staging runs now
    clone.write({ "apps/overlays/staging/kustomization.yaml": clone.read("apps/overlays/staging/kustomization.yaml").replace("shop-worker\n    newTag: 2.3.2", "shop-worker\n    newTag: 2.3.9") });
    clone.commitAll("staging: worker 2.3.9");
    clone.git("push", "-q", "origin", "main");
    const second = await promote(clone, ["--to", "apps/overlays/production", "--from", "apps/overlays/staging", "--app", "worker", "--mode", "pull-request"], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/updated https:\/\/gitlab\.example\/42\/-\/merge_requests\/1/);
    expect(requests()).toHaveLength(1);
    expect(requests()[0]!.description).toContain(`from ${STAGING_APPS}:\n\n- \`ghcr.io/example/shop-worker:2.3.9\``);
    expect(requests()[0]!.description).toMatch(/shop-worker:2\.3\.9[\s\S]*shop-api:2\.3\.2/);
    const check = TempRepo.cloneOf(bare);
    cleanup.push(() => check.dispose());
    check.git("checkout", "-q", REQUEST_BRANCH);
    expect(check.read(PRODUCTION)).toMatch(/shop-api\n {4}newTag: 2\.3\.2\n[\s\S]*shop-worker\n {4}newTag: 2\.3\.9/);
    expect(gitlab.requests.filter((request) => request.method === "POST" && request.path.endsWith("/merge_requests"))).toHaveLength(1);
    expect(gitlab.requests.filter((request) => request.method === "PUT")).toHaveLength(1);
    expect(gitlab.requests.every((request) => request.token === "glpat-test")).toBe(true);
  });

  it("pull-request mode without a code host is a clear error", async () => {
    const repo = exampleRepo();
    const run = await promote(repo, ["--to", "apps/overlays/production", "--image", "ghcr.io/example/shop-api:2.3.2", "--mode", "pull-request"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--mode pull-request needs a code host/);
  });
});

describe("promote: the GitHub Action's command: promote (against the loopback GitHub server)", () => {
  /** Runs the action's entry point as the runner does: INPUT_* variables, an event file, GITHUB_OUTPUT. */
  async function runAction(repo: TempRepo, apiUrl: string, inputs: Record<string, string>): Promise<{ code: number | null; stdout: string; outputs: Record<string, string> }> {
    const scratch = mkdtempSync(path.join(os.tmpdir(), "gv-action-"));
    cleanup.push(() => rmSync(scratch, { recursive: true, force: true }));
    const files = { event: path.join(scratch, "event.json"), output: path.join(scratch, "output"), summary: path.join(scratch, "summary") };
    writeFileSync(files.event, JSON.stringify({ ref: "refs/heads/main" }));
    writeFileSync(files.output, "");
    writeFileSync(files.summary, "");
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? os.tmpdir(),
      GITHUB_ACTIONS: "true",
      GITHUB_REPOSITORY: "acme/config",
      GITHUB_EVENT_NAME: "push",
      GITHUB_EVENT_PATH: files.event,
      GITHUB_API_URL: apiUrl,
      GITHUB_SERVER_URL: "https://github.example",
      GITHUB_RUN_ID: "7",
      GITHUB_SHA: head(repo),
      GITHUB_WORKSPACE: repo.dir,
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      INPUT_TOKEN: "action-token",
      ...Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value])),
    };
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "src/entrypoints/action-main.ts")], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stdout += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    const outputs: Record<string, string> = {};
    for (const match of readFileSync(files.output, "utf8").matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[match[1]!] = match[3]!;
    return { code, stdout, outputs };
  }

  it("commits and pushes, then opens the one pull request and reuses it", async () => {
    const github = new FakeGitHub();
    const apiUrl = await github.start();
    cleanup.push(() => github.stop());
    const { bare, clones } = withOrigin(1);
    const clone = clones[0]!;

    const committed = await runAction(clone, apiUrl, { command: "promote", target: "apps/overlays/production", images: "ghcr.io/example/shop-api:2.3.2", reason: "merged #12" });
    expect(committed.code, committed.stdout).toBe(0);
    expect(committed.outputs).toMatchObject({ result: "pass", promotion: "promoted", "pull-request-url": "" });
    expect(committed.outputs["promotion-commit"]).toMatch(/^[0-9a-f]{40}$/);
    const check = TempRepo.cloneOf(bare);
    cleanup.push(() => check.dispose());
    expect(check.read(PRODUCTION)).toMatch(/shop-api\n {4}newTag: 2\.3\.2/);
    // the runner has no git identity: the bot's is used
    expect(check.git("log", "-1", "--format=%an <%ae>").trim()).toBe("github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>");

    for (const image of ["ghcr.io/example/shop-frontend:1.4.1", "ghcr.io/example/shop-worker:2.3.2"]) {
      const run = await runAction(clone, apiUrl, { command: "promote", target: "apps/overlays/production", images: image, mode: "pull-request" });
      expect(run.code, run.stdout).toBe(0);
      expect(run.outputs["pull-request-url"]).toMatch(/^https:\/\/github\.example\/acme\/config\/pull\/\d+$/);
    }
    expect([...github.pulls.values()]).toHaveLength(1);
    expect(github.requests.every((request) => request.authorization === "token action-token")).toBe(true);

    const refused = await runAction(clone, apiUrl, { command: "promote", target: "apps/overlays/production", images: "ghcr.io/example/nothing-here:1.0.0", "dry-run": "true" });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(/::error::gitops-verify: .*nothing-here is not set anywhere/);
  });
});
