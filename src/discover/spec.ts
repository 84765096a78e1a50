// How an environment is rendered: the contract between discovery and the renderers.
// Every path here is repository-relative.
import type { FluxKustomizationSpec } from "./flux.ts";

/** Edits a puller makes to a kustomization before building it (Flux and Argo CD both work this way). */
export interface KustomizationEdits {
  namespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  /** Appended to `patches`. */
  patches: Array<{ patch: string; target?: Record<string, string> }>;
  /** Merged into `images` by name (replacing an entry with the same name). */
  images: Array<{ name: string; newName?: string; newTag?: string; digest?: string }>;
  /** Appended to `components`, relative to the directory. */
  components: string[];
  /** Argo CD: `kustomize edit add label` / `add annotation` (commonLabels, commonAnnotations). */
  commonLabels?: Record<string, string>;
  commonAnnotations?: Record<string, string>;
  /** Argo CD: `kustomize edit set replicas`. */
  replicas?: Array<{ name: string; count: number }>;
}

/** Flux postBuild variables, already gathered from `substitute` and `substituteFrom`. */
export interface Substitution {
  vars: Record<string, string>;
  /** Variables whose values come from Secrets: substituted with a mask, never the value. */
  secretVars: string[];
  strict: boolean;
}

export interface HelmChartSpec {
  releaseName: string;
  namespace: string;
  chart:
    | { type: "directory"; dir: string }
    | { type: "repository"; url: string; chart: string; version?: string }
    | { type: "oci"; url: string; chart?: string; version?: string };
  valueFiles: string[];
  values?: Record<string, unknown>;
  set?: Array<{ name: string; value: string; forceString?: boolean }>;
  includeCRDs: boolean;
  skipTests?: boolean;
  apiVersions?: string[];
}

export type RenderSpec =
  /** `kustomize build` of a directory, as it is (`helm`: it inflates Helm charts, `--enable-helm`). */
  | { type: "kustomize"; path: string; helm?: boolean }
  /** Plain manifests: the environment's YAML inputs, each document an object. */
  | { type: "directory"; path: string; files?: string[]; defaultNamespace?: string }
  /**
   * A kustomization edited (or generated, when the directory has none) and built as a puller builds it,
   * then Flux's post-build steps.
   */
  | {
      type: "edited-kustomization";
      path: string;
      /** Resources of the kustomization the puller generates for a directory without one (relative, "./x.yaml"). */
      generated?: string[];
      edits: KustomizationEdits;
      /** Flux builds without kustomize's load restrictions; Argo CD with them (its default). */
      loadRestrictionsNone: boolean;
      substitution?: Substitution;
      commonMetadata?: { labels: Record<string, string>; annotations: Record<string, string> };
      /** Argo CD: the destination namespace for namespaced objects without one. */
      defaultNamespace?: string;
      flux?: FluxKustomizationSpec;
      /** Some kustomization it builds inflates Helm charts. */
      helm?: boolean;
    }
  | { type: "helm"; chart: HelmChartSpec; defaultNamespace?: string }
  /** Several sources rendered one after the other (Argo CD multi-source Applications). */
  | { type: "multi"; parts: RenderSpec[] }
  /** Cannot be rendered here; the reason is reported. */
  | { type: "skipped"; reason: string };
