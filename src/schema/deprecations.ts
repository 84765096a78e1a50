// Kubernetes API versions that were deprecated and removed, as data, and the check of one object's apiVersion
// against a target Kubernetes version. Sources, confirmed entry by entry:
// - [guide] kubernetes.io/docs/reference/using-api/deprecation-guide/ ("Deprecated API Migration Guide",
//   kubernetes/website content/en/docs/reference/using-api/deprecation-guide.md): removal versions and replacements.
// - [warning] the API server's own deprecation warnings, "<apiVersion> <Kind> is deprecated in vX+, unavailable in
//   vY+; use ...", generated from k8s.io/api's prerelease-lifecycle tags: deprecation versions.
// - [lifecycle] k8s.io/api */zz_generated.prerelease-lifecycle.go (APILifecycleDeprecated/Removed) and the
//   "Deprecated in v1.17 ... no longer served in v1.22" comments in k8s.io/api types.go.
// - [pluto] FairwindsOps/pluto versions.yaml, only where the sources above agree or say nothing contrary.
// An entry without deprecatedIn is one whose deprecation version could not be confirmed; removedIn is always known.
import { groupOf } from "../model.ts";
import { UserError } from "../errors.ts";

export interface ApiDeprecation {
  group: string;
  version: string;
  kind: string;
  /** Version of Kubernetes (of `project` for ecosystem APIs) that deprecated it, "1.21". */
  deprecatedIn?: string;
  /** Version that stopped serving it. */
  removedIn?: string;
  replacement?: { apiVersion: string; kind: string };
  note?: string;
  /** Who ships the API when it is not Kubernetes itself ("Flux", "cert-manager"): the versions are that project's. */
  project?: string;
}

type Replacement = ApiDeprecation["replacement"];

/** One entry per kind: the tables below are written per API version and expanded here. */
function entries(
  apiVersion: string,
  kinds: string[],
  lifecycle: { deprecatedIn?: string; removedIn: string; note?: string; project?: string },
  replacement: ((kind: string) => Replacement) | undefined,
): ApiDeprecation[] {
  const { group, version } = groupOf(apiVersion);
  return kinds.map((kind) => {
    const entry: ApiDeprecation = { group, version, kind, removedIn: lifecycle.removedIn };
    if (lifecycle.deprecatedIn) entry.deprecatedIn = lifecycle.deprecatedIn;
    const replaced = replacement?.(kind);
    if (replaced) entry.replacement = replaced;
    if (lifecycle.note) entry.note = lifecycle.note;
    if (lifecycle.project) entry.project = lifecycle.project;
    return entry;
  });
}

/** The same kind in another apiVersion. */
const sameKind = (apiVersion: string) => (kind: string) => ({ apiVersion, kind });

const PSP_NOTE = "no replacement API; migrate to Pod Security Admission or a third-party admission webhook";
const FLOW_CONTROL = ["FlowSchema", "PriorityLevelConfiguration"];
const RBAC = ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"];
const DRA = ["DeviceClass", "ResourceClaim", "ResourceClaimTemplate", "ResourceSlice"];

export const KUBERNETES_API_DEPRECATIONS: readonly ApiDeprecation[] = [
  // 1.16 [guide, v1.16]; deprecation versions predate the API server's warnings and are left out.
  ...entries("extensions/v1beta1", ["NetworkPolicy"], { removedIn: "1.16" }, sameKind("networking.k8s.io/v1")),
  ...entries("extensions/v1beta1", ["DaemonSet", "Deployment", "ReplicaSet"], { removedIn: "1.16" }, sameKind("apps/v1")),
  ...entries("apps/v1beta1", ["Deployment", "ReplicaSet", "StatefulSet"], { removedIn: "1.16" }, sameKind("apps/v1")),
  ...entries("apps/v1beta2", ["DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"], { removedIn: "1.16" }, sameKind("apps/v1")),
  // [guide] names policy/v1beta1 as the successor, itself removed in 1.25: no replacement is offered.
  ...entries("extensions/v1beta1", ["PodSecurityPolicy"], { removedIn: "1.16", note: PSP_NOTE }, undefined),

  // 1.22 [guide, v1.22]; deprecation versions [warning] unless noted.
  ...entries(
    "admissionregistration.k8s.io/v1beta1",
    ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"],
    { deprecatedIn: "1.16", removedIn: "1.22" },
    sameKind("admissionregistration.k8s.io/v1"),
  ),
  ...entries("apiextensions.k8s.io/v1beta1", ["CustomResourceDefinition"], { deprecatedIn: "1.16", removedIn: "1.22" }, sameKind("apiextensions.k8s.io/v1")),
  ...entries("apiregistration.k8s.io/v1beta1", ["APIService"], { deprecatedIn: "1.19", removedIn: "1.22" }, sameKind("apiregistration.k8s.io/v1")),
  ...entries("authentication.k8s.io/v1beta1", ["TokenReview"], { removedIn: "1.22" }, sameKind("authentication.k8s.io/v1")),
  ...entries(
    "authorization.k8s.io/v1beta1",
    ["LocalSubjectAccessReview", "SelfSubjectAccessReview", "SubjectAccessReview"],
    { removedIn: "1.22" },
    sameKind("authorization.k8s.io/v1"),
  ),
  // deprecated=1.19 [lifecycle: SelfSubjectRulesReview's prerelease-lifecycle tags]
  ...entries("authorization.k8s.io/v1beta1", ["SelfSubjectRulesReview"], { deprecatedIn: "1.19", removedIn: "1.22" }, sameKind("authorization.k8s.io/v1")),
  ...entries("certificates.k8s.io/v1beta1", ["CertificateSigningRequest"], { deprecatedIn: "1.19", removedIn: "1.22" }, sameKind("certificates.k8s.io/v1")),
  ...entries("coordination.k8s.io/v1beta1", ["Lease"], { removedIn: "1.22" }, sameKind("coordination.k8s.io/v1")),
  ...entries("extensions/v1beta1", ["Ingress"], { deprecatedIn: "1.14", removedIn: "1.22" }, sameKind("networking.k8s.io/v1")),
  ...entries("networking.k8s.io/v1beta1", ["Ingress", "IngressClass"], { deprecatedIn: "1.19", removedIn: "1.22" }, sameKind("networking.k8s.io/v1")),
  ...entries("rbac.authorization.k8s.io/v1beta1", RBAC, { deprecatedIn: "1.17", removedIn: "1.22" }, sameKind("rbac.authorization.k8s.io/v1")),
  // [lifecycle] k8s.io/api rbac/v1alpha1/types.go: "Deprecated in v1.17 ..., and will no longer be served in v1.22"
  ...entries("rbac.authorization.k8s.io/v1alpha1", RBAC, { deprecatedIn: "1.17", removedIn: "1.22" }, sameKind("rbac.authorization.k8s.io/v1")),
  ...entries("scheduling.k8s.io/v1beta1", ["PriorityClass"], { deprecatedIn: "1.14", removedIn: "1.22" }, sameKind("scheduling.k8s.io/v1")),
  ...entries("storage.k8s.io/v1beta1", ["CSIDriver", "StorageClass"], { deprecatedIn: "1.19", removedIn: "1.22" }, sameKind("storage.k8s.io/v1")),
  // CSINode deprecated in 1.17 (Kubernetes 1.17 release notes: "storage.k8s.io/v1beta1 CSINode object is deprecated")
  ...entries("storage.k8s.io/v1beta1", ["CSINode"], { deprecatedIn: "1.17", removedIn: "1.22" }, sameKind("storage.k8s.io/v1")),
  ...entries("storage.k8s.io/v1beta1", ["VolumeAttachment"], { removedIn: "1.22" }, sameKind("storage.k8s.io/v1")),

  // 1.25 [guide, v1.25]; deprecation versions [warning].
  ...entries("batch/v1beta1", ["CronJob"], { deprecatedIn: "1.21", removedIn: "1.25" }, sameKind("batch/v1")),
  ...entries("discovery.k8s.io/v1beta1", ["EndpointSlice"], { deprecatedIn: "1.21", removedIn: "1.25" }, sameKind("discovery.k8s.io/v1")),
  ...entries("events.k8s.io/v1beta1", ["Event"], { deprecatedIn: "1.22", removedIn: "1.25" }, sameKind("events.k8s.io/v1")),
  ...entries("autoscaling/v2beta1", ["HorizontalPodAutoscaler"], { deprecatedIn: "1.22", removedIn: "1.25" }, sameKind("autoscaling/v2")),
  ...entries("policy/v1beta1", ["PodDisruptionBudget"], { deprecatedIn: "1.21", removedIn: "1.25" }, sameKind("policy/v1")),
  ...entries("policy/v1beta1", ["PodSecurityPolicy"], { deprecatedIn: "1.21", removedIn: "1.25", note: PSP_NOTE }, undefined),
  ...entries("node.k8s.io/v1beta1", ["RuntimeClass"], { deprecatedIn: "1.22", removedIn: "1.25" }, sameKind("node.k8s.io/v1")),

  // 1.26 [guide, v1.26]; deprecation versions [warning]. The guide's successor of flowcontrol v1beta1 is v1beta2,
  // which is followed further when it is itself deprecated at the target version (see checkApiVersion).
  ...entries("flowcontrol.apiserver.k8s.io/v1beta1", FLOW_CONTROL, { deprecatedIn: "1.23", removedIn: "1.26" }, sameKind("flowcontrol.apiserver.k8s.io/v1beta2")),
  ...entries("autoscaling/v2beta2", ["HorizontalPodAutoscaler"], { deprecatedIn: "1.23", removedIn: "1.26" }, sameKind("autoscaling/v2")),

  // 1.27 [guide, v1.27]; deprecated in 1.24 [warning].
  ...entries("storage.k8s.io/v1beta1", ["CSIStorageCapacity"], { deprecatedIn: "1.24", removedIn: "1.27" }, sameKind("storage.k8s.io/v1")),

  // 1.29 [guide, v1.29]: v1beta3 (since 1.26) or v1 (since 1.29); deprecated in 1.26 [warning].
  ...entries("flowcontrol.apiserver.k8s.io/v1beta2", FLOW_CONTROL, { deprecatedIn: "1.26", removedIn: "1.29" }, sameKind("flowcontrol.apiserver.k8s.io/v1beta3")),

  // 1.32 [guide, v1.32], the last default-on beta API (kubernetes/kubernetes#127017); deprecated in 1.29 [warning].
  ...entries("flowcontrol.apiserver.k8s.io/v1beta3", FLOW_CONTROL, { deprecatedIn: "1.29", removedIn: "1.32" }, sameKind("flowcontrol.apiserver.k8s.io/v1")),

  // Dynamic resource allocation betas, off by default: the schedule of k8s.io/api resource/v1beta1 and v1beta2
  // zz_generated.prerelease-lifecycle.go (introduced 1.32/1.33, deprecated +3, no longer served +6) [lifecycle].
  ...entries("resource.k8s.io/v1beta1", DRA, { deprecatedIn: "1.35", removedIn: "1.38" }, sameKind("resource.k8s.io/v1")),
  ...entries("resource.k8s.io/v1beta2", DRA, { deprecatedIn: "1.36", removedIn: "1.39" }, sameKind("resource.k8s.io/v1")),
];

const FLUX = "Flux";
const CERT_MANAGER = "cert-manager";
const FLUX_MIGRATE = "run `flux migrate` to move manifests and stored objects to the current versions";

/**
 * Well-known CRDs outside Kubernetes. Their versions are the shipping project's, so checkApiVersion (which knows
 * only a Kubernetes version) leaves them to checkEcosystemApiVersion.
 */
export const ECOSYSTEM_API_DEPRECATIONS: readonly ApiDeprecation[] = [
  // Flux 2.7 removed the beta1 APIs from its CRDs (fluxcd.io/blog/2025/09/flux-v2.7.0 "Upgrade procedure", as
  // quoted in kcl-lang/modules#335; fluxcd/flux2#5474; fluxcd/helm-controller#1396 "API v2beta1 was removed in
  // Flux 2.7"). HelmRelease v2beta1 was deprecated in Flux 2.2 (fluxcd/helm-controller#821, fluxcd/flux2#4410).
  ...entries("kustomize.toolkit.fluxcd.io/v1beta1", ["Kustomization"], { removedIn: "2.7", project: FLUX }, sameKind("kustomize.toolkit.fluxcd.io/v1")),
  ...entries("helm.toolkit.fluxcd.io/v2beta1", ["HelmRelease"], { deprecatedIn: "2.2", removedIn: "2.7", project: FLUX }, sameKind("helm.toolkit.fluxcd.io/v2")),
  ...entries(
    "source.toolkit.fluxcd.io/v1beta1",
    ["GitRepository", "HelmRepository", "HelmChart", "Bucket"],
    { removedIn: "2.7", project: FLUX },
    sameKind("source.toolkit.fluxcd.io/v1"),
  ),
  // image.toolkit.fluxcd.io/v1 is the promotion of Flux 2.7 (same blog post, "General availability of image update automation").
  ...entries(
    "image.toolkit.fluxcd.io/v1beta1",
    ["ImageRepository", "ImagePolicy", "ImageUpdateAutomation"],
    { removedIn: "2.7", project: FLUX },
    sameKind("image.toolkit.fluxcd.io/v1"),
  ),
  ...entries("notification.toolkit.fluxcd.io/v1beta1", ["Alert", "Provider", "Receiver"], { removedIn: "2.7", note: FLUX_MIGRATE, project: FLUX }, undefined),
  // Flux 2.8 (February 2026) removed the v1beta2/v2beta2 APIs of three groups (fluxcd/flux2#5711:
  // kustomize-controller#1584, source-controller#1983, helm-controller#1404; raffis/gitops-zombies#179 "flux v2.8+").
  ...entries("kustomize.toolkit.fluxcd.io/v1beta2", ["Kustomization"], { removedIn: "2.8", project: FLUX }, sameKind("kustomize.toolkit.fluxcd.io/v1")),
  ...entries("helm.toolkit.fluxcd.io/v2beta2", ["HelmRelease"], { removedIn: "2.8", project: FLUX }, sameKind("helm.toolkit.fluxcd.io/v2")),
  ...entries(
    "source.toolkit.fluxcd.io/v1beta2",
    ["GitRepository", "HelmRepository", "HelmChart", "Bucket", "OCIRepository"],
    { removedIn: "2.8", project: FLUX },
    sameKind("source.toolkit.fluxcd.io/v1"),
  ),

  // cert-manager: deprecated in 1.4, no longer served in 1.6, dropped from the CRDs in 1.7
  // (cert-manager.io/docs/releases/upgrading/remove-deprecated-apis/, upgrading-1.5-1.6).
  ...["v1alpha2", "v1alpha3", "v1beta1"].flatMap((version) => [
    ...entries(
      `cert-manager.io/${version}`,
      ["Certificate", "CertificateRequest", "Issuer", "ClusterIssuer"],
      { deprecatedIn: "1.4", removedIn: "1.6", project: CERT_MANAGER },
      sameKind("cert-manager.io/v1"),
    ),
    ...entries(`acme.cert-manager.io/${version}`, ["Order", "Challenge"], { deprecatedIn: "1.4", removedIn: "1.6", project: CERT_MANAGER }, sameKind("acme.cert-manager.io/v1")),
  ]),
  // The pre-0.11 group, renamed in cert-manager 0.11 [pluto versions.yaml].
  ...entries(
    "certmanager.k8s.io/v1alpha1",
    ["Certificate", "CertificateRequest", "Issuer", "ClusterIssuer"],
    { deprecatedIn: "0.11", removedIn: "0.11", project: CERT_MANAGER },
    sameKind("cert-manager.io/v1"),
  ),
  ...entries("certmanager.k8s.io/v1alpha1", ["Order", "Challenge"], { deprecatedIn: "0.11", removedIn: "0.11", project: CERT_MANAGER }, sameKind("acme.cert-manager.io/v1")),
];

export interface ApiVersionCheck {
  status: "removed" | "deprecated";
  entry: ApiDeprecation;
  message: string;
}

/** "1.31", "v1.31.2", "1.31.0-rc.1" → [1, 31]: major and minor are what APIs are removed by. */
export function parseVersion(text: string): [number, number] {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(text.trim());
  if (!match) throw new UserError(`"${text}" is not a version (expected e.g. "1.31" or "v1.31.2")`);
  return [Number(match[1]), Number(match[2])];
}

/** Numeric, so 1.9 < 1.10. */
export function compareVersions(a: string, b: string): number {
  const [aMajor, aMinor] = parseVersion(a);
  const [bMajor, bMinor] = parseVersion(b);
  return aMajor - bMajor || aMinor - bMinor;
}

const KUBERNETES_INDEX = indexOf(KUBERNETES_API_DEPRECATIONS);
const ECOSYSTEM_INDEX = indexOf(ECOSYSTEM_API_DEPRECATIONS);

function indexOf(table: readonly ApiDeprecation[]): Map<string, ApiDeprecation> {
  return new Map(table.map((entry) => [keyOf(entry.group, entry.version, entry.kind), entry]));
}

function keyOf(group: string, version: string, kind: string): string {
  return `${group}/${version}/${kind}`;
}

const apiVersionOf = (entry: ApiDeprecation) => (entry.group ? `${entry.group}/${entry.version}` : entry.version);

/**
 * For an object's apiVersion and kind and a target Kubernetes version ("1.31" or "v1.31.2"): removed (error),
 * deprecated (warning), or nothing. Ecosystem CRDs are not looked at: their versions are not Kubernetes'.
 */
export function checkApiVersion(apiVersion: string, kind: string, kubernetesVersion: string): ApiVersionCheck | undefined {
  parseVersion(kubernetesVersion);
  const { group, version } = groupOf(apiVersion);
  const entry = KUBERNETES_INDEX.get(keyOf(group, version, kind));
  if (!entry) return undefined;
  return judge(entry, kubernetesVersion, KUBERNETES_INDEX);
}

/**
 * The same for well-known CRDs, against the version of the project that ships them when it is known
 * ({ Flux: "2.6" }). Without it the entry is reported as deprecated, naming the version that removes it:
 * the object is wrong either way, but whether it still applies depends on what the cluster runs.
 */
export function checkEcosystemApiVersion(
  apiVersion: string,
  kind: string,
  projectVersions: Readonly<Record<string, string>> = {},
): ApiVersionCheck | undefined {
  const { group, version } = groupOf(apiVersion);
  const entry = ECOSYSTEM_INDEX.get(keyOf(group, version, kind));
  if (!entry) return undefined;
  const projectVersion = entry.project ? projectVersions[entry.project] : undefined;
  if (projectVersion !== undefined) return judge(entry, projectVersion, ECOSYSTEM_INDEX);
  return { status: "deprecated", entry, message: messageFor(entry, "deprecated", entry.replacement) };
}

function judge(entry: ApiDeprecation, target: string, index: Map<string, ApiDeprecation>): ApiVersionCheck | undefined {
  const status =
    entry.removedIn && compareVersions(target, entry.removedIn) >= 0
      ? "removed"
      : entry.deprecatedIn && compareVersions(target, entry.deprecatedIn) >= 0
        ? "deprecated"
        : undefined;
  if (!status) return undefined;
  return { status, entry, message: messageFor(entry, status, currentReplacement(entry, target, index)) };
}

/**
 * The replacement to name at the target version: a successor that is itself deprecated there is followed to its
 * own successor (flowcontrol v1beta1 → v1beta2 → v1beta3 → v1), so the advice is never an API that is going away.
 */
function currentReplacement(entry: ApiDeprecation, target: string, index: Map<string, ApiDeprecation>): Replacement {
  let replacement = entry.replacement;
  const seen = new Set<ApiDeprecation>([entry]);
  while (replacement) {
    const { group, version } = groupOf(replacement.apiVersion);
    const next = index.get(keyOf(group, version, replacement.kind));
    if (!next || seen.has(next) || !next.deprecatedIn || compareVersions(target, next.deprecatedIn) < 0) break;
    if (!next.replacement) break;
    seen.add(next);
    replacement = next.replacement;
  }
  return replacement;
}

function messageFor(entry: ApiDeprecation, status: "removed" | "deprecated", replacement: Replacement): string {
  const product = entry.project ?? "Kubernetes";
  const subject = `${apiVersionOf(entry)} ${entry.kind}`;
  let text: string;
  if (status === "removed") {
    text = `${subject} was removed in ${product} ${entry.removedIn}`;
    if (entry.deprecatedIn && entry.deprecatedIn !== entry.removedIn) text += ` (deprecated since ${entry.deprecatedIn})`;
  } else if (entry.deprecatedIn) {
    text = `${subject} is deprecated since ${product} ${entry.deprecatedIn}`;
    if (entry.removedIn) text += ` and removed in ${entry.removedIn}`;
  } else {
    text = `${subject} is removed in ${product} ${entry.removedIn}`;
  }
  const advice = [replacement ? `use ${replacement.apiVersion} ${replacement.kind}` : undefined, entry.note].filter(Boolean);
  return advice.length ? `${text}: ${advice.join("; ")}` : text;
}
