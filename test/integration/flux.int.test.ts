// Flux Kustomizations as environments, on a small Flux repository written here: real files, real git,
// real `kubectl kustomize`. The expected values are what kustomize-controller applies for the same objects.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeExec } from "../../src/adapters/node/exec.ts";
import { NodeFiles } from "../../src/adapters/node/files.ts";
import { Revision, type RenderOutcome } from "../../src/app/revision.ts";
import { DEFAULT_CONFIG, type Config } from "../../src/config/config.ts";
import type { DiscoveredEnvironment } from "../../src/discover/discover.ts";
import type { KubeObject, Manifest } from "../../src/model.ts";
import { findKustomize, KustomizeRenderer } from "../../src/render/kustomize.ts";
import { TempRepo } from "../helpers/repo.ts";

const files = new NodeFiles();
const exec = new NodeExec();

const deployment = (name: string, image: string, extra = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: \${REPLICAS:=1}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: ${name}
        image: ${image}
${extra}`;

const kustomization = (name: string, spec: string, namespace = "flux-system") => `---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  interval: 10m
  sourceRef:
    kind: GitRepository
    name: flux-system
${spec}`;

/** A fleet repository in the layout `flux bootstrap` makes, with two clusters. */
export const FLUX_REPO: Record<string, string> = {
  "clusters/production/flux-system/gotk-sync.yaml": `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m
  url: ssh://git@github.com/example/fleet
  ref:
    branch: main
${kustomization("flux-system", "  path: ./clusters/production\n  prune: true\n")}`,
  "clusters/production/flux-system/kustomization.yaml": "resources: [gotk-sync.yaml]\n",
  // no kustomization.yaml: Flux generates one for the cluster directory
  "clusters/production/apps.yaml": `${kustomization(
    "apps",
    `  path: ./apps/production
  prune: true
  targetNamespace: shop
  commonMetadata:
    labels: {team: shop}
  postBuild:
    substitute:
      CLUSTER: production
    substituteFrom:
    - kind: ConfigMap
      name: cluster-vars
    - kind: ConfigMap
      name: optional-vars
      optional: true
  images:
  - name: ghcr.io/example/web
    newTag: "2.0.0"
  # defaults for every child Kustomization, as many fleets do
  patches:
  - patch: |
      - op: add
        path: /spec/timeout
        value: 5m
    target:
      kind: Kustomization
      group: kustomize.toolkit.fluxcd.io
`,
  )}${kustomization("monitoring", "  path: ./monitoring\n  prune: true\n  components: [../components/scrape]\n")}${kustomization(
    "external",
    "  path: ./\n",
  ).replace("kind: GitRepository\n    name: flux-system", "kind: OCIRepository\n    name: external")}${kustomization("broken", "  path: ./does/not/exist\n")}`,
  "clusters/production/vars.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-vars\n  namespace: flux-system\ndata:\n  REPLICAS: \"3\"\n  DOMAIN: example.com\n",
  "clusters/production/README.md": "# not a manifest\n",
  "clusters/staging/apps.yaml": kustomization("apps", "  path: ./apps/staging\n  prune: true\n"),
  "apps/base/kustomization.yaml": "resources: [web.yaml, config.yaml]\n",
  "apps/base/web.yaml": deployment("web", "ghcr.io/example/web:1.0.0"),
  "apps/base/config.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  url: https://\${DOMAIN}/\${CLUSTER}
  escaped: $\${NOT_A_VARIABLE}
  unset: "[\${UNSET_VARIABLE}]"
  nested: \${MISSING:=\${CLUSTER}}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: dashboard
  annotations:
    kustomize.toolkit.fluxcd.io/substitute: disabled
data:
  panel.json: '{"datasource": "\${DS_PROMETHEUS}"}'
`,
  "apps/production/kustomization.yaml": "resources: [../base]\n",
  "apps/staging/kustomization.yaml": "resources: [../base]\nnamespace: staging\n",
  // a directory of manifests with a Kustomization inside: Flux applies the child after the parent's patch
  "monitoring/prometheus.yaml": deployment("prometheus", "quay.io/prometheus/prometheus:v2.50.0"),
  "monitoring/.sourceignore": "drafts/\n",
  "monitoring/drafts/wip.yaml": deployment("wip", "busybox"),
  "monitoring/alerts/ks.yaml": kustomization("alerts", "  path: ./monitoring/alerts/rules\n"),
  "monitoring/alerts/rules/rule.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rules\n  namespace: monitoring\ndata: {a: b}\n",
  "monitoring/podinfo/release.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: monitoring
spec:
  interval: 1h
  chart:
    spec:
      chart: podinfo
      version: 6.5.0
      sourceRef: {kind: HelmRepository, name: podinfo}
  values: {replicaCount: 2}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
  namespace: monitoring
spec:
  url: https://stefanprodan.github.io/podinfo
`,
  "components/scrape/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
commonAnnotations:
  prometheus.io/scrape: "true"
`,
};

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

async function rendered(name: string): Promise<Extract<RenderOutcome, { ok: true }>> {
  const environment = byName.get(name);
  if (!environment) throw new Error(`no environment ${name}; have ${[...byName.keys()].join(", ")}`);
  const outcome = await revision.render(environment);
  if (!outcome.ok) throw new Error(outcome.findings.map((finding) => finding.message).join("\n"));
  return outcome;
}

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
    expect(names).toEqual(["ConfigMap/rules", "Deployment/prometheus", "HelmRelease/podinfo", "HelmRepository/podinfo", "Kustomization/alerts"]);
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
      "monitoring/podinfo/release.yaml",
      "monitoring/prometheus.yaml",
    ]);
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
