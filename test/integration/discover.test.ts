// Discovery on small repositories written to temporary directories (real files, no git needed).
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NodeFiles } from "../../src/adapters/node/files.ts";
import { DEFAULT_CONFIG, type Config } from "../../src/config/config.ts";
import { discover } from "../../src/discover/discover.ts";

const created: string[] = [];
afterAll(() => created.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gv-discover-"));
  created.push(dir);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

async function run(files: Record<string, string>, config: Config = DEFAULT_CONFIG) {
  const root = tree(files);
  const result = await discover({ root, files: new NodeFiles(), config });
  return { root, result, byName: new Map(result.environments.map((e) => [e.environment.name, e])) };
}

const DEPLOYMENT = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n";

describe("discovery: which directories are environments", () => {
  it.each<{ name: string; files: Record<string, string>; expected: string[] }>([
    {
      name: "overlays are leaves, their base is not",
      files: {
        "base/kustomization.yaml": "resources: [dep.yaml]\n",
        "base/dep.yaml": DEPLOYMENT,
        "overlays/dev/kustomization.yaml": "resources: [../../base]\n",
        "overlays/prod/kustomization.yml": "resources:\n- ../../base\n",
      },
      expected: ["overlays/dev", "overlays/prod"],
    },
    {
      name: "components are never environments",
      files: {
        "components/mon/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
        "app/kustomization.yaml": "resources: [dep.yaml]\ncomponents: [../components/mon]\n",
        "app/dep.yaml": DEPLOYMENT,
      },
      expected: ["app"],
    },
    {
      name: "a cluster directory including overlays makes them non-leaves",
      files: {
        "apps/dev/kustomization.yaml": "resources: [d.yaml]\n",
        "apps/dev/d.yaml": DEPLOYMENT,
        "clusters/dev/kustomization.yaml": "resources: [../../apps/dev]\n",
      },
      expected: ["clusters/dev"],
    },
    {
      name: "the capitalised file name counts",
      files: { "x/Kustomization": "resources: []\n" },
      expected: ["x"],
    },
    {
      name: "hidden directories and node_modules are not searched",
      files: { ".github/k/kustomization.yaml": "resources: []\n", "node_modules/p/kustomization.yaml": "resources: []\n", "a/kustomization.yaml": "" },
      expected: ["a"],
    },
  ])("$name", async ({ files, expected }) => {
    const { result } = await run(files);
    expect(result.environments.map((e) => e.environment.name)).toEqual(expected);
  });

  it("applies include and exclude globs and adds configured paths", async () => {
    const files = {
      "apps/dev/kustomization.yaml": "",
      "apps/prod/kustomization.yaml": "",
      "infra/prod/kustomization.yaml": "",
      "plain/a.yaml": DEPLOYMENT,
      "plain/sub/b.yml": DEPLOYMENT.replace("web", "api"),
      "plain/README.md": "not yaml",
    };
    const config = { ...DEFAULT_CONFIG, environments: { ...DEFAULT_CONFIG.environments, include: ["apps/**", "plain"], exclude: ["**/dev"], paths: ["plain"] } };
    const { byName } = await run(files, config);
    expect([...byName.keys()]).toEqual(["apps/prod", "plain"]);
    expect(byName.get("plain")!.environment.kind).toBe("directory");
    expect([...byName.get("plain")!.inputs].sort()).toEqual(["plain/a.yaml", "plain/sub/b.yml"]);
  });
});

describe("discovery: the files each environment reads", () => {
  it("follows every kind of reference", async () => {
    const { byName } = await run({
      "base/kustomization.yaml": [
        "resources: [dep.yaml]",
        "configMapGenerator:",
        "- name: cfg",
        "  files: [conf/app.properties, key=conf/other.txt]",
        "  envs: [conf/vars.env]",
        "secretGenerator:",
        "- name: sec",
        "  env: conf/secret.env",
        "configurations: [conf/config.yaml]",
        "",
      ].join("\n"),
      "base/dep.yaml": DEPLOYMENT,
      "base/conf/app.properties": "a=b\n",
      "base/conf/other.txt": "x\n",
      "base/conf/vars.env": "A=1\n",
      "base/conf/secret.env": "S=2\n",
      "base/conf/config.yaml": "nameReference: []\n",
      "comp/kustomization.yaml": "kind: Component\npatches:\n- path: p.yaml\n",
      "comp/p.yaml": DEPLOYMENT,
      "ov/kustomization.yaml": [
        "resources: [../base, extra.yaml]",
        "components: [../comp]",
        "patchesStrategicMerge: [sm.yaml]",
        "patchesJson6902:",
        "- target: {kind: Deployment, name: web}",
        "  path: j.yaml",
        "replacements:",
        "- path: r.yaml",
        "",
      ].join("\n"),
      "ov/extra.yaml": DEPLOYMENT.replace("web", "extra"),
      "ov/sm.yaml": DEPLOYMENT,
      "ov/j.yaml": "- op: add\n  path: /spec/replicas\n  value: 2\n",
      "ov/r.yaml": "source: {kind: Deployment}\ntargets: []\n",
      "unrelated/file.yaml": "x: 1\n",
    });
    const ov = byName.get("ov")!;
    expect(ov.problems).toEqual([]);
    expect([...ov.inputs].sort()).toEqual([
      "base/conf/app.properties",
      "base/conf/config.yaml",
      "base/conf/other.txt",
      "base/conf/secret.env",
      "base/conf/vars.env",
      "base/dep.yaml",
      "base/kustomization.yaml",
      "comp/kustomization.yaml",
      "comp/p.yaml",
      "ov/extra.yaml",
      "ov/j.yaml",
      "ov/kustomization.yaml",
      "ov/r.yaml",
      "ov/sm.yaml",
    ]);
    // generator sources are data, not YAML kustomize parses
    expect(ov.yamlInputs.has("base/conf/app.properties")).toBe(false);
    expect(ov.yamlInputs.has("base/dep.yaml")).toBe(true);
  });
});

describe("discovery: problems name the file and line", () => {
  it.each<{ name: string; files: Record<string, string>; message: unknown; location: object }>([
    {
      name: "missing file",
      files: { "ov/kustomization.yaml": "resources:\n- dep.yaml\n- gone.yaml\n", "ov/dep.yaml": DEPLOYMENT },
      message: 'resources references "gone.yaml", which does not exist',
      location: { file: "ov/kustomization.yaml", line: 3 },
    },
    {
      name: "path escaping the repository",
      files: { "ov/kustomization.yaml": "resources:\n- ../../../etc\n" },
      message: 'resources references "../../../etc", which is outside the repository',
      location: { file: "ov/kustomization.yaml", line: 2 },
    },
    {
      name: "cycle between kustomizations",
      files: {
        "top/kustomization.yaml": "resources: [../a]\n",
        "a/kustomization.yaml": "resources: [../b]\n",
        "b/kustomization.yaml": "resources:\n- ../a\n",
      },
      message: "kustomizations include each other in a cycle: a -> b -> a",
      location: { file: "b/kustomization.yaml", line: 2 },
    },
    {
      name: "directory without a kustomization",
      files: { "ov/kustomization.yaml": "resources:\n- ../plain\n", "plain/x.yaml": DEPLOYMENT },
      message: 'resources references the directory "../plain", which has no kustomization file',
      location: { file: "ov/kustomization.yaml", line: 2 },
    },
    {
      name: "remote base",
      files: { "ov/kustomization.yaml": "resources:\n- https://github.com/org/repo//base?ref=v1\n" },
      message: 'resources references the remote "https://github.com/org/repo//base?ref=v1"; remote bases are not fetched unless render.allowRemoteResources is set',
      location: { file: "ov/kustomization.yaml", line: 2 },
    },
    {
      name: "malformed kustomization",
      files: { "ov/kustomization.yaml": "resources:\n  - a\n - b\n" },
      message: expect.stringMatching(/^invalid YAML/),
      location: { file: "ov/kustomization.yaml", line: 3 },
    },
  ])("$name", async ({ files, message, location }) => {
    const { result } = await run(files);
    const problems = result.environments.flatMap((e) => e.problems);
    expect(problems).toContainEqual(expect.objectContaining({ message, location: expect.objectContaining(location) }));
  });

  it("treats a symlink that leads out of the repository as outside", async () => {
    const outside = tree({ "secret.yaml": DEPLOYMENT });
    const root = tree({ "ov/kustomization.yaml": "resources:\n- link.yaml\n" });
    symlinkSync(path.join(outside, "secret.yaml"), path.join(root, "ov/link.yaml"));
    const result = await discover({ root, files: new NodeFiles(), config: DEFAULT_CONFIG });
    expect(result.environments[0]!.problems[0]!.message).toBe('resources references "link.yaml", which is outside the repository');
  });
});
