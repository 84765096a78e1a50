// What admission matching needs to know about an object without a cluster's discovery: its resource (plural) name,
// whether it is namespaced, and which resources are equivalent under matchPolicy Equivalent; and label selectors.

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface KindInfo {
  resource: string;
  namespaced: boolean;
}

/** Built-in kinds by "group/Kind" (core group ""): their resource name and scope. */
const BUILTIN: Record<string, KindInfo> = {};

function kinds(group: string, namespaced: boolean, entries: Record<string, string>): void {
  for (const [kind, resource] of Object.entries(entries)) BUILTIN[`${group}/${kind}`] = { resource, namespaced };
}

kinds("", true, {
  Binding: "bindings",
  ConfigMap: "configmaps",
  Endpoints: "endpoints",
  Event: "events",
  LimitRange: "limitranges",
  PersistentVolumeClaim: "persistentvolumeclaims",
  Pod: "pods",
  PodTemplate: "podtemplates",
  ReplicationController: "replicationcontrollers",
  ResourceQuota: "resourcequotas",
  Secret: "secrets",
  Service: "services",
  ServiceAccount: "serviceaccounts",
});
kinds("", false, { ComponentStatus: "componentstatuses", Namespace: "namespaces", Node: "nodes", PersistentVolume: "persistentvolumes" });
kinds("apps", true, {
  ControllerRevision: "controllerrevisions",
  DaemonSet: "daemonsets",
  Deployment: "deployments",
  ReplicaSet: "replicasets",
  StatefulSet: "statefulsets",
});
kinds("extensions", true, { DaemonSet: "daemonsets", Deployment: "deployments", Ingress: "ingresses", NetworkPolicy: "networkpolicies", ReplicaSet: "replicasets" });
kinds("batch", true, { CronJob: "cronjobs", Job: "jobs" });
kinds("autoscaling", true, { HorizontalPodAutoscaler: "horizontalpodautoscalers" });
kinds("policy", true, { PodDisruptionBudget: "poddisruptionbudgets", Eviction: "evictions" });
kinds("policy", false, { PodSecurityPolicy: "podsecuritypolicies" });
kinds("networking.k8s.io", true, { Ingress: "ingresses", NetworkPolicy: "networkpolicies" });
kinds("networking.k8s.io", false, { IngressClass: "ingressclasses", IPAddress: "ipaddresses", ServiceCIDR: "servicecidrs" });
kinds("rbac.authorization.k8s.io", true, { Role: "roles", RoleBinding: "rolebindings" });
kinds("rbac.authorization.k8s.io", false, { ClusterRole: "clusterroles", ClusterRoleBinding: "clusterrolebindings" });
kinds("storage.k8s.io", true, { CSIStorageCapacity: "csistoragecapacities" });
kinds("storage.k8s.io", false, {
  CSIDriver: "csidrivers",
  CSINode: "csinodes",
  StorageClass: "storageclasses",
  VolumeAttachment: "volumeattachments",
  VolumeAttributesClass: "volumeattributesclasses",
});
kinds("admissionregistration.k8s.io", false, {
  MutatingAdmissionPolicy: "mutatingadmissionpolicies",
  MutatingAdmissionPolicyBinding: "mutatingadmissionpolicybindings",
  MutatingWebhookConfiguration: "mutatingwebhookconfigurations",
  ValidatingAdmissionPolicy: "validatingadmissionpolicies",
  ValidatingAdmissionPolicyBinding: "validatingadmissionpolicybindings",
  ValidatingWebhookConfiguration: "validatingwebhookconfigurations",
});
kinds("apiextensions.k8s.io", false, { CustomResourceDefinition: "customresourcedefinitions" });
kinds("apiregistration.k8s.io", false, { APIService: "apiservices" });
kinds("scheduling.k8s.io", false, { PriorityClass: "priorityclasses" });
kinds("coordination.k8s.io", true, { Lease: "leases" });
kinds("discovery.k8s.io", true, { EndpointSlice: "endpointslices" });
kinds("events.k8s.io", true, { Event: "events" });
kinds("node.k8s.io", false, { RuntimeClass: "runtimeclasses" });
kinds("certificates.k8s.io", false, { CertificateSigningRequest: "certificatesigningrequests", ClusterTrustBundle: "clustertrustbundles" });
kinds("flowcontrol.apiserver.k8s.io", false, { FlowSchema: "flowschemas", PriorityLevelConfiguration: "prioritylevelconfigurations" });
kinds("resource.k8s.io", true, { ResourceClaim: "resourceclaims", ResourceClaimTemplate: "resourceclaimtemplates" });
kinds("resource.k8s.io", false, { DeviceClass: "deviceclasses", ResourceSlice: "resourceslices" });

/** Resources served under more than one group (the API server's equivalent resource mapper). */
const EQUIVALENT_GROUPS: Record<string, string[]> = {
  deployments: ["apps", "extensions"],
  daemonsets: ["apps", "extensions"],
  replicasets: ["apps", "extensions"],
  ingresses: ["networking.k8s.io", "extensions"],
  networkpolicies: ["networking.k8s.io", "extensions"],
  podsecuritypolicies: ["policy", "extensions"],
  events: ["", "events.k8s.io"],
};

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** meta.UnsafeGuessKindToResource: what the API machinery guesses for kinds it does not know. */
export function guessResource(kind: string): string {
  const singular = kind.toLowerCase();
  if (singular === "") return "";
  if (singular.endsWith("s")) return `${singular}es`;
  if (singular.endsWith("y")) return `${singular.slice(0, -1)}ies`;
  return `${singular}s`;
}

/** The kind's resource and scope; unknown kinds get the guessed plural and no known scope. */
export function kindInfo(group: string, kind: string): { resource: string; namespaced?: boolean } {
  return BUILTIN[`${group}/${kind}`] ?? { resource: guessResource(kind) };
}

/** Groups serving the same resource (the object's own group first). */
export function equivalentGroups(group: string, resource: string): string[] {
  const groups = EQUIVALENT_GROUPS[resource];
  return groups?.includes(group) ? [group, ...groups.filter((g) => g !== group)] : [group];
}

// ---------------------------------------------------------------------------------------------------------------
// Label selectors (metav1.LabelSelectorAsSelector)

export type SelectorResult = { ok: true; matches: boolean } | { ok: false; error: string };

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Whether labels satisfy a LabelSelector; an absent or empty selector matches everything. */
export function matchLabelSelector(selector: unknown, labels: Record<string, string>): SelectorResult {
  if (selector === undefined || selector === null) return { ok: true, matches: true };
  if (typeof selector !== "object" || Array.isArray(selector)) return { ok: false, error: "a label selector must be a map" };
  const { matchLabels, matchExpressions } = selector as Record<string, unknown>;
  let matches = true;
  for (const [key, value] of Object.entries(record(matchLabels))) {
    if (labels[key] !== String(value)) matches = false;
  }
  if (matchExpressions !== undefined && matchExpressions !== null && !Array.isArray(matchExpressions)) {
    return { ok: false, error: "matchExpressions must be a list" };
  }
  for (const [i, raw] of (Array.isArray(matchExpressions) ? matchExpressions : []).entries()) {
    const expression = record(raw);
    const key = expression.key;
    const operator = expression.operator;
    const values = Array.isArray(expression.values) ? expression.values.map(String) : [];
    if (typeof key !== "string" || key === "") return { ok: false, error: `matchExpressions[${i}].key is required` };
    const has = Object.hasOwn(labels, key);
    switch (operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) return { ok: false, error: `matchExpressions[${i}].values: for 'In', 'NotIn' operators, values set can't be empty` };
        if (operator === "In" ? !(has && values.includes(labels[key]!)) : has && values.includes(labels[key]!)) matches = false;
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0) return { ok: false, error: `matchExpressions[${i}].values: values set must be empty for exists and does not exist` };
        if (operator === "Exists" ? !has : has) matches = false;
        break;
      default:
        return { ok: false, error: `matchExpressions[${i}].operator: ${JSON.stringify(operator)} is not a valid label selector operator` };
    }
  }
  return { ok: true, matches };
}

/** Whether a selector is present and selects something narrower than everything. */
export function isEmptySelector(selector: unknown): boolean {
  const s = record(selector);
  return Object.keys(record(s.matchLabels)).length === 0 && (!Array.isArray(s.matchExpressions) || s.matchExpressions.length === 0);
}
