#!/usr/bin/env node
// The demo: runs the real pipeline on the example repository. It copies examples/gitops-repo into a
// fresh git repository, commits it on main, makes a typical change on a branch, and runs
// `gitops-verify verify` (the bundle, dist/cli.js) against main.
//
//   node examples/demo.mjs [extra verify options, e.g. --format json]
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const example = path.join(here, "gitops-repo");
const cli = path.join(here, "..", "dist", "cli.js");

/** The sample change: [file, text before, text after, what it means]. One exact edit each. */
const CHANGES = [
  [
    "apps/overlays/production/kustomization.yaml",
    "  - name: ghcr.io/example/shop-api\n    newTag: 2.3.1",
    "  - name: ghcr.io/example/shop-api\n    newTag: 2.3.2",
    "production: api image 2.3.1 → 2.3.2",
  ],
  ["apps/overlays/staging/kustomization.yaml", "  - name: frontend\n    count: 2", "  - name: frontend\n    count: 3", "staging: frontend replicas 2 → 3"],
  [
    "apps/base/api/kustomization.yaml",
    "FEATURE_RECOMMENDATIONS=false",
    "FEATURE_RECOMMENDATIONS=true",
    "base: api ConfigMap literal FEATURE_RECOMMENDATIONS false → true (every environment; the generated name changes)",
  ],
  ["apps/base/api/kustomization.yaml", "API_TOKEN=demo-token-0000", "API_TOKEN=demo-token-0001-rotated", "base: api Secret API_TOKEN rotated (every environment; the value stays masked)"],
  [
    "apps/base/frontend/service.yaml",
    "spec:\n  selector:",
    "spec:\n  type: NodePort\n  selector:",
    "base: frontend Service exposed as a NodePort (a built-in policy warns, at the line that does it)",
  ],
];

if (!existsSync(cli)) {
  process.stderr.write(`demo: ${path.relative(process.cwd(), cli) || cli} is missing; build it first with "npm run build"\n`);
  process.exit(2);
}

// Ctrl-C reaches git and the CLI too (same process group), and the exit code reports it. A handler, even an
// empty one, keeps Node from dying on the spot, so `finally` still removes the temporary repository.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => {});
const signalExit = (signal) => 128 + (os.constants.signals[signal] ?? 0);
const repo = mkdtempSync(path.join(os.tmpdir(), "gitops-verify-demo-"));

function git(...args) {
  return execFileSync("git", args, { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function edit(file, before, after) {
  const target = path.join(repo, file);
  const text = readFileSync(target, "utf8");
  // Fail loudly rather than demo a change that did not happen (someone edited the example repository).
  if (!text.includes(before)) throw new Error(`"${before}" not found in ${file}`);
  writeFileSync(target, text.replace(before, after));
}

let code = 2;
try {
  cpSync(example, repo, { recursive: true });
  git("init", "-q", "-b", "main");
  // Local identity, and no signing: the user's global git configuration must not matter here.
  git("config", "user.name", "gitops-verify demo");
  git("config", "user.email", "demo@gitops-verify.invalid");
  git("config", "commit.gpgsign", "false");
  git("add", "-A");
  git("commit", "-q", "-m", "Example GitOps repository");
  git("checkout", "-q", "-b", "demo-change");
  for (const [file, before, after] of CHANGES) edit(file, before, after);
  git("commit", "-q", "-am", "Promote api, scale frontend, flip a feature flag, rotate a token, expose the frontend");

  // Options given to the demo come last, so they win (e.g. --format json).
  const options = ["--base", "main", "--format", "text", ...process.argv.slice(2)];
  // The header goes to standard error, so `--format json` keeps standard output a clean report.
  const header = [
    `gitops-verify demo: a copy of examples/gitops-repo in ${repo}, committed on main`,
    "The change on branch demo-change:",
    ...CHANGES.map(([, , , what]) => `  - ${what}`),
    "",
    `$ gitops-verify verify ${options.join(" ")}`,
    "",
    "",
  ];
  process.stderr.write(header.join("\n"));

  const result = spawnSync(process.execPath, [cli, "verify", "--repo", repo, ...options], { stdio: "inherit" });
  if (result.error) throw result.error;
  code = result.status ?? signalExit(result.signal);
} catch (error) {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stderr?.toString().trim() || error.message : String(error)}\n`);
  code = error?.signal ? signalExit(error.signal) : 2;
} finally {
  rmSync(repo, { recursive: true, force: true });
}
process.exitCode = code;
