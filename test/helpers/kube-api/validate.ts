// Validation the real server does that GitOps changes commonly run into: names, workload selectors, immutable
// fields, CRD naming. No OpenAPI schema validation (custom resources take any fields).
import { isMap, stringAt, deepEqual, type KubeObject } from "./objects.ts";
import { invalid, type FieldError } from "./status.ts";
import type { ResourceType } from "./resources.ts";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Kinds whose names end up in DNS labels. */
const LABEL_NAMED = new Set(["/Namespace", "/Service"]);
const WORKLOADS = new Set(["apps/Deployment", "apps/StatefulSet", "apps/DaemonSet", "apps/ReplicaSet"]);

function nameErrors(type: ResourceType, name: string): FieldError[] {
  if (name === "") return [{ field: "metadata.name", detail: "Required value: name or generateName is required", reason: "FieldValueRequired" }];
  if (LABEL_NAMED.has(`${type.group}/${type.kind}`)) {
    if (name.length <= 63 && DNS_LABEL.test(name)) return [];
    return [{ field: "metadata.name", detail: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`, reason: "FieldValueInvalid" }];
  }
  if (name.length <= 253 && DNS_SUBDOMAIN.test(name)) return [];
  return [{ field: "metadata.name", detail: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`, reason: "FieldValueInvalid" }];
}

function workloadErrors(spec: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const selector = isMap(spec.selector) ? spec.selector : undefined;
  const template = isMap(spec.template) ? spec.template : {};
  const labels = isMap(template.metadata) && isMap(template.metadata.labels) ? template.metadata.labels : {};
  if (!selector) errors.push({ field: "spec.selector", detail: "Required value", reason: "FieldValueRequired" });
  const matchLabels = selector && isMap(selector.matchLabels) ? selector.matchLabels : {};
  if (selector && Object.entries(matchLabels).some(([key, value]) => labels[key] !== value)) {
    errors.push({ field: "spec.template.metadata.labels", detail: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``, reason: "FieldValueInvalid" });
  }
  const podSpec = isMap(template.spec) ? template.spec : {};
  const containers = Array.isArray(podSpec.containers) ? podSpec.containers : [];
  if (containers.length === 0) errors.push({ field: "spec.template.spec.containers", detail: "Required value", reason: "FieldValueRequired" });
  containers.forEach((container, i) => {
    if (!isMap(container) || !stringAt(container, "name")) errors.push({ field: `spec.template.spec.containers[${i}].name`, detail: "Required value", reason: "FieldValueRequired" });
    if (!isMap(container) || !stringAt(container, "image")) errors.push({ field: `spec.template.spec.containers[${i}].image`, detail: "Required value", reason: "FieldValueRequired" });
  });
  return errors;
}

function immutableErrors(kind: string, old: KubeObject, next: KubeObject): FieldError[] {
  const spec = (object: KubeObject) => (isMap(object.spec) ? object.spec : {});
  const unchanged = (field: string) => deepEqual(spec(old)[field], spec(next)[field]);
  const immutable = (field: string): FieldError => ({ field, detail: `Invalid value: ${JSON.stringify(spec(next)[field.slice(5)] ?? null)}: field is immutable`, reason: "FieldValueInvalid" });
  if (WORKLOADS.has(kind) && !unchanged("selector")) return [immutable("spec.selector")];
  if (kind === "batch/Job" && !unchanged("template")) return [immutable("spec.template")];
  if ((kind === "/ConfigMap" || kind === "/Secret") && old.immutable === true) {
    if (!deepEqual(old.data, next.data) || !deepEqual(old.binaryData, next.binaryData) || next.immutable !== true) {
      return [{ field: "data", detail: "Forbidden: field is immutable when `immutable` is set", reason: "FieldValueForbidden" }];
    }
  }
  return [];
}

function crdErrors(object: KubeObject, name: string): FieldError[] {
  const spec = isMap(object.spec) ? object.spec : {};
  const names = isMap(spec.names) ? spec.names : {};
  const errors: FieldError[] = [];
  const expected = `${stringAt(names, "plural") ?? ""}.${stringAt(spec, "group") ?? ""}`;
  if (name !== expected) errors.push({ field: "metadata.name", detail: `Invalid value: ${JSON.stringify(name)}: must be spec.names.plural+"."+spec.group`, reason: "FieldValueInvalid" });
  if (spec.scope !== "Namespaced" && spec.scope !== "Cluster") errors.push({ field: "spec.scope", detail: `Unsupported value: ${JSON.stringify(spec.scope ?? "")}: supported values: "Cluster", "Namespaced"`, reason: "FieldValueNotSupported" });
  if (!stringAt(names, "kind")) errors.push({ field: "spec.names.kind", detail: "Required value", reason: "FieldValueRequired" });
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isMap) : [];
  if (versions.filter((version) => version.storage === true).length !== 1) {
    errors.push({ field: "spec.versions", detail: `Invalid value: ${JSON.stringify(versions.map((version) => version.name))}: must have exactly one version marked as storage version`, reason: "FieldValueInvalid" });
  }
  return errors;
}

/** Throws an Invalid ApiError when `next` (replacing `old`, if any) would not be accepted. */
export function validate(type: ResourceType, old: KubeObject | undefined, next: KubeObject): void {
  const name = stringAt(isMap(next.metadata) ? next.metadata : undefined, "name") ?? "";
  const kind = `${type.group}/${type.kind}`;
  const errors = nameErrors(type, name);
  if (WORKLOADS.has(kind)) errors.push(...workloadErrors(isMap(next.spec) ? next.spec : {}));
  if (kind === "apiextensions.k8s.io/CustomResourceDefinition") errors.push(...crdErrors(next, name));
  if (old) errors.push(...immutableErrors(kind, old, next));
  if (errors.length > 0) throw invalid(type, name, errors);
}
