// Wall time of `gitops-verify verify` against the baseline a simple kustomize-diff action uses: a git
// worktree of the base, then for every overlay `kubectl kustomize` at base and at head, one after the
// other, each written to a file, and `diff -u`. Both run on the same generated repositories, alternating
// within each run so that drift in machine load hits both alike; medians are reported.
//
//   node --import tsx bench/verify-bench.ts [--sizes 50x3,200x3] [--runs 3] [--from-src] [--output FILE]
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { applyChange, benchChanges, generateRepo, overlayDirectories, type RepoChange, type RepoShape } from "./generate-repo.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const USAGE = "usage: verify-bench.ts [--sizes 50x3,200x3] [--runs 3] [--from-src] [--output FILE]";

interface Options {
  sizes: RepoShape[];
  runs: number;
  fromSource: boolean;
  output?: string;
}

interface Measurement {
  seconds: number;
  /** Environments found changed, sorted: both sides must agree for the timing to mean anything. */
  changed: string[];
}

interface Row {
  shape: RepoShape;
  change: RepoChange;
  baseline: number[];
  verify: number[];
  changed: number;
  agree: boolean;
}

class Interrupted extends Error {}
class UsageError extends Error {}

// Ctrl-C reaches the running child too (same process group), which makes it fail and unwinds to the
// cleanup; the flag also stops the run when only this process was signalled.
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => (interrupted = true));

const log = (message: string) => process.stderr.write(`${message}\n`);

function parseOptions(argv: string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        sizes: { type: "string", default: "50x3,200x3" },
        runs: { type: "string", default: "3" },
        "from-src": { type: "boolean", default: false },
        output: { type: "string" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const sizes = values.sizes.split(",").map((size) => {
    const match = /^(\d+)[x×](\d+)$/.exec(size.trim());
    if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) throw new UsageError(`--sizes: "${size}" is not APPSxENVS, e.g. 50x3`);
    return { apps: Number(match[1]), envs: Number(match[2]) };
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs: "${values.runs}" is not a positive integer`);
  return { sizes, runs, fromSource: values["from-src"], output: values.output };
}

/** Runs a command to completion. stdout goes to a file descriptor (as a shell redirect would) or is collected. */
function run(command: string, args: string[], options: { cwd?: string; stdoutFd?: number; okCodes?: number[] } = {}): Promise<{ code: number; stdout: string }> {
  if (interrupted) return Promise.reject(new Interrupted("interrupted"));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ["ignore", options.stdoutFd ?? "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (interrupted || signal) reject(new Interrupted(`${command} stopped by ${signal ?? "an interrupt"}`));
      else if ((options.okCodes ?? [0]).includes(code ?? -1)) resolve({ code: code!, stdout });
      else reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${stderr.trim()}`));
    });
  });
}

/** `command > file`, as a shell would run it. */
async function runInto(file: string, command: string, args: string[], okCodes = [0]): Promise<{ code: number }> {
  const fd = openSync(file, "w");
  try {
    return await run(command, args, { stdoutFd: fd, okCodes });
  } finally {
    closeSync(fd);
  }
}

const git = (repo: string, ...args: string[]) => run("git", ["-C", repo, ...args]);

async function prepareRepository(repo: string, shape: RepoShape): Promise<void> {
  mkdirSync(repo);
  generateRepo(repo, shape);
  await git(repo, "init", "-q", "-b", "main");
  // Local identity, and no signing: the user's git configuration must not matter.
  await git(repo, "config", "user.name", "gitops-verify bench");
  await git(repo, "config", "user.email", "bench@gitops-verify.invalid");
  await git(repo, "config", "commit.gpgsign", "false");
  await git(repo, "add", "-A");
  await git(repo, "commit", "-q", "-m", "generated repository");
  for (const change of Object.values(benchChanges(shape))) {
    await git(repo, "checkout", "-q", "-b", change.id, "main");
    applyChange(repo, change);
    await git(repo, "commit", "-q", "-am", change.description);
  }
}

/** The baseline, as a shell-script action does it: sequential, every overlay, both sides, then diff. */
async function runBaseline(repo: string, overlays: string[], scratch: string): Promise<Measurement> {
  mkdirSync(scratch);
  const worktree = path.join(scratch, "base");
  const started = performance.now();
  try {
    await git(repo, "worktree", "add", "-q", "--detach", worktree, "main");
    const changed: string[] = [];
    for (const overlay of overlays) {
      const stem = path.join(scratch, overlay.replaceAll("/", "__"));
      await runInto(`${stem}.base.yaml`, "kubectl", ["kustomize", path.join(worktree, overlay)]);
      await runInto(`${stem}.head.yaml`, "kubectl", ["kustomize", path.join(repo, overlay)]);
      const { code } = await runInto(`${stem}.diff`, "diff", ["-u", `${stem}.base.yaml`, `${stem}.head.yaml`], [0, 1]);
      if (code === 1) changed.push(overlay);
    }
    return { seconds: (performance.now() - started) / 1000, changed: changed.sort() };
  } finally {
    // Not part of the time: an action's runner throws its workspace away. Deleting the worktree and
    // pruning is what `git worktree remove` does; once interrupted, the whole repository goes anyway.
    rmSync(scratch, { recursive: true, force: true });
    if (!interrupted) await git(repo, "worktree", "prune");
  }
}

function verifyCommand(fromSource: boolean): string[] {
  // src/entrypoints/bin.ts is what dist/cli.js is bundled from; cli.ts only exports runCli.
  return fromSource ? [process.execPath, "--import", "tsx", path.join(ROOT, "src/entrypoints/bin.ts")] : [process.execPath, path.join(ROOT, "dist/cli.js")];
}

async function runVerify(repo: string, fromSource: boolean, report: string): Promise<Measurement> {
  const [command, ...prefix] = verifyCommand(fromSource);
  const started = performance.now();
  // The report goes to a file rather than /dev/null so its result can be checked against the baseline's.
  await run(command!, [...prefix, "verify", "--repo", repo, "--base", "main", "--format", "json", "--output", report, "--quiet"], { cwd: ROOT });
  const seconds = (performance.now() - started) / 1000;
  const parsed = JSON.parse(readFileSync(report, "utf8")) as { environments: { environment: { name: string }; status: string }[] };
  rmSync(report);
  const changed = parsed.environments.filter((result) => result.status === "changed").map((result) => result.environment.name);
  return { seconds, changed: changed.sort() };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function machineInfo(fromSource: boolean): Promise<string[]> {
  const versionOf = async (command: string, args: string[]) => (await run(command, args).catch(() => ({ stdout: "" }))).stdout.trim();
  const kubectl = (await versionOf("kubectl", ["version", "--client"])).split("\n").join(", ");
  const kustomize = await versionOf("kustomize", ["version"]);
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown CPU";
  return [
    `machine: ${os.availableParallelism()} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`,
    `node ${process.version}; ${kubectl || "kubectl: not found"}; ${await versionOf("git", ["--version"])}`,
    `verify: ${fromSource ? "src/ through tsx" : "dist/cli.js"}, rendering with ${kustomize ? `kustomize ${kustomize}` : "kubectl kustomize (no kustomize on PATH)"}`,
  ];
}

function table(rows: Row[], runs: number, info: string[]): string {
  const lines = [
    `## gitops-verify verify vs. a kustomize-diff baseline (${new Date().toISOString().slice(0, 10)})`,
    "",
    ...info.map((line) => `- ${line}`),
    `- medians of ${runs} run${runs === 1 ? "" : "s"} each, baseline and verify alternating; wall-clock seconds`,
    "",
    "| size (apps×envs) | scenario | baseline s | verify s | ratio (baseline/verify) | environments changed |",
    "|---|---|--:|--:|--:|---|",
  ];
  for (const row of rows) {
    const [baseline, verify] = [median(row.baseline), median(row.verify)];
    const changed = row.agree ? `${row.changed} of ${row.shape.apps * row.shape.envs}` : "MISMATCH (see progress output)";
    lines.push(`| ${row.shape.apps}×${row.shape.envs} | ${row.change.description} | ${baseline.toFixed(2)} | ${verify.toFixed(2)} | ${(baseline / verify).toFixed(1)}× | ${changed} |`);
  }
  return `${lines.join("\n")}\n`;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const info = await machineInfo(options.fromSource);
  for (const line of info) log(line);
  const work = mkdtempSync(path.join(os.tmpdir(), "gv-bench-"));
  const rows: Row[] = [];
  try {
    for (const shape of options.sizes) {
      const label = `${shape.apps}×${shape.envs}`;
      const overlays = overlayDirectories(shape);
      const repo = path.join(work, `repo-${shape.apps}x${shape.envs}`);
      log(`${label}: generating ${overlays.length} overlays and the scenario branches`);
      await prepareRepository(repo, shape);
      // Untimed warm-up, so the first timed run does not also pay for cold binaries and page cache.
      await run("kubectl", ["kustomize", path.join(repo, overlays[0]!)]);
      await run(verifyCommand(options.fromSource)[0]!, [...verifyCommand(options.fromSource).slice(1), "--version"], { cwd: ROOT });
      const measure = {
        baseline: () => runBaseline(repo, overlays, path.join(work, "baseline")),
        verify: () => runVerify(repo, options.fromSource, path.join(work, "report.json")),
      };
      for (const change of Object.values(benchChanges(shape))) {
        await git(repo, "checkout", "-q", change.id);
        const row: Row = { shape, change, baseline: [], verify: [], changed: 0, agree: true };
        for (let i = 1; i <= options.runs; i++) {
          // Odd runs start with the baseline, even runs with verify.
          const order = i % 2 ? (["baseline", "verify"] as const) : (["verify", "baseline"] as const);
          const result = {} as Record<(typeof order)[number], Measurement>;
          for (const which of order) result[which] = await measure[which]();
          const { baseline, verify } = result;
          row.baseline.push(baseline.seconds);
          row.verify.push(verify.seconds);
          row.changed = verify.changed.length;
          const agree = baseline.changed.join("\n") === verify.changed.join("\n");
          row.agree &&= agree;
          const verdict = agree ? `both: ${verify.changed.length} changed` : `MISMATCH: baseline [${baseline.changed.join(", ")}], verify [${verify.changed.join(", ")}]`;
          log(`  ${label} ${change.id} run ${i}/${options.runs}: baseline ${baseline.seconds.toFixed(2)} s, verify ${verify.seconds.toFixed(2)} s (${verdict})`);
        }
        rows.push(row);
      }
      rmSync(repo, { recursive: true, force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const results = table(rows, options.runs, info);
  process.stdout.write(`\n${results}`);
  if (options.output) {
    writeFileSync(options.output, results);
    log(`results written to ${options.output}`);
  }
  return rows.every((row) => row.agree) ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof Interrupted) {
    log("interrupted; temporary files removed");
    process.exitCode = 130;
  } else {
    log(error instanceof UsageError ? `${error.message}\n${USAGE}` : `bench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  }
}
