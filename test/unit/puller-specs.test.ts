// Pure pieces of Flux and Argo CD discovery: kustomization edits, repository URLs, clusters, image syntax, ignores.
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { parseKustomizeImage } from "../../src/discover/argo-environments.ts";
import { clusterOfFile } from "../../src/discover/flux-environments.ts";
import { isLocalRelativePath, readFluxKustomization } from "../../src/discover/flux.ts";
import { SourceIgnore } from "../../src/discover/source-ignore.ts";
import { ObjectIndex, type FoundObject } from "../../src/discover/objects.ts";
import { normalizeRepositoryUrl, SourceResolver } from "../../src/discover/sources.ts";
import { DEFAULT_CONFIG } from "../../src/config/config.ts";
import type { KustomizationEdits } from "../../src/discover/spec.ts";
import { editedKustomizationText } from "../../src/render/edited-kustomization.ts";

const NO_EDITS: KustomizationEdits = { patches: [], images: [], components: [] };

describe("editedKustomizationText: a kustomization as Flux and Argo CD edit it", () => {
  it.each<{ name: string; original?: Record<string, unknown>; generated?: string[]; edits: Partial<KustomizationEdits>; expected: Record<string, unknown> }>([
    {
      name: "no edits keeps the original and asks for origins",
      original: { resources: ["a.yaml"], namespace: "x" },
      edits: {},
      expected: { resources: ["a.yaml"], namespace: "x", buildMetadata: ["originAnnotations"] },
    },
    {
      name: "targetNamespace, namePrefix and nameSuffix replace the original's",
      original: { namespace: "old", namePrefix: "a-", resources: ["a.yaml"] },
      edits: { namespace: "new", namePrefix: "b-", nameSuffix: "-z" },
      expected: { namespace: "new", namePrefix: "b-", nameSuffix: "-z", resources: ["a.yaml"], buildMetadata: ["originAnnotations"] },
    },
    {
      name: "patches and components are appended",
      original: { resources: ["a.yaml"], patches: [{ path: "p.yaml" }], components: ["../c1"] },
      edits: { patches: [{ patch: "x", target: { kind: "Deployment" } }], components: ["../c2"] },
      expected: {
        resources: ["a.yaml"],
        patches: [{ path: "p.yaml" }, { patch: "x", target: { kind: "Deployment" } }],
        components: ["../c1", "../c2"],
        buildMetadata: ["originAnnotations"],
      },
    },
    {
      name: "an image with the same name is merged: a new tag clears the digest",
      original: { images: [{ name: "web", newName: "r/web", digest: "sha256:1" }, { name: "db", newTag: "1" }] },
      edits: { images: [{ name: "web", newTag: "2.0" }, { name: "cache", newTag: "7" }] },
      expected: { images: [{ name: "web", newName: "r/web", newTag: "2.0" }, { name: "db", newTag: "1" }, { name: "cache", newTag: "7" }], buildMetadata: ["originAnnotations"] },
    },
    {
      name: "a generated kustomization lists the directory's resources",
      generated: ["./a.yaml", "./sub"],
      edits: { namespace: "apps" },
      expected: { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: ["./a.yaml", "./sub"], namespace: "apps", buildMetadata: ["originAnnotations"] },
    },
    {
      name: "an empty generated kustomization stays buildable",
      generated: [],
      edits: {},
      expected: { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", namespace: "_placeholder", buildMetadata: ["originAnnotations"] },
    },
    {
      name: "Argo CD labels, annotations and replicas (an entry of the same name is replaced)",
      original: { commonLabels: { a: "1" }, replicas: [{ name: "web", count: 1 }, { name: "db", count: 1 }] },
      edits: { commonLabels: { b: "2" }, commonAnnotations: { c: "3" }, replicas: [{ name: "web", count: 5 }] },
      expected: {
        commonLabels: { a: "1", b: "2" },
        commonAnnotations: { c: "3" },
        replicas: [{ name: "db", count: 1 }, { name: "web", count: 5 }],
        buildMetadata: ["originAnnotations"],
      },
    },
  ])("$name", ({ original, generated, edits, expected }) => {
    const text = editedKustomizationText(original, generated, { ...NO_EDITS, ...edits });
    expect(parse(text)).toEqual(expected);
  });

  it("never changes the original object", () => {
    const original = { images: [{ name: "web", newTag: "1" }] };
    editedKustomizationText(original, undefined, { ...NO_EDITS, images: [{ name: "web", newTag: "2" }] });
    expect(original).toEqual({ images: [{ name: "web", newTag: "1" }] });
  });
});

describe("readFluxKustomization", () => {
  it.each<{ name: string; spec: Record<string, unknown>; expected: Record<string, unknown> | string }>([
    { name: "path is normalised and relative to the source", spec: { path: "./clusters/prod/", sourceRef: { kind: "GitRepository", name: "flux-system" } }, expected: { path: "clusters/prod" } },
    { name: "an empty path is the source root", spec: { sourceRef: { kind: "GitRepository", name: "x" } }, expected: { path: "." } },
    { name: "sourceRef namespace defaults to the Kustomization's", spec: { path: "a", sourceRef: { kind: "GitRepository", name: "x" } }, expected: { sourceRef: { kind: "GitRepository", name: "x", namespace: "team" } } },
    { name: "a path that climbs out is refused", spec: { path: "../../etc", sourceRef: { kind: "GitRepository", name: "x" } }, expected: 'spec.path "../../etc" is outside the source' },
    { name: "a sourceRef is required", spec: { path: "a" }, expected: "spec.sourceRef needs kind and name" },
    {
      name: "postBuild with substitute and substituteFrom",
      spec: { path: "a", sourceRef: { kind: "GitRepository", name: "x" }, postBuild: { substitute: { A: "1", N: 3 }, substituteFrom: [{ kind: "ConfigMap", name: "vars" }, { kind: "Secret", name: "s", optional: true }] } },
      expected: { postBuild: { substitute: { A: "1", N: "3" }, substituteFrom: [{ kind: "ConfigMap", name: "vars", optional: false }, { kind: "Secret", name: "s", optional: true }] } },
    },
    { name: "numeric image tags are strings", spec: { path: "a", sourceRef: { kind: "GitRepository", name: "x" }, images: [{ name: "web", newTag: 1.10 }] }, expected: { images: [{ name: "web", newTag: "1.1" }] } },
  ])("$name", ({ spec, expected }) => {
    const result = readFluxKustomization({ apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", metadata: { name: "k" }, spec }, "team");
    if (typeof expected === "string") {
      expect(result).toEqual({ ok: false, problem: expected });
      return;
    }
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.spec).toMatchObject(expected);
  });

  it.each([
    ["../components/a", true],
    ["./a", true],
    ["https://github.com/org/repo//c", false],
    ["git@github.com:org/repo", false],
    ["/abs/path", false],
  ])("isLocalRelativePath(%s) is %s", (written, expected) => {
    expect(isLocalRelativePath(written)).toBe(expected);
  });
});

describe("normalizeRepositoryUrl: one repository, many spellings", () => {
  it.each([
    ["https://github.com/Org/Repo.git", "github.com/org/repo"],
    ["https://github.com/org/repo/", "github.com/org/repo"],
    ["ssh://git@github.com/org/repo", "github.com/org/repo"],
    ["ssh://git@gitlab.example.com:2222/group/sub/repo.git", "gitlab.example.com/group/sub/repo"],
    ["git@github.com:org/repo.git", "github.com/org/repo"],
    ["https://token@github.com/org/repo", "github.com/org/repo"],
  ])("%s", (url, expected) => {
    expect(normalizeRepositoryUrl(url)).toBe(expected);
  });
});

describe("clusterOfFile", () => {
  it.each<[string, Record<string, string>, string | undefined]>([
    ["clusters/production/apps.yaml", {}, "production"],
    ["fleet/clusters/eu-1/flux-system/gotk-sync.yaml", {}, "eu-1"],
    ["kubernetes/flux/cluster/ks.yaml", {}, undefined],
    ["kubernetes/flux/cluster/ks.yaml", { "home": "kubernetes" }, "home"],
    ["clusters/staging/a.yaml", { "all": ".", "stage": "clusters/staging" }, "stage"],
  ])("%s with %j is %s", (file, configured, expected) => {
    expect(clusterOfFile(file, configured)).toBe(expected);
  });
});

describe("parseKustomizeImage: Argo CD's kustomize images", () => {
  it.each([
    ["nginx:1.25", { name: "nginx", newTag: "1.25" }],
    ["nginx=registry.example.com:5000/nginx:1.25", { name: "nginx", newName: "registry.example.com:5000/nginx", newTag: "1.25" }],
    ["ghcr.io/org/web@sha256:abc", { name: "ghcr.io/org/web", digest: "sha256:abc" }],
    ["web=ghcr.io/org/web", { name: "web", newName: "ghcr.io/org/web" }],
    ["localhost:5000/web", { name: "localhost:5000/web" }],
  ])("%s", (written, expected) => {
    expect(parseKustomizeImage(written)).toEqual(expected);
  });
});

describe("SourceIgnore: what a Flux artifact leaves out", () => {
  const ignore = new SourceIgnore(
    new Map([
      [".sourceignore", "/*\n!/apps/\n!/clusters/\n"],
      ["apps/.sourceignore", "*.md\ndrafts/\n"],
    ]),
  );
  it.each([
    ["docs/index.yaml", true],
    ["README.md", true],
    ["apps/web/deploy.yaml", false],
    ["apps/web/NOTES.md", true],
    ["apps/drafts/x.yaml", true],
    ["clusters/prod/apps.yaml", false],
    ["clusters/prod/.github/workflows/ci.yaml", true],
    ["clusters/prod/logo.png", true],
  ])("%s ignored: %s", (file, expected) => {
    expect(ignore.ignores(file)).toBe(expected);
  });
});

describe("SourceResolver: ExternalArtifacts of an ArtifactGenerator", () => {
  const generator = (copy: Array<{ from: string; to: string }>, source = { alias: "repo", kind: "GitRepository", name: "flux-system" }): FoundObject => ({
    kind: "flux-source",
    object: { apiVersion: "source.extensions.fluxcd.io/v1beta1", kind: "ArtifactGenerator", metadata: { name: "gen", namespace: "flux-system" }, spec: { sources: [source], artifacts: [{ name: "apps", copy }] } },
    ref: { kind: "ArtifactGenerator", namespace: "flux-system", name: "gen" },
    location: { file: "clusters/prod/artifacts.yaml", line: 1 },
  });
  const resolve = (found: FoundObject) =>
    new SourceResolver(DEFAULT_CONFIG.sources, [], new ObjectIndex([found])).resolveFlux({ kind: "ExternalArtifact", name: "apps", namespace: "flux-system" });

  it.each<{ name: string; copy: Array<{ from: string; to: string }>; source?: { alias: string; kind: string; name: string }; expected: ReturnType<typeof resolve> | RegExp }>([
    { name: "subtrees kept in their relative places", copy: [{ from: "@repo/apps/base/**", to: "@artifact/base/" }, { from: "@repo/apps/staging/**", to: "@artifact/staging/" }], expected: { ok: true, pathPrefix: "apps", definedIn: "clusters/prod/artifacts.yaml" } },
    { name: "one subtree at the root", copy: [{ from: "@repo/infrastructure/**", to: "@artifact/" }], expected: { ok: true, pathPrefix: "infrastructure", definedIn: "clusters/prod/artifacts.yaml" } },
    { name: "the whole repository", copy: [{ from: "@repo/**", to: "@artifact/" }], expected: { ok: true, pathPrefix: ".", definedIn: "clusters/prod/artifacts.yaml" } },
    { name: "files moved elsewhere", copy: [{ from: "@repo/apps/base/**", to: "@artifact/other/" }], expected: /puts "apps\/base" at "other"/ },
    { name: "two different roots", copy: [{ from: "@repo/a/x/**", to: "@artifact/x/" }, { from: "@repo/b/y/**", to: "@artifact/y/" }], expected: /combines different directories/ },
    { name: "a single file", copy: [{ from: "@repo/apps/cm.yaml", to: "@artifact/cm.yaml" }], expected: /rearranges files/ },
    { name: "another repository", copy: [{ from: "@repo/**", to: "@artifact/" }], source: { alias: "repo", kind: "OCIRepository", name: "charts" }, expected: /copies from "@repo": its source OCIRepository/ },
  ])("$name", ({ copy, source, expected }) => {
    const result = resolve(generator(copy, source));
    if (expected instanceof RegExp) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(expected);
    } else {
      expect(result).toEqual(expected);
    }
  });
});
