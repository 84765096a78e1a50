// A pull request must not be able to hang the verifier: renders time out and their whole process group dies,
// and an interrupted run still removes its worktree. A fake kubectl on PATH stands in for a render that
// never ends (it starts a grandchild, as kustomize plugins would).
import { spawn, spawnSync } from "node:child_process";

import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TempRepo } from "../helpers/repo.ts";

const root = path.resolve(import.meta.dirname, "../..");
const cleanup: Array<() => void> = [];
afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

/** A PATH whose kubectl starts `sleep` as a grandchild, notes its pid in `pidFile`, and waits forever. */
function hangingKubectl(pidFile: string): string {
  const bin = mkdtempSync(path.join(os.tmpdir(), "gv-fakebin-"));
  cleanup.push(() => rmSync(bin, { recursive: true, force: true }));
  writeFileSync(path.join(bin, "kubectl"), `#!/bin/sh\nsleep 300 &\necho $! >> ${pidFile}\nwait\n`);
  chmodSync(path.join(bin, "kubectl"), 0o755);
  return `${bin}:${process.env.PATH}`;
}

/** How many of the grandchildren noted in `pidFile` are still running. */
function sleepersAlive(pidFile: string): number {
  if (!existsSync(pidFile)) return 0;
  const pids = readFileSync(pidFile, "utf8").split("\n").filter(Boolean).map(Number);
  // a killed process whose parent is gone can stay a zombie (state Z) until init reaps it: that is not running
  const running = (pid: number) => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
      return false;
    }
  };
  return pids.filter(running).length;
}

function pidFile(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gv-pids-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, "pids");
}

function repository(config = ""): TempRepo {
  const repo = TempRepo.fromFiles({
    "env/kustomization.yaml": "resources: [cm.yaml]\n",
    "env/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
    ...(config ? { ".gitops-verify.yaml": config } : {}),
  });
  cleanup.push(() => repo.dispose());
  repo.branch("change");
  repo.write({ "env/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n" });
  return repo;
}

const cliArgs = (repo: TempRepo) => ["--import", "tsx", path.join(root, "src/entrypoints/bin.ts"), "verify", "--repo", repo.dir, "--base", "main"];

describe("nothing hangs", () => {
  it("a render that never ends is stopped at the timeout, with its children", async () => {
    const marker = pidFile();
    const repo = repository("render:\n  timeoutSeconds: 2\n");
    const started = performance.now();
    const result = spawnSync(process.execPath, cliArgs(repo), { cwd: root, encoding: "utf8", env: { ...process.env, PATH: hangingKubectl(marker) }, timeout: 60_000 });
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(result.status).toBe(2);
    expect(result.stdout).toMatch(/kustomize did not finish within 2 s and was stopped/);
    expect(readFileSync(marker, "utf8").trim()).not.toBe("");
    expect(sleepersAlive(marker)).toBe(0);
    expect(repo.worktrees().match(/^worktree /gm)).toHaveLength(1);
  });

  it("an interrupted run kills its renders and removes its worktree", async () => {
    const marker = pidFile();
    const repo = repository();
    const child = spawn(process.execPath, cliArgs(repo), { cwd: root, env: { ...process.env, PATH: hangingKubectl(marker) }, stdio: "ignore" });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // wait until a render is running
    for (let i = 0; i < 200 && sleepersAlive(marker) === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(sleepersAlive(marker)).toBeGreaterThan(0);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(sleepersAlive(marker)).toBe(0);
    expect(repo.worktrees().match(/^worktree /gm)).toHaveLength(1);
    expect(repo.status()).toBe(" M env/cm.yaml\n");
  });
});
