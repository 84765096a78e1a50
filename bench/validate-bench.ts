// Validation throughput of `gitops-verify validate` against kubeconform's published figure (about 7,500 resources
// per second on a 4-core laptop; kubeconform's README). kubeconform cannot be installed here, so the baseline is
// that figure, not a run; the goal is at least 3× it, on this 2-core machine.
//
// Measured in one run:
// - throughput: the command as a user runs it (`node dist/cli.js validate DIR --format json`) on N generated
//   resources in files (YAML parsing, schema validation, removed APIs, name/label/quantity checks, duplicates),
//   minus the same command on an empty directory (process start and loading the embedded schemas), and the
//   validator alone on parsed objects (schemas compiled once, before timing);
// - time to first result: the command on one Deployment with a cold start (new process, schemas compiled on first
//   use), and with a schema location on a local HTTP server: cold disk cache, then warm.
//
//   node --import tsx bench/validate-bench.ts [--resources 20000] [--runs 5] [--from-src]
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { parseManifests } from "../src/render/manifests.ts";
import { DEFAULT_VALIDATION, SchemaValidator } from "../src/schema/validate.ts";
import { resourceText } from "./manifests.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const KUBECONFORM_RESOURCES_PER_SECOND = 7500;
const GOAL_RATIO = 3;

const { values } = parseArgs({
  options: { resources: { type: "string", default: "20000" }, runs: { type: "string", default: "5" }, "from-src": { type: "boolean", default: false } },
});
const resources = Number(values.resources);
const runs = Number(values.runs);
const cli = values["from-src"] ? ["--import", "tsx", path.join(ROOT, "src/entrypoints/bin.ts")] : [path.join(ROOT, "dist/cli.js")];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function timeCli(args: string[], env: Record<string, string> = {}): { seconds: number; report: { summary: { resources: number; valid: number; invalid: number } } } {
  const started = performance.now();
  const result = spawnSync(process.execPath, [...cli, "validate", ...args, "--format", "json", "--quiet"], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
    env: { ...process.env, ...env },
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`validate exited ${result.status}: ${result.stderr}\n${result.stdout.slice(0, 2000)}`);
  return { seconds, report: JSON.parse(result.stdout) };
}

const work = mkdtempSync(path.join(os.tmpdir(), "gv-validate-bench-"));
try {
  // N resources in files of 50 objects, as a rendered repository would be laid out
  const dataDir = path.join(work, "manifests");
  const emptyDir = path.join(work, "empty");
  mkdirSync(dataDir);
  mkdirSync(emptyDir);
  const texts: string[] = [];
  for (let i = 0; i < resources; i++) texts.push(resourceText(i));
  for (let file = 0; file * 50 < resources; file++) writeFileSync(path.join(dataDir, `part-${String(file).padStart(4, "0")}.yaml`), texts.slice(file * 50, file * 50 + 50).join("---\n"));

  // 1. the command end to end, minus its fixed cost
  const full: number[] = [];
  const fixed: number[] = [];
  for (let run = 0; run < runs; run++) {
    const measured = timeCli([dataDir]);
    if (measured.report.summary.valid !== resources) throw new Error(`expected ${resources} valid resources, got ${JSON.stringify(measured.report.summary)}`);
    full.push(measured.seconds);
    fixed.push(timeCli([emptyDir]).seconds);
  }
  const perSecondCli = resources / (median(full) - median(fixed));

  // 2. the validator alone, schemas compiled once (in this process)
  const manifests = parseManifests(texts.join("---\n"), "bench");
  const validator = new SchemaValidator(DEFAULT_VALIDATION);
  await validator.validate(manifests.slice(0, 5));
  const inProcess: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const findings = await validator.validate(manifests);
    inProcess.push((performance.now() - started) / 1000);
    if (findings.length) throw new Error(`unexpected findings: ${findings[0]!.message}`);
  }
  const perSecondValidator = resources / median(inProcess);

  // 3. time to first result: one Deployment, cold process; and from a schema location over HTTP (a local server
  // stands in for raw.githubusercontent.com: this machine cannot reach it) with a cold, then a warm, disk cache
  const one = path.join(work, "one.yaml");
  writeFileSync(one, texts[0]!);
  const firstEmbedded = median(Array.from({ length: runs }, () => timeCli([one]).seconds));
  const deploymentSchema = JSON.stringify({ type: "object", properties: { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" }, spec: { type: "object" } } });
  const server = createServer((request, response) => {
    if (request.url?.endsWith("/deployment-apps-v1.json")) response.writeHead(200, { "content-type": "application/json" }).end(deploymentSchema);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const location = `http://127.0.0.1:${port}/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`;
  const cold: number[] = [];
  const warm: number[] = [];
  for (let run = 0; run < runs; run++) {
    const cache = path.join(work, `cache-${run}`);
    const args = [one, "--schema-location", location];
    // the spawned process must not block on this process's event loop: run the server in this one, the CLI apart
    cold.push((await timeCliAsync(args, { XDG_CACHE_HOME: cache })).seconds);
    warm.push((await timeCliAsync(args, { XDG_CACHE_HOME: cache })).seconds);
  }
  server.close();

  const ratio = perSecondCli / KUBECONFORM_RESOURCES_PER_SECOND;
  console.log(`validate-bench: ${resources} resources, ${runs} runs, medians, ${os.cpus().length} cores, node ${process.version}`);
  console.log(`  command end to end: ${median(full).toFixed(2)} s (fixed cost ${median(fixed).toFixed(2)} s) → ${Math.round(perSecondCli)} resources/s`);
  console.log(`  validator alone (schemas compiled once): ${median(inProcess).toFixed(3)} s → ${Math.round(perSecondValidator)} resources/s`);
  console.log(`  kubeconform's published figure: ${KUBECONFORM_RESOURCES_PER_SECOND} resources/s (4-core laptop)`);
  console.log(`  ratio (command / kubeconform): ${ratio.toFixed(1)}× (goal ${GOAL_RATIO}×: ${ratio >= GOAL_RATIO ? "met" : "NOT met"}); validator alone ${(perSecondValidator / KUBECONFORM_RESOURCES_PER_SECOND).toFixed(1)}×`);
  console.log(`  time to first result, one Deployment: embedded schemas ${firstEmbedded.toFixed(2)} s; schema location over HTTP: cold cache ${median(cold).toFixed(2)} s, warm ${median(warm).toFixed(2)} s`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

function timeCliAsync(args: string[], env: Record<string, string>): Promise<{ seconds: number }> {
  return import("node:child_process").then(
    ({ spawn }) =>
      new Promise((resolve, reject) => {
        const started = performance.now();
        const child = spawn(process.execPath, [...cli, "validate", ...args, "--format", "json", "--quiet"], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.stdout.resume();
        child.on("error", reject);
        child.on("close", (code) => (code === 0 ? resolve({ seconds: (performance.now() - started) / 1000 }) : reject(new Error(`validate exited ${code}: ${stderr}`))));
      }),
  );
}
