// Flux Kustomizations as environments, on a small Flux repository written here: real files, real git,
// real `kubectl kustomize`. The expected values are what kustomize-controller applies for the same objects.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeExec } from "../../src/adapters/node/exec.ts";
import { NodeFiles } from "../../src/adapters/node/files.ts";
import { Revision } from "../../src/app/revision.ts";
import { DEFAULT_CONFIG, type Config } from "../../src/config/config.ts";
import type { DiscoveredEnvironment } from "../../src/discover/discover.ts";
import { runCli } from "../../src/entrypoints/cli.ts";
import type { KubeObject, Manifest, RunReport } from "../../src/model.ts";
import { findKustomize, KustomizeRenderer } from "../../src/render/kustomize.ts";
import { FLUX_REPO } from "../helpers/flux-repo.ts";
import { TempRepo } from "../helpers/repo.ts";
import { renderedByName } from "../helpers/revision.ts";

const files = new NodeFiles();
const exec = new NodeExec();

let repo: TempRepo;
let workDir: string;
let revision: Revision;
const byName = new Map<string, DiscoveredEnvironment>();

async function open(root: string, config: Config = DEFAULT_CONFIG): Promise<Revision> {
  const kustomize = new KustomizeRenderer(exec, files, { binary: await findKustomize(exec, "kubectl"), timeoutMs: 60_000, workDir });
  return Revision.open(root, files, config, { kustomize, workDir, helmMissing: "no helm binary on PATH" }, { remoteUrls: ["git@github.com:example/fleet.git"] });
}

function object(manifests: Manifest[], kind: string, name: string): KubeObject {
  const found = manifests.find((manifest) => manifest.id.kind === kind && manifest.id.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in ${manifests.map((manifest) => `${manifest.id.kind}/${manifest.id.name}`).join(", ")}`);
  return found.object;
}

const rendered = (name: string) => renderedByName(revision, byName, name);

beforeAll(async () => {
  repo = TempRepo.fromFiles(FLUX_REPO);
  workDir = await files.makeTempDir("gv-flux-");
  revision = await open(repo.dir);
  for (const environment of revision.environments) byName.set(environment.environment.name, environment);
});
afterAll(async () => {
  repo.dispose();
  await files.removeTree(workDir);
});

describe("Flux Kustomizations as environments", () => {
  it("finds the Kustomizations Flux applies, named by cluster, kind, namespace and name", () => {
    expect([...byName.keys()]).toEqual([
      "production/Kustomization/flux-system/alerts",
      "production/Kustomization/flux-system/apps",
      "production/Kustomization/flux-system/broken",
      "production/Kustomization/flux-system/external",
      "production/Kustomization/flux-system/flux-system",
      "production/Kustomization/flux-system/monitoring",
      "staging/Kustomization/flux-system/apps",
      "staging/Kustomization/flux-system/settings",
    ]);
    const apps = byName.get("production/Kustomization/flux-system/apps")!;
    expect(apps.environment).toMatchObject({ kind: "flux-kustomization", path: "apps/production", cluster: "production", definedAt: { file: "clusters/production/apps.yaml" } });
  });

  it("a leaf overlay that a Flux Kustomization renders is not an environment of its own", () => {
    expect([...byName.keys()].some((name) => name.startsWith("apps/"))).toBe(false);
  });

  it("applies targetNamespace, images, commonMetadata and postBuild substitution as kustomize-controller does", async () => {
    const { manifests, findings } = await rendered("production/Kustomization/flux-system/apps");
    const web = object(manifests, "Deployment", "web") as { metadata: Record<string, unknown>; spec: { replicas: unknown; template: { spec: { containers: Array<{ image: string }> } } } };
    expect(web.metadata.namespace).toBe("shop");
    expect(web.metadata.labels).toEqual({ team: "shop" });
    expect(web.spec.replicas).toBe(3); // ${REPLICAS:=1} from the ConfigMap, typed as YAML reads it
    expect(web.spec.template.spec.containers[0]!.image).toBe("ghcr.io/example/web:2.0.0");
    const config = object(manifests, "ConfigMap", "web-config") as { data: Record<string, string> };
    expect(config.data).toEqual({ url: "https://example.com/production", escaped: "${NOT_A_VARIABLE}", unset: "[]", nested: "production" });
    // opted out: left exactly as written
    expect((object(manifests, "ConfigMap", "dashboard") as { data: Record<string, string> }).data["panel.json"]).toBe('{"datasource": "${DS_PROMETHEUS}"}');
    expect(findings.map((finding) => finding.ruleId)).toContain("flux-substitution-unresolved");
    const unresolved = findings.find((finding) => finding.ruleId === "flux-substitution-unresolved")!;
    expect(unresolved.message).toContain("${UNSET_VARIABLE}");
    expect(unresolved.location?.file).toBe("apps/base/config.yaml");
  });

  it("generates the kustomization of a directory without one, leaving out what .sourceignore excludes", async () => {
    const { manifests } = await rendered("production/Kustomization/flux-system/monitoring");
    const names = manifests.map((manifest) => `${manifest.id.kind}/${manifest.id.name}`).sort();
    // every manifest below it, subdirectories included (monitoring/alerts/rules too), drafts/ left out
    expect(names).toEqual(["ConfigMap/rules", "Deployment/prometheus", "HelmRelease/podinfo", "HelmRelease/unknown-chart", "HelmRepository/podinfo", "Kustomization/alerts"]);
    // the component's annotation reached every object
    expect((object(manifests, "Deployment", "prometheus").metadata as { annotations: Record<string, string> }).annotations["prometheus.io/scrape"]).toBe("true");
    const prometheus = manifests.find((manifest) => manifest.id.name === "prometheus")!;
    expect(prometheus.source?.file).toBe("monitoring/prometheus.yaml");
  });

  it("a child Kustomization is applied as its parent renders it (the parent's patch included)", () => {
    const alerts = byName.get("production/Kustomization/flux-system/alerts")!;
    expect(alerts.environment.definedAt?.file).toBe("monitoring/alerts/ks.yaml");
    expect(JSON.parse(alerts.definition!).spec.timeout).toBeUndefined(); // monitoring has no patches
    expect(JSON.parse(byName.get("production/Kustomization/flux-system/apps")!.definition!).spec.timeout).toBeUndefined();
  });

  it("a source outside this repository is listed as not rendered, with the reason", async () => {
    const outcome = await revision.render(byName.get("production/Kustomization/flux-system/external")!);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.skipped).toMatch(/OCIRepository flux-system\/external is an artifact built outside this repository/);
  });

  it("a path that does not exist is a finding naming the object and the file", async () => {
    const outcome = await revision.render(byName.get("production/Kustomization/flux-system/broken")!);
    expect(outcome.ok).toBe(false);
    expect(outcome.findings[0]).toMatchObject({
      ruleId: "flux-kustomization-invalid",
      message: 'Kustomization flux-system/broken: spec.path "does/not/exist" is not a directory in this repository',
      location: { file: "clusters/production/apps.yaml" },
    });
  });

  it("each environment reads exactly its files", () => {
    const inputs = (name: string) => [...byName.get(name)!.inputs].sort();
    expect(inputs("production/Kustomization/flux-system/apps")).toEqual([
      "apps/base/config.yaml",
      "apps/base/kustomization.yaml",
      "apps/base/web.yaml",
      "apps/production/kustomization.yaml",
      "clusters/production/apps.yaml",
      "clusters/production/vars.yaml",
    ]);
    expect(inputs("production/Kustomization/flux-system/monitoring")).toEqual([
      "clusters/production/apps.yaml",
      "components/scrape/kustomization.yaml",
      "monitoring/.sourceignore",
      "monitoring/alerts/ks.yaml",
      "monitoring/alerts/rules/rule.yaml",
      "monitoring/podinfo/broken-release.yaml",
      "monitoring/podinfo/release.yaml",
      "monitoring/prometheus.yaml",
    ]);
  });

  it("a substitution source that is not in the repository is a warning naming the object and file; the render goes on", async () => {
    const { manifests, findings } = await rendered("staging/Kustomization/flux-system/settings");
    expect(manifests.length).toBeGreaterThan(0);
    expect(findings).toContainEqual(
      expect.objectContaining({
        ruleId: "flux-substitution-source-missing",
        severity: "warning",
        message: expect.stringContaining("Kustomization flux-system/settings: postBuild.substituteFrom Secret flux-system/cluster-secrets is not in this repository"),
        location: { file: "clusters/staging/apps.yaml", line: 15 },
      }),
    );
  });

  it("a HelmRelease whose chart source is not in the repository is a finding naming the object and file", async () => {
    const release = (await revision.allEnvironments()).find((environment) => environment.environment.name === "production/HelmRelease/monitoring/unknown-chart")!;
    const outcome = await revision.render(release);
    expect(outcome.ok).toBe(false);
    expect(outcome.findings[0]).toMatchObject({
      ruleId: "flux-helmrelease-invalid",
      message: 'HelmRelease monitoring/unknown-chart: chart "nothing": HelmRepository monitoring/missing is not defined in this repository',
      location: { file: "monitoring/podinfo/broken-release.yaml" },
    });
  });

  it("HelmReleases are environments of their own, reported as not rendered without helm", async () => {
    const all = await revision.allEnvironments();
    const release = all.find((environment) => environment.environment.name === "production/HelmRelease/monitoring/podinfo");
    expect(release).toBeDefined();
    expect(release!.environment.path).toBe("https://stefanprodan.github.io/podinfo podinfo@6.5.0");
    const outcome = await revision.render(release!);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.skipped).toBe("no helm binary on PATH");
  });

});

describe("verify on a Flux repository", () => {
  it("reports the Kustomizations a change reaches, by cluster, with the HelmReleases of those it renders", async () => {
    const change = TempRepo.fromFiles(FLUX_REPO);
    try {
      change.branch("change");
      change.write({ "apps/base/web.yaml": change.read("apps/base/web.yaml").replace("ghcr.io/example/web:1.0.0", "ghcr.io/example/web:1.1.0") });
      change.write({ "monitoring/prometheus.yaml": change.read("monitoring/prometheus.yaml").replace("v2.50.0", "v2.51.0") });
      change.write({ "monitoring/podinfo/broken-release.yaml": change.read("monitoring/podinfo/broken-release.yaml").replace("chart: nothing", "chart: still-nothing") });
      change.commitAll("bump");
      let stdout = "";
      const code = await runCli(["verify", "--repo", change.dir, "--base", "main", "--format", "json", "--quiet"], {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: () => true },
        env: {},
        cwd: change.dir,
      });
      const report = JSON.parse(stdout) as RunReport;
      const statuses = Object.fromEntries(report.environments.map((result) => [result.environment.name, result.status]));
      expect(statuses).toEqual({
        // untouched (its file, its definition in the Kustomization's render): not rendered
        "production/HelmRelease/monitoring/podinfo": "unaffected",
        "production/HelmRelease/monitoring/unknown-chart": "failed",
        "production/Kustomization/flux-system/alerts": "unaffected",
        "production/Kustomization/flux-system/apps": "unchanged", // production pins the image with spec.images
        "production/Kustomization/flux-system/broken": "unaffected",
        "production/Kustomization/flux-system/external": "unaffected",
        "production/Kustomization/flux-system/flux-system": "unaffected",
        "production/Kustomization/flux-system/monitoring": "changed",
        "staging/Kustomization/flux-system/apps": "changed",
        "staging/Kustomization/flux-system/settings": "changed",
      });
      // the changed HelmRelease does not render: the run completes, and exits 2 with a finding naming it
      expect(code).toBe(2);
      expect(report.gate.result).toBe("error");
      expect(report.environments.find((result) => result.environment.name === "production/HelmRelease/monitoring/unknown-chart")!.findings[0]!.location).toEqual({
        file: "monitoring/podinfo/broken-release.yaml",
        line: 1,
      });
      expect(change.status()).toBe("");
    } finally {
      change.dispose();
    }
  });
});
