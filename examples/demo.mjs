#!/usr/bin/env node
// The demo: runs the real pipeline on the example repository. It copies examples/gitops-repo into a
// fresh git repository, commits it on main, makes a typical change on a branch, and runs
// `gitops-verify verify` (the committed bundle, dist/cli.js) against main.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const example = path.join(here, "gitops-repo");
const cli = path.join(here, "..", "dist", "cli.js");
const repo = mkdtempSync(path.join(os.tmpdir(), "gitops-verify-demo-"));

const identity = {
  GIT_AUTHOR_NAME: "gitops-verify demo",
  GIT_AUTHOR_EMAIL: "demo@gitops-verify.invalid",
  GIT_COMMITTER_NAME: "gitops-verify demo",
  GIT_COMMITTER_EMAIL: "demo@gitops-verify.invalid",
};
const git = (...args) => execFileSync("git", args, { cwd: repo, env: { ...process.env, ...identity }, stdio: ["ignore", "pipe", "pipe"] });

/** Replaces one exact piece of text in a file of the demo repository, failing loudly if it is not there. */
function edit(file, before, after) {
  const target = path.join(repo, file);
  const text = readFileSync(target, "utf8");
  if (!text.includes(before)) throw new Error(`demo: "${before}" not found in ${file}`);
  writeFileSync(target, text.replace(before, after));
}

const changes = [
  ["apps/overlays/production/kustomization.yaml", "  - name: ghcr.io/example/shop-api\n    newTag: 2.3.1", "  - name: ghcr.io/example/shop-api\n    newTag: 2.3.2", "production: api image 2.3.1 → 2.3.2"],
  ["apps/overlays/staging/kustomization.yaml", "  - name: frontend\n    count: 2", "  - name: frontend\n    count: 3", "staging: frontend replicas 2 → 3"],
  ["apps/base/api/config/app.properties", "feature.recommendations=false", "feature.recommendations=true", "base: api ConfigMap feature flag (every environment)"],
  ["apps/base/api/kustomization.yaml", "API_TOKEN=demo-token-0000", "API_TOKEN=demo-token-0001-rotated", "base: api Secret token rotated (every environment)"],
];

let code = 2;
try {
  cpSync(example, repo, { recursive: true });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "Example GitOps repository");
  git("checkout", "-q", "-b", "demo-change");
  for (const [file, before, after] of changes) edit(file, before, after);
  git("commit", "-q", "-am", "Promote api, scale frontend, flip a feature flag, rotate a token");

  process.stderr.write(`gitops-verify demo: a copy of examples/gitops-repo in ${repo}\nThe change on branch demo-change:\n`);
  for (const [, , , what] of changes) process.stderr.write(`  - ${what}\n`);
  process.stderr.write("\n$ gitops-verify verify --base main\n\n");

  const result = spawnSync(process.execPath, [cli, "verify", "--repo", repo, "--base", "main", ...process.argv.slice(2)], { stdio: "inherit" });
  if (result.error) throw result.error;
  code = result.status ?? 2;
} catch (error) {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  code = 2;
} finally {
  rmSync(repo, { recursive: true, force: true });
}
process.exitCode = code;
