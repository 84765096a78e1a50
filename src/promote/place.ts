// A place in a file that sets (part of) a container image, as locate finds it and plan edits it.
import { formatPath, type PathStep, type ScalarSource } from "./yaml-source.ts";

export type PlaceKind =
  | "kustomize-image" // an entry of a kustomization's `images:`
  | "flux-setter" // a value marked with a Flux `# {"$imagepolicy": …}` comment
  | "helm-values" // a Helm values file, HelmRelease spec.values, Argo CD helm valuesObject
  | "argocd-helm-parameter" // Argo CD spec.source.helm.parameters
  | "argocd-kustomize-image" // Argo CD spec.source.kustomize.images ("name=newName:tag")
  | "manifest"; // containers[].image of an object

/** A place that sets (part of) one image: the scalars it is written in. */
export interface ImagePlace {
  kind: PlaceKind;
  file: string;
  line: number;
  column: number;
  /** Where in the document, as values are read: "spec.template.spec.containers[0].image". */
  path: string;
  document: number;
  /** The normalised repository of the image it sets (undefined: a Flux tag marker with no name beside it). */
  repository?: string;
  /** The image name as written after this place applies (a kustomize entry: newName, else name). */
  outputName?: string;
  /** A kustomize images entry: its `name`, the one spelling of an image it applies to (kustomize compares strings). */
  matchName?: string;
  /** The whole reference ("repo:tag@digest"; Argo CD: "name=newName:tag"). */
  reference?: ScalarSource;
  name?: ScalarSource;
  tag?: ScalarSource;
  digest?: ScalarSource;
  /** A kustomize images entry: its map, where a missing newTag or digest key is added. */
  entryPath?: PathStep[];
  /** In a file only this environment reads: edited in place. Otherwise shared with other environments. */
  own: boolean;
  /** A Flux setter's ImagePolicy, "namespace:name". */
  policy?: string;
  /** Further paths where the same place appears, through YAML aliases. */
  aliasPaths?: string[];
}

/** What a finder knows of a place; the rest (file, line, path) comes from where it was found. */
export type PlaceParts = Omit<ImagePlace, "kind" | "file" | "line" | "column" | "path" | "document" | "own">;

/** A place positioned at `anchor` (else its reference, tag or name); undefined when it has none of them. */
export function makePlace(file: string, document: number, own: boolean, kind: PlaceKind, path: readonly PathStep[], parts: PlaceParts, anchor: ScalarSource | undefined): ImagePlace | undefined {
  const position = anchor ?? parts.reference ?? parts.tag ?? parts.name;
  if (!position) return undefined;
  return { kind, file, line: position.line, column: position.column, path: formatPath(path), document, own, ...parts };
}

/** The scalars a place is written in. */
export function scalarsOf(place: ImagePlace): ScalarSource[] {
  return [place.reference, place.name, place.tag, place.digest].filter((scalar): scalar is ScalarSource => scalar !== undefined);
}
