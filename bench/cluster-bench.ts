// apply and drift over one environment of many objects, against the Kubernetes API stand-in on 127.0.0.1 (no real API
// server can be installed here). Each request costs the stand-in's work plus `--latency` ms of added delay, as a
// remote API server would, so the figure shows how the request pattern scales: objects per second for a first
// apply (dry run, staged apply, wait), an unchanged re-apply, and a drift check, with the default requests in flight
// (apply.concurrency: 8) against one request at a time, the baseline, measured in the same run; medians.
//
//   node --import tsx bench/cluster-bench.ts [--objects 400] [--latency 5] [--runs 3]
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { runCli } from "../src/entrypoints/cli.ts";
import { startKubeApiServer } from "../test/helpers/kube-api-server.ts";
import { TempRepo } from "../test/helpers/repo.ts";

const { values } = parseArgs({ options: { objects: { type: "string", default: "400" }, latency: { type: "string", default: "5" }, runs: { type: "string", default: "3" } } });
const objects = Number(values.objects);
const latency = Number(values.latency);
const runs = Number(values.runs);

function repository(concurrency: number): Record<string, string> {
  const files: Record<string, string> = {
    ".gitops-verify.yaml": `apply:\n  concurrency: ${concurrency}\n  wait:\n    intervalSeconds: 0.1\n    timeoutSeconds: 120\npolicies:\n  enabled: false\nschemas:\n  enabled: false\n`,
    "env/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: bench\n",
  };
  const resources = ["namespace.yaml"];
  for (let i = 0; i < objects; i++) {
    const file = `object-${i}.yaml`;
    resources.push(file);
    files[`env/${file}`] =
      i % 4 === 0
        ? `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\n  namespace: bench\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: app-${i}}\n  template:\n    metadata:\n      labels: {app: app-${i}}\n    spec:\n      containers:\n        - name: app\n          image: ghcr.io/acme/app:1.${i}.0\n`
        : `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-${i}\n  namespace: bench\ndata:\n  index: "${i}"\n`;
  }
  files["env/kustomization.yaml"] = `resources:\n${resources.map((file) => `  - ${file}`).join("\n")}\n`;
  return files;
}

async function timed(args: string[], expected: number): Promise<number> {
  let output = "";
  const started = performance.now();
  const code = await runCli(args, { stdout: { write: (text: string) => (output += text) }, stderr: { write: (text: string) => (output += text) }, env: { PATH: process.env.PATH, HOME: process.env.HOME }, cwd: process.cwd() });
  const elapsed = performance.now() - started;
  if (code !== expected) throw new Error(`${args[0]} exited ${code}, expected ${expected}:\n${output.slice(-2000)}`);
  return elapsed;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type Figures = { first: number[]; again: number[]; drift: number[] };

async function measure(concurrency: number, figures: Figures): Promise<void> {
  const repo = TempRepo.fromFiles(repository(concurrency));
  const api = await startKubeApiServer({ controller: { intervalMs: 20 }, latencyMs: latency });
  const dir = mkdtempSync(path.join(os.tmpdir(), "gv-bench-kube-"));
  try {
    const kubeconfig = await api.writeKubeconfig(dir);
    const common = ["--repo", repo.dir, "--kubeconfig", kubeconfig];
    figures.first.push(await timed(["apply", "--env", "env", ...common], 0));
    figures.again.push(await timed(["apply", "--env", "env", ...common], 0));
    figures.drift.push(await timed(["drift", ...common], 0));
  } finally {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
    repo.dispose();
  }
}

const parallel: Figures = { first: [], again: [], drift: [] };
const serial: Figures = { first: [], again: [], drift: [] };
for (let run = 0; run < runs; run++) {
  await measure(8, parallel);
  await measure(1, serial);
}

const total = objects + 1;
console.log(`cluster bench: ${total} objects, ${latency} ms added per API request, ${runs} runs, ${os.availableParallelism()} cores (medians)`);
console.log(`  ${"".padEnd(36)} ${"8 in flight".padStart(20)} ${"1 at a time".padStart(20)}  ratio`);
for (const [name, label] of [["first", "first apply (dry run, apply, wait)"], ["again", "unchanged re-apply"], ["drift", "drift check"]] as const) {
  const fast = median(parallel[name]);
  const slow = median(serial[name]);
  const cell = (ms: number) => `${(ms / 1000).toFixed(2)} s ${String(Math.round(total / (ms / 1000))).padStart(4)}/s`.padStart(20);
  console.log(`  ${label.padEnd(36)} ${cell(fast)} ${cell(slow)}  ${(slow / fast).toFixed(1)}x`);
}
