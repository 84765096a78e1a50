// Every environment of the real repositories in ../shared/corpus renders exactly as `kubectl kustomize`
// renders it. ../shared exists on our machines and in CI, not in a user's clone: skipped without it.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeExec } from "../../src/adapters/node/exec.ts";
import { NodeFiles } from "../../src/adapters/node/files.ts";
import { Revision } from "../../src/app/revision.ts";
import { DEFAULT_CONFIG } from "../../src/config/config.ts";
import { findKustomize, KustomizeRenderer } from "../../src/render/kustomize.ts";
import { parseManifests } from "../../src/render/manifests.ts";
import { CorpusValidation, EMBEDDED_CRDS_LAG, GENUINE } from "../helpers/corpus-validation.ts";
import { kubectlKustomize, SHARED } from "../helpers/repo.ts";

const corpus = path.join(SHARED, "corpus");
const repos = existsSync(corpus) ? readdirSync(corpus).sort() : [];
const files = new NodeFiles();
const exec = new NodeExec();
let workDir = "";

beforeAll(async () => {
  workDir = await files.makeTempDir("gv-corpus-");
});
afterAll(async () => {
  if (workDir) await files.removeTree(workDir);
});

describe.skipIf(repos.length === 0)("corpus: rendering equals kubectl kustomize (skipped when ../shared/corpus is absent)", () => {
  let total = 0;
  let equal = 0;
  const validation = new CorpusValidation();
  afterAll(() => {
    console.log(`corpus rendering: ${equal} / ${total} environments equal to kubectl kustomize`);
    console.log(validation.summary("corpus validation"));
  });

  it.each(repos)("%s", async (repo) => {
    const root = path.join(corpus, repo);
    const kustomize = new KustomizeRenderer(exec, files, { binary: await findKustomize(exec, "kubectl"), timeoutMs: 120_000, workDir });
    // every leaf overlay, also those a Flux Kustomization renders (flux-render.test.ts checks those as Flux builds them)
    const config = { ...DEFAULT_CONFIG, environments: { ...DEFAULT_CONFIG.environments, kustomizeLeaves: "always" as const } };
    const revision = await Revision.open(root, files, config, { kustomize, workDir }, { remoteUrls: [] });
    const leaves = revision.environments.filter((environment) => environment.spec.type === "kustomize");
    expect(leaves.length).toBeGreaterThan(0);
    const mismatches: string[] = [];
    const falseFindings: string[] = [];
    for (const environment of leaves) {
      total++;
      const dir = path.join(root, environment.environment.path);
      let expected: string | undefined;
      try {
        expected = kubectlKustomize(dir);
      } catch {
        expected = undefined; // kubectl fails too: so must we
      }
      const outcome = await revision.render(environment);
      if (expected === undefined) {
        if (!outcome.ok) equal++;
        else mismatches.push(`${environment.environment.name}: kubectl fails, we rendered`);
        continue;
      }
      if (!outcome.ok) {
        mismatches.push(`${environment.environment.name}: ${outcome.findings[0]?.message}`);
        continue;
      }
      const checked = await validation.check(root, files, environment, outcome.manifests);
      for (const finding of checked.findings) {
        if (!(GENUINE[repo] ?? []).includes(finding)) falseFindings.push(`${environment.environment.name}: ${finding}`);
      }
      for (const finding of checked.embeddedCrds) {
        if (!(EMBEDDED_CRDS_LAG[repo] ?? []).includes(finding)) falseFindings.push(`${environment.environment.name} (embedded-crds): ${finding}`);
      }
      const same =
        isDeepStrictEqual(
          outcome.manifests.map((m) => m.object),
          parseManifests(expected, "kubectl").map((m) => m.object),
        ) && (await revision.renderText(environment)) === expected;
      if (same) equal++;
      else mismatches.push(`${environment.environment.name}: output differs`);
      // every object that came from a repository file knows which one
      for (const manifest of outcome.manifests) {
        if (manifest.source) expect(existsSync(path.join(root, manifest.source.file)), manifest.source.file).toBe(true);
      }
    }
    expect(mismatches).toEqual([]);
    expect(falseFindings).toEqual([]);
  });
});
