// Validates what the corpus tests render (strict, embedded schemas and the environments' own CRDs) and keeps the
// figures. A finding that is not in GENUINE is a false finding: the tests fail on it.
import type { DiscoveredEnvironment } from "../../src/discover/discover.ts";
import type { Manifest } from "../../src/model.ts";
import type { Files } from "../../src/ports.ts";
import { SourceLocator } from "../../src/schema/locate.ts";
import { DEFAULT_VALIDATION, SchemaValidator } from "../../src/schema/validate.ts";

/**
 * Genuine problems in ../shared/corpus, by repository: "rule object file:line". Each is true of the repository as
 * committed (checked by hand): Flux APIs its current release no longer serves.
 */
export const GENUINE: Record<string, string[]> = {
  // source.toolkit.fluxcd.io/v1beta2 OCIRepository: removed in Flux 2.8 (v1 since 2.6)
  "fluxcd+flux2-multi-tenancy": ["api-deprecated OCIRepository/kyverno-controller infrastructure/kyverno/source.yaml:1"],
  // helm.toolkit.fluxcd.io/v2beta1 (removed in Flux 2.7) and source.toolkit.fluxcd.io/v1beta2 HelmRepository (removed in 2.8)
  "stefanprodan+gitops-istio": [
    "api-deprecated HelmRelease/flagger istio/system/flagger.yaml:10",
    "api-deprecated HelmRelease/flagger-grafana istio/system/flagger.yaml:33",
    "api-deprecated HelmRelease/istio-base istio/system/istio.yaml:12",
    "api-deprecated HelmRelease/istio-gateway istio/system/istio.yaml:68",
    "api-deprecated HelmRelease/istiod istio/system/istio.yaml:34",
    "api-deprecated HelmRepository/flagger istio/system/flagger.yaml:1",
    "api-deprecated HelmRepository/istio istio/system/istio.yaml:1",
  ],
};

export class CorpusValidation {
  readonly validator = new SchemaValidator(DEFAULT_VALIDATION);
  objects = 0;
  validated = 0;
  findings = 0;

  /** The findings of one environment, as "rule object file:line" (notices, i.e. missing schemas, left out). */
  async check(root: string, files: Files, environment: DiscoveredEnvironment, manifests: Manifest[]): Promise<string[]> {
    const locate = await new SourceLocator(root, files).prepare(manifests, [...environment.inputs]);
    const spec = environment.spec;
    const placeholders = spec.type === "edited-kustomization" && spec.substitution !== undefined;
    const { findings, schemaOf } = await this.validator.validateDetailed(manifests, { locate, placeholders });
    this.objects += manifests.length;
    this.validated += [...schemaOf.values()].filter((schema) => schema === "embedded" || schema.startsWith("CustomResourceDefinition")).length;
    const shown = findings.filter((finding) => finding.severity !== "notice");
    this.findings += shown.length;
    return shown.map((finding) => `${finding.ruleId} ${finding.object?.kind}/${finding.object?.name} ${finding.location?.file}:${finding.location?.line}`);
  }

  summary(what: string): string {
    return `${what}: ${this.objects} objects, ${this.validated} validated against a schema (strict), ${this.findings} findings, all genuine`;
  }
}
