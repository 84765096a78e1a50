// The GitHub Action's entry point, run as GitHub runs it (a node process with INPUT_* variables and an event
// file), against FakeGitHub: an HTTP server on 127.0.0.1 speaking GitHub's REST wire format, since no real
// GitHub can be reached from here.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeGitHub } from "../helpers/fake-github.ts";
import { startKubeApiServer } from "../helpers/kube-api-server.ts";
import { TempRepo } from "../helpers/repo.ts";

const root = path.resolve(import.meta.dirname, "../..");
const CANARY = "CANARY-gh-s3cr3t-91c2";
const MARKER = "<!-- gitops-verify -->";

const FILES: Record<string, string> = {
  "apps/base/kustomization.yaml": `resources: [deployment.yaml]\nsecretGenerator:\n- name: creds\n  literals: [TOKEN=${CANARY}]\n`,
  "apps/base/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.0\n",
  "apps/staging/kustomization.yaml": "namespace: staging\nresources: [../base]\n",
  "apps/production/kustomization.yaml": "namespace: production\nresources: [../base]\n",
};

interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  reportDir: string;
}

let github: FakeGitHub;
let apiUrl: string;
const cleanup: Array<() => void> = [];

beforeEach(async () => {
  github = new FakeGitHub();
  apiUrl = await github.start();
});
afterEach(async () => {
  await github.stop();
  cleanup.splice(0).forEach((fn) => fn());
});

function pullRequestRepo(change: (repo: TempRepo) => void): { repo: TempRepo; baseSha: string; headSha: string } {
  const repo = TempRepo.fromFiles(FILES);
  cleanup.push(() => repo.dispose());
  const baseSha = repo.git("rev-parse", "HEAD").trim();
  repo.branch("feature");
  change(repo);
  const headSha = repo.commitAll("change");
  return { repo, baseSha, headSha };
}

/** Runs the action entry point (from source, or the committed bundle) as the runner would. */
async function runAction(repo: TempRepo, pr: { baseSha: string; headSha: string }, inputs: Record<string, string> = {}, bundle = false): Promise<ActionRun> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "gv-action-"));
  cleanup.push(() => rmSync(scratch, { recursive: true, force: true }));
  const eventPath = path.join(scratch, "event.json");
  writeFileSync(eventPath, JSON.stringify({ pull_request: { number: 7, base: { sha: pr.baseSha }, head: { sha: pr.headSha } } }));
  const outputFile = path.join(scratch, "output");
  const summaryFile = path.join(scratch, "summary");
  writeFileSync(outputFile, "");
  writeFileSync(summaryFile, "");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? os.tmpdir(),
    GITHUB_ACTIONS: "true",
    GITHUB_REPOSITORY: "acme/config",
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_API_URL: apiUrl,
    GITHUB_SERVER_URL: "https://github.example",
    GITHUB_RUN_ID: "42",
    GITHUB_SHA: pr.headSha,
    GITHUB_WORKSPACE: repo.dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    INPUT_TOKEN: "test-token",
    "INPUT_OUTPUT-DIR": path.join(scratch, "report"),
    ...Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value])),
  };
  const args = bundle ? [path.join(root, "dist/action.js")] : ["--import", "tsx", path.join(root, "src/entrypoints/action-main.ts")];
  // the action finds the repository through GITHUB_WORKSPACE; the cwd lets `--import tsx` resolve
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stdout, stderr, outputs: parseOutputs(readFileSync(outputFile, "utf8")), summary: readFileSync(summaryFile, "utf8"), reportDir: path.join(scratch, "report") };
}

/** GITHUB_OUTPUT holds `name<<DELIMITER\nvalue\nDELIMITER` blocks. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1]!] = match[3]!;
  return outputs;
}

const bump = (tag: string) => (repo: TempRepo) =>
  repo.write({ "apps/production/kustomization.yaml": `namespace: production\nresources: [../base]\nimages:\n- name: nginx\n  newTag: "${tag}"\n` });

describe("GitHub Action", () => {
  it("creates the sticky comment, then updates it in place: one comment in all", async () => {
    const { repo, baseSha, headSha } = pullRequestRepo(bump("1.1"));
    const first = await runAction(repo, { baseSha, headSha });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(github.comments.get(7)).toHaveLength(1);
    expect(github.comments.get(7)![0]!.body).toContain(MARKER);
    expect(github.comments.get(7)![0]!.body).toMatch(/^\+.*image: nginx:1\.1$/m);
    expect(first.outputs).toMatchObject({ result: "pass", "changed-environments": "1", "objects-changed": "1" });

    bump("1.2")(repo);
    const second = await runAction(repo, { baseSha, headSha: repo.commitAll("another push") });
    expect(second.code).toBe(0);
    expect(github.comments.get(7)).toHaveLength(1);
    expect(github.comments.get(7)![0]!.body).toMatch(/^\+.*image: nginx:1\.2$/m);
    expect(github.requests.filter((r) => r.method === "PATCH" && r.path.includes("/issues/comments/"))).toHaveLength(1);
  });

  it("says so when the pull request no longer changes anything rendered", async () => {
    const { repo, baseSha, headSha } = pullRequestRepo(bump("1.1"));
    await runAction(repo, { baseSha, headSha });
    repo.write({ "apps/production/kustomization.yaml": FILES["apps/production/kustomization.yaml"]! });
    const run = await runAction(repo, { baseSha, headSha: repo.commitAll("revert") });
    expect(run.code).toBe(0);
    expect(github.comments.get(7)).toHaveLength(1);
    expect(github.comments.get(7)![0]!.body).toMatch(/no rendered changes/);
  });

  it("sets a check run with the gate result on the pull request's head", async () => {
    const { repo, baseSha, headSha } = pullRequestRepo(bump("1.1"));
    await runAction(repo, { baseSha, headSha });
    const [run] = [...github.checkRuns.values()];
    expect(run).toMatchObject({ name: "gitops-verify", head_sha: headSha, conclusion: "success" });
    expect(run!.output.title).toMatch(/1 environment changed/);
  });

  it("fails the check and annotates every finding, at most 50 annotations a request", async () => {
    const broken: Record<string, string> = {};
    for (let i = 0; i < 60; i++) broken[`envs/e${String(i).padStart(2, "0")}/kustomization.yaml`] = `resources:\n- missing-${i}.yaml\n`;
    const { repo, baseSha, headSha } = pullRequestRepo((r) => r.write(broken));
    const run = await runAction(repo, { baseSha, headSha });
    expect(run.code).toBe(2);
    expect(run.outputs.result).toBe("error");
    const [check] = [...github.checkRuns.values()];
    expect(check!.conclusion).toBe("failure");
    expect(check!.annotationCount).toBe(60);
    for (const request of github.requests.filter((r) => r.path.includes("/check-runs"))) {
      expect(((request.body.output as { annotations?: unknown[] })?.annotations ?? []).length).toBeLessThanOrEqual(50);
    }
    expect(github.comments.get(7)![0]!.body).toMatch(/could not complete/);
    expect(github.comments.get(7)![0]!.body.length).toBeLessThanOrEqual(65_536);
  });

  it("falls back to a commit status when the token cannot create check runs", async () => {
    const { repo, baseSha, headSha } = pullRequestRepo(bump("1.1"));
    github.failNext("POST", /\/check-runs$/, 403, 1, {}, { message: "Resource not accessible by integration" });
    const run = await runAction(repo, { baseSha, headSha });
    expect(run.code).toBe(0);
    expect(github.statuses).toEqual([expect.objectContaining({ sha: headSha, state: "success", context: "gitops-verify" })]);
  });

  it("annotates through workflow commands when there is no check run, within GitHub's per-step limit", async () => {
    const broken: Record<string, string> = {};
    for (let i = 0; i < 14; i++) broken[`envs/e${String(i).padStart(2, "0")}/kustomization.yaml`] = `resources:\n- missing-${i}.yaml\n`;
    const { repo, baseSha, headSha } = pullRequestRepo((r) => r.write(broken));
    github.failNext("POST", /\/check-runs$/, 403, 1, {}, { message: "Resource not accessible by integration" });
    const run = await runAction(repo, { baseSha, headSha });
    expect(run.code).toBe(2);
    const commands = run.stdout.split("\n").filter((line) => line.startsWith("::error "));
    expect(commands).toHaveLength(10);
    expect(commands[0]).toMatch(/^::error title=gitops-verify%3A kustomization-invalid,file=envs\/e00\/kustomization\.yaml,line=2::envs\/e00: /);
    expect(run.stdout).toMatch(/4 more findings are not annotated/);
    expect(github.statuses[0]).toMatchObject({ state: "error" });
  });

  it("retries a 502, then succeeds", async () => {
    const { repo, baseSha, headSha } = pullRequestRepo(bump("1.1"));
    github.failNext("POST", /\/issues\/7\/comments$/, 502, 1);
    const run = await runAction(repo, { baseSha, headSha });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/GitHub answered 502; retrying/);
    expect(github.comments.get(7)).toHaveLength(1);
  });

  it("keeps an over-long report within the comment limit, shrinking on a 422", async () => {
    const { repo, baseSha, headSha } = pullRequestRepo((r) => {
      const big: Record<string, string> = {};
      for (let i = 0; i < 40; i++) {
        const lines = Array.from({ length: 200 }, (_, j) => `  key${j}: "value ${i} ${j} ${"x".repeat(30)}"`).join("\n");
        big[`apps/base/cm${i}.yaml`] = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm${i}\ndata:\n${lines}\n`;
      }
      r.write(big);
      r.write({ "apps/base/kustomization.yaml": `resources: [deployment.yaml, ${Object.keys(big).map((f) => path.basename(f)).join(", ")}]\nsecretGenerator:\n- name: creds\n  literals: [TOKEN=${CANARY}]\n` });
    });
    github.commentLimit = 30_000; // refuse what GitHub would accept, to force the 422 path
    const run = await runAction(repo, { baseSha, headSha });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/the pull request comment was refused \(422\)/);
    const body = github.comments.get(7)![0]!.body;
    expect(body.length).toBeLessThanOrEqual(30_000);
    expect(body).toMatch(/shortened to fit/i);
    // the full report is in the job summary and the files
    expect(run.summary.length).toBeGreaterThan(body.length);
    expect(run.summary.length).toBeLessThanOrEqual(1024 * 1024);
  });

  it("writes every report file and never lets a Secret value out", async () => {
    const { repo, baseSha, headSha } = pullRequestRepo((r) => {
      bump("1.1")(r);
      r.write({ "apps/base/kustomization.yaml": FILES["apps/base/kustomization.yaml"]!.replace(CANARY, `${CANARY}-rotated`) });
    });
    const run = await runAction(repo, { baseSha, headSha });
    expect(run.code).toBe(0);
    expect(readdirSync(run.reportDir).sort()).toEqual(["gl-code-quality-report.json", "junit.xml", "report.json", "report.md", "report.sarif"]);
    const everything = [
      github.everythingSent(),
      run.summary,
      run.stdout,
      run.stderr,
      JSON.stringify(run.outputs),
      ...readdirSync(run.reportDir).map((file) => readFileSync(path.join(run.reportDir, file), "utf8")),
    ].join("\n");
    expect(everything).toContain("TOKEN: changed");
    for (const secret of [CANARY, Buffer.from(CANARY).toString("base64"), Buffer.from(`${CANARY}-rotated`).toString("base64").slice(0, 20)]) {
      expect(everything).not.toContain(secret);
    }
  });

  it("reports a bad configuration in the comment and fails", async () => {
    const { repo, baseSha, headSha } = pullRequestRepo((r) => r.write({ ".gitops-verify.yaml": "renderer: auto\nrendrer: kubectl\n" }));
    const run = await runAction(repo, { baseSha, headSha });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/::error::gitops-verify: \.gitops-verify\.yaml:2: unknown key "rendrer"/);
    expect(github.comments.get(7)![0]!.body).toMatch(/could not complete[\s\S]*unknown key "rendrer"/);
  });

  it("rejects an unknown input value clearly", async () => {
    const { repo, baseSha, headSha } = pullRequestRepo(bump("1.1"));
    const run = await runAction(repo, { baseSha, headSha }, { "fail-on": "sometimes" });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/input fail-on: "sometimes" is not one of error, warning, notice, never/);
  });

  it("command: apply, then drift, through the committed bundle (its on-demand Kubernetes chunk) against the API stand-in", async () => {
    // no real API server can be installed here: the stand-in on 127.0.0.1 speaks the Kubernetes wire format
    const api = await startKubeApiServer({ controller: { intervalMs: 20 } });
    cleanup.push(() => api.close());
    const repo = TempRepo.fromFiles({
      ".gitops-verify.yaml": "policies:\n  builtin: false\napply:\n  wait:\n    intervalSeconds: 0.05\n",
      "deploy/kustomization.yaml": "namespace: production\nresources: [namespace.yaml, deployment.yaml]\n",
      "deploy/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: production\n",
      "deploy/deployment.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n",
    });
    cleanup.push(() => repo.dispose());
    const headSha = repo.git("rev-parse", "HEAD").trim();
    const baseSha = headSha;
    const kubeconfig = await api.writeKubeconfig(repo.dir + "-kube");
    cleanup.push(() => rmSync(repo.dir + "-kube", { recursive: true, force: true }));
    const applied = await runAction(repo, { baseSha, headSha }, { command: "apply", environment: "deploy", kubeconfig, timeout: "30" }, true);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.outputs).toMatchObject({ result: "pass", "apply-result": "applied" });
    expect(applied.summary).toContain("gitops-verify apply: deploy — applied");
    expect(api.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: "production", name: "web" })).toBeDefined();
    const drift = await runAction(repo, { baseSha, headSha }, { command: "drift", environment: "deploy", kubeconfig }, true);
    expect(drift.code, drift.stdout + drift.stderr).toBe(0);
    expect(drift.outputs).toMatchObject({ result: "pass", drift: "none", "issue-url": "" });
  });

  it("the committed bundle runs (dist/action.js)", async () => {
    expect(existsSync(path.join(root, "dist/action.js"))).toBe(true);
    const { repo, baseSha, headSha } = pullRequestRepo(bump("1.1"));
    const run = await runAction(repo, { baseSha, headSha }, {}, true);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(github.comments.get(7)).toHaveLength(1);
  });
});
