// verify end to end through the CLI entry point: real git, real files, real `kubectl kustomize`.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Ajv } from "ajv";
import { afterEach, describe, expect, it } from "vitest";
import reportSchema from "../../schemas/report.v1.json" with { type: "json" };
import { runCli } from "../../src/entrypoints/cli.ts";
import type { RunReport } from "../../src/model.ts";
import { aliasBomb } from "../helpers/yaml-bomb.ts";
import { TempRepo } from "../helpers/repo.ts";

const CANARY = "CANARY-s3cr3t-value-7f3a";
const validateReport = new Ajv({ allErrors: true, strict: true }).compile(reportSchema);

const BASE_FILES: Record<string, string> = {
  "apps/base/kustomization.yaml": [
    "resources: [deployment.yaml, service.yaml]",
    "configMapGenerator:",
    "- name: web-config",
    "  literals: [LOG_LEVEL=info]",
    "secretGenerator:",
    "- name: web-secret",
    `  literals: [PASSWORD=${CANARY}]`,
    "",
  ].join("\n"),
  "apps/base/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ghcr.io/example/web:1.0.0
        envFrom:
        - configMapRef: {name: web-config}
        - secretRef: {name: web-secret}
`,
  "apps/base/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n",
  "apps/staging/kustomization.yaml": "namespace: staging\nresources: [../base]\n",
  "apps/production/kustomization.yaml": "namespace: production\nresources: [../base]\nreplicas:\n- name: web\n  count: 3\n",
  "infra/kustomization.yaml": "resources: [ns.yaml]\n",
  "infra/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: infra\n",
  "README.md": "docs\n",
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], cwd: string): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { GITOPS_VERIFY_FINGERPRINT_KEY: "test-key" },
    cwd,
  });
  return { code, stdout, stderr };
}

async function verifyJson(repo: TempRepo, extra: string[] = []): Promise<{ run: Run; report: RunReport }> {
  const run = await cli(["verify", "--repo", repo.dir, "--base", "main", "--format", "json", "--quiet", ...extra], repo.dir);
  const report = JSON.parse(run.stdout) as RunReport;
  // every report the CLI prints is valid against the published schema
  expect(validateReport(report) ? [] : validateReport.errors).toEqual([]);
  return { run, report };
}

const repos: TempRepo[] = [];
function repoWithChange(change: (repo: TempRepo) => void, files = BASE_FILES): TempRepo {
  const repo = TempRepo.fromFiles(files);
  repos.push(repo);
  repo.branch("change");
  change(repo);
  return repo;
}
afterEach(() => {
  for (const repo of repos.splice(0)) repo.dispose();
});

function statusOf(report: RunReport): Record<string, string> {
  return Object.fromEntries(report.environments.map((result) => [result.environment.name, result.status]));
}

describe("verify: what changes, object by object", () => {
  it("an image bump in one overlay changes only that environment", async () => {
    const repo = repoWithChange((r) =>
      r.write({ "apps/production/kustomization.yaml": BASE_FILES["apps/production/kustomization.yaml"] + "images:\n- name: ghcr.io/example/web\n  newTag: 1.1.0\n" }),
    );
    const { run, report } = await verifyJson(repo);
    expect(run.code).toBe(0);
    expect(statusOf(report)).toEqual({ "apps/production": "changed", "apps/staging": "unaffected", infra: "unaffected" });
    const production = report.environments.find((e) => e.environment.name === "apps/production")!;
    expect(production.diffs.map((d) => [d.change, d.id.kind, d.id.name])).toEqual([["changed", "Deployment", "web"]]);
    expect(production.diffs[0]!.patch).toContain("-        image: ghcr.io/example/web:1.0.0");
    expect(production.diffs[0]!.patch).toContain("+        image: ghcr.io/example/web:1.1.0");
    expect(production.diffs[0]!.source).toEqual({ file: "apps/base/deployment.yaml", line: 1 });
  });

  it("a change to the shared base changes every environment that includes it, and no other", async () => {
    const repo = repoWithChange((r) => r.write({ "apps/base/service.yaml": BASE_FILES["apps/base/service.yaml"]!.replace("80", "8080") }));
    const { report } = await verifyJson(repo);
    expect(statusOf(report)).toEqual({ "apps/production": "changed", "apps/staging": "changed", infra: "unaffected" });
    expect(report.summary.objects).toEqual({ added: 0, changed: 2, removed: 0 });
  });

  it("a generated ConfigMap is matched across its hash change", async () => {
    const repo = repoWithChange((r) =>
      r.write({ "apps/base/kustomization.yaml": BASE_FILES["apps/base/kustomization.yaml"]!.replace("LOG_LEVEL=info", "LOG_LEVEL=debug") }),
    );
    const { report } = await verifyJson(repo);
    const staging = report.environments.find((e) => e.environment.name === "apps/staging")!;
    const configMap = staging.diffs.find((d) => d.id.kind === "ConfigMap")!;
    expect(configMap.change).toBe("changed");
    expect(configMap.previousName).toMatch(/^web-config-[a-z0-9]{10}$/);
    expect(configMap.patch).toContain("+  LOG_LEVEL: debug");
    expect(staging.counts.added + staging.counts.removed).toBe(0);
  });

  it("a Secret edit shows keys, lengths and fingerprints, never the value", async () => {
    const repo = repoWithChange((r) =>
      r.write({ "apps/base/kustomization.yaml": BASE_FILES["apps/base/kustomization.yaml"]!.replace(CANARY, `${CANARY}-rotated`) }),
    );
    const outputs = await Promise.all([
      cli(["verify", "--repo", repo.dir, "--base", "main", "--format", "json"], repo.dir),
      cli(["verify", "--repo", repo.dir, "--base", "main", "--format", "markdown"], repo.dir),
      cli(["verify", "--repo", repo.dir, "--base", "main", "--format", "text"], repo.dir),
    ]);
    const report = JSON.parse(outputs[0]!.stdout) as RunReport;
    const secret = report.environments.find((e) => e.environment.name === "apps/staging")!.diffs.find((d) => d.id.kind === "Secret")!;
    expect(secret.secretKeys).toEqual([
      expect.objectContaining({ key: "PASSWORD", change: "changed", before: expect.objectContaining({ length: CANARY.length }) }),
    ]);
    const base64 = Buffer.from(CANARY).toString("base64");
    for (const output of outputs) {
      for (const text of [output.stdout, output.stderr]) {
        expect(text).not.toContain(CANARY);
        expect(text).not.toContain(base64.slice(0, 16));
      }
    }
  });

  it("new and deleted environments are all-added and all-removed", async () => {
    const repo = repoWithChange((r) => {
      r.remove("infra");
      r.write({ "apps/dev/kustomization.yaml": "namespace: dev\nresources: [../base]\n" });
    });
    const { report } = await verifyJson(repo);
    expect(statusOf(report)).toMatchObject({ "apps/dev": "added", infra: "removed" });
    const infra = report.environments.find((e) => e.environment.name === "infra")!;
    expect(infra.diffs.map((d) => d.change)).toEqual(["removed"]);
  });

  it("says which changed files no environment reads", async () => {
    const repo = repoWithChange((r) => r.write({ "README.md": "more docs\n" }));
    const { run, report } = await verifyJson(repo);
    expect(run.code).toBe(0);
    expect(report.unreadChangedFiles).toEqual(["README.md"]);
    expect(report.summary.unaffected).toBe(3);
  });

  it("compares committed revisions with --head, and leaves the working tree alone", async () => {
    const repo = repoWithChange((r) => {
      r.write({ "apps/staging/kustomization.yaml": "namespace: staging2\nresources: [../base]\n" });
      r.commitAll("move staging");
      r.write({ "scratch.txt": "uncommitted\n" });
    });
    const statusBefore = repo.status();
    const { report } = await verifyJson(repo, ["--head", "HEAD"]);
    expect(report.head.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(statusOf(report)["apps/staging"]).toBe("changed");
    expect(report.changedFiles).toEqual(["apps/staging/kustomization.yaml"]);
    expect(repo.status()).toBe(statusBefore);
    expect(repo.worktrees().match(/^worktree /gm)).toHaveLength(1);
  });
});

describe("verify: bad input gets a clear error naming file and line, exit 2, tree untouched", () => {
  it.each<{ name: string; change: Record<string, string>; message: RegExp }>([
    {
      name: "malformed YAML",
      change: { "apps/base/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels: [a\n" },
      message: /apps\/base\/service\.yaml:6.*invalid YAML/,
    },
    {
      name: "a kustomization that references a missing file",
      change: { "apps/staging/kustomization.yaml": "namespace: staging\nresources:\n- ../base\n- gone.yaml\n" },
      message: /apps\/staging\/kustomization\.yaml:4.*"gone\.yaml", which does not exist/,
    },
    {
      name: "a cycle between kustomizations",
      change: { "apps/base/kustomization.yaml": "resources:\n- ../staging\n", "apps/staging/kustomization.yaml": "resources: [../base]\n" },
      message: /cycle: apps\/(base|staging) -> apps\/(staging|base) -> apps\/(base|staging)/,
    },
    {
      name: "a path that escapes the repository",
      change: { "apps/staging/kustomization.yaml": "resources:\n- ../../../../../../etc/kubernetes\n" },
      message: /apps\/staging\/kustomization\.yaml:2.*outside the repository/,
    },
    {
      name: "a YAML alias bomb",
      change: { "apps/base/service.yaml": aliasBomb() },
      message: /apps\/base\/service\.yaml:1.*alias bomb/,
    },
  ])("$name", async ({ change, message }) => {
    const repo = repoWithChange((r) => r.write(change));
    const statusBefore = repo.status();
    const started = performance.now();
    const run = await cli(["verify", "--repo", repo.dir, "--base", "main", "--format", "text"], repo.dir);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(message);
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(repo.status()).toBe(statusBefore);
    expect(repo.worktrees().match(/^worktree /gm)).toHaveLength(1);
  });

  it("a directory that is not a git repository", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "gv-nogit-"));
    try {
      const run = await cli(["verify", "--repo", dir], dir);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/is not inside a git repository/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a base ref that does not exist", async () => {
    const repo = repoWithChange(() => {});
    const run = await cli(["verify", "--repo", repo.dir, "--base", "no-such-branch"], repo.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/git ref "no-such-branch" does not exist/);
  });

  it("a misspelt configuration key", async () => {
    const repo = repoWithChange((r) => r.write({ ".gitops-verify.yaml": "renderer: auto\nenvironmnets: {}\n" }));
    const run = await cli(["verify", "--repo", repo.dir, "--base", "main"], repo.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/\.gitops-verify\.yaml:2: unknown key "environmnets"/);
  });

  it("an unknown command or option", async () => {
    expect((await cli(["verfy"], os.tmpdir())).stderr).toMatch(/unknown command "verfy"/);
    const run = await cli(["verify", "--bse", "main"], os.tmpdir());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Unknown option '--bse'/);
  });
});

describe("list and render", () => {
  it("list shows every environment with its path", async () => {
    const repo = repoWithChange(() => {});
    const run = await cli(["list", "--repo", repo.dir, "--format", "json"], repo.dir);
    expect(run.code).toBe(0);
    const { environments } = JSON.parse(run.stdout) as { environments: Array<{ name: string; path: string; inputs: string[] }> };
    expect(environments.map((e) => e.name)).toEqual(["apps/production", "apps/staging", "infra"]);
    expect(environments[0]!.inputs).toContain("apps/base/deployment.yaml");
  });

  it("render prints what kustomize prints, with Secret values masked unless asked", async () => {
    const repo = repoWithChange(() => {});
    const masked = await cli(["render", "apps/staging", "--repo", repo.dir], repo.dir);
    expect(masked.code).toBe(0);
    expect(masked.stdout).toContain("kind: Deployment");
    expect(masked.stdout).not.toContain(Buffer.from(CANARY).toString("base64"));
    const shown = await cli(["render", "apps/staging", "--repo", repo.dir, "--show-secrets"], repo.dir);
    expect(shown.stdout).toContain(Buffer.from(CANARY).toString("base64"));
    expect(shown.stdout.replace(/PASSWORD: .*/, "")).toBe(masked.stdout.replace(/PASSWORD: .*/, ""));
  });

  it("render names the known environments when one is unknown", async () => {
    const repo = repoWithChange(() => {});
    const run = await cli(["render", "apps/nope", "--repo", repo.dir], repo.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no environment named "apps\/nope" \(known: apps\/production, apps\/staging, infra\)/);
  });
});
