// verify on real public GitOps repositories (../shared/corpus): each is committed into a temporary git repository,
// then its most shared resource file changes; exactly the environments whose `kubectl kustomize` output changes
// must show changes. ../shared exists on our machines and in CI, not in a user's clone: skipped without it.
import { appendFileSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NodeFiles } from "../../src/adapters/node/files.ts";
import { DEFAULT_CONFIG } from "../../src/config/config.ts";
import { discover } from "../../src/discover/discover.ts";
import { runCli } from "../../src/entrypoints/cli.ts";
import type { RunReport } from "../../src/model.ts";
import { kubectlKustomize, SHARED, TempRepo } from "../helpers/repo.ts";

const corpus = path.join(SHARED, "corpus");
const workDir = mkdtempSync(path.join(os.tmpdir(), "gv-corpus-verify-"));
const repos = existsSync(corpus) ? readdirSync(corpus).sort() : [];

const PROBE = '\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gitops-verify-probe\ndata:\n  probe: "1"\n';

/** The resource file (listed under `resources:`) that the most environments read. */
async function mostSharedResource(root: string): Promise<string | undefined> {
  const { environments, kustomizations } = await discover({ root, files: new NodeFiles(), config: DEFAULT_CONFIG });
  const resources = new Set<string>();
  for (const kustomization of kustomizations.values()) {
    for (const reference of kustomization.references) {
      if (reference.kind === "file" && reference.field === "resources" && /\.ya?ml$/.test(reference.target)) resources.add(reference.target);
    }
  }
  let best: string | undefined;
  let bestCount = 0;
  for (const file of [...resources].sort()) {
    const count = environments.filter((environment) => environment.problems.length === 0 && environment.inputs.has(file)).length;
    if (count > bestCount) [best, bestCount] = [file, count];
  }
  return best;
}

function renderAll(root: string, names: string[]): Map<string, string> {
  const outputs = new Map<string, string>();
  for (const name of names) {
    try {
      outputs.set(name, kubectlKustomize(path.join(root, name)));
    } catch {
      outputs.set(name, "(fails)");
    }
  }
  return outputs;
}

describe.skipIf(repos.length === 0)("corpus: a change to a shared resource (skipped when ../shared/corpus is absent)", () => {
  let total = 0;
  let exact = 0;

  it.each(repos)("%s", async (name) => {
    const repo = TempRepo.fromDirectory(path.join(corpus, name));
    try {
      const file = await mostSharedResource(repo.dir);
      expect(file, "a resource file shared by environments").toBeDefined();
      const environments = (await discover({ root: repo.dir, files: new NodeFiles(), config: DEFAULT_CONFIG })).environments.map((e) => e.environment.name);
      const before = renderAll(repo.dir, environments);

      repo.branch("change");
      appendFileSync(path.join(repo.dir, file!), PROBE);
      const after = renderAll(repo.dir, environments);
      const expected = environments.filter((environment) => before.get(environment) !== after.get(environment)).sort();

      // leaf overlays only, as kubectl kustomize renders them (corpus-flux.test.ts checks the Flux view)
      const config = path.join(workDir, "leaves.yaml");
      writeFileSync(config, "environments:\n  kustomizeLeaves: always\nflux:\n  enabled: false\nargocd:\n  enabled: false\n");
      let stdout = "";
      await runCli(["verify", "--repo", repo.dir, "--base", "main", "--config", config, "--format", "json", "--quiet"], {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: () => true },
        env: {},
        cwd: repo.dir,
      });
      const report = JSON.parse(stdout) as RunReport;
      const changed = report.environments.filter((result) => result.status === "changed").map((result) => result.environment.name).sort();
      total++;
      if (JSON.stringify(changed) === JSON.stringify(expected)) exact++;
      console.log(`corpus verify ${name}: changed ${file} → ${changed.length} of ${environments.length} environments changed (kubectl: ${expected.length}); ${exact} / ${total} repositories exact`);
      expect(changed).toEqual(expected);
      expect(expected.length).toBeGreaterThan(0);
      // every changed environment shows the probe as the one added object
      for (const result of report.environments.filter((r) => r.status === "changed")) {
        expect(result.diffs.map((diff) => [diff.change, diff.id.kind, diff.id.name.includes("gitops-verify-probe")])).toEqual([["added", "ConfigMap", true]]);
      }
      expect(repo.status()).toContain(file);
    } finally {
      repo.dispose();
    }
  });
});
