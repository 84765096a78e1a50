// The command line in a GitLab merge request pipeline (GITLAB_CI=true and the CI_* variables), against
// FakeGitLab: an HTTP server on 127.0.0.1 speaking GitLab's REST v4 wire format, since no real GitLab can be
// reached from here.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeGitLab } from "../helpers/fake-gitlab.ts";
import { TempRepo } from "../helpers/repo.ts";

const root = path.resolve(import.meta.dirname, "../..");
const CANARY = "CANARY-gl-s3cr3t-55ab";
const FILES: Record<string, string> = {
  "env/kustomization.yaml": `resources: [cm.yaml]\nsecretGenerator:\n- name: creds\n  literals: [TOKEN=${CANARY}]\n`,
  "env/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: slow\n",
};

let gitlab: FakeGitLab;
let serverUrl: string;
const repos: TempRepo[] = [];
beforeEach(async () => {
  gitlab = new FakeGitLab();
  serverUrl = await gitlab.start();
});
afterEach(async () => {
  await gitlab.stop();
  repos.splice(0).forEach((repo) => repo.dispose());
});

function mergeRequest(change: (repo: TempRepo) => void): { repo: TempRepo; baseSha: string } {
  const repo = TempRepo.fromFiles(FILES);
  repos.push(repo);
  const baseSha = repo.git("rev-parse", "HEAD").trim();
  repo.branch("feature");
  change(repo);
  repo.commitAll("change");
  return { repo, baseSha };
}

async function runJob(repo: TempRepo, baseSha: string, extraEnv: Record<string, string> = {}, args: string[] = []) {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    GITLAB_CI: "true",
    CI_SERVER_URL: serverUrl,
    CI_PROJECT_ID: "42",
    CI_MERGE_REQUEST_IID: "3",
    CI_MERGE_REQUEST_DIFF_BASE_SHA: baseSha,
    CI_COMMIT_SHA: repo.git("rev-parse", "HEAD").trim(),
    CI_JOB_URL: "https://gitlab.example/acme/config/-/jobs/9",
    GITOPS_VERIFY_GITLAB_TOKEN: "glpat-test",
    ...extraEnv,
  };
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "src/entrypoints/bin.ts"), "verify", "--repo", repo.dir, ...args], { cwd: root, env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stdout, stderr, reportDir: path.join(repo.dir, "gitops-verify-report") };
}

const edit = (mode: string) => (repo: TempRepo) => repo.write({ "env/cm.yaml": FILES["env/cm.yaml"]!.replace("slow", mode) });

describe("GitLab merge request pipeline", () => {
  it("creates one note, then updates it in place", async () => {
    const { repo, baseSha } = mergeRequest(edit("fast"));
    const first = await runJob(repo, baseSha);
    expect(first.code, first.stderr).toBe(0);
    const notes = () => gitlab.notes.get("42!3") ?? [];
    expect(notes()).toHaveLength(1);
    expect(notes()[0]!.body).toContain("+  mode: fast");
    expect(gitlab.requests.every((request) => request.token === "glpat-test")).toBe(true);

    edit("faster")(repo);
    repo.commitAll("again");
    const second = await runJob(repo, baseSha);
    expect(second.code).toBe(0);
    expect(notes()).toHaveLength(1);
    expect(notes()[0]!.body).toContain("+  mode: faster");
  });

  it("retries a 502", async () => {
    const { repo, baseSha } = mergeRequest(edit("fast"));
    gitlab.failNext("POST", /\/notes$/, 502);
    const run = await runJob(repo, baseSha);
    expect(run.code, run.stderr).toBe(0);
    expect(gitlab.notes.get("42!3")).toHaveLength(1);
  });

  it("shrinks a note GitLab refuses as too long", async () => {
    const { repo, baseSha } = mergeRequest((r) => {
      const data = Array.from({ length: 400 }, (_, i) => `  k${i}: "${"v".repeat(60)}"`).join("\n");
      r.write({ "env/cm.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n${data}\n` });
    });
    gitlab.noteLimit = 12_000;
    const run = await runJob(repo, baseSha);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/the merge request note was refused \(400\)/);
    expect(gitlab.notes.get("42!3")![0]!.body.length).toBeLessThanOrEqual(12_000);
  });

  it("writes JUnit and code quality artifacts and fails the job on a render error", async () => {
    const { repo, baseSha } = mergeRequest((r) => r.write({ "env/kustomization.yaml": "resources:\n- cm.yaml\n- missing.yaml\n" }));
    const run = await runJob(repo, baseSha);
    expect(run.code).toBe(2);
    const junit = readFileSync(path.join(run.reportDir, "junit.xml"), "utf8");
    expect(XMLValidator.validate(junit)).toBe(true);
    expect(junit).toContain('failures="1"');
    const quality = JSON.parse(readFileSync(path.join(run.reportDir, "gl-code-quality-report.json"), "utf8"));
    expect(quality[0]).toMatchObject({ check_name: "kustomization-invalid", location: { path: "env/kustomization.yaml", lines: { begin: 3 } } });
    expect(gitlab.notes.get("42!3")![0]!.body).toMatch(/could not complete/);
  });

  it("says clearly why there is no note without a token, and still writes the reports", async () => {
    const { repo, baseSha } = mergeRequest(edit("fast"));
    const run = await runJob(repo, baseSha, { GITOPS_VERIFY_GITLAB_TOKEN: "" });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/no merge request note: GITOPS_VERIFY_GITLAB_TOKEN is not set \(a project or group access token with api scope; CI_JOB_TOKEN cannot post notes\)/);
    expect(gitlab.requests).toEqual([]);
    expect(readFileSync(path.join(run.reportDir, "report.json"), "utf8")).toContain('"schemaVersion": 1');
  });

  it("lets no Secret value out: note, logs, artifacts", async () => {
    const { repo, baseSha } = mergeRequest((r) => r.write({ "env/kustomization.yaml": FILES["env/kustomization.yaml"]!.replace(CANARY, `${CANARY}-new`) }));
    const run = await runJob(repo, baseSha);
    expect(run.code).toBe(0);
    const everything = [
      JSON.stringify(gitlab.requests),
      run.stdout,
      run.stderr,
      ...["report.json", "report.md", "report.sarif", "junit.xml", "gl-code-quality-report.json"].map((file) => readFileSync(path.join(run.reportDir, file), "utf8")),
    ].join("\n");
    expect(everything).toContain("TOKEN: changed");
    for (const secret of [CANARY, Buffer.from(CANARY).toString("base64").slice(0, 20), Buffer.from(`${CANARY}-new`).toString("base64").slice(0, 20)]) {
      expect(everything).not.toContain(secret);
    }
  });
});
