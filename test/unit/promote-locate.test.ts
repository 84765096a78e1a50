// Where an environment's files set images: each place with its kind, file, line, column and path.
import { describe, expect, it } from "vitest";
import { locateImages, type ImagePlace } from "../../src/promote/locate.ts";

async function locate(files: Record<string, string>, dir = "env", valuePaths?: string[]) {
  return locateImages({ dir, files: Object.entries(files).map(([path, text]) => ({ path, text })), ...(valuePaths ? { valuePaths } : {}) });
}

function summary(place: ImagePlace) {
  return {
    kind: place.kind,
    at: `${place.file}:${place.line}:${place.column}`,
    path: place.path,
    repository: place.repository,
    own: place.own,
    ...(place.policy ? { policy: place.policy } : {}),
    values: [place.reference, place.name, place.tag, place.digest].map((scalar) => scalar?.value ?? "-").join(" "),
  };
}

describe("locateImages", () => {
  it("finds containers of every workload kind, with positions", async () => {
    const { places } = await locate({
      "env/workloads.yaml": `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  jobTemplate:
    spec:
      template:
        spec:
          initContainers:
          - name: init
            image: busybox:1.36
          containers:
          - name: job
            image: "ghcr.io/org/job:1.0"
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  ephemeralContainers:
  - name: dbg
    image: ghcr.io/org/debug@sha256:${"a".repeat(64)}
`,
    });
    expect(places.map(summary)).toEqual([
      { kind: "manifest", at: "env/workloads.yaml:12:20", path: "spec.jobTemplate.spec.template.spec.initContainers[0].image", repository: "docker.io/library/busybox", own: true, values: "busybox:1.36 - - -" },
      { kind: "manifest", at: "env/workloads.yaml:15:20", path: "spec.jobTemplate.spec.template.spec.containers[0].image", repository: "ghcr.io/org/job", own: true, values: "ghcr.io/org/job:1.0 - - -" },
      { kind: "manifest", at: "env/workloads.yaml:24:12", path: "spec.ephemeralContainers[0].image", repository: "ghcr.io/org/debug", own: true, values: `ghcr.io/org/debug@sha256:${"a".repeat(64)} - - -` },
    ]);
  });

  it("tells the target's own kustomization from shared bases and components", async () => {
    const { places, kustomization } = await locate({
      "env/kustomization.yaml": "resources:\n- ../base\n- extra.yaml\ncomponents:\n- ../components/images\nimages:\n- name: ghcr.io/org/web\n  newTag: 2.0.0\n",
      "env/extra.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers: [{name: x, image: ghcr.io/org/extra:1}]\n",
      "base/kustomization.yaml": "resources:\n- web.yaml\n",
      "base/web.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - name: web\n    image: ghcr.io/org/web:1.0.0\n",
      "components/images/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nimages:\n- name: ghcr.io/org/web\n  newName: mirror.example.com/org/web\n  digest: sha256:" + "b".repeat(64) + "\n",
    });
    expect(kustomization).toBe("env/kustomization.yaml");
    expect(places.map(summary)).toEqual([
      { kind: "kustomize-image", at: "env/kustomization.yaml:7:9", path: "images[0]", repository: "ghcr.io/org/web", own: true, values: "- - 2.0.0 -" },
      { kind: "manifest", at: "env/extra.yaml:5:33", path: "spec.containers[0].image", repository: "ghcr.io/org/extra", own: true, values: "ghcr.io/org/extra:1 - - -" },
      { kind: "manifest", at: "base/web.yaml:7:12", path: "spec.containers[0].image", repository: "ghcr.io/org/web", own: false, values: "ghcr.io/org/web:1.0.0 - - -" },
      { kind: "kustomize-image", at: "components/images/kustomization.yaml:4:9", path: "images[0]", repository: "mirror.example.com/org/web", own: false, values: `- mirror.example.com/org/web - sha256:${"b".repeat(64)}` },
    ]);
  });

  it("finds Helm values: image strings, repository maps with registry, and configured paths", async () => {
    const { places, notices } = await locate(
      {
        "env/values.yaml": `image:
  registry: docker.io
  repository: bitnami/redis
  tag: 7.2.4
sidecarImage: ghcr.io/org/sidecar:0.3
templated:
  image: "{{ .Values.global.image }}"
jobs:
  cleanup:
    runner: ghcr.io/org/runner:5
`,
      },
      "env",
      ["jobs.*.runner"],
    );
    expect(places.map(summary)).toEqual([
      { kind: "helm-values", at: "env/values.yaml:4:8", path: "image", repository: "docker.io/bitnami/redis", own: true, values: "- bitnami/redis 7.2.4 -" },
      { kind: "helm-values", at: "env/values.yaml:5:15", path: "sidecarImage", repository: "ghcr.io/org/sidecar", own: true, values: "ghcr.io/org/sidecar:0.3 - - -" },
      { kind: "helm-values", at: "env/values.yaml:10:13", path: "jobs.cleanup.runner", repository: "ghcr.io/org/runner", own: true, values: "ghcr.io/org/runner:5 - - -" },
    ]);
    expect(notices).toEqual([]);
  });

  it("finds Flux setters and names their policy, also on structured places", async () => {
    const { places } = await locate({
      "env/kustomization.yaml": `resources: [config.yaml]
images:
- name: podinfo
  newName: ghcr.io/stefanprodan/podinfo # {"$imagepolicy": "flux-system:podinfo:name"}
  newTag: 6.5.0 # {"$imagepolicy": "flux-system:podinfo:tag"}
`,
      "env/config.yaml": `settings:
  worker: ghcr.io/org/worker:1.0.0 # {"$imagepolicy": "apps:worker"}
  api:
    repo: ghcr.io/org/api
    version: 3.1.0 # {"$imagepolicy": "apps:api:tag"}
`,
    });
    expect(places.map(summary)).toEqual([
      { kind: "kustomize-image", at: "env/kustomization.yaml:3:9", path: "images[0]", repository: "ghcr.io/stefanprodan/podinfo", own: true, policy: "flux-system:podinfo", values: "- ghcr.io/stefanprodan/podinfo 6.5.0 -" },
      { kind: "flux-setter", at: "env/config.yaml:2:11", path: "settings.worker", repository: "ghcr.io/org/worker", own: true, policy: "apps:worker", values: "ghcr.io/org/worker:1.0.0 - - -" },
      { kind: "flux-setter", at: "env/config.yaml:5:14", path: "settings.api", repository: "ghcr.io/org/api", own: true, policy: "apps:api", values: "- - 3.1.0 -" },
    ]);
  });

  it("finds Argo CD parameters, valuesObject, kustomize images and Image Updater's write-back file", async () => {
    const { places, notices } = await locate({
      "env/app.yaml": `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
spec:
  source:
    helm:
      parameters:
      - name: image.repository
        value: ghcr.io/org/web
      - name: image.tag
        value: "1.0"
      valuesObject:
        worker:
          image: ghcr.io/org/worker:2
      values: |
        image: ghcr.io/org/ignored:1
    kustomize:
      images:
      - ghcr.io/org/api:3
`,
      "env/.argocd-source-web.yaml": "kustomize:\n  images:\n  - old=ghcr.io/org/new:4\n",
    });
    expect(places.map(summary)).toEqual([
      { kind: "helm-values", at: "env/app.yaml:15:18", path: "spec.source.helm.valuesObject.worker.image", repository: "ghcr.io/org/worker", own: true, values: "ghcr.io/org/worker:2 - - -" },
      { kind: "argocd-helm-parameter", at: "env/app.yaml:12:16", path: "spec.source.helm.parameters[0].value", repository: "ghcr.io/org/web", own: true, values: '- ghcr.io/org/web 1.0 -' },
      { kind: "argocd-kustomize-image", at: "env/app.yaml:20:9", path: "spec.source.kustomize.images[0]", repository: "ghcr.io/org/api", own: true, values: "ghcr.io/org/api:3 - - -" },
      { kind: "argocd-kustomize-image", at: "env/.argocd-source-web.yaml:3:5", path: "kustomize.images[0]", repository: "ghcr.io/org/new", own: true, values: "old=ghcr.io/org/new:4 - - -" },
    ]);
    expect(notices).toEqual(["env/app.yaml:16: helm.values is a string of YAML; its images are not edited (use valuesObject or a values file)"]);
  });

  it("finds images in JSON 6902 patches", async () => {
    const { places } = await locate({
      "env/kustomization.yaml": "resources: [deploy.yaml]\npatchesJson6902:\n- path: patch.yaml\n  target: {kind: Deployment, name: web}\n",
      "env/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {template: {spec: {containers: [{name: web, image: 'ghcr.io/org/web:1'}]}}}\n",
      "env/patch.yaml": "- op: replace\n  path: /spec/template/spec/containers/0/image\n  value: ghcr.io/org/web:2\n- op: add\n  path: /spec/template/spec/containers/1\n  value:\n    name: proxy\n    image: docker.io/istio/proxyv2:1.18.5\n",
    });
    expect(places.map(summary).map((place) => `${place.at} ${place.path} ${place.repository}`)).toEqual([
      "env/deploy.yaml:4:58 spec.template.spec.containers[0].image ghcr.io/org/web",
      "env/patch.yaml:3:10 [0].value ghcr.io/org/web",
      "env/patch.yaml:8:12 [1].value.image docker.io/istio/proxyv2",
    ]);
  });

  it("notes a tag setter with no image name beside it", async () => {
    const { places, notices } = await locate({ "env/values.yaml": 'version: 1.0.0 # {"$imagepolicy": "apps:web:tag"}\n' });
    expect(places.map((place) => [place.kind, place.repository])).toEqual([["flux-setter", undefined]]);
    expect(notices).toEqual(['env/values.yaml:1: the $imagepolicy "apps:web" marks a tag with no image name beside it (a :name marker or a repository key) and no ImagePolicy with its ImageRepository was found: not matched to any image']);
  });

  it("notes values that are templates, not references", async () => {
    const { places, notices } = await locate({ "env/deploy.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: p\n    image: ${REGISTRY}/app:${TAG}\n" });
    expect(places).toEqual([]);
    expect(notices[0]).toContain('env/deploy.yaml:7: spec.containers[0].image is "${REGISTRY}/app:${TAG}", not an image reference');
  });

  it("refuses a file that does not parse, naming file and line", async () => {
    await expect(locate({ "env/bad.yaml": "a: 1\na: 2\n" })).rejects.toThrow(/Map keys must be unique|unique/);
  });

  it("refuses an alias bomb", async () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(", ")}]`);
    await expect(locate({ "env/bomb.yaml": `${levels.join("\n")}\n` })).rejects.toThrow(/alias/);
  });
});
