// Argo CD Applications and ApplicationSets as environments, on a small Argo CD repository written here:
// real files, real git, real `kubectl kustomize`. The expected values are what the repo-server renders.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeExec } from "../../src/adapters/node/exec.ts";
import { NodeFiles } from "../../src/adapters/node/files.ts";
import { Revision } from "../../src/app/revision.ts";
import { DEFAULT_CONFIG, type Config } from "../../src/config/config.ts";
import type { DiscoveredEnvironment } from "../../src/discover/discover.ts";
import type { KubeObject } from "../../src/model.ts";
import { findKustomize, KustomizeRenderer } from "../../src/render/kustomize.ts";
import { TempRepo } from "../helpers/repo.ts";
import { renderedByName } from "../helpers/revision.ts";

const files = new NodeFiles();
const exec = new NodeExec();
const REPO_URL = "https://github.com/example/argo-fleet.git";

const application = (name: string, spec: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
spec:
  project: default
${spec}`;

export const ARGO_REPO: Record<string, string> = {
  // the app of apps: its directory holds the other Applications
  "bootstrap/root.yaml": application(
    "root",
    `  source:
    repoURL: ${REPO_URL}
    targetRevision: HEAD
    path: argocd/apps
  destination:
    server: https://kubernetes.default.svc
    namespace: argocd
`,
  ),
  "argocd/apps/guestbook.yaml": application(
    "guestbook",
    `  source:
    repoURL: https://github.com/example/argo-fleet
    targetRevision: main
    path: guestbook/overlays/prod
    kustomize:
      namePrefix: prod-
      images: [ghcr.io/example/guestbook:2.1.0]
      commonLabels: {tier: web}
      replicas: [{name: guestbook, count: 4}]
  destination:
    name: production
    namespace: guestbook
`,
  ),
  "argocd/apps/plain.yaml": application(
    "plain",
    `  source:
    repoURL: git@github.com:example/argo-fleet.git
    path: plain
    directory:
      recurse: true
      exclude: '{*.json,skip/*}'
  destination:
    server: https://kubernetes.default.svc
    namespace: tools
`,
  ),
  "argocd/apps/upstream.yaml": application(
    "upstream",
    `  source:
    repoURL: https://github.com/someone-else/charts
    path: charts/x
  destination:
    server: https://kubernetes.default.svc
    namespace: x
`,
  ),
  "argocd/apps/chart.yaml": application(
    "chart",
    `  sources:
  - repoURL: https://charts.example.com
    chart: redis
    targetRevision: 18.0.0
    helm:
      valueFiles: [$values/values/redis.yaml]
  - repoURL: ${REPO_URL}
    targetRevision: HEAD
    ref: values
  destination:
    server: https://kubernetes.default.svc
    namespace: cache
`,
  ),
  "argocd/appsets/teams.yaml": `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: teams
  namespace: argocd
spec:
  generators:
  - git:
      repoURL: ${REPO_URL}
      revision: HEAD
      directories:
      - path: teams/*
      - path: teams/retired
        exclude: true
  template:
    metadata:
      name: 'team-{{path.basename}}'
    spec:
      project: default
      source:
        repoURL: ${REPO_URL}
        targetRevision: HEAD
        path: '{{path}}'
      destination:
        server: https://kubernetes.default.svc
        namespace: '{{path.basename}}'
`,
  "argocd/appsets/broken.yaml": `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: broken
  namespace: argocd
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - list:
      elements:
      - cluster: a
  template:
    metadata:
      name: '{{.cluster}}-{{.missing}}'
    spec:
      project: default
      source: {repoURL: ${REPO_URL}, path: plain}
      destination: {server: https://kubernetes.default.svc, namespace: x}
`,
  "guestbook/base/kustomization.yaml": "resources: [deployment.yaml]\n",
  "guestbook/base/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: guestbook
spec:
  replicas: 1
  selector: {matchLabels: {app: guestbook}}
  template:
    metadata: {labels: {app: guestbook}}
    spec:
      containers:
      - name: guestbook
        image: ghcr.io/example/guestbook:1.0.0
`,
  "guestbook/overlays/prod/kustomization.yaml": "resources: [../../base]\n",
  "plain/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata: {a: b}\n",
  "plain/nested/role.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules: []\n",
  "plain/skip/ignored.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ignored\n",
  "plain/data.json": '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "from-json"}}',
  "teams/alpha/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alpha\n",
  "teams/beta/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: beta\n",
  "teams/retired/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: retired\n",
  "values/redis.yaml": "replicas: 2\n",
};

let repo: TempRepo;
let workDir: string;
let revision: Revision;
const byName = new Map<string, DiscoveredEnvironment>();
const config: Config = { ...DEFAULT_CONFIG, argocd: { enabled: true, clusters: [{ name: "production", server: "https://prod.example.com" }] } };

const rendered = (name: string) => renderedByName(revision, byName, name);

beforeAll(async () => {
  repo = TempRepo.fromFiles(ARGO_REPO);
  workDir = await files.makeTempDir("gv-argo-");
  const kustomize = new KustomizeRenderer(exec, files, { binary: await findKustomize(exec, "kubectl"), timeoutMs: 60_000, workDir });
  revision = await Revision.open(repo.dir, files, config, { kustomize, workDir, helmMissing: "no helm binary on PATH" }, { remoteUrls: [REPO_URL] });
  for (const environment of revision.environments) byName.set(environment.environment.name, environment);
});
afterAll(async () => {
  repo.dispose();
  await files.removeTree(workDir);
});

describe("Argo CD Applications as environments", () => {
  it("finds the app of apps, the Applications it applies, and those ApplicationSets generate", () => {
    expect([...byName.keys()]).toEqual([
      "ApplicationSet/argocd/broken",
      "in-cluster/Application/argocd/chart",
      "in-cluster/Application/argocd/plain",
      "in-cluster/Application/argocd/root",
      "in-cluster/Application/argocd/team-alpha",
      "in-cluster/Application/argocd/team-beta",
      "in-cluster/Application/argocd/upstream",
      "production/Application/argocd/guestbook",
    ]);
    expect(byName.get("production/Application/argocd/guestbook")!.environment).toMatchObject({
      kind: "argocd-application",
      cluster: "production",
      path: "guestbook/overlays/prod",
      definedAt: { file: "argocd/apps/guestbook.yaml" },
    });
  });

  it("applies the kustomize options as `kustomize edit` does, and the destination namespace", async () => {
    const { manifests } = await rendered("production/Application/argocd/guestbook");
    expect(manifests).toHaveLength(1);
    const web = manifests[0]!.object as KubeObject & { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    expect(web.metadata.name).toBe("prod-guestbook");
    expect(web.metadata.namespace).toBe("guestbook");
    expect(web.metadata.labels).toEqual({ tier: "web" });
    expect(web.spec.replicas).toBe(4);
    expect(JSON.stringify(web.spec)).toContain("ghcr.io/example/guestbook:2.1.0");
    expect(manifests[0]!.source?.file).toBe("guestbook/base/deployment.yaml");
  });

  it("a directory source: recurse and exclude; cluster-scoped objects get no namespace", async () => {
    const { manifests } = await rendered("in-cluster/Application/argocd/plain");
    expect(manifests.map((manifest) => `${manifest.id.kind}/${manifest.id.namespace}/${manifest.id.name}`).sort()).toEqual(["ClusterRole//reader", "ConfigMap/tools/plain"]);
  });

  it("ApplicationSet git directories, with an excluded path", async () => {
    const { manifests } = await rendered("in-cluster/Application/argocd/team-alpha");
    expect(manifests.map((manifest) => `${manifest.id.namespace}/${manifest.id.name}`)).toEqual(["alpha/alpha"]);
  });

  it("another repository's source is not rendered, with the reason", async () => {
    const outcome = await revision.render(byName.get("in-cluster/Application/argocd/upstream")!);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.skipped).toContain("https://github.com/someone-else/charts is not this repository");
  });

  it("a Helm source without helm is not rendered, and its $ref value file is an input", async () => {
    const chart = byName.get("in-cluster/Application/argocd/chart")!;
    expect([...chart.inputs]).toContain("values/redis.yaml");
    const outcome = await revision.render(chart);
    expect(outcome.ok).toBe(false);
  });

  it("an ApplicationSet that does not expand is a finding naming the object and file", async () => {
    const outcome = await revision.render(byName.get("ApplicationSet/argocd/broken")!);
    expect(outcome.ok).toBe(false);
    expect(outcome.findings[0]).toMatchObject({ ruleId: "argocd-applicationset-invalid", location: { file: "argocd/appsets/broken.yaml" } });
    expect(outcome.findings[0]!.message).toMatch(/^ApplicationSet argocd\/broken/);
  });
});
