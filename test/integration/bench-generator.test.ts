// The benchmark's synthetic repository renders, and verify's changed-only rendering is exact on it:
// the environments verify reports as changed are exactly those whose `kubectl kustomize` output changes.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateRepo, ONE_FILE_CHANGE, overlayDirectories, SHARED_BASE_CHANGE } from "../../bench/generate-repo.ts";
import { runCli } from "../../src/entrypoints/cli.ts";
import type { RunReport } from "../../src/model.ts";
import { kubectlKustomize, TempRepo } from "../helpers/repo.ts";

const shape = { apps: 3, envs: 3 };
const dir = mkdtempSync(path.join(os.tmpdir(), "gv-gen-"));
generateRepo(dir, shape);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function verify(repo: TempRepo): Promise<RunReport> {
  let stdout = "";
  const code = await runCli(["verify", "--repo", repo.dir, "--base", "main", "--format", "json", "--quiet"], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: () => true },
    env: {},
    cwd: repo.dir,
  });
  expect(code).toBe(0);
  return JSON.parse(stdout) as RunReport;
}

describe("bench: the generated repository", () => {
  it("is deterministic", () => {
    const again = mkdtempSync(path.join(os.tmpdir(), "gv-gen-"));
    try {
      generateRepo(again, shape);
      const listing = (root: string) => execFileSync("find", [".", "-type", "f", "-exec", "sha1sum", "{}", "+"], { cwd: root, encoding: "utf8" }).split("\n").sort();
      expect(listing(again)).toEqual(listing(dir));
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });

  it.each([
    { name: "one-file change", file: ONE_FILE_CHANGE(shape), edit: (text: string) => text.replace(/memory: \d+Mi/, "memory: 999Mi") },
    { name: "shared-base change", file: SHARED_BASE_CHANGE, edit: (text: string) => `${text}    - Egress\n` },
  ])("$name: verify re-renders exactly the environments whose rendering changes", async ({ file, edit }) => {
    const repo = TempRepo.fromDirectory(dir);
    try {
      const before = Object.fromEntries(overlayDirectories(shape).map((overlay) => [overlay, kubectlKustomize(path.join(repo.dir, overlay))]));
      repo.branch("change");
      writeFileSync(path.join(repo.dir, file), edit(readFileSync(path.join(repo.dir, file), "utf8")));
      const expected = overlayDirectories(shape).filter((overlay) => kubectlKustomize(path.join(repo.dir, overlay)) !== before[overlay]).sort();
      const report = await verify(repo);
      const changed = report.environments.filter((result) => result.status === "changed").map((result) => result.environment.name).sort();
      expect(changed).toEqual(expected);
      expect(expected.length).toBeGreaterThan(0);
      expect(report.environments.filter((result) => result.status !== "changed").every((result) => result.status === "unaffected")).toBe(true);
    } finally {
      repo.dispose();
    }
  });
});
