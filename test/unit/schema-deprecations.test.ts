// Deprecated and removed API versions: the tables against the sources they cite, and the checks built on them.
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.ts";
import {
  checkApiVersion,
  checkEcosystemApiVersion,
  compareVersions,
  ECOSYSTEM_API_DEPRECATIONS,
  KUBERNETES_API_DEPRECATIONS,
  type ApiDeprecation,
} from "../../src/schema/deprecations.ts";

describe("checkApiVersion", () => {
  it.each<{ name: string; apiVersion: string; kind: string; version: string; status?: "removed" | "deprecated"; message?: string }>([
    {
      name: "removed at the release that stops serving it",
      apiVersion: "policy/v1beta1",
      kind: "PodDisruptionBudget",
      version: "1.25",
      status: "removed",
      message: "policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25 (deprecated since 1.21): use policy/v1 PodDisruptionBudget",
    },
    {
      name: "deprecated between deprecation and removal, a patch version and v prefix accepted",
      apiVersion: "policy/v1beta1",
      kind: "PodDisruptionBudget",
      version: "v1.24.3",
      status: "deprecated",
      message: "policy/v1beta1 PodDisruptionBudget is deprecated since Kubernetes 1.21 and removed in 1.25: use policy/v1 PodDisruptionBudget",
    },
    { name: "nothing before the deprecation", apiVersion: "policy/v1beta1", kind: "PodDisruptionBudget", version: "1.20" },
    { name: "versions compare as numbers: 1.9 is before 1.16", apiVersion: "extensions/v1beta1", kind: "Deployment", version: "1.9" },
    {
      name: "a removal whose deprecation version is not confirmed",
      apiVersion: "extensions/v1beta1",
      kind: "NetworkPolicy",
      version: "1.16",
      status: "removed",
      message: "extensions/v1beta1 NetworkPolicy was removed in Kubernetes 1.16: use networking.k8s.io/v1 NetworkPolicy",
    },
    {
      name: "later releases still report the removal",
      apiVersion: "apps/v1beta2",
      kind: "StatefulSet",
      version: "1.31",
      status: "removed",
      message: "apps/v1beta2 StatefulSet was removed in Kubernetes 1.16: use apps/v1 StatefulSet",
    },
    {
      name: "a successor deprecated at the target is followed to its own successor",
      apiVersion: "flowcontrol.apiserver.k8s.io/v1beta1",
      kind: "FlowSchema",
      version: "1.26",
      status: "removed",
      message: "flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema was removed in Kubernetes 1.26 (deprecated since 1.23): use flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema",
    },
    {
      name: "the chain ends at the API current at the target",
      apiVersion: "flowcontrol.apiserver.k8s.io/v1beta1",
      kind: "PriorityLevelConfiguration",
      version: "1.30",
      status: "removed",
      message:
        "flowcontrol.apiserver.k8s.io/v1beta1 PriorityLevelConfiguration was removed in Kubernetes 1.26 (deprecated since 1.23): use flowcontrol.apiserver.k8s.io/v1 PriorityLevelConfiguration",
    },
    {
      name: "the guide's successor is named while it is current",
      apiVersion: "flowcontrol.apiserver.k8s.io/v1beta2",
      kind: "FlowSchema",
      version: "1.27",
      status: "deprecated",
      message: "flowcontrol.apiserver.k8s.io/v1beta2 FlowSchema is deprecated since Kubernetes 1.26 and removed in 1.29: use flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema",
    },
    {
      name: "the last default-on beta, removed in 1.32",
      apiVersion: "flowcontrol.apiserver.k8s.io/v1beta3",
      kind: "FlowSchema",
      version: "1.32",
      status: "removed",
      message: "flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema was removed in Kubernetes 1.32 (deprecated since 1.29): use flowcontrol.apiserver.k8s.io/v1 FlowSchema",
    },
    {
      name: "an API without replacement says what to do instead",
      apiVersion: "policy/v1beta1",
      kind: "PodSecurityPolicy",
      version: "1.25",
      status: "removed",
      message:
        "policy/v1beta1 PodSecurityPolicy was removed in Kubernetes 1.25 (deprecated since 1.21): no replacement API; migrate to Pod Security Admission or a third-party admission webhook",
    },
    {
      name: "CronJob batch/v1beta1, deprecated in 1.21",
      apiVersion: "batch/v1beta1",
      kind: "CronJob",
      version: "1.21",
      status: "deprecated",
      message: "batch/v1beta1 CronJob is deprecated since Kubernetes 1.21 and removed in 1.25: use batch/v1 CronJob",
    },
    {
      name: "HorizontalPodAutoscaler autoscaling/v2beta2, removed in 1.26",
      apiVersion: "autoscaling/v2beta2",
      kind: "HorizontalPodAutoscaler",
      version: "1.26",
      status: "removed",
      message: "autoscaling/v2beta2 HorizontalPodAutoscaler was removed in Kubernetes 1.26 (deprecated since 1.23): use autoscaling/v2 HorizontalPodAutoscaler",
    },
    {
      name: "RBAC v1alpha1, removed with v1beta1 in 1.22",
      apiVersion: "rbac.authorization.k8s.io/v1alpha1",
      kind: "ClusterRoleBinding",
      version: "1.22",
      status: "removed",
      message: "rbac.authorization.k8s.io/v1alpha1 ClusterRoleBinding was removed in Kubernetes 1.22 (deprecated since 1.17): use rbac.authorization.k8s.io/v1 ClusterRoleBinding",
    },
    {
      name: "dynamic resource allocation v1beta1 on its prerelease schedule",
      apiVersion: "resource.k8s.io/v1beta1",
      kind: "ResourceClaim",
      version: "1.35",
      status: "deprecated",
      message: "resource.k8s.io/v1beta1 ResourceClaim is deprecated since Kubernetes 1.35 and removed in 1.38: use resource.k8s.io/v1 ResourceClaim",
    },
    { name: "a current API", apiVersion: "apps/v1", kind: "Deployment", version: "1.32" },
    { name: "the core group", apiVersion: "v1", kind: "Pod", version: "1.32" },
    { name: "the kind matters, not only the version", apiVersion: "extensions/v1beta1", kind: "Scale", version: "1.32" },
    { name: "ecosystem CRDs are not judged by a Kubernetes version", apiVersion: "helm.toolkit.fluxcd.io/v2beta1", kind: "HelmRelease", version: "1.32" },
  ])("$name", ({ apiVersion, kind, version, status, message }) => {
    const result = checkApiVersion(apiVersion, kind, version);
    if (!status) {
      expect(result).toBeUndefined();
      return;
    }
    expect(result?.status).toBe(status);
    expect(result?.message).toBe(message);
    expect(`${result?.entry.group}/${result?.entry.version}`).toBe(apiVersion);
  });

  it.each(["1", "latest", "", "1.x", "v1"])("rejects the target version %j", (version) => {
    expect(() => checkApiVersion("apps/v1", "Deployment", version)).toThrow(UserError);
  });
});

describe("compareVersions", () => {
  it.each<{ a: string; b: string; sign: -1 | 0 | 1 }>([
    { a: "1.9", b: "1.10", sign: -1 },
    { a: "1.10", b: "1.9", sign: 1 },
    { a: "v1.31.2", b: "1.31", sign: 0 },
    { a: "1.31.0-rc.1", b: "1.31", sign: 0 },
    { a: "2.0", b: "1.99", sign: 1 },
  ])("$a against $b", ({ a, b, sign }) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });
});

/** Every removal of the Deprecated API Migration Guide, 1.16 through 1.32, as the guide lists it. */
const GUIDE_REMOVALS: [apiVersion: string, kinds: string[], removedIn: string, replacement: string][] = [
  ["extensions/v1beta1", ["NetworkPolicy"], "1.16", "networking.k8s.io/v1"],
  ["extensions/v1beta1", ["DaemonSet", "Deployment", "ReplicaSet"], "1.16", "apps/v1"],
  ["apps/v1beta2", ["DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"], "1.16", "apps/v1"],
  ["apps/v1beta1", ["Deployment", "ReplicaSet", "StatefulSet"], "1.16", "apps/v1"],
  ["extensions/v1beta1", ["PodSecurityPolicy"], "1.16", ""],
  ["admissionregistration.k8s.io/v1beta1", ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"], "1.22", "admissionregistration.k8s.io/v1"],
  ["apiextensions.k8s.io/v1beta1", ["CustomResourceDefinition"], "1.22", "apiextensions.k8s.io/v1"],
  ["apiregistration.k8s.io/v1beta1", ["APIService"], "1.22", "apiregistration.k8s.io/v1"],
  ["authentication.k8s.io/v1beta1", ["TokenReview"], "1.22", "authentication.k8s.io/v1"],
  [
    "authorization.k8s.io/v1beta1",
    ["LocalSubjectAccessReview", "SelfSubjectAccessReview", "SubjectAccessReview", "SelfSubjectRulesReview"],
    "1.22",
    "authorization.k8s.io/v1",
  ],
  ["certificates.k8s.io/v1beta1", ["CertificateSigningRequest"], "1.22", "certificates.k8s.io/v1"],
  ["coordination.k8s.io/v1beta1", ["Lease"], "1.22", "coordination.k8s.io/v1"],
  ["extensions/v1beta1", ["Ingress"], "1.22", "networking.k8s.io/v1"],
  ["networking.k8s.io/v1beta1", ["Ingress", "IngressClass"], "1.22", "networking.k8s.io/v1"],
  ["rbac.authorization.k8s.io/v1beta1", ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"], "1.22", "rbac.authorization.k8s.io/v1"],
  ["scheduling.k8s.io/v1beta1", ["PriorityClass"], "1.22", "scheduling.k8s.io/v1"],
  ["storage.k8s.io/v1beta1", ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"], "1.22", "storage.k8s.io/v1"],
  ["batch/v1beta1", ["CronJob"], "1.25", "batch/v1"],
  ["discovery.k8s.io/v1beta1", ["EndpointSlice"], "1.25", "discovery.k8s.io/v1"],
  ["events.k8s.io/v1beta1", ["Event"], "1.25", "events.k8s.io/v1"],
  ["autoscaling/v2beta1", ["HorizontalPodAutoscaler"], "1.25", "autoscaling/v2"],
  ["policy/v1beta1", ["PodDisruptionBudget"], "1.25", "policy/v1"],
  ["policy/v1beta1", ["PodSecurityPolicy"], "1.25", ""],
  ["node.k8s.io/v1beta1", ["RuntimeClass"], "1.25", "node.k8s.io/v1"],
  ["flowcontrol.apiserver.k8s.io/v1beta1", ["FlowSchema", "PriorityLevelConfiguration"], "1.26", "flowcontrol.apiserver.k8s.io/v1beta2"],
  ["autoscaling/v2beta2", ["HorizontalPodAutoscaler"], "1.26", "autoscaling/v2"],
  ["storage.k8s.io/v1beta1", ["CSIStorageCapacity"], "1.27", "storage.k8s.io/v1"],
  ["flowcontrol.apiserver.k8s.io/v1beta2", ["FlowSchema", "PriorityLevelConfiguration"], "1.29", "flowcontrol.apiserver.k8s.io/v1beta3"],
  ["flowcontrol.apiserver.k8s.io/v1beta3", ["FlowSchema", "PriorityLevelConfiguration"], "1.32", "flowcontrol.apiserver.k8s.io/v1"],
];

const find = (table: readonly ApiDeprecation[], apiVersion: string, kind: string) =>
  table.find((entry) => `${entry.group ? `${entry.group}/` : ""}${entry.version}` === apiVersion && entry.kind === kind);

describe("KUBERNETES_API_DEPRECATIONS", () => {
  it.each(GUIDE_REMOVALS.flatMap(([apiVersion, kinds, removedIn, replacement]) => kinds.map((kind) => ({ apiVersion, kind, removedIn, replacement }))))(
    "$apiVersion $kind is removed in $removedIn",
    ({ apiVersion, kind, removedIn, replacement }) => {
      const entry = find(KUBERNETES_API_DEPRECATIONS, apiVersion, kind);
      expect(entry?.removedIn).toBe(removedIn);
      expect(entry?.replacement?.apiVersion ?? "").toBe(replacement);
    },
  );

  it.each([
    { name: "Kubernetes", table: KUBERNETES_API_DEPRECATIONS },
    { name: "ecosystem", table: ECOSYSTEM_API_DEPRECATIONS },
  ])("$name: one entry per API, each removed, deprecated no later than removed, replaced by another API", ({ table }) => {
    const keys = table.map((entry) => `${entry.group}/${entry.version}/${entry.kind}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const entry of table) {
      expect(entry.removedIn, `${entry.group}/${entry.version} ${entry.kind}`).toMatch(/^\d+\.\d+$/);
      if (entry.deprecatedIn) expect(compareVersions(entry.deprecatedIn, entry.removedIn!)).toBeLessThanOrEqual(0);
      if (entry.replacement) expect(`${entry.replacement.apiVersion} ${entry.replacement.kind}`).not.toBe(`${entry.group}/${entry.version} ${entry.kind}`);
      else expect(entry.note).toBeTruthy();
    }
  });

  it("names only Kubernetes' own API groups", () => {
    for (const entry of KUBERNETES_API_DEPRECATIONS) {
      expect(entry.project).toBeUndefined();
      expect(entry.group === "" || /^(apps|batch|autoscaling|policy|extensions)$|\.k8s\.io$/.test(entry.group)).toBe(true);
    }
  });
});

describe("checkEcosystemApiVersion", () => {
  it.each<{ name: string; apiVersion: string; kind: string; versions?: Record<string, string>; status?: "removed" | "deprecated"; message?: string }>([
    {
      name: "without the project's version: deprecated, naming the release that removes it",
      apiVersion: "helm.toolkit.fluxcd.io/v2beta1",
      kind: "HelmRelease",
      status: "deprecated",
      message: "helm.toolkit.fluxcd.io/v2beta1 HelmRelease is deprecated since Flux 2.2 and removed in 2.7: use helm.toolkit.fluxcd.io/v2 HelmRelease",
    },
    {
      name: "removed once the project's version removes it",
      apiVersion: "helm.toolkit.fluxcd.io/v2beta1",
      kind: "HelmRelease",
      versions: { Flux: "v2.7.1" },
      status: "removed",
      message: "helm.toolkit.fluxcd.io/v2beta1 HelmRelease was removed in Flux 2.7 (deprecated since 2.2): use helm.toolkit.fluxcd.io/v2 HelmRelease",
    },
    { name: "nothing before its deprecation", apiVersion: "helm.toolkit.fluxcd.io/v2beta1", kind: "HelmRelease", versions: { Flux: "2.1" } },
    {
      name: "Kustomization v1beta2, removed in Flux 2.8",
      apiVersion: "kustomize.toolkit.fluxcd.io/v1beta2",
      kind: "Kustomization",
      versions: { Flux: "2.8" },
      status: "removed",
      message: "kustomize.toolkit.fluxcd.io/v1beta2 Kustomization was removed in Flux 2.8: use kustomize.toolkit.fluxcd.io/v1 Kustomization",
    },
    {
      name: "without a confirmed deprecation version, the removal is what it names",
      apiVersion: "source.toolkit.fluxcd.io/v1beta2",
      kind: "OCIRepository",
      status: "deprecated",
      message: "source.toolkit.fluxcd.io/v1beta2 OCIRepository is removed in Flux 2.8: use source.toolkit.fluxcd.io/v1 OCIRepository",
    },
    {
      name: "another project's version does not count",
      apiVersion: "cert-manager.io/v1alpha2",
      kind: "Certificate",
      versions: { Flux: "2.8" },
      status: "deprecated",
      message: "cert-manager.io/v1alpha2 Certificate is deprecated since cert-manager 1.4 and removed in 1.6: use cert-manager.io/v1 Certificate",
    },
    {
      name: "cert-manager ACME kinds move to acme.cert-manager.io/v1",
      apiVersion: "acme.cert-manager.io/v1beta1",
      kind: "Order",
      versions: { "cert-manager": "1.6" },
      status: "removed",
      message: "acme.cert-manager.io/v1beta1 Order was removed in cert-manager 1.6 (deprecated since 1.4): use acme.cert-manager.io/v1 Order",
    },
    { name: "a current Flux API", apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" },
    { name: "Kubernetes APIs are checkApiVersion's", apiVersion: "policy/v1beta1", kind: "PodDisruptionBudget" },
  ])("$name", ({ apiVersion, kind, versions, status, message }) => {
    const result = checkEcosystemApiVersion(apiVersion, kind, versions);
    expect(result?.status).toBe(status);
    expect(result?.message).toBe(message);
  });
});
