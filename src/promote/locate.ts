// Finds every place an environment's files set a container image: kustomize `images:` entries, Flux setter
// comments, Helm values (files, HelmRelease spec.values, Argo CD valuesObject), Argo CD helm parameters and
// kustomize images, and the containers of plain manifests. Pure: the files come in as text.
import path from "node:path";
import { isMap, isScalar, isSeq, type Node } from "yaml";
import { readKustomization, KUSTOMIZATION_FILE_NAMES, type TargetType } from "../discover/kustomization.ts";
import { UserError } from "../errors.ts";
import { parseYaml } from "../util/yaml.ts";
import { normalizeRepository, tryParseImageRef } from "./image-ref.ts";
import type { FluxImagePolicy } from "./flux-policies.ts";
import { setterPlaces } from "./flux-setters.ts";
import { makePlace, scalarsOf, type ImagePlace, type PlaceKind, type PlaceParts } from "./place.ts";
import { formatPath, YamlSource, type PathStep, type ScalarSource, type SourceDocument, type ValueNode } from "./yaml-source.ts";

export type { ImagePlace, PlaceKind } from "./place.ts";
export { scalarsOf } from "./place.ts";

export interface SourceFile {
  /** Repository-relative path. */
  path: string;
  text: string;
}

export interface LocateInput {
  /** The environment's directory (repository-relative): its own kustomization, if any, lives there. */
  dir: string;
  /** Every file the environment reads, with its text (files that are not YAML are skipped). */
  files: SourceFile[];
  /** Files only this environment reads. Default: its own kustomization and the files it names directly. */
  ownFiles?: ReadonlySet<string>;
  /** Extra Helm value paths holding an image ("app.image", "workers.*.image"): a reference or a map. */
  valuePaths?: string[];
  /** Flux ImagePolicies of the repository (fluxImagePolicies): the image of a setter with no name beside it. */
  imagePolicies?: ReadonlyMap<string, FluxImagePolicy>;
}

export interface Located {
  places: ImagePlace[];
  /** The environment's own kustomization file (no other environment reads it), where an `images:` entry can be added. */
  kustomization?: string;
  /** What was seen but cannot be used, for the report. */
  notices: string[];
}

const CONTAINER_LISTS = new Set(["containers", "initContainers", "ephemeralContainers"]);

/** Every place the files set an image. Files that do not parse are UserErrors naming file and line. */
export async function locateImages(input: LocateInput): Promise<Located> {
  const yamlFiles = input.files.filter((file) => /\.(ya?ml|json)$/i.test(file.path) || path.posix.basename(file.path) === "Kustomization");
  const kustomization = KUSTOMIZATION_FILE_NAMES.map((name) => inDirectory(input.dir, name)).find((name) => yamlFiles.some((file) => file.path === name));
  const own = input.ownFiles ?? (await ownFilesOf(input, kustomization));
  const places: ImagePlace[] = [];
  const notices: string[] = [];
  for (const file of yamlFiles) {
    const source = new YamlSource(file.path, file.text);
    const found = new PlaceFinder(source, own.has(file.path), input.valuePaths ?? [], input.imagePolicies ?? new Map(), notices);
    places.push(...found.all(isKustomizationFile(file.path)));
  }
  // an images entry goes into the target's kustomization only when no other environment reads it
  if (kustomization && !own.has(kustomization)) notices.push(`${kustomization} is read by other environments too: no images entry is added to it`);
  const ownKustomization = kustomization && own.has(kustomization) ? { kustomization } : {};
  return { places: dedupe(places), ...ownKustomization, notices };
}

/** The target's kustomization and the files it names itself (not through another kustomization). */
async function ownFilesOf(input: LocateInput, kustomization: string | undefined): Promise<Set<string>> {
  if (!kustomization) return new Set(input.files.map((file) => file.path));
  const known = new Set(input.files.map((file) => file.path));
  const directories = new Set(input.files.filter((file) => isKustomizationFile(file.path)).map((file) => path.posix.dirname(file.path)));
  const typeOf = async (repoPath: string): Promise<TargetType> => (known.has(repoPath) ? "file" : directories.has(repoPath) ? "directory" : "missing");
  const text = input.files.find((file) => file.path === kustomization)!.text;
  const read = await readKustomization(parseYaml(text, kustomization), kustomization, typeOf);
  return new Set([kustomization, ...read.references.filter((reference) => reference.kind === "file").map((reference) => reference.target)]);
}

function isKustomizationFile(file: string): boolean {
  return (KUSTOMIZATION_FILE_NAMES as readonly string[]).includes(path.posix.basename(file));
}

function inDirectory(dir: string, name: string): string {
  return dir === "." || dir === "" ? name : `${dir}/${name}`;
}

/** One place per set of scalars: a place found twice (a setter on a manifest's image) is kept once. */
function dedupe(places: ImagePlace[]): ImagePlace[] {
  const seen = new Map<string, ImagePlace>();
  const keyOf = (place: ImagePlace) =>
    [place.file, place.reference?.start, place.name?.start, place.tag?.start, place.digest?.start, place.entryPath ? formatPath(place.entryPath) : ""].join("|");
  for (const place of places) {
    const key = keyOf(place);
    const earlier = seen.get(key);
    if (!earlier) {
      seen.set(key, place);
      continue;
    }
    // a setter names the policy of a place found by its structure; an alias shows a place at another path
    earlier.policy ??= place.policy;
    if (earlier.path !== place.path && !(earlier.aliasPaths ?? []).includes(place.path)) earlier.aliasPaths = [...(earlier.aliasPaths ?? []), place.path];
  }
  // a setter on one scalar of a kustomize entry or Helm map adds nothing: the structured place holds it
  const structured = [...seen.values()].filter((place) => place.kind !== "flux-setter");
  const covered = new Set(structured.flatMap((place) => scalarsOf(place).map((scalar) => `${scalar.file}#${scalar.start}`)));
  return [...seen.values()].filter((place) => {
    if (place.kind !== "flux-setter") return true;
    const scalars = scalarsOf(place);
    const inside = scalars.every((scalar) => covered.has(`${scalar.file}#${scalar.start}`));
    if (inside) {
      for (const other of structured) {
        if (scalarsOf(other).some((scalar) => scalars.some((mine) => mine.file === scalar.file && mine.start === scalar.start))) other.policy ??= place.policy;
      }
    }
    return !inside;
  });
}

class PlaceFinder {
  private readonly places: ImagePlace[] = [];

  constructor(
    private readonly source: YamlSource,
    private readonly own: boolean,
    private readonly valuePaths: string[],
    private readonly imagePolicies: ReadonlyMap<string, FluxImagePolicy>,
    private readonly notices: string[],
  ) {}

  all(kustomizationFile: boolean): ImagePlace[] {
    for (const document of this.source.documents) {
      const root = this.source.resolve(document, document.doc.contents);
      if (!root) continue;
      const kind = this.source.stringAt(document, root, "kind");
      const apiVersion = this.source.stringAt(document, root, "apiVersion") ?? "";
      if (kustomizationFile || ((kind === "Kustomization" || kind === "Component") && apiVersion.startsWith("kustomize.config.k8s.io/"))) {
        this.kustomizeImages(document, this.source.get(document, root, "images"), ["images"]);
        // helmCharts[].valuesInline: the values of a chart kustomize inflates
        const charts = this.source.get(document, root, "helmCharts");
        if (isSeq(charts)) {
          charts.items.forEach((chart, index) => {
            const values = this.source.get(document, this.source.resolve(document, chart), "valuesInline");
            if (values) this.helmValues(document, { node: values, path: ["helmCharts", index, "valuesInline"] });
          });
        }
      } else if (kind === "Kustomization" && apiVersion.startsWith("kustomize.toolkit.fluxcd.io/")) {
        // a Flux Kustomization's spec.images: applied to what it builds, like a kustomization's images
        this.kustomizeImages(document, this.source.get(document, this.source.get(document, root, "spec"), "images"), ["spec", "images"]);
      } else if (kind === "HelmRelease" && apiVersion.startsWith("helm.toolkit.fluxcd.io/")) {
        const spec = this.source.get(document, root, "spec");
        const values = this.source.get(document, spec, "values");
        if (values) this.helmValues(document, { node: values, path: ["spec", "values"] });
        // spec.postRenderers[].kustomize.images: applied to the chart's rendered objects
        const postRenderers = this.source.get(document, spec, "postRenderers");
        if (isSeq(postRenderers)) {
          postRenderers.items.forEach((renderer, index) => {
            const images = this.source.get(document, this.source.get(document, this.source.resolve(document, renderer), "kustomize"), "images");
            this.kustomizeImages(document, images, ["spec", "postRenderers", index, "kustomize", "images"]);
          });
        }
      } else if ((kind === "Application" && apiVersion.startsWith("argoproj.io/")) || /(^|\/)\.argocd-source[^/]*\.ya?ml$/.test(this.source.file)) {
        this.argoApplication(document, root, kind === "Application");
      } else if (kind !== undefined && apiVersion !== "") {
        this.containers(document);
      } else if (isSeq(root) && root.items.some((item) => this.source.get(document, this.source.resolve(document, item), "op"))) {
        this.jsonPatch(document, root);
      } else {
        // a document without kind: Helm values (a values file, a values ConfigMap's data file)
        this.helmValues(document, { node: root, path: [] });
      }
    }
    this.places.push(...setterPlaces(this.source, this.own, this.imagePolicies, this.notices));
    return this.places;
  }

  private add(document: SourceDocument, kind: PlaceKind, at: ValueNode, parts: PlaceParts, anchor: ScalarSource | undefined): void {
    const place = makePlace(this.source.file, document.index, this.own, kind, at.path, parts, anchor);
    if (place) this.places.push(place);
  }

  /** kustomize `images: [{name, newName, newTag, digest}]` (also a Flux Kustomization's spec.images). */
  private kustomizeImages(document: SourceDocument, images: Node | undefined, at: PathStep[]): void {
    if (!isSeq(images)) return;
    images.items.forEach((item, index) => {
      const entry = this.source.resolve(document, item);
      const name = this.source.scalar(this.source.get(document, entry, "name"));
      if (!isMap(entry) || !name) return;
      const newName = this.source.scalar(this.source.get(document, entry, "newName"));
      const tag = this.source.scalar(this.source.get(document, entry, "newTag"));
      const digest = this.source.scalar(this.source.get(document, entry, "digest"));
      const outputName = newName?.value ?? name.value;
      const repository = normalizeRepository(outputName);
      const entryPath = [...at, index];
      if (!repository) {
        this.notices.push(`${this.source.file}:${name.line}: ${formatPath(entryPath)} names "${outputName}", which is not an image name`);
        return;
      }
      this.add(document, "kustomize-image", { node: entry, path: entryPath }, {
        repository,
        outputName,
        matchName: name.value,
        ...(newName ? { name: newName } : {}),
        ...(tag ? { tag } : {}),
        ...(digest ? { digest } : {}),
        entryPath,
      }, name);
    });
  }

  /** containers, initContainers and ephemeralContainers anywhere in an object: Pods, templates, CronJobs. */
  private containers(document: SourceDocument, from?: ValueNode): void {
    for (const at of this.source.walk(document, from)) {
      const last = at.path[at.path.length - 1];
      if (typeof last !== "string" || !CONTAINER_LISTS.has(last) || !isSeq(at.node)) continue;
      at.node.items.forEach((item, index) => {
        const container = this.source.resolve(document, item);
        const image = this.source.scalar(this.source.get(document, container, "image"));
        if (image) this.reference(document, "manifest", { node: container!, path: [...at.path, index, "image"] }, image);
      });
    }
  }

  /** A JSON 6902 patch: the `value` of an op at ".../image", or the containers an op's value holds. */
  private jsonPatch(document: SourceDocument, root: Node): void {
    if (!isSeq(root)) return;
    root.items.forEach((item, index) => {
      const operation = this.source.resolve(document, item);
      const target = this.source.stringAt(document, operation, "path") ?? "";
      const value = this.source.get(document, operation, "value");
      if (!value) return;
      const at: ValueNode = { node: value, path: [index, "value"] };
      const container = (node: Node | undefined, path: PathStep[]) => {
        const image = this.source.scalar(this.source.get(document, node, "image"));
        if (image) this.reference(document, "manifest", { node: node!, path: [...path, "image"] }, image);
      };
      if (/\/image$/.test(target) && isScalar(value)) {
        const scalar = this.source.scalar(value);
        if (scalar) this.reference(document, "manifest", at, scalar);
      } else if (/\/(containers|initContainers|ephemeralContainers)\/(\d+|-)$/.test(target)) {
        container(value, at.path);
      } else if (/\/(containers|initContainers|ephemeralContainers)$/.test(target) && isSeq(value)) {
        value.items.forEach((entry, position) => container(this.source.resolve(document, entry), [...at.path, position]));
      } else {
        // an object added or replaced whole: its pod templates
        this.containers(document, at);
      }
    });
  }

  private reference(document: SourceDocument, kind: ImagePlace["kind"], at: ValueNode, scalar: ScalarSource): void {
    const ref = tryParseImageRef(scalar.value);
    if (!ref) {
      // a template or variable ("${IMAGE}", "{{ .Values.image }}") is no place to write a tag
      this.notices.push(`${scalar.file}:${scalar.line}: ${formatPath(at.path)} is "${scalar.value}", not an image reference`);
      return;
    }
    this.add(document, kind, at, { repository: normalizeRepository(ref.writtenName)!, outputName: ref.writtenName, reference: scalar }, scalar);
  }

  /**
   * Helm values: `image: repo:tag`, `image: {repository, tag, digest, registry}` (any key ending in "image"),
   * any map with a string `repository` and a `tag`, and the configured extra paths.
   */
  private helmValues(document: SourceDocument, from: ValueNode): void {
    const extra = this.valuePaths.map(compilePath);
    for (const at of this.source.walk(document, from)) {
      const relative = at.path.slice(from.path.length);
      const last = relative[relative.length - 1];
      const configured = extra.some((pattern) => pattern(relative));
      const imageKey = typeof last === "string" && /(^i|I)mage$/.test(last);
      if (isScalar(at.node) && (imageKey || configured)) {
        const scalar = this.source.scalar(at.node);
        if (scalar && typeof at.node.value === "string" && (configured || looksLikeImage(scalar.value))) this.reference(document, "helm-values", at, scalar);
      } else if (isMap(at.node)) {
        const repositoryNode = this.source.scalar(this.source.get(document, at.node, "repository"));
        const tag = this.source.scalar(this.source.get(document, at.node, "tag"));
        if (repositoryNode && (tag || imageKey || configured)) this.repositoryMap(document, at, repositoryNode, tag);
      }
    }
  }

  private repositoryMap(document: SourceDocument, at: ValueNode, repository: ScalarSource, tag: ScalarSource | undefined): void {
    const registry = this.source.stringAt(document, at.node, "registry");
    const name = registry ? `${registry}/${repository.value}` : repository.value;
    const normalized = normalizeRepository(name);
    if (!normalized) {
      this.notices.push(`${repository.file}:${repository.line}: ${formatPath([...at.path, "repository"])} is "${name}", not an image repository`);
      return;
    }
    const digest = this.source.scalar(this.source.get(document, at.node, "digest"));
    this.add(document, "helm-values", at, { repository: normalized, outputName: name, name: repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) }, tag ?? repository);
  }

  /** Argo CD Application sources (and Image Updater's .argocd-source-<app>.yaml, which holds one source's fields). */
  private argoApplication(document: SourceDocument, root: Node, isApplication: boolean): void {
    const sources: ValueNode[] = [];
    if (isApplication) {
      const spec = this.source.get(document, root, "spec");
      const single = this.source.get(document, spec, "source");
      if (single) sources.push({ node: single, path: ["spec", "source"] });
      const many = this.source.get(document, spec, "sources");
      if (isSeq(many)) many.items.forEach((item, index) => sources.push({ node: this.source.resolve(document, item)!, path: ["spec", "sources", index] }));
    } else {
      sources.push({ node: root, path: [] });
    }
    for (const source of sources) {
      const helm = this.source.get(document, source.node, "helm");
      const valuesObject = this.source.get(document, helm, "valuesObject");
      if (valuesObject) this.helmValues(document, { node: valuesObject, path: [...source.path, "helm", "valuesObject"] });
      if (this.source.get(document, helm, "values")) {
        const values = this.source.scalar(this.source.get(document, helm, "values"));
        this.notices.push(`${this.source.file}:${values?.line ?? 1}: helm.values is a string of YAML; its images are not edited (use valuesObject or a values file)`);
      }
      this.helmParameters(document, helm, [...source.path, "helm", "parameters"]);
      const images = this.source.get(document, this.source.get(document, source.node, "kustomize"), "images");
      if (isSeq(images)) {
        images.items.forEach((item, index) => {
          const scalar = this.source.scalar(this.source.resolve(document, item));
          if (!scalar) return;
          const parsed = parseArgoKustomizeImage(scalar.value);
          const repository = parsed && normalizeRepository(parsed.newName);
          if (!parsed || !repository) {
            this.notices.push(`${scalar.file}:${scalar.line}: kustomize image "${scalar.value}" is not "[name=]newName[:tag][@digest]"`);
            return;
          }
          this.add(document, "argocd-kustomize-image", { node: item as Node, path: [...source.path, "kustomize", "images", index] }, { repository, outputName: parsed.newName, reference: scalar }, scalar);
        });
      }
    }
  }

  /** `parameters: [{name: image.repository, value: …}, {name: image.tag, value: …}]` and `{name: image, value: repo:tag}`. */
  private helmParameters(document: SourceDocument, helm: Node | undefined, at: PathStep[]): void {
    const parameters = this.source.get(document, helm, "parameters");
    if (!isSeq(parameters)) return;
    const byName = new Map<string, { value: ScalarSource; index: number }>();
    parameters.items.forEach((item, index) => {
      const parameter = this.source.resolve(document, item);
      const name = this.source.stringAt(document, parameter, "name");
      const value = this.source.scalar(this.source.get(document, parameter, "value"));
      if (name !== undefined && value) byName.set(name, { value, index });
    });
    for (const [name, { value, index }] of byName) {
      const path = [...at, index, "value"];
      if (/(^|\.)(image|[a-zA-Z0-9]*Image)$/.test(name) && looksLikeImage(value.value)) {
        this.reference(document, "argocd-helm-parameter", { node: parameters, path }, value);
      } else if (/(^|\.)repository$/.test(name)) {
        const prefix = name.slice(0, -"repository".length);
        const registry = byName.get(`${prefix}registry`)?.value.value;
        const written = registry ? `${registry}/${value.value}` : value.value;
        const repository = normalizeRepository(written);
        if (!repository) continue;
        const tag = byName.get(`${prefix}tag`)?.value;
        const digest = byName.get(`${prefix}digest`)?.value;
        this.add(document, "argocd-helm-parameter", { node: parameters, path }, { repository, outputName: written, name: value, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) }, tag ?? value);
      }
    }
  }
}

/** Argo CD's kustomize image override: "[name=]newName[:tag][@digest]". */
export function parseArgoKustomizeImage(value: string): { name?: string; newName: string; tag?: string; digest?: string } | undefined {
  const equals = value.indexOf("=");
  const name = equals >= 0 ? value.slice(0, equals) : undefined;
  const ref = tryParseImageRef(equals >= 0 ? value.slice(equals + 1) : value);
  if (!ref) return undefined;
  return { ...(name !== undefined ? { name } : {}), newName: ref.writtenName, ...(ref.tag !== undefined ? { tag: ref.tag } : {}), ...(ref.digest !== undefined ? { digest: ref.digest } : {}) };
}

/** A Helm value that is an image reference rather than a word: it has a tag, a digest or a path. */
function looksLikeImage(value: string): boolean {
  const ref = tryParseImageRef(value);
  return ref !== undefined && (ref.tag !== undefined || ref.digest !== undefined || ref.writtenName.includes("/"));
}

/** "workers.*.image" as a matcher of value paths ("*" one key or index). */
function compilePath(pattern: string): (path: PathStep[]) => boolean {
  const steps = pattern.split(".").filter((step) => step !== "");
  if (steps.length === 0) throw new UserError(`"${pattern}" is not a value path`);
  return (path) => path.length === steps.length && steps.every((step, index) => step === "*" || step === String(path[index]));
}

/**
 * The target's inputs that no other environment reads: what a promotion may edit in place (pass it as
 * `ownFiles`). Discovery gives every environment's inputs.
 */
export function exclusiveInputs(target: ReadonlySet<string>, others: Iterable<ReadonlySet<string>>): Set<string> {
  const exclusive = new Set(target);
  for (const other of others) {
    if (other === target) continue;
    for (const file of other) exclusive.delete(file);
  }
  return exclusive;
}
