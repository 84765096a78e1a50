// The benchmark's synthetic repository: deterministic, every overlay builds with `kubectl kustomize`,
// and its two scenarios reach what they claim (the one-file change one environment, the shared-base
// change all of them). Then verify, on the same repository, reports exactly those environments.
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyChange, benchChanges, generateRepo, overlayDirectories, type RepoChange } from "../../bench/generate-repo.ts";
import { runCli } from "../../src/entrypoints/cli.ts";
import type { RunReport } from "../../src/model.ts";
import { kubectlKustomize, TempRepo } from "../helpers/repo.ts";

const shape = { apps: 3, envs: 3 };
const overlays = overlayDirectories(shape);
const changes = Object.values(benchChanges(shape));

let repo: TempRepo;
let atMain: Record<string, string>;

function renderAll(): Record<string, string> {
  return Object.fromEntries(overlays.map((overlay) => [overlay, kubectlKustomize(path.join(repo.dir, overlay))]));
}

/** Content hash of every file under dir, by relative path. */
function fingerprint(dir: string): Record<string, string> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return Object.fromEntries(
    files.map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return [path.relative(dir, file), createHash("sha256").update(readFileSync(file)).digest("hex")];
    }),
  );
}

// Each scenario lives on its own branch off main; made once, whichever test asks first.
const prepared = new Map<RepoChange["id"], string[]>();
function prepare(change: RepoChange): string[] {
  const known = prepared.get(change.id);
  if (known) return known;
  repo.git("checkout", "-q", "-B", change.id, "main");
  applyChange(repo.dir, change);
  repo.commitAll(change.description);
  const atHead = renderAll();
  const changed = overlays.filter((overlay) => atHead[overlay] !== atMain[overlay]);
  prepared.set(change.id, changed);
  return changed;
}

beforeAll(() => {
  repo = new TempRepo("gv-bench-gen-");
  generateRepo(repo.dir, shape);
  repo.commitAll("generated");
  atMain = renderAll();
});
afterAll(() => repo?.dispose());

describe("bench: the generated repository", () => {
  it("is deterministic", () => {
    const [first, second] = [0, 1].map(() => mkdtempSync(path.join(os.tmpdir(), "gv-bench-gen-")));
    try {
      generateRepo(first!, shape);
      generateRepo(second!, shape);
      const files = fingerprint(first!);
      expect(Object.keys(files)).toHaveLength(3 + shape.apps * (3 + 2 * shape.envs));
      expect(fingerprint(second!)).toEqual(files);
    } finally {
      for (const dir of [first!, second!]) rmSync(dir, { recursive: true, force: true });
    }
  });

  it("builds every overlay with kubectl kustomize", () => {
    expect(overlays).toHaveLength(shape.apps * shape.envs);
    for (const overlay of overlays) {
      const kinds = [...atMain[overlay]!.matchAll(/^kind: (\w+)$/gm)].map((match) => match[1]).sort();
      expect(kinds, overlay).toEqual(["ConfigMap", "Deployment", "NetworkPolicy", "Service"]);
    }
  });

  it("the one-file change changes that one overlay's output only", () => {
    const { oneFile } = benchChanges(shape);
    expect(prepare(oneFile)).toEqual([path.posix.dirname(oneFile.file)]);
  });

  it("the shared-base change changes every overlay's output", () => {
    expect(prepare(benchChanges(shape).sharedBase)).toEqual(overlays);
  });
});

describe("bench: verify on the generated repository", () => {
  it.each(changes)("$id: reports exactly the overlays whose output changed, and renders no other", async (change) => {
    const expected = prepare(change);
    repo.git("checkout", "-q", change.id);
    let stdout = "";
    const code = await runCli(["verify", "--repo", repo.dir, "--base", "main", "--format", "json", "--quiet"], {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => true },
      env: process.env,
      cwd: repo.dir,
    });
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as RunReport;
    const byStatus = (status: string) => report.environments.filter((result) => result.status === status).map((result) => result.environment.name).sort();
    expect(byStatus("changed")).toEqual([...expected].sort());
    expect(byStatus("unaffected")).toEqual(overlays.filter((overlay) => !expected.includes(overlay)).sort());
  });
});
