// Changed-only rendering is exact: each input file of every environment of a Flux repository is changed in turn
// (a change that alters what kustomize builds from it), and verify must re-render exactly the environments that
// read the file. Independently, every environment is rendered in full at both revisions: each one whose output
// changed must be among those verify re-rendered, so nothing a change can reach is ever reported unaffected.
// Real git, real files, real `kubectl kustomize`.
import { existsSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parseAllDocuments, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeExec } from "../../src/adapters/node/exec.ts";
import { NodeFiles } from "../../src/adapters/node/files.ts";
import { NodeHttp } from "../../src/adapters/node/http.ts";
import { CliGit } from "../../src/adapters/node/git.ts";
import { Revision } from "../../src/app/revision.ts";
import { verify } from "../../src/app/verify.ts";
import { DEFAULT_CONFIG } from "../../src/config/config.ts";
import { silentLogger } from "../../src/ports.ts";
import { findKustomize, KustomizeRenderer } from "../../src/render/kustomize.ts";
import { TempRepo } from "../helpers/repo.ts";
import { FLUX_REPO } from "../helpers/flux-repo.ts";

const files = new NodeFiles();
const exec = new NodeExec();
let repo: TempRepo;
let workDir: string;
let baseSha: string;
let inputs: Map<string, Set<string>>;
/** Files a render parses: changing them must change some output (a root Kustomization's own file need not). */
let built: Set<string>;

/** A change kustomize sees: an annotation on every object (or patch), a key in a generator's env file, no ignores. */
function mutate(file: string, text: string): string {
  if (file.endsWith(".sourceignore")) return ""; // what it left out is in the artifact now
  if (!/\.ya?ml$/.test(file)) return `${text}\nGV_MUTATION=1\n`;
  const documents = parseAllDocuments(text).map((document) => document.toJS() as Record<string, unknown> | null);
  const changed = documents.map((value) => {
    if (!value || typeof value !== "object" || Array.isArray(value)) return value;
    if (/(^|\/)(kustomization\.ya?ml|Kustomization)$/.test(file)) {
      return { ...value, commonAnnotations: { ...(value.commonAnnotations as object | undefined), "gv-mutation": "1" } };
    }
    const metadata = (value.metadata ?? {}) as Record<string, unknown>;
    return { ...value, metadata: { ...metadata, annotations: { ...(metadata.annotations as object | undefined), "gv-mutation": "1" } } };
  });
  return changed.map((value) => stringify(value)).join("---\n");
}

async function open(root: string): Promise<Revision> {
  const kustomize = new KustomizeRenderer(exec, files, { binary: await findKustomize(exec, "kubectl"), timeoutMs: 60_000, workDir });
  return Revision.open(root, files, DEFAULT_CONFIG, { kustomize, workDir, helmMissing: "no helm binary on PATH" }, { remoteUrls: [] });
}

/** Every environment's full rendering, without changed-only (the reference), and its defining object. */
async function renderAll(root: string): Promise<{ outputs: Map<string, unknown>; definitions: Map<string, string | undefined> }> {
  const revision = await open(root);
  const outputs = new Map<string, unknown>();
  const definitions = new Map<string, string | undefined>();
  for (const environment of await revision.allEnvironments()) {
    const outcome = await revision.render(environment);
    outputs.set(environment.environment.name, outcome.ok ? outcome.manifests.map((manifest) => manifest.object) : outcome.findings.map((finding) => finding.message));
    definitions.set(environment.environment.name, environment.definition);
  }
  return { outputs, definitions };
}

beforeAll(async () => {
  repo = TempRepo.fromFiles(FLUX_REPO);
  baseSha = repo.git("rev-parse", "HEAD").trim();
  workDir = await files.makeTempDir("gv-changed-only-");
  const revision = await open(repo.dir);
  inputs = new Map(revision.environments.map((environment) => [environment.environment.name, environment.inputs]));
  const definitions = new Set(revision.environments.map((environment) => environment.environment.definedAt?.file));
  built = new Set(revision.environments.flatMap((environment) => [...environment.inputs].filter((file) => !definitions.has(file) || environment.yamlInputs.has(file))));
});
afterAll(async () => {
  repo.dispose();
  await files.removeTree(workDir);
});

describe("changed-only rendering", () => {
  let tried = 0;
  afterAll(() => console.log(`changed-only: ${tried} input files changed in turn, each re-rendering exactly the environments that read it`));

  it("re-renders exactly the environments reading each changed file, and misses none whose output changes", async () => {
    const allFiles = [...new Set([...inputs.values()].flatMap((set) => [...set]))].sort();
    expect(allFiles.length).toBeGreaterThan(10);
    const before = await renderAll(repo.dir);
    for (const file of allFiles) {
      repo.git("checkout", "-q", "-B", "mutation", baseSha);
      // a file an environment would read if it existed (a missing path's kustomization): create it
      repo.write({ [file]: existsSync(path.join(repo.dir, file)) ? mutate(file, repo.read(file)) : "commonAnnotations: {gv-mutation: '1'}\n" });
      repo.commitAll(`change ${file}`);
      const { report } = await verify(
        { repoDir: repo.dir, baseRef: baseSha, headRef: "HEAD" },
        { files, exec, http: new NodeHttp(), gitAt: (dir) => new CliGit(exec, files, dir), logger: silentLogger, cores: 2, env: {} },
      );
      const rerendered = report.environments.filter((result) => result.status !== "unaffected").map((result) => result.environment.name).sort();
      const after = await renderAll(repo.dir);
      // the environments that read the file, those whose defining object a parent now renders differently (a
      // component's annotation on a child Kustomization), and the HelmReleases found in their renders
      const readers = [...inputs].filter(([, read]) => read.has(file)).map(([name]) => name);
      const redefined = [...inputs.keys()].filter((name) => after.definitions.get(name) !== before.definitions.get(name));
      expect(rerendered.filter((name) => !name.includes("/HelmRelease/")), file).toEqual([...new Set([...readers, ...redefined])].sort());

      const outputChanged = [...after.outputs.keys()].filter((name) => !isDeepStrictEqual(after.outputs.get(name), before.outputs.get(name)));
      for (const name of outputChanged) expect(rerendered, `${file} changes ${name}`).toContain(name);
      if (built.has(file)) expect(outputChanged.length, `${file} changes some output`).toBeGreaterThan(0);
      tried++;
    }
    repo.git("checkout", "-q", "main");
  }, 600_000);
});
