// Wall time of `gitops-verify verify` against the baseline a simple kustomize-diff action uses:
// for every overlay, `kubectl kustomize` at base (a git worktree of main) and at head, then `diff -u`.
// Both are measured in one run, alternating, on the same generated repositories; medians are printed.
//
//   node --import tsx bench/verify-bench.ts [--sizes 50x3,200x3] [--runs 3] [--from-src]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateRepo, ONE_FILE_CHANGE, overlayDirectories, SHARED_BASE_CHANGE, type RepoShape } from "./generate-repo.ts";

const root = path.resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 && args[index + 1] ? args[index + 1]! : fallback;
};
const sizes: RepoShape[] = option("sizes", "50x3,200x3")
  .split(",")
  .map((size) => {
    const [apps, envs] = size.split("x").map(Number);
    return { apps: apps!, envs: envs! };
  });
const runs = Number(option("runs", "3"));
const fromSource = args.includes("--from-src");

const gitEnv = { ...process.env, GIT_AUTHOR_NAME: "bench", GIT_AUTHOR_EMAIL: "bench@invalid", GIT_COMMITTER_NAME: "bench", GIT_COMMITTER_EMAIL: "bench@invalid" };
const git = (repo: string, ...gitArgs: string[]) => execFileSync("git", gitArgs, { cwd: repo, env: gitEnv, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
const log = (message: string) => process.stderr.write(`${message}\n`);

interface Scenario {
  name: string;
  branch: string;
  file: (shape: RepoShape) => string;
}

const SCENARIOS: Scenario[] = [
  { name: "one-file change", branch: "one-file", file: ONE_FILE_CHANGE },
  { name: "shared-base change", branch: "shared-base", file: () => SHARED_BASE_CHANGE },
];

function prepareRepository(shape: RepoShape): string {
  const repo = mkdtempSync(path.join(os.tmpdir(), `gv-bench-${shape.apps}x${shape.envs}-`));
  generateRepo(repo, shape);
  git(repo, "init", "-q", "-b", "main");
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", "generated");
  for (const scenario of SCENARIOS) {
    git(repo, "checkout", "-q", "-b", scenario.branch, "main");
    const file = path.join(repo, scenario.file(shape));
    // a replicas/limits bump in the overlay patch, a new port in the shared NetworkPolicy
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.includes("memory:") ? text.replace(/memory: (\d+)Mi/, "memory: 999Mi") : `${text}    - Egress\n`);
    git(repo, "commit", "-q", "-am", scenario.name);
  }
  git(repo, "checkout", "-q", "main");
  return repo;
}

/** The baseline: sequential, every overlay at both sides, as a shell-script action does it. */
function runBaseline(repo: string, overlays: string[]): { seconds: number; changed: number } {
  const started = performance.now();
  const scratch = mkdtempSync(path.join(os.tmpdir(), "gv-baseline-"));
  const worktree = path.join(scratch, "base");
  git(repo, "worktree", "add", "-q", "--detach", worktree, "main");
  let changed = 0;
  try {
    for (const overlay of overlays) {
      const baseFile = path.join(scratch, "base.yaml");
      const headFile = path.join(scratch, "head.yaml");
      writeFileSync(baseFile, execFileSync("kubectl", ["kustomize", path.join(worktree, overlay)], { maxBuffer: 1 << 28 }));
      writeFileSync(headFile, execFileSync("kubectl", ["kustomize", path.join(repo, overlay)], { maxBuffer: 1 << 28 }));
      if (spawnSync("diff", ["-u", baseFile, headFile], { stdio: "ignore" }).status === 1) changed++;
    }
  } finally {
    git(repo, "worktree", "remove", "--force", worktree);
    rmSync(scratch, { recursive: true, force: true });
  }
  return { seconds: (performance.now() - started) / 1000, changed };
}

function runVerify(repo: string): { seconds: number; changed: number } {
  const output = path.join(os.tmpdir(), `gv-bench-report-${process.pid}.json`);
  const command = fromSource
    ? [process.execPath, "--import", "tsx", path.join(root, "src/entrypoints/bin.ts")]
    : [process.execPath, path.join(root, "dist/cli.js")];
  const started = performance.now();
  const result = spawnSync(command[0]!, [...command.slice(1), "verify", "--repo", repo, "--base", "main", "--format", "json", "--output", output, "--quiet"], {
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`verify exited ${result.status}: ${result.stderr}`);
  const report = JSON.parse(readFileSync(output, "utf8")) as { summary: { changed: number } };
  rmSync(output, { force: true });
  return { seconds, changed: report.summary.changed };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const kubectlVersion = execFileSync("kubectl", ["version", "--client"], { encoding: "utf8" }).split("\n").slice(0, 2).join(", ");
log(`machine: ${os.cpus().length} cores, node ${process.version}, ${kubectlVersion}; ${runs} runs each, alternating`);
const rows: string[] = [];
for (const shape of sizes) {
  const overlays = overlayDirectories(shape);
  log(`generating ${shape.apps}×${shape.envs} (${overlays.length} overlays)`);
  const repo = prepareRepository(shape);
  try {
    for (const scenario of SCENARIOS) {
      git(repo, "checkout", "-q", scenario.branch);
      const baseline: number[] = [];
      const verify: number[] = [];
      let agreement = "";
      for (let run = 1; run <= runs; run++) {
        const b = runBaseline(repo, overlays);
        const v = runVerify(repo);
        baseline.push(b.seconds);
        verify.push(v.seconds);
        agreement = b.changed === v.changed ? `both find ${v.changed} changed` : `MISMATCH: baseline ${b.changed}, verify ${v.changed}`;
        log(`  ${shape.apps}×${shape.envs} ${scenario.name} run ${run}: baseline ${b.seconds.toFixed(2)} s, verify ${v.seconds.toFixed(2)} s (${agreement})`);
      }
      const ratio = median(baseline) / median(verify);
      rows.push(
        `| ${shape.apps}×${shape.envs} | ${scenario.name} | ${median(baseline).toFixed(2)} | ${median(verify).toFixed(2)} | ${ratio.toFixed(1)}× | ${agreement} |`,
      );
    }
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}
console.log(`\nverify vs. baseline (medians of ${runs} runs; ${os.cpus().length} cores, node ${process.version})\n`);
console.log("| size (apps×envs) | change | baseline s | verify s | speed-up | environments changed |");
console.log("|---|---|--:|--:|--:|---|");
for (const row of rows) console.log(row);
