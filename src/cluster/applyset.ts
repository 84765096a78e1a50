// kubectl ApplySet compatibility (KEP-3659): the parent object, its id, and the labels that make objects members.
//
// What kubectl does, and we do the same so either tool reads the other's sets:
// - the id is "applyset-" + base64url-without-padding(sha256("<name>.<namespace>.<kind>.<group>")) + "-v1", computed
//   from the parent's identity (a Secret: kind "Secret", group "", so the hashed text ends in "Secret.");
// - the parent carries the id label, a "<tool>/<version>" tooling annotation, the group-kinds of its members
//   ("Deployment.apps,Secret", sorted, written even when empty) and the namespaces of its members other than its own
//   (sorted, written as "" when there are none);
// - a tool refuses a parent whose tooling names another tool (the version does not matter) or whose id is not its own.
import { createHash } from "node:crypto";
import { UserError } from "../errors.ts";
import type { KubeObject } from "../model.ts";
import { record, stringMap } from "../util/values.ts";

export const APPLYSET_ID_LABEL = "applyset.kubernetes.io/id";
export const PART_OF_LABEL = "applyset.kubernetes.io/part-of";
export const TOOLING_ANNOTATION = "applyset.kubernetes.io/tooling";
export const GROUP_KINDS_ANNOTATION = "applyset.kubernetes.io/contains-group-kinds";
export const NAMESPACES_ANNOTATION = "applyset.kubernetes.io/additional-namespaces";
/** The deprecated form of the group-kinds annotation (group-resources); we never write it. */
export const GROUP_RESOURCES_ANNOTATION = "applyset.kubernetes.io/contains-group-resources";

export interface GroupKind {
  group: string;
  kind: string;
}

/** "Deployment.apps"; "ConfigMap" for the core group. */
export function formatGroupKind(gk: GroupKind): string {
  return gk.group ? `${gk.kind}.${gk.group}` : gk.kind;
}

/** Splits at the first dot, as Kubernetes reads a group-kind: "Deployment.apps" is kind Deployment of group apps. */
export function parseGroupKind(text: string): GroupKind {
  const dot = text.indexOf(".");
  return dot < 0 ? { kind: text, group: "" } : { kind: text.slice(0, dot), group: text.slice(dot + 1) };
}

/** The group-kinds annotation's value as a list; spaces and empty items are ignored, duplicates dropped. */
export function parseGroupKinds(text: string | undefined): GroupKind[] {
  if (!text) return [];
  const seen = new Set<string>();
  const result: GroupKind[] = [];
  for (const item of text.split(",")) {
    const trimmed = item.trim();
    if (!trimmed || seen.has(trimmed)) continue;
    seen.add(trimmed);
    result.push(parseGroupKind(trimmed));
  }
  return result;
}

/** Byte order, as Go's sort.Strings (never the locale's). */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The annotation's value as kubectl writes it: sorted, deduplicated, comma-joined; "" for none. */
export function formatGroupKinds(gks: readonly GroupKind[]): string {
  return [...new Set(gks.map(formatGroupKind))].sort(byteOrder).join(",");
}

/** The additional-namespaces value: sorted, deduplicated, without the parent's own namespace and empty names. */
export function formatNamespaces(namespaces: readonly string[], parentNamespace: string): string {
  return [...new Set(namespaces.filter((ns) => ns !== "" && ns !== parentNamespace))].sort(byteOrder).join(",");
}

/** The ApplySet id of a parent: "applyset-<base64url(sha256(name.namespace.kind.group)), no padding>-v1". */
export function applySetId(parent: { name: string; namespace: string; kind: string; group: string }): string {
  const digest = createHash("sha256").update(`${parent.name}.${parent.namespace}.${parent.kind}.${parent.group}`, "utf8").digest();
  return `applyset-${digest.toString("base64url")}-v1`;
}

/** Our parents are Secrets (group "", kind "Secret"), namespaced. */
export interface ApplySetParentRef {
  name: string;
  namespace: string;
}

/** The id of the Secret parent `ref`. */
export function parentId(ref: ApplySetParentRef): string {
  return applySetId({ name: ref.name, namespace: ref.namespace, kind: "Secret", group: "" });
}

export interface ParentOptions {
  /** "<tool>/<version>", e.g. "gitops-verify/v0.1.0". */
  tooling: string;
  groupKinds: GroupKind[];
  /** Every namespace holding members; the parent's own is left out of the annotation. */
  namespaces: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Secret data, base64 values. */
  data?: Record<string, string>;
  /** The Secret's type; "Opaque" unless given. */
  type?: string;
}

/**
 * The parent Secret as it is applied. The ApplySet label and annotations win over `labels` / `annotations` of the same
 * keys. Both set annotations are always written, empty when there is nothing to list, as kubectl writes them: under
 * server-side apply an omitted annotation would be removed, and an empty one says "no kinds" / "no other namespace".
 */
export function parentObject(ref: ApplySetParentRef, options: ParentOptions): KubeObject {
  const object: KubeObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: ref.name,
      namespace: ref.namespace,
      labels: { ...options.labels, [APPLYSET_ID_LABEL]: parentId(ref) },
      annotations: {
        ...options.annotations,
        [TOOLING_ANNOTATION]: options.tooling,
        [GROUP_KINDS_ANNOTATION]: formatGroupKinds(options.groupKinds),
        [NAMESPACES_ANNOTATION]: formatNamespaces(options.namespaces, ref.namespace),
      },
    },
    type: options.type ?? "Opaque",
  };
  if (options.data) object.data = { ...options.data };
  return object;
}

/** "kubectl/v1.30" -> "kubectl"; the version is the last segment, a name may itself contain slashes. */
export function toolingName(tooling: string): string {
  const slash = tooling.lastIndexOf("/");
  return slash < 0 ? tooling : tooling.slice(0, slash);
}

export interface ParentState {
  id: string;
  groupKinds: GroupKind[];
  /** The parent's namespace and the additional ones, sorted. */
  namespaces: string[];
  /** The tool named by the tooling annotation, without its version. */
  toolingName: string;
  /**
   * False when the parent has no group-kinds annotation (the specification then means "find the members by discovery"):
   * `groupKinds` is then empty but does not mean "no members".
   */
  groupKindsKnown: boolean;
}

/**
 * Reads a live parent, refusing one that is not ours: its id label differs from `expectedId` (another object of that
 * name, or one made for another parent), or its tooling annotation is missing or names another tool (`tooling` is our
 * "<name>/<version>"; only names are compared).
 */
export function readParent(live: KubeObject, expectedId: string, tooling: string): ParentState {
  const metadata = record(live.metadata);
  const labels = stringMap(metadata.labels);
  const annotations = stringMap(metadata.annotations);
  const namespace = typeof metadata.namespace === "string" ? metadata.namespace : "";
  const where = `${String(live.kind ?? "object")} ${namespace ? `${namespace}/` : ""}${String(metadata.name ?? "")}`;

  const id = labels[APPLYSET_ID_LABEL];
  if (id === undefined) {
    throw new UserError(
      `${where} exists but is not an ApplySet parent (it has no ${APPLYSET_ID_LABEL} label); refusing to take it over: ` +
        "choose another parent name for this environment, or delete the object if nothing else uses it",
    );
  }
  if (id !== expectedId) {
    throw new UserError(
      `${where} is the parent of another ApplySet (label ${APPLYSET_ID_LABEL} is "${id}", expected "${expectedId}"); ` +
        "refusing to take it over: choose another parent name for this environment",
    );
  }

  const liveTooling = annotations[TOOLING_ANNOTATION];
  if (liveTooling === undefined || liveTooling.trim() === "") {
    throw new UserError(
      `ApplySet parent ${where} has no ${TOOLING_ANNOTATION} annotation, so the tool that manages it is unknown; ` +
        `refusing to take it over: if ${toolingName(tooling)} should manage it, set the annotation to "${tooling}" ` +
        "(kubectl annotate --overwrite), or choose another parent name",
    );
  }
  const ours = toolingName(tooling);
  const theirs = toolingName(liveTooling.trim());
  if (theirs !== ours) {
    throw new UserError(
      `ApplySet parent ${where} is managed by "${liveTooling}", not by ${ours}; refusing to take over another tool's ApplySet ` +
        `(${ours} would prune what ${theirs} applied). Keep using ${theirs} for it, choose another parent name for this ` +
        `environment, or hand it over explicitly by setting the ${TOOLING_ANNOTATION} annotation to "${tooling}"`,
    );
  }

  const groupKindsText = annotations[GROUP_KINDS_ANNOTATION];
  const namespaces = new Set(
    (annotations[NAMESPACES_ANNOTATION] ?? "")
      .split(",")
      .map((ns) => ns.trim())
      .filter((ns) => ns !== ""),
  );
  if (namespace) namespaces.add(namespace);
  return {
    id,
    groupKinds: parseGroupKinds(groupKindsText),
    namespaces: [...namespaces].sort(byteOrder),
    toolingName: theirs,
    groupKindsKnown: groupKindsText !== undefined,
  };
}

/**
 * A copy of `object` labelled as a member of ApplySet `id`. An object whose rendering already carries a part-of label
 * of another set is refused (as kubectl refuses any): it was copied from a live object or belongs to another tool.
 */
export function withPartOf(object: KubeObject, id: string): KubeObject {
  const copy = structuredClone(object);
  const metadata = record(copy.metadata);
  const labels = { ...stringMap(metadata.labels) };
  const existing = labels[PART_OF_LABEL];
  if (existing !== undefined && existing !== id) {
    throw new UserError(
      `${String(object.kind)} ${typeof metadata.namespace === "string" && metadata.namespace ? `${metadata.namespace}/` : ""}${String(metadata.name)} ` +
        `already has the label ${PART_OF_LABEL}=${existing} in its rendering, a member of another ApplySet: remove the label from the manifests`,
    );
  }
  labels[PART_OF_LABEL] = id;
  copy.metadata = { ...metadata, labels };
  return copy;
}

/** The label selector listing the members of ApplySet `id`. */
export function memberSelector(id: string): string {
  return `${PART_OF_LABEL}=${id}`;
}
