// Promotion edits change only the characters they must: a table of named cases (quoting, flow and block YAML,
// comments, several documents, anchors, CRLF, several places, not found), each file's text before and after.
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.ts";
import { needsQuotes, replaceScalar, scalarFor } from "../../src/promote/edit.ts";
import { canonicalImageRef, parseImageRef } from "../../src/promote/image-ref.ts";
import { imagesToPromote } from "../../src/promote/from-renderings.ts";
import { applyPlan } from "../../src/promote/apply.ts";
import { exclusiveInputs } from "../../src/promote/locate.ts";
import { formatPlan, planPromotion, type PromoteOptions } from "../../src/promote/plan.ts";
import type { Manifest } from "../../src/model.ts";
import { YamlSource } from "../../src/promote/yaml-source.ts";
import type { Files } from "../../src/ports.ts";

const DIGEST = `sha256:${"a".repeat(64)}`;
const DIGEST2 = `sha256:${"b".repeat(64)}`;

async function promote(files: Record<string, string>, images: string[], options: PromoteOptions = {}, dir = "env") {
  return planPromotion(
    { environment: dir, dir, files: Object.entries(files).map(([path, text]) => ({ path, text })) },
    images.map((image) => parseImageRef(image)),
    options,
  );
}

async function failure(files: Record<string, string>, images: string[], options: PromoteOptions = {}, dir = "env"): Promise<string> {
  try {
    await promote(files, images, options, dir);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error("expected the promotion to be refused");
}

const deployment = (image: string, extra = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: ${image}${extra}
`;

interface Case {
  name: string;
  files: Record<string, string>;
  images: string[];
  options?: PromoteOptions;
  valuePaths?: string[];
  expected: Record<string, string>;
}

const cases: Case[] = [
  {
    name: "plain scalar in a manifest",
    files: { "env/deploy.yaml": deployment("ghcr.io/org/web:1.0.0") },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: { "env/deploy.yaml": deployment("ghcr.io/org/web:1.1.0") },
  },
  {
    name: "double-quoted scalar stays double-quoted",
    files: { "env/deploy.yaml": deployment('"ghcr.io/org/web:1.0.0"') },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: { "env/deploy.yaml": deployment('"ghcr.io/org/web:1.1.0"') },
  },
  {
    name: "single-quoted scalar stays single-quoted",
    files: { "env/deploy.yaml": deployment("'ghcr.io/org/web:1.0.0'") },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: { "env/deploy.yaml": deployment("'ghcr.io/org/web:1.1.0'") },
  },
  {
    name: "comment beside the value is kept",
    files: { "env/deploy.yaml": deployment("ghcr.io/org/web:1.0.0", "   # the web app, see #123") },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: { "env/deploy.yaml": deployment("ghcr.io/org/web:1.1.0", "   # the web app, see #123") },
  },
  {
    name: "flow mapping inside a block list",
    files: { "env/deploy.yaml": "kind: Pod\napiVersion: v1\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: web, image: 'ghcr.io/org/web:1.0.0', ports: [{containerPort: 80}]}\n" },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: { "env/deploy.yaml": "kind: Pod\napiVersion: v1\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: web, image: 'ghcr.io/org/web:1.1.0', ports: [{containerPort: 80}]}\n" },
  },
  {
    name: "flow style everywhere (JSON-like YAML)",
    files: { "env/pod.yaml": '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "web", "image": "ghcr.io/org/web:1.0.0"}]}}\n' },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: { "env/pod.yaml": '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "web", "image": "ghcr.io/org/web:1.1.0"}]}}\n' },
  },
  {
    name: "multi-document file: only the matching document changes, markers kept",
    files: {
      "env/all.yaml": `---\n# first\n${deployment("ghcr.io/org/api:2.0.0")}---\n${deployment("ghcr.io/org/web:1.0.0")}...\n`,
    },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: { "env/all.yaml": `---\n# first\n${deployment("ghcr.io/org/api:2.0.0")}---\n${deployment("ghcr.io/org/web:1.1.0")}...\n` },
  },
  {
    name: "CRLF line endings are kept",
    files: { "env/deploy.yaml": deployment("ghcr.io/org/web:1.0.0").replace(/\n/g, "\r\n") },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: { "env/deploy.yaml": deployment("ghcr.io/org/web:1.1.0").replace(/\n/g, "\r\n") },
  },
  {
    name: "CRLF kustomization: an images entry is appended with CRLF",
    files: {
      "env/kustomization.yaml": "resources:\r\n  - ../base\r\nimages:\r\n  - name: other\r\n    newTag: v1 # keep\r\n",
      "base/kustomization.yaml": "resources:\r\n  - deploy.yaml\r\n",
      "base/deploy.yaml": deployment("ghcr.io/org/web:1.0.0"),
    },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: {
      "env/kustomization.yaml": "resources:\r\n  - ../base\r\nimages:\r\n  - name: other\r\n    newTag: v1 # keep\r\n  - name: ghcr.io/org/web\r\n    newTag: 1.1.0\r\n",
    },
  },
  {
    name: "an image referenced in several places: all of them change",
    files: {
      "env/deploy.yaml": `${deployment("ghcr.io/org/web:1.0.0")}      initContainers:\n        - name: migrate\n          image: "ghcr.io/org/web:1.0.0"\n`,
      "env/job.yaml": "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: job\n              image: ghcr.io/org/web:1.0.0 # nightly\n",
    },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: {
      "env/deploy.yaml": `${deployment("ghcr.io/org/web:1.1.0")}      initContainers:\n        - name: migrate\n          image: "ghcr.io/org/web:1.1.0"\n`,
      "env/job.yaml": "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: job\n              image: ghcr.io/org/web:1.1.0 # nightly\n",
    },
  },
  {
    name: "anchored value whose every use is the image: the anchor is edited",
    files: {
      "env/values.yaml": "web:\n  image:\n    repository: ghcr.io/org/web\n    tag: &webTag 1.0.0\nworker:\n  image:\n    repository: ghcr.io/org/web\n    tag: *webTag\n",
    },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: { "env/values.yaml": "web:\n  image:\n    repository: ghcr.io/org/web\n    tag: &webTag 1.1.0\nworker:\n  image:\n    repository: ghcr.io/org/web\n    tag: *webTag\n" },
  },
  {
    name: "a number-like tag written plain gets quoted",
    files: { "env/values.yaml": "image:\n  repository: ghcr.io/org/web\n  tag: v1.9\n" },
    images: ["ghcr.io/org/web:1.10"],
    expected: { "env/values.yaml": 'image:\n  repository: ghcr.io/org/web\n  tag: "1.10"\n' },
  },
  {
    name: "an empty tag value gets one",
    files: { "env/values.yaml": "image:\n  repository: ghcr.io/org/web\n  tag:\n  pullPolicy: IfNotPresent\n" },
    images: ["ghcr.io/org/web:v2"],
    expected: { "env/values.yaml": "image:\n  repository: ghcr.io/org/web\n  tag: v2\n  pullPolicy: IfNotPresent\n" },
  },
  {
    name: "an empty tag value with a comment after it",
    files: { "env/values.yaml": "image:\n  repository: ghcr.io/org/web\n  tag: # set by CI\n" },
    images: ["ghcr.io/org/web:v2"],
    expected: { "env/values.yaml": "image:\n  repository: ghcr.io/org/web\n  tag: v2 # set by CI\n" },
  },
  {
    name: "a tagged or anchored scalar keeps its tag and anchor",
    files: { "env/values.yaml": "image:\n  repository: ghcr.io/org/web\n  tag: !!str &t 1.0\n" },
    images: ["ghcr.io/org/web:1.10"],
    expected: { "env/values.yaml": 'image:\n  repository: ghcr.io/org/web\n  tag: !!str &t "1.10"\n' },
  },
  {
    name: "docker hub names compare normalised; the written name is kept",
    files: { "env/deploy.yaml": deployment("nginx:1.25") },
    images: ["docker.io/library/nginx:1.27"],
    expected: { "env/deploy.yaml": deployment("nginx:1.27") },
  },
  {
    name: "registry with a port",
    files: { "env/deploy.yaml": deployment("localhost:5000/team/web:1") },
    images: ["localhost:5000/team/web:2"],
    expected: { "env/deploy.yaml": deployment("localhost:5000/team/web:2") },
  },
  {
    name: "kustomize images entry in the target overlay: newTag edited",
    files: {
      "env/kustomization.yaml": "resources:\n- ../base\nimages:\n- name: ghcr.io/org/web\n  newTag: \"1.0.0\" # pinned by release\n",
      "base/kustomization.yaml": "resources:\n- deploy.yaml\n",
      "base/deploy.yaml": deployment("ghcr.io/org/web:0.9.0"),
    },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: { "env/kustomization.yaml": "resources:\n- ../base\nimages:\n- name: ghcr.io/org/web\n  newTag: \"1.1.0\" # pinned by release\n" },
  },
  {
    name: "kustomize images entry renaming: matched by its newName",
    files: {
      "env/kustomization.yaml": "resources:\n- deploy.yaml\nimages:\n- name: web\n  newName: registry.example.com/org/web\n  newTag: 1.0.0\n",
      "env/deploy.yaml": deployment("web"),
    },
    images: ["registry.example.com/org/web:1.1.0"],
    expected: { "env/kustomization.yaml": "resources:\n- deploy.yaml\nimages:\n- name: web\n  newName: registry.example.com/org/web\n  newTag: 1.1.0\n" },
  },
  {
    name: "image from a shared base: an images key is added to the overlay, the base is untouched",
    files: {
      "env/kustomization.yaml": "# production\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../base\n\n# end\n",
      "base/kustomization.yaml": "resources:\n- deploy.yaml\n",
      "base/deploy.yaml": deployment("ghcr.io/org/web:1.0.0"),
    },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: {
      "env/kustomization.yaml": "# production\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../base\n\n# end\nimages:\n  - name: ghcr.io/org/web\n    newTag: 1.1.0\n",
    },
  },
  {
    name: "image set by a shared base's images entry: the overlay gets an entry for its output name",
    files: {
      "env/kustomization.yaml": "resources: [../base]\nimages: []\n",
      "base/kustomization.yaml": "resources:\n- deploy.yaml\nimages:\n- name: web\n  newName: ghcr.io/org/web\n  newTag: 1.0.0\n",
      "base/deploy.yaml": deployment("web"),
    },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: { "env/kustomization.yaml": "resources: [../base]\nimages: [{name: ghcr.io/org/web, newTag: 1.1.0}]\n" },
  },
  {
    name: "kustomize entry with a digest: both change",
    files: { "env/kustomization.yaml": `resources:\n- deploy.yaml\nimages:\n- name: ghcr.io/org/web\n  newTag: 1.0.0\n  digest: ${DIGEST}\n`, "env/deploy.yaml": deployment("ghcr.io/org/web") },
    images: [`ghcr.io/org/web:1.1.0@${DIGEST2}`],
    expected: { "env/kustomization.yaml": `resources:\n- deploy.yaml\nimages:\n- name: ghcr.io/org/web\n  newTag: 1.1.0\n  digest: ${DIGEST2}\n` },
  },
  {
    name: "digest pinning asked: a digest key is added to a kustomize entry",
    files: { "env/kustomization.yaml": "resources:\n- deploy.yaml\nimages:\n  - name: ghcr.io/org/web # the app\n    newTag: 1.0.0\n", "env/deploy.yaml": deployment("ghcr.io/org/web") },
    images: [`ghcr.io/org/web:1.1.0@${DIGEST2}`],
    options: { pinDigest: true },
    expected: { "env/kustomization.yaml": `resources:\n- deploy.yaml\nimages:\n  - name: ghcr.io/org/web # the app\n    newTag: 1.1.0\n    digest: ${DIGEST2}\n` },
  },
  {
    name: "Helm tag pinned to a digest (tag@sha256) stays pinned",
    files: { "env/values.yaml": `image:\n  repository: mirror.gcr.io/org/web\n  tag: 1.0.0@${DIGEST}\n` },
    images: [`mirror.gcr.io/org/web:1.1.0@${DIGEST2}`],
    expected: { "env/values.yaml": `image:\n  repository: mirror.gcr.io/org/web\n  tag: 1.1.0@${DIGEST2}\n` },
  },
  {
    name: "Flux setters: whole reference, and :tag beside :name",
    files: {
      "env/deploy.yaml": deployment("ghcr.io/org/web:1.0.0", ' # {"$imagepolicy": "flux-system:web"}'),
      "env/values.yaml": 'app:\n  repo: ghcr.io/org/api # {"$imagepolicy": "flux-system:api:name"}\n  version: "2.0.0" # {"$imagepolicy": "flux-system:api:tag"}\n',
    },
    images: ["ghcr.io/org/web:1.1.0", "ghcr.io/org/api:2.1.0"],
    expected: {
      "env/deploy.yaml": deployment("ghcr.io/org/web:1.1.0", ' # {"$imagepolicy": "flux-system:web"}'),
      "env/values.yaml": 'app:\n  repo: ghcr.io/org/api # {"$imagepolicy": "flux-system:api:name"}\n  version: "2.1.0" # {"$imagepolicy": "flux-system:api:tag"}\n',
    },
  },
  {
    name: "HelmRelease spec.values: image.repository and image.tag",
    files: {
      "env/release.yaml":
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\nspec:\n  chart:\n    spec:\n      chart: web\n      version: 1.2.3\n  values:\n    image:\n      repository: ghcr.io/org/web\n      tag: 1.0.0\n",
    },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: {
      "env/release.yaml":
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\nspec:\n  chart:\n    spec:\n      chart: web\n      version: 1.2.3\n  values:\n    image:\n      repository: ghcr.io/org/web\n      tag: 1.1.0\n",
    },
  },
  {
    name: "Argo CD Application: helm parameters and kustomize images",
    files: {
      "env/app.yaml":
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web\nspec:\n  sources:\n    - helm:\n        parameters:\n          - name: image.repository\n            value: ghcr.io/org/web\n          - name: image.tag\n            value: '1.0.0'\n    - kustomize:\n        images:\n          - web=ghcr.io/org/api:2.0.0\n",
    },
    images: ["ghcr.io/org/web:1.1.0", "ghcr.io/org/api:2.1.0"],
    expected: {
      "env/app.yaml":
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web\nspec:\n  sources:\n    - helm:\n        parameters:\n          - name: image.repository\n            value: ghcr.io/org/web\n          - name: image.tag\n            value: '1.1.0'\n    - kustomize:\n        images:\n          - web=ghcr.io/org/api:2.1.0\n",
    },
  },
  {
    name: "an anchored map aliased by a second release: the anchor's tag is edited once",
    files: {
      "env/values.yaml": "web:\n  image: &image\n    repository: ghcr.io/org/web\n    tag: \"1.0.0\"\nworker:\n  image: *image\n",
    },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: { "env/values.yaml": "web:\n  image: &image\n    repository: ghcr.io/org/web\n    tag: \"1.1.0\"\nworker:\n  image: *image\n" },
  },
  {
    name: "Flux Kustomization spec.images",
    files: {
      "env/flux.yaml":
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\nspec:\n  path: ./apps\n  images:\n    - name: ghcr.io/org/web\n      newTag: 1.0.0 # {\"$imagepolicy\": \"flux-system:web:tag\"}\n",
    },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: {
      "env/flux.yaml":
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\nspec:\n  path: ./apps\n  images:\n    - name: ghcr.io/org/web\n      newTag: 1.1.0 # {\"$imagepolicy\": \"flux-system:web:tag\"}\n",
    },
  },
  {
    name: "a digest-only request replaces the tag of a whole reference",
    files: { "env/deploy.yaml": deployment("ghcr.io/org/web:1.0.0") },
    images: [`ghcr.io/org/web@${DIGEST2}`],
    expected: { "env/deploy.yaml": deployment(`ghcr.io/org/web@${DIGEST2}`) },
  },
  {
    name: "two images from a shared base: one images key with two entries",
    files: {
      "env/kustomization.yaml": "resources:\n- ../base\n",
      "base/kustomization.yaml": "resources:\n- deploy.yaml\n",
      "base/deploy.yaml": `${deployment("ghcr.io/org/web:1.0.0")}        - name: proxy\n          image: envoyproxy/envoy:v1.30.0\n`,
    },
    images: ["ghcr.io/org/web:1.1.0", "docker.io/envoyproxy/envoy:v1.31.0"],
    expected: { "env/kustomization.yaml": "resources:\n- ../base\nimages:\n- name: ghcr.io/org/web\n  newTag: 1.1.0\n- name: envoyproxy/envoy\n  newTag: v1.31.0\n" },
  },
  {
    name: "an images key with no value gets its first entry",
    files: {
      "env/kustomization.yaml": "resources:\n  - ../base\nimages:\n# none yet\nnamespace: prod\n",
      "base/kustomization.yaml": "resources:\n- deploy.yaml\n",
      "base/deploy.yaml": deployment("ghcr.io/org/web:1.0.0"),
    },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: { "env/kustomization.yaml": "resources:\n  - ../base\nimages:\n  - name: ghcr.io/org/web\n    newTag: 1.1.0\n# none yet\nnamespace: prod\n" },
  },
  {
    name: "CRLF kustomization without images and without a final line ending",
    files: {
      "env/kustomization.yaml": "resources:\r\n- ../base",
      "base/kustomization.yaml": "resources:\n- deploy.yaml\n",
      "base/deploy.yaml": deployment("ghcr.io/org/web:1.0.0"),
    },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: { "env/kustomization.yaml": "resources:\r\n- ../base\r\nimages:\r\n- name: ghcr.io/org/web\r\n  newTag: 1.1.0\r\n" },
  },
  {
    name: "a JSON manifest keeps its JSON",
    files: { "env/pod.json": '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": { "name": "p" },\n  "spec": { "containers": [ { "name": "p", "image": "ghcr.io/org/web:1.0.0" } ] }\n}\n' },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: { "env/pod.json": '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": { "name": "p" },\n  "spec": { "containers": [ { "name": "p", "image": "ghcr.io/org/web:1.1.0" } ] }\n}\n' },
  },
  {
    name: "a repository value without a tag is left when another place sets the tag",
    files: {
      "env/release.yaml":
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\nspec:\n  values:\n    image:\n      repository: ghcr.io/org/web\n    sidecar:\n      image:\n        repository: ghcr.io/org/web\n        tag: 1.0.0\n",
    },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: {
      "env/release.yaml":
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\nspec:\n  values:\n    image:\n      repository: ghcr.io/org/web\n    sidecar:\n      image:\n        repository: ghcr.io/org/web\n        tag: 1.1.0\n",
    },
  },
  {
    name: "HelmRelease postRenderers kustomize images",
    files: {
      "env/release.yaml":
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\nspec:\n  postRenderers:\n    - kustomize:\n        images:\n          - name: docker.io/org/web\n            newName: ghcr.io/org/web\n            newTag: 1.0.0\n",
    },
    images: ["ghcr.io/org/web:1.1.0"],
    expected: {
      "env/release.yaml":
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\nspec:\n  postRenderers:\n    - kustomize:\n        images:\n          - name: docker.io/org/web\n            newName: ghcr.io/org/web\n            newTag: 1.1.0\n",
    },
  },
  {
    name: "kustomize helmCharts valuesInline, and a values file of a configMapGenerator",
    files: {
      "env/kustomization.yaml":
        "helmCharts:\n- name: web\n  repo: https://charts.example.com\n  valuesInline:\n    image:\n      repository: ghcr.io/org/web\n      tag: 1.0.0\nconfigMapGenerator:\n- name: api-values\n  files:\n  - values.yaml=api-values.yaml\n",
      "env/api-values.yaml": "image:\n  repository: ghcr.io/org/api\n  tag: 2.0.0\n",
    },
    images: ["ghcr.io/org/web:1.1.0", "ghcr.io/org/api:2.1.0"],
    expected: {
      "env/kustomization.yaml":
        "helmCharts:\n- name: web\n  repo: https://charts.example.com\n  valuesInline:\n    image:\n      repository: ghcr.io/org/web\n      tag: 1.1.0\nconfigMapGenerator:\n- name: api-values\n  files:\n  - values.yaml=api-values.yaml\n",
      "env/api-values.yaml": "image:\n  repository: ghcr.io/org/api\n  tag: 2.1.0\n",
    },
  },
  {
    name: "a byte order mark and non-ASCII comments are kept",
    files: { "env/values.yaml": "\uFEFFimage:\n  repository: ghcr.io/org/web # 🚀 ünïcode\n  tag: 1.0.0 # ☃\n" },
    images: ["ghcr.io/org/web:2.0.1"],
    expected: { "env/values.yaml": "\uFEFFimage:\n  repository: ghcr.io/org/web # 🚀 ünïcode\n  tag: 2.0.1 # ☃\n" },
  },
  {
    name: "a kustomize entry that only renames gets a newTag key, in flow style too",
    files: {
      "env/kustomization.yaml": "resources: [deploy.yaml]\nimages:\n- name: web\n  newName: ghcr.io/org/web   # moved registry\n- {name: api, newName: ghcr.io/org/api}\n",
      "env/deploy.yaml": `${deployment("web")}        - name: api\n          image: api\n`,
    },
    images: ["ghcr.io/org/web:1.1.0", "ghcr.io/org/api:2.0.0"],
    expected: {
      "env/kustomization.yaml": "resources: [deploy.yaml]\nimages:\n- name: web\n  newName: ghcr.io/org/web   # moved registry\n  newTag: 1.1.0\n- {name: api, newName: ghcr.io/org/api, newTag: 2.0.0}\n",
    },
  },
  {
    name: "configured value path",
    files: { "env/values.yaml": "worker:\n  container: ghcr.io/org/web:1.0.0\n" },
    valuePaths: ["worker.container"],
    images: ["ghcr.io/org/web:1.1.0"],
    expected: { "env/values.yaml": "worker:\n  container: ghcr.io/org/web:1.1.0\n" },
  },
];

describe("promotion edits change only the characters they must", () => {
  it.each(cases)("$name", async ({ files, images, options, valuePaths, expected }) => {
    const plan = await planPromotion(
      { environment: "env", dir: "env", files: Object.entries(files).map(([path, text]) => ({ path, text })), ...(valuePaths ? { valuePaths } : {}) },
      images.map((image) => parseImageRef(image)),
      options,
    );
    expect(Object.fromEntries(plan.changes.map((change) => [change.file, change.after]))).toEqual(expected);
    for (const change of plan.changes) {
      expect(change.before).toBe(files[change.file]);
      expect(change.edits.length).toBeGreaterThan(0);
    }
  });
});

describe("promotions that are refused, with nothing changed", () => {
  it("an image not found names the image and the environment", async () => {
    const message = await failure({ "env/deploy.yaml": deployment("ghcr.io/org/web:1.0.0") }, ["ghcr.io/org/missing:1.0.0"]);
    expect(message).toContain("ghcr.io/org/missing is not set anywhere in env");
  });

  it("one image not found refuses the whole promotion", async () => {
    const message = await failure({ "env/deploy.yaml": deployment("ghcr.io/org/web:1.0.0") }, ["ghcr.io/org/web:1.1.0", "ghcr.io/org/missing:1"]);
    expect(message).toContain("missing");
  });

  it("an alias that carries the value to a place that is not the image", async () => {
    const message = await failure(
      { "env/values.yaml": "defaults:\n  version: &v 1.0.0\nimage:\n  repository: ghcr.io/org/web\n  tag: *v\n" },
      ["ghcr.io/org/web:1.1.0"],
    );
    expect(message).toMatch(/env\/values.yaml:2: .*anchor &v.*defaults.version/);
  });

  it("a digest-pinned place needs a digest", async () => {
    const message = await failure({ "env/values.yaml": `image:\n  repository: ghcr.io/org/web\n  tag: 1.0.0@${DIGEST}\n` }, ["ghcr.io/org/web:1.1.0"]);
    expect(message).toContain("env/values.yaml:3: image pins ghcr.io/org/web to a digest; promote ghcr.io/org/web:1.1.0 with its digest");
  });

  it("digest pinning without a digest", async () => {
    const message = await failure({ "env/deploy.yaml": deployment("ghcr.io/org/web:1.0.0") }, ["ghcr.io/org/web:1.1.0"], { pinDigest: true });
    expect(message).toContain("digest pinning was asked");
  });

  it("a value set only in a shared HelmRelease", async () => {
    const message = await failure(
      {
        "env/kustomization.yaml": "resources:\n- ../base\n",
        "base/kustomization.yaml": "resources:\n- release.yaml\n",
        "base/release.yaml": "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\nspec:\n  values:\n    image:\n      repository: ghcr.io/org/web\n      tag: 1.0.0\n",
      },
      ["ghcr.io/org/web:1.1.0"],
    );
    expect(message).toContain("base/release.yaml:9");
    expect(message).toContain("other environments may read too");
  });

  it("a tag the target's policy does not accept", async () => {
    const message = await failure({ "env/deploy.yaml": deployment("ghcr.io/org/web:1.0.0") }, ["ghcr.io/org/web:2.0.0"], {
      policies: [{ repository: "ghcr.io/org/web", policy: { type: "semver", range: "^1.0.0" } }],
    });
    expect(message).toContain('semver range "^1.0.0"');
  });

  it("a digest-only request where a tag is written apart", async () => {
    const message = await failure({ "env/values.yaml": "image:\n  repository: ghcr.io/org/web\n  tag: 1.0.0\n" }, [`ghcr.io/org/web@${DIGEST}`]);
    expect(message).toContain("env/values.yaml:3: image sets a tag; promote ghcr.io/org/web@");
  });

  it("a downgrade by the policy's order, unless allowed", async () => {
    const files = { "env/deploy.yaml": deployment("ghcr.io/org/web:1.4.0") };
    const policies = [{ repository: "ghcr.io/org/web", policy: { type: "semver" as const, range: "^1.0.0" } }];
    expect(await failure(files, ["ghcr.io/org/web:1.3.9"], { policies })).toContain("env/deploy.yaml:10 runs 1.4.0, which the semver range \"^1.0.0\" orders after 1.3.9: a downgrade");
    expect((await promote(files, ["ghcr.io/org/web:1.3.9"], { policies, allowDowngrade: true })).changes).toHaveLength(1);
  });

  it("a repository value with no tag anywhere", async () => {
    const message = await failure({ "env/values.yaml": "image:\n  repository: ghcr.io/org/web\n" }, ["ghcr.io/org/web:1.1.0"]);
    expect(message).toContain("env/values.yaml:2: image names ghcr.io/org/web but sets no tag here");
  });

  it("a block scalar is not rewritten", async () => {
    const message = await failure({ "env/values.yaml": "image:\n  repository: ghcr.io/org/web\n  tag: >-\n    1.0.0\n" }, ["ghcr.io/org/web:1.1.0"]);
    expect(message).toContain("env/values.yaml:3: the value is a block scalar");
  });
});

describe("what is owned", () => {
  it("a base that only the target reads (ownFiles from discovery) is edited in place", async () => {
    const files = {
      "env/kustomization.yaml": "resources:\n- ../base\n",
      "base/kustomization.yaml": "resources:\n- deploy.yaml\n",
      "base/deploy.yaml": deployment("ghcr.io/org/web:1.0.0"),
    };
    const ownFiles = exclusiveInputs(new Set(Object.keys(files)), [new Set(["other/kustomization.yaml"])]);
    const plan = await planPromotion({ environment: "env", dir: "env", files: Object.entries(files).map(([path, text]) => ({ path, text })), ownFiles }, [parseImageRef("ghcr.io/org/web:1.1.0")]);
    expect(plan.changes.map((change) => [change.file, change.after])).toEqual([["base/deploy.yaml", deployment("ghcr.io/org/web:1.1.0")]]);
  });

  it("a target kustomization another environment builds on gets no images entry", async () => {
    const files = {
      "env/kustomization.yaml": "resources:\n- ../base\n",
      "base/kustomization.yaml": "resources:\n- deploy.yaml\n",
      "base/deploy.yaml": deployment("ghcr.io/org/web:1.0.0"),
    };
    const ownFiles = exclusiveInputs(new Set(Object.keys(files)), [new Set(["env-eu/kustomization.yaml", ...Object.keys(files)])]);
    await expect(
      planPromotion({ environment: "env", dir: "env", files: Object.entries(files).map(([path, text]) => ({ path, text })), ownFiles }, [parseImageRef("ghcr.io/org/web:1.1.0")]),
    ).rejects.toThrow("has no kustomization that only it reads to override it in");
  });

  it("a base another environment reads is not", () => {
    const target = new Set(["env/kustomization.yaml", "base/kustomization.yaml", "base/deploy.yaml"]);
    expect([...exclusiveInputs(target, [target, new Set(["prod/kustomization.yaml", "base/kustomization.yaml", "base/deploy.yaml"])])]).toEqual(["env/kustomization.yaml"]);
  });
});

describe("images to promote, from two renderings", () => {
  const manifest = (name: string, ...images: string[]): Manifest => ({
    object: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name }, spec: { template: { spec: { containers: images.map((image, index) => ({ name: `c${index}`, image })) } } } },
    id: { group: "apps", version: "v1", kind: "Deployment", namespace: "", name },
    rendered: { index: 0, line: 1 },
  });

  it("takes what differs, by repository", () => {
    const { images, notices } = imagesToPromote(
      [manifest("web", "ghcr.io/org/web:1.1.0", "nginx:1.27"), manifest("api", "ghcr.io/org/api:2.0.0"), manifest("new", "ghcr.io/org/new:1")],
      [manifest("web", "ghcr.io/org/web:1.0.0", "docker.io/library/nginx:1.27"), manifest("api", "ghcr.io/org/api:1.9.0")],
    );
    expect(images.map((image) => `${image.writtenName}:${image.tag}`)).toEqual(["ghcr.io/org/web:1.1.0", "ghcr.io/org/api:2.0.0"]);
    expect(notices).toEqual(["ghcr.io/org/new runs in the source but not in the target: not promoted"]);
  });

  it("limited to some apps: by workload name or repository name", () => {
    const source = [manifest("web", "ghcr.io/org/web:1.1.0"), manifest("api", "ghcr.io/org/api:2.0.0")];
    const target = [manifest("web", "ghcr.io/org/web:1.0.0"), manifest("api", "ghcr.io/org/api:1.9.0")];
    expect(imagesToPromote(source, target, ["api"]).images.map((image) => image.tag)).toEqual(["2.0.0"]);
    expect(imagesToPromote(source, target, ["ghcr.io/org/web"]).images.map((image) => image.tag)).toEqual(["1.1.0"]);
  });

  it("reads the images of Flux HelmReleases' values (their charts render in the cluster)", () => {
    const release = (tag: string): Manifest => ({
      object: { apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", metadata: { name: "redis" }, spec: { values: { image: { registry: "docker.io", repository: "bitnami/redis", tag } } } },
      id: { group: "helm.toolkit.fluxcd.io", version: "v2", kind: "HelmRelease", namespace: "", name: "redis" },
      rendered: { index: 0, line: 1 },
    });
    expect(imagesToPromote([release("7.2.5")], [release("7.2.4")]).images.map(canonicalImageRef)).toEqual(["docker.io/bitnami/redis:7.2.5"]);
  });

  it("refuses a source running two versions of one repository", () => {
    expect(() => imagesToPromote([manifest("a", "ghcr.io/org/web:1"), manifest("b", "ghcr.io/org/web:2")], [manifest("a", "ghcr.io/org/web:0")])).toThrow("several versions");
  });
});

describe("applying a plan", () => {
  function memoryFiles(initial: Record<string, string>): Files & { data: Map<string, string>; writes: number } {
    const data = new Map(Object.entries(initial).map(([file, text]) => [`/repo/${file}`, text]));
    const files = {
      data,
      writes: 0,
      async readText(path: string) {
        const text = data.get(path);
        if (text === undefined) throw new Error(`ENOENT ${path}`);
        return text;
      },
      async writeText(path: string, content: string) {
        files.writes++;
        data.set(path, content);
      },
      async stat(path: string) {
        return data.has(path) ? { type: "file" as const, size: data.get(path)!.length } : undefined;
      },
    } as unknown as Files & { data: Map<string, string>; writes: number };
    return files;
  }

  it("writes the planned texts", async () => {
    const initial = { "env/deploy.yaml": deployment("ghcr.io/org/web:1.0.0") };
    const files = memoryFiles(initial);
    const plan = await promote(initial, ["ghcr.io/org/web:1.1.0"]);
    expect(await applyPlan(plan, files, "/repo")).toEqual(["env/deploy.yaml"]);
    expect(files.data.get("/repo/env/deploy.yaml")).toBe(deployment("ghcr.io/org/web:1.1.0"));
  });

  it("refuses, writing nothing, when a file changed since the plan", async () => {
    const initial = { "env/a.yaml": deployment("ghcr.io/org/web:1.0.0"), "env/b.yaml": deployment("ghcr.io/org/web:1.0.0 # b") };
    const files = memoryFiles(initial);
    const plan = await promote(initial, ["ghcr.io/org/web:1.1.0"]);
    files.data.set("/repo/env/b.yaml", deployment("ghcr.io/org/web:1.0.5"));
    await expect(applyPlan(plan, files, "/repo")).rejects.toThrow("env/b.yaml changed since the promotion was planned");
    expect(files.writes).toBe(0);
  });

  it("reports the edits with file, line, old and new", async () => {
    const plan = await promote({ "env/deploy.yaml": deployment("ghcr.io/org/web:1.0.0") }, ["ghcr.io/org/web:1.1.0"]);
    expect(plan.changes[0]!.edits).toEqual([
      expect.objectContaining({ file: "env/deploy.yaml", line: 10, column: 18, old: "ghcr.io/org/web:1.0.0", new: "ghcr.io/org/web:1.1.0" }),
    ]);
    expect(plan.changes[0]!.edits[0]!.why).toContain("container image spec.template.spec.containers[0].image");
  });

  it("formats the plan for a terminal or a pull request", async () => {
    const plan = await promote(
      {
        "env/kustomization.yaml": "resources:\n- ../base\n",
        "base/kustomization.yaml": "resources:\n- deploy.yaml\n",
        "base/deploy.yaml": deployment("ghcr.io/org/web:1.0.0"),
      },
      ["ghcr.io/org/web:1.1.0"],
    );
    expect(formatPlan(plan)).toBe(
      [
        "Promotion to env: ghcr.io/org/web:1.1.0",
        "  env/kustomization.yaml",
        '    line 3: added "images:\\n- name: ghcr.io/org/web\\n  newTag: 1.1.0"  (ghcr.io/org/web:1.1.0 (set in the shared base/deploy.yaml:10: overridden in the target\'s kustomization))',
      ].join("\n"),
    );
  });

  it("an image already at the requested version changes nothing", async () => {
    const plan = await promote({ "env/deploy.yaml": deployment("ghcr.io/org/web:1.0.0") }, ["ghcr.io/org/web:1.0.0"]);
    expect(plan.changes).toEqual([]);
    expect(plan.unchanged).toEqual(["ghcr.io/org/web:1.0.0"]);
  });
});

describe("quoting and escaping", () => {
  it.each([
    ["1.2.3", false],
    ["v1.2", false],
    ["latest", false],
    ["1.10", true],
    ["20240101", true],
    ["1e10", true],
    ["0777", true],
    ["yes", true],
    ["off", true],
    ["~", true],
    ["2024-01-01", true],
    ["2024-01-01T10:00:00Z", true],
    ["2024-01-15-abc123", false],
    ["a: b", true],
    ["a #b", true],
    ["-x", true],
    ["@x", true],
    ["", true],
    ["a,b", false],
  ] as const)("%s needs quotes: %s", (value, expected) => {
    expect(needsQuotes(value, false)).toBe(expected);
  });

  it("flow context quotes , [ ] { }", () => {
    expect(needsQuotes("a,b", true)).toBe(true);
    expect(scalarFor("a,b", true)).toBe('"a,b"');
  });

  it.each([
    { name: "single quotes doubled", source: "v: 'x'\n", value: "it's", text: "'it''s'" },
    { name: "double quotes escaped", source: 'v: "x"\n', value: 'say "hi" \\ there', text: '"say \\"hi\\" \\\\ there"' },
    { name: "control characters force double quotes", source: "v: 'x'\n", value: "a\tb", text: '"a\\tb"' },
    { name: "plain needing quotes becomes double-quoted", source: "v: x\n", value: "true", text: '"true"' },
  ])("$name", ({ source, value, text }) => {
    const yaml = new YamlSource("f.yaml", source);
    const { node } = [...yaml.walk(yaml.documents[0]!)].find((entry) => entry.path[0] === "v")!;
    const edit = replaceScalar(source, yaml.scalar(node)!, value);
    expect(edit.text).toBe(text);
    const reparsed = new YamlSource("f.yaml", source.slice(0, edit.start) + edit.text + source.slice(edit.end));
    expect((reparsed.documents[0]!.value as { v: unknown }).v).toBe(value);
  });
});
