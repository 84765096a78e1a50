// Promotions on copies of real repositories (../shared/corpus: kustomize images, an overlay over a shared base,
// Helm values in HelmReleases) and on a Flux image-automation fixture (the corpus has no setter comments): after
// applying, `git diff` shows only the intended lines, and `kubectl kustomize` renders the target with the new
// images and nothing else changed. ../shared exists on our machines and in CI, not in a user's clone: the corpus
// cases are skipped without it.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NodeFiles } from "../../src/adapters/node/files.ts";
import { DEFAULT_CONFIG } from "../../src/config/config.ts";
import { discover } from "../../src/discover/discover.ts";
import { fluxImagePolicies } from "../../src/promote/flux-policies.ts";
import { normalizeRepository, parseImageRef } from "../../src/promote/image-ref.ts";
import { locateImages } from "../../src/promote/locate.ts";
import { containerImages, imagesToPromote } from "../../src/promote/from-renderings.ts";
import { applyPlan, readSources } from "../../src/promote/apply.ts";
import { planPromotion, type PromoteOptions } from "../../src/promote/plan.ts";
import { checkPromotedRendering } from "../../src/promote/verify-render.ts";
import { parseManifests } from "../../src/render/manifests.ts";
import { kubectlKustomize, SHARED, TempRepo } from "../helpers/repo.ts";

const corpus = path.join(SHARED, "corpus");
const fixture = path.resolve(import.meta.dirname, "../fixtures/promote/flux-image-automation");
const files = new NodeFiles();
const repos: TempRepo[] = [];
afterAll(() => repos.forEach((repo) => repo.dispose()));

function copy(source: string): TempRepo {
  const repo = TempRepo.fromDirectory(source);
  repos.push(repo);
  return repo;
}

/** Plans and applies a promotion into the environment at `dir` of the repository, as the CLI will. */
async function promote(repo: TempRepo, dir: string, images: string[], options: PromoteOptions = {}) {
  const discovery = await discover({ root: repo.dir, files, config: DEFAULT_CONFIG });
  const inputs = discovery.closureOf(dir).files;
  const sources = await readSources(files, repo.dir, inputs);
  const plan = await planPromotion({ environment: dir, dir, files: sources }, images.map((image) => parseImageRef(image)), options);
  await applyPlan(plan, files, repo.dir);
  return plan;
}

/** The lines `git diff` removes and adds, per file. */
function diffLines(repo: TempRepo): Record<string, { removed: string[]; added: string[] }> {
  const result: Record<string, { removed: string[]; added: string[] }> = {};
  let file = "";
  for (const line of repo.git("diff", "--unified=0", "--no-color").split("\n")) {
    if (line.startsWith("+++ b/")) file = line.slice(6);
    else if (line.startsWith("--- ") || line.startsWith("+++ ")) continue;
    else if (line.startsWith("-") || line.startsWith("+")) {
      const entry = (result[file] ??= { removed: [], added: [] });
      (line.startsWith("-") ? entry.removed : entry.added).push(line.slice(1));
    }
  }
  return result;
}

/** Renders before and after must differ exactly in the expected lines (`old -> new` replaced), nothing else. */
function expectRenderChange(before: string, after: string, replacements: Array<[string, string]>) {
  const beforeLines = before.split("\n");
  const afterLines = after.split("\n");
  expect(afterLines.length).toBe(beforeLines.length);
  const changed = beforeLines.flatMap((line, index) => (line === afterLines[index] ? [] : [{ before: line, after: afterLines[index]! }]));
  expect(changed.length).toBeGreaterThan(0);
  for (const { before: was, after: now } of changed) {
    const replacement = replacements.find(([from, to]) => was.includes(from) && now === was.replace(from, to));
    expect(replacement, `unexpected render change:\n- ${was}\n+ ${now}`).toBeDefined();
  }
  for (const [, to] of replacements) expect(after).toContain(to);
}

/** The check the write-back step runs on the re-rendered target: no problems. */
function expectVerifiedRender(before: string, after: string, images: string[]) {
  expect(checkPromotedRendering(parseManifests(before, "before"), parseManifests(after, "after"), images.map((image) => parseImageRef(image)))).toEqual([]);
}

const corpusRepo = (name: string) => path.join(corpus, name);
const hasCorpus = existsSync(corpus);

describe.skipIf(!hasCorpus)("promotion on corpus copies (skipped when ../shared/corpus is absent)", () => {
  it("gitops-istio: a kustomize images entry in the target's own kustomization (newTag)", async () => {
    const repo = copy(corpusRepo("stefanprodan+gitops-istio"));
    const before = kubectlKustomize(path.join(repo.dir, "apps/backend"));
    const plan = await promote(repo, "apps/backend", ["ghcr.io/stefanprodan/podinfo:6.1.8"]);
    expect(plan.changes.map((change) => change.file)).toEqual(["apps/backend/kustomization.yaml"]);
    expect(diffLines(repo)).toEqual({ "apps/backend/kustomization.yaml": { removed: ["    newTag: 6.1.0"], added: ["    newTag: 6.1.8"] } });
    const after = kubectlKustomize(path.join(repo.dir, "apps/backend"));
    expectRenderChange(before, after, [["podinfo:6.1.0", "podinfo:6.1.8"]]);
    expectVerifiedRender(before, after, ["ghcr.io/stefanprodan/podinfo:6.1.8"]);
    // the other environment using the same image is untouched
    expect(repo.git("status", "--porcelain", "apps/frontend")).toBe("");
  });

  it("microservices-demo: images from the shared base are overridden in the target overlay, the base untouched", async () => {
    const repo = copy(corpusRepo("GoogleCloudPlatform+microservices-demo"));
    const dir = "kustomize/tests/memorystore-with-all-components";
    const before = kubectlKustomize(path.join(repo.dir, dir));
    const busybox = "sha256:" + "c".repeat(64);
    const images = ["us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/frontend:v0.10.7", `busybox:1.38.1@${busybox}`];
    const plan = await promote(repo, dir, images);
    expect(plan.changes.map((change) => change.file)).toEqual([`${dir}/kustomization.yaml`]);
    expect(diffLines(repo)).toEqual({
      [`${dir}/kustomization.yaml`]: {
        removed: [],
        added: [
          "images:",
          "- name: us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/frontend",
          "  newTag: v0.10.7",
          "- name: busybox",
          "  newTag: 1.38.1",
          `  digest: ${busybox}`,
        ],
      },
    });
    const after = kubectlKustomize(path.join(repo.dir, dir));
    expectVerifiedRender(before, after, images);
    expectRenderChange(before, after, [
      ["frontend:v0.10.6", "frontend:v0.10.7"],
      ["busybox:1.38.0@sha256:fd8d9aa63ba2f0982b5304e1ee8d3b90a210bc1ffb5314d980eb6962f1a9715d", `busybox:1.38.1@${busybox}`],
    ]);
    // another environment over the same base still renders the old images
    expect(kubectlKustomize(path.join(repo.dir, "kustomize/tests/spanner-with-all-components"))).toContain("frontend:v0.10.6");
  });

  it("microservices-demo: everything that differs between two renderings is promoted", async () => {
    const repo = copy(corpusRepo("GoogleCloudPlatform+microservices-demo"));
    const source = "kustomize/tests/spanner-with-all-components";
    const target = "kustomize/tests/memorystore-with-all-components";
    await promote(repo, source, ["us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/cartservice:v0.10.9"]);
    repo.commitAll("staging has cartservice v0.10.9");
    const targetBefore = kubectlKustomize(path.join(repo.dir, target));
    const { images } = imagesToPromote(
      parseManifests(kubectlKustomize(path.join(repo.dir, source)), source),
      parseManifests(targetBefore, target),
    );
    expect(images.map((image) => `${image.writtenName}:${image.tag}`)).toEqual(["us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/cartservice:v0.10.9"]);
    const discovery = await discover({ root: repo.dir, files, config: DEFAULT_CONFIG });
    const plan = await planPromotion({ environment: target, dir: target, files: await readSources(files, repo.dir, discovery.closureOf(target).files) }, images);
    await applyPlan(plan, files, repo.dir);
    expect(Object.keys(diffLines(repo))).toEqual([`${target}/kustomization.yaml`]);
    expectRenderChange(targetBefore, kubectlKustomize(path.join(repo.dir, target)), [["cartservice:v0.10.6", "cartservice:v0.10.9"]]);
  });

  it("home-ops: a HelmRelease's values, digest-pinned tag (tag@sha256) kept pinned", async () => {
    const repo = copy(corpusRepo("onedr0p+home-ops"));
    const dir = "kubernetes/apps/network/cloudflare-tunnel/app";
    const before = kubectlKustomize(path.join(repo.dir, dir));
    const digest = "sha256:" + "d".repeat(64);
    await promote(repo, dir, [`mirror.gcr.io/cloudflare/cloudflared:2026.9.0@${digest}`]);
    expect(diffLines(repo)).toEqual({
      [`${dir}/helmrelease.yaml`]: {
        removed: ["              tag: 2026.8.2@sha256:0aa26e284f05e6c77ae375b8c9c11d9eb6a448fb7bcd8d40f31cb6176189eb38"],
        added: [`              tag: 2026.9.0@${digest}`],
      },
    });
    const after = kubectlKustomize(path.join(repo.dir, dir));
    expectRenderChange(before, after, [["2026.8.2@sha256:0aa26e284f05e6c77ae375b8c9c11d9eb6a448fb7bcd8d40f31cb6176189eb38", `2026.9.0@${digest}`]]);
    expectVerifiedRender(before, after, [`mirror.gcr.io/cloudflare/cloudflared:2026.9.0@${digest}`]);
  });

  it("home-ops: a pinned value refuses a promotion without a digest, and nothing is written", async () => {
    const repo = copy(corpusRepo("onedr0p+home-ops"));
    await expect(promote(repo, "kubernetes/apps/network/cloudflare-tunnel/app", ["mirror.gcr.io/cloudflare/cloudflared:2026.9.0"])).rejects.toThrow(
      /helmrelease.yaml:23: .* pins mirror.gcr.io\/cloudflare\/cloudflared to a digest/,
    );
    expect(repo.status()).toBe("");
  });

  it("every container image a corpus environment renders is found where it is set", async () => {
    for (const name of ["GoogleCloudPlatform+microservices-demo", "stefanprodan+gitops-istio"]) {
      const root = corpusRepo(name);
      const discovery = await discover({ root, files, config: DEFAULT_CONFIG });
      const missing: string[] = [];
      let images = 0;
      for (const environment of discovery.environments.filter((candidate) => candidate.spec.type === "kustomize")) {
        const located = await locateImages({ dir: environment.environment.path, files: await readSources(files, root, environment.inputs) });
        const repositories = new Set(located.places.map((place) => place.repository));
        for (const manifest of parseManifests(kubectlKustomize(path.join(root, environment.environment.path)), environment.environment.path)) {
          for (const image of containerImages(manifest.object)) {
            images++;
            if (!repositories.has(normalizeRepository(image))) missing.push(`${environment.environment.path}: ${image}`);
          }
        }
      }
      expect(images).toBeGreaterThan(0);
      expect(missing, name).toEqual([]);
    }
  });

  it("home-ops: the image of every HelmRelease that sets image.repository is found", async () => {
    const root = corpusRepo("onedr0p+home-ops");
    const discovery = await discover({ root, files, config: DEFAULT_CONFIG });
    const found = new Set<string>();
    for (const environment of discovery.environments) {
      const located = await locateImages({ dir: environment.environment.path, files: await readSources(files, root, environment.inputs) });
      for (const place of located.places) if (place.kind === "helm-values" && place.file.endsWith("helmrelease.yaml")) found.add(place.file);
    }
    const withRepository = discovery.yamlFiles.filter((file) => file.endsWith("helmrelease.yaml") && /^\s+repository: /m.test(readFileSync(path.join(root, file), "utf8")));
    expect(withRepository.length).toBeGreaterThan(20);
    expect(withRepository.filter((file) => !found.has(file))).toEqual([]);
  });

  it("an image not found: a clear error, nothing written", async () => {
    const repo = copy(corpusRepo("stefanprodan+gitops-istio"));
    await expect(promote(repo, "apps/backend", ["ghcr.io/example/absent:1.0.0"])).rejects.toThrow("ghcr.io/example/absent is not set anywhere in apps/backend");
    expect(repo.status()).toBe("");
  });
});

describe("kustomize matches an images entry by the name as written", () => {
  it("a spelling the target's entry does not cover gets its own entry", async () => {
    const pod = (images: string[]) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n${images.map((image, index) => `    - name: c${index}\n      image: ${image}\n`).join("")}`;
    const repo = TempRepo.fromFiles({
      "base/kustomization.yaml": "resources:\n  - pod.yaml\n",
      "base/pod.yaml": pod(["nginx:1.25", "docker.io/library/nginx:1.25"]),
      "prod/kustomization.yaml": "resources:\n  - ../base\nimages:\n  - name: nginx\n    newTag: \"1.25\"\n",
      "staging/kustomization.yaml": "resources:\n  - ../base\n",
    });
    repos.push(repo);
    const before = kubectlKustomize(path.join(repo.dir, "prod"));
    await promote(repo, "prod", ["nginx:1.27"]);
    expect(diffLines(repo)).toEqual({
      "prod/kustomization.yaml": { removed: ['    newTag: "1.25"'], added: ['    newTag: "1.27"', "  - name: docker.io/library/nginx", '    newTag: "1.27"'] },
    });
    const after = kubectlKustomize(path.join(repo.dir, "prod"));
    expectVerifiedRender(before, after, ["nginx:1.27"]);
    expect(after).toContain("image: nginx:1.27");
    expect(after).toContain("image: docker.io/library/nginx:1.27");
  });
});

describe("promotion with Flux setter comments (fixture in the layout of Flux image automation)", () => {
  it("staging: the :tag setter on the overlay's images entry; production from staging's rendering; Helm :tag setter", async () => {
    const repo = copy(fixture);
    const staging = "apps/podinfo/staging";
    const production = "apps/podinfo/production";
    const plan = await promote(repo, staging, ["ghcr.io/stefanprodan/podinfo:6.5.5"]);
    expect(plan.changes[0]!.edits[0]!.why).toContain("flux-system:podinfo-staging");
    expect(diffLines(repo)).toEqual({
      [`${staging}/kustomization.yaml`]: {
        removed: ['    newTag: 6.5.4 # {"$imagepolicy": "flux-system:podinfo-staging:tag"}'],
        added: ['    newTag: 6.5.5 # {"$imagepolicy": "flux-system:podinfo-staging:tag"}'],
      },
    });
    repo.commitAll("staging");

    // staging -> production: the image comes from the shared base (whole-reference setter): overridden in production
    const productionBefore = kubectlKustomize(path.join(repo.dir, production));
    const { images } = imagesToPromote(parseManifests(kubectlKustomize(path.join(repo.dir, staging)), staging), parseManifests(productionBefore, production));
    const discovery = await discover({ root: repo.dir, files, config: DEFAULT_CONFIG });
    const sources = await readSources(files, repo.dir, discovery.closureOf(production).files);
    // the repository's ImagePolicies decide which tags production accepts
    const imagePolicies = fluxImagePolicies(await readSources(files, repo.dir, discovery.yamlFiles));
    const target = { environment: production, dir: production, files: sources, imagePolicies };
    await expect(planPromotion(target, [parseImageRef("docker.io/bitnami/redis:7.3.0")])).rejects.toThrow('the ImagePolicy flux-system:redis (clusters/production/image-automation.yaml:32) selects the semver range ">=7.2.0 <7.3.0"');
    const promoted = await planPromotion(target, [...images, parseImageRef("docker.io/bitnami/redis:7.2.5")]);
    await applyPlan(promoted, files, repo.dir);
    expect(diffLines(repo)).toEqual({
      [`${production}/kustomization.yaml`]: { removed: [], added: ["images:", "  - name: ghcr.io/stefanprodan/podinfo", "    newTag: 6.5.5"] },
      [`${production}/redis-release.yaml`]: {
        removed: ["      tag: '7.2.4' # {\"$imagepolicy\": \"flux-system:redis:tag\"}"],
        added: ["      tag: '7.2.5' # {\"$imagepolicy\": \"flux-system:redis:tag\"}"],
      },
    });
    const productionAfter = kubectlKustomize(path.join(repo.dir, production));
    expectVerifiedRender(productionBefore, productionAfter, ["ghcr.io/stefanprodan/podinfo:6.5.5", "docker.io/bitnami/redis:7.2.5"]);
    expect(checkPromotedRendering(parseManifests(productionBefore, "b"), parseManifests(productionAfter, "a"), [parseImageRef("ghcr.io/stefanprodan/podinfo:6.5.5")])).toEqual([
      'HelmRelease production/redis: spec.values.image.tag changed from "7.2.4" to "7.2.5", which is not a promoted image',
    ]);
    expectRenderChange(productionBefore, productionAfter, [
      ["podinfo:6.5.0", "podinfo:6.5.5"],
      ["tag: 7.2.4", "tag: 7.2.5"],
    ]);
    expect(repo.read("apps/podinfo/base/deployment.yaml")).toContain("podinfo:6.5.0");
  });
});
