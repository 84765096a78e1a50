// The objects of the in-cluster pullers (Flux, Argo CD) and the ConfigMaps and Secrets they read, as written
// in the repository's YAML files. Rendering later finds more (objects produced by kustomizations); this is
// the static view the walk starts from.
import { groupOf, type KubeObject, type SourceLocation } from "../model.ts";
import { UserError } from "../errors.ts";
import { parseYaml } from "../util/yaml.ts";

/** A kind the discovery cares about, named by API group and kind. */
export type PullerKind =
  | "flux-kustomization"
  | "flux-helmrelease"
  | "flux-source"
  | "argocd-application"
  | "argocd-applicationset"
  | "configmap"
  | "secret";

export interface FoundObject {
  kind: PullerKind;
  object: KubeObject;
  /** The object's kind, namespace ("" when unset) and name. */
  ref: { kind: string; namespace: string; name: string };
  location: SourceLocation;
}

export const FLUX_KUSTOMIZE_GROUP = "kustomize.toolkit.fluxcd.io";
export const FLUX_SOURCE_GROUP = "source.toolkit.fluxcd.io";
export const FLUX_HELM_GROUP = "helm.toolkit.fluxcd.io";
export const ARGOCD_GROUP = "argoproj.io";

/** What kind of puller object this is, or undefined. */
export function classify(object: KubeObject): PullerKind | undefined {
  const apiVersion = object.apiVersion;
  const kind = object.kind;
  if (typeof apiVersion !== "string" || typeof kind !== "string") return undefined;
  const { group } = groupOf(apiVersion);
  if (group === FLUX_KUSTOMIZE_GROUP && kind === "Kustomization") return "flux-kustomization";
  if (group === FLUX_HELM_GROUP && kind === "HelmRelease") return "flux-helmrelease";
  if (group === FLUX_SOURCE_GROUP || (group === "source.extensions.fluxcd.io" && kind === "ArtifactGenerator")) return "flux-source";
  if (group === ARGOCD_GROUP && kind === "Application") return "argocd-application";
  if (group === ARGOCD_GROUP && kind === "ApplicationSet") return "argocd-applicationset";
  if (apiVersion === "v1" && kind === "ConfigMap") return "configmap";
  if (apiVersion === "v1" && kind === "Secret") return "secret";
  return undefined;
}

export function refOf(object: KubeObject): FoundObject["ref"] {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  return {
    kind: String(object.kind ?? ""),
    namespace: typeof metadata.namespace === "string" ? metadata.namespace : "",
    name: typeof metadata.name === "string" ? metadata.name : "",
  };
}

/** Cheap test before parsing: most YAML files of a repository hold none of these kinds. */
const INTERESTING = /^[ \t-]*kind:[ \t]*["']?(?:Kustomization|HelmRelease|GitRepository|OCIRepository|Bucket|HelmRepository|HelmChart|ExternalArtifact|ArtifactGenerator|Application|ApplicationSet|ConfigMap|Secret)["']?[ \t]*$/m;

/**
 * The puller objects in one YAML file. A file that does not parse holds none as far as discovery is
 * concerned: a render that reads it reports the YAML error with its line.
 */
export function objectsInFile(text: string, file: string): FoundObject[] {
  if (!INTERESTING.test(text)) return [];
  let documents;
  try {
    documents = parseYaml(text, file).documents;
  } catch (error) {
    if (error instanceof UserError) return [];
    throw error;
  }
  const found: FoundObject[] = [];
  for (const document of documents) {
    const value = document.value;
    if (!value || typeof value !== "object" || Array.isArray(value)) continue;
    const object = value as KubeObject;
    const kind = classify(object);
    if (!kind) continue;
    const ref = refOf(object);
    if (!ref.name) continue;
    found.push({ kind, object, ref, location: { file, line: document.line } });
  }
  return found;
}

/** An index of found objects by kind, namespace and name. */
export class ObjectIndex {
  private readonly byKey = new Map<string, FoundObject[]>();
  readonly all: FoundObject[] = [];

  constructor(found: Iterable<FoundObject> = []) {
    for (const one of found) this.add(one);
  }

  add(found: FoundObject): void {
    const key = `${found.ref.kind}/${found.ref.namespace}/${found.ref.name}`;
    const list = this.byKey.get(key);
    if (list) list.push(found);
    else this.byKey.set(key, [found]);
    this.all.push(found);
  }

  get(kind: string, namespace: string, name: string): FoundObject[] {
    return this.byKey.get(`${kind}/${namespace}/${name}`) ?? [];
  }

  ofKind(kind: PullerKind): FoundObject[] {
    return this.all.filter((found) => found.kind === kind);
  }
}
