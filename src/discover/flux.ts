// A Flux Kustomization's spec, read into what the build needs (kustomize.toolkit.fluxcd.io v1 and v1beta2).
import path from "node:path";
import type { KubeObject } from "../model.ts";
import { list, nonEmptyString, record, stringMap } from "../util/values.ts";

export interface FluxPatch {
  patch: string;
  target?: Record<string, string>;
}

export interface FluxImage {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

export interface SubstituteFrom {
  kind: "ConfigMap" | "Secret";
  name: string;
  optional: boolean;
}

export interface FluxKustomizationSpec {
  namespace: string;
  name: string;
  /** Repository-relative directory the build starts from. */
  path: string;
  sourceRef: { kind: string; name: string; namespace: string };
  targetNamespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  patches: FluxPatch[];
  images: FluxImage[];
  components: string[];
  ignoreMissingComponents: boolean;
  commonMetadata?: { labels: Record<string, string>; annotations: Record<string, string> };
  postBuild?: { substitute: Record<string, string>; substituteFrom: SubstituteFrom[] };
  suspended: boolean;
}

export type FluxSpecResult = { ok: true; spec: FluxKustomizationSpec } | { ok: false; problem: string };

/** Reads a Flux Kustomization. `namespace` is where it lives (its own, or the default it is applied to). */
export function readFluxKustomization(object: KubeObject, namespace: string): FluxSpecResult {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const name = String(metadata.name ?? "");
  const spec = record(object.spec);
  const sourceRef = record(spec.sourceRef);
  if (typeof sourceRef.kind !== "string" || typeof sourceRef.name !== "string") {
    return { ok: false, problem: "spec.sourceRef needs kind and name" };
  }
  const written = typeof spec.path === "string" ? spec.path : "";
  // Flux joins the path to the source root securely; a path that climbs out is refused here
  const joined = path.posix.normalize(path.posix.join(".", written.replace(/^\/+/, ""))).replace(/(.)\/+$/, "$1");
  if (joined === ".." || joined.startsWith("../")) return { ok: false, problem: `spec.path "${written}" is outside the source` };


  const postBuild = spec.postBuild === undefined ? undefined : record(spec.postBuild);
  const commonMetadata = spec.commonMetadata === undefined ? undefined : record(spec.commonMetadata);
  return {
    ok: true,
    spec: {
      namespace,
      name,
      path: joined,
      sourceRef: {
        kind: sourceRef.kind,
        name: sourceRef.name,
        namespace: typeof sourceRef.namespace === "string" && sourceRef.namespace ? sourceRef.namespace : namespace,
      },
      targetNamespace: nonEmptyString(spec.targetNamespace),
      namePrefix: nonEmptyString(spec.namePrefix),
      nameSuffix: nonEmptyString(spec.nameSuffix),
      patches: list(spec.patches).flatMap((item) => {
        const patch = record(item);
        if (typeof patch.patch !== "string") return [];
        const target = patch.target === undefined ? undefined : stringMap(patch.target);
        return [{ patch: patch.patch, ...(target ? { target } : {}) }];
      }),
      images: list(spec.images).flatMap((item) => {
        const image = record(item);
        if (typeof image.name !== "string") return [];
        return [
          {
            name: image.name,
            ...(typeof image.newName === "string" ? { newName: image.newName } : {}),
            ...(image.newTag !== undefined && image.newTag !== null ? { newTag: String(image.newTag) } : {}),
            ...(typeof image.digest === "string" ? { digest: image.digest } : {}),
          },
        ];
      }),
      components: list(spec.components).filter((item): item is string => typeof item === "string"),
      ignoreMissingComponents: spec.ignoreMissingComponents === true,
      ...(commonMetadata ? { commonMetadata: { labels: stringMap(commonMetadata.labels), annotations: stringMap(commonMetadata.annotations) } } : {}),
      ...(postBuild
        ? {
            postBuild: {
              substitute: stringMap(postBuild.substitute),
              substituteFrom: list(postBuild.substituteFrom).flatMap((item) => {
                const from = record(item);
                if ((from.kind !== "ConfigMap" && from.kind !== "Secret") || typeof from.name !== "string") return [];
                return [{ kind: from.kind, name: from.name, optional: from.optional === true }];
              }),
            },
          }
        : {}),
      suspended: spec.suspend === true,
    },
  };
}

/** Flux refuses remote components; the check is fluxcd/pkg/kustomize's isLocalRelativePath. */
export function isLocalRelativePath(written: string): boolean {
  const lower = written.toLowerCase();
  for (const prefix of ["git::", "gh:", "ssh://", "https://", "http://", "git@", "github.com:", "github.com/"]) {
    if (prefix.length < written.length && lower.startsWith(prefix)) return false;
  }
  return !path.posix.isAbsolute(written) && !path.posix.isAbsolute(lower.replace(/^file:\/\//, ""));
}
