// What the pullers do to built objects before applying them: Flux's postBuild substitution and
// commonMetadata, and the destination namespace Argo CD and Helm give namespaced objects without one.
import type { Substitution } from "../discover/spec.ts";
import { objectLabel, type Finding, type KubeObject, type Manifest } from "../model.ts";
import { substituteObject } from "./flux-substitute.ts";
import { toManifest } from "./manifests.ts";

/** What a Secret-sourced variable becomes: the value itself must never reach a report. */
export function maskedSecretVariable(name: string): string {
  return `<secret:${name}>`;
}

/**
 * Substitutes postBuild variables in every object (unless it opts out), then sets commonMetadata.
 * Variables without a value are findings on the object; Flux (not strict) substitutes the empty string.
 */
export function fluxPostBuild(
  manifests: Manifest[],
  options: { substitution?: Substitution; commonMetadata?: { labels: Record<string, string>; annotations: Record<string, string> }; label: string },
): { manifests: Manifest[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const substitution = options.substitution;
  const vars: Record<string, string> = { ...substitution?.vars };
  for (const name of substitution?.secretVars ?? []) vars[name] = maskedSecretVariable(name);
  // kustomize-controller substitutes only when there is at least one variable
  const substitute = substitution !== undefined && Object.keys(vars).length > 0;
  const result = manifests.map((manifest) => {
    let current = manifest;
    if (substitute) {
      try {
        const { object, unresolved } = substituteObject(manifest.object, vars, { strict: substitution.strict });
        if (object !== manifest.object) current = { ...toManifest(object, manifest.rendered, options.label), ...(manifest.source ? { source: manifest.source } : {}) };
        const names = [...new Set(unresolved.map((variable) => variable.written))];
        if (names.length > 0) {
          findings.push({
            ruleId: "flux-substitution-unresolved",
            severity: substitution.strict ? "error" : "warning",
            message: `${objectLabel(manifest.id)}: ${names.join(", ")} ${names.length === 1 ? "has" : "have"} no value and no default; Flux substitutes an empty string`,
            object: current.id,
            ...(manifest.source ? { location: manifest.source } : {}),
          });
        }
      } catch (error) {
        findings.push({
          ruleId: "flux-substitution-failed",
          severity: "error",
          message: `${objectLabel(manifest.id)}: postBuild substitution failed: ${(error as Error).message}`,
          object: manifest.id,
          ...(manifest.source ? { location: manifest.source } : {}),
        });
      }
    }
    if (options.commonMetadata) setCommonMetadata(current.object, options.commonMetadata);
    return current;
  });
  return { manifests: result, findings };
}

function setCommonMetadata(object: KubeObject, common: { labels: Record<string, string>; annotations: Record<string, string> }): void {
  const metadata = ((object.metadata ??= {}) as Record<string, unknown>);
  if (Object.keys(common.labels).length > 0) metadata.labels = { ...(metadata.labels as object | undefined), ...common.labels };
  if (Object.keys(common.annotations).length > 0) metadata.annotations = { ...(metadata.annotations as object | undefined), ...common.annotations };
}

/** Kinds of the built-in API that are not namespaced. Custom resources are namespaced unless their CRD says otherwise. */
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "StorageClass",
  "VolumeAttachment",
  "CSIDriver",
  "CSINode",
  "PriorityClass",
  "RuntimeClass",
  "IngressClass",
  "APIService",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "CertificateSigningRequest",
  "FlowSchema",
  "PriorityLevelConfiguration",
  "ComponentStatus",
  "PodSecurityPolicy",
  "ClusterIssuer",
  "ClusterPolicy",
  "ClusterSecretStore",
  "GatewayClass",
]);

/** Sets the destination namespace on namespaced objects that have none, as the puller applies them. */
export function applyDefaultNamespace(manifests: Manifest[], namespace: string, label: string): Manifest[] {
  const clusterScoped = new Set(CLUSTER_SCOPED);
  for (const manifest of manifests) {
    if (manifest.id.kind !== "CustomResourceDefinition") continue;
    const spec = (manifest.object.spec ?? {}) as Record<string, unknown>;
    const names = (spec.names ?? {}) as Record<string, unknown>;
    if (spec.scope === "Cluster" && typeof names.kind === "string") clusterScoped.add(names.kind);
  }
  return manifests.map((manifest) => {
    if (manifest.id.namespace || clusterScoped.has(manifest.id.kind)) return manifest;
    const object = { ...manifest.object, metadata: { ...(manifest.object.metadata as object), namespace } };
    return { ...toManifest(object, manifest.rendered, label), ...(manifest.source ? { source: manifest.source } : {}) };
  });
}
