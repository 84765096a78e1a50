// Validates what the corpus tests render (strict, embedded schemas and the environments' own CRDs) and keeps the
// figures. A finding that is not in GENUINE is a false finding: the tests fail on it.
import type { DiscoveredEnvironment } from "../../src/discover/discover.ts";
import type { Finding, Manifest } from "../../src/model.ts";
import type { Files } from "../../src/ports.ts";
import { SourceLocator } from "../../src/schema/locate.ts";
import { DEFAULT_VALIDATION, EMBEDDED_CRDS, SchemaValidator } from "../../src/schema/validate.ts";

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

/**
 * With the opt-in location `embedded-crds` (schemas generated from kubernetes-models' packages of well-known CRDs),
 * these warnings are added, by repository: the embedded schema is older than, or not patched like, the cluster's
 * CRD. Both are why `embedded-crds` is opt-in and its findings are warnings.
 */
export const EMBEDDED_CRDS_LAG: Record<string, string[]> = {
  "onedr0p+home-ops": [
    // flux-operator patches notification-controller's CRD so that Alerts may watch FluxInstances; the stock CRD refuses them
    "schema-enum Alert/alertmanager kubernetes/components/alerts/alertmanager/alert.yaml:12",
    // External Secrets' onepasswordSDK provider is newer than @kubernetes-models/external-secrets 2.0.0
    "schema-unknown-field ClusterSecretStore/onepassword-sdk-home-operations kubernetes/apps/external-secrets/onepassword-sdk-home-operations/app/clustersecretstore.yaml:9",
  ],
};

const lines = (findings: Finding[]) =>
  findings.filter((finding) => finding.severity !== "notice").map((finding) => `${finding.ruleId} ${finding.object?.kind}/${finding.object?.name} ${finding.location?.file}:${finding.location?.line}`);

export class CorpusValidation {
  readonly validator = new SchemaValidator(DEFAULT_VALIDATION);
  readonly withEmbeddedCrds = new SchemaValidator({ ...DEFAULT_VALIDATION, locations: ["default", EMBEDDED_CRDS] });
  objects = 0;
  validated = 0;
  validatedWithEmbeddedCrds = 0;
  findings = 0;

  /**
   * The findings of one environment, as "rule object file:line" (notices, i.e. missing schemas, left out), by the
   * default settings; and those `embedded-crds` adds.
   */
  async check(root: string, files: Files, environment: DiscoveredEnvironment, manifests: Manifest[]): Promise<{ findings: string[]; embeddedCrds: string[] }> {
    const locate = await new SourceLocator(root, files).prepare(manifests, [...environment.inputs]);
    const spec = environment.spec;
    const placeholders = spec.type === "edited-kustomization" && spec.substitution !== undefined;
    const plain = await this.validator.validateDetailed(manifests, { locate, placeholders });
    const extended = await this.withEmbeddedCrds.validateDetailed(manifests, { locate, placeholders });
    const schemaCount = (schemaOf: Map<Manifest, string>) =>
      [...schemaOf.values()].filter((schema) => schema === "embedded" || schema.startsWith("CustomResourceDefinition") || schema.startsWith("embedded CRD")).length;
    this.objects += manifests.length;
    this.validated += schemaCount(plain.schemaOf);
    this.validatedWithEmbeddedCrds += schemaCount(extended.schemaOf);
    const findings = lines(plain.findings);
    this.findings += findings.length;
    return { findings, embeddedCrds: lines(extended.findings).filter((line) => !findings.includes(line)) };
  }

  summary(what: string): string {
    return (
      `${what}: ${this.objects} objects, ${this.validated} validated against a schema (strict), ${this.findings} findings, all genuine; ` +
      `with embedded-crds ${this.validatedWithEmbeddedCrds} validated`
    );
  }
}
