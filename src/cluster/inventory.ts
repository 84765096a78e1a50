// The inventory of one environment's apply: a kubectl-compatible ApplySet whose parent is a Secret named after the
// environment, in the inventory namespace. The parent lists the group-kinds and namespaces the members live in, so a
// prune lists exactly those, and it carries the last good rendering, so a failed apply can be rolled back.
import { createHash } from "node:crypto";
import { ClusterError } from "../errors.ts";
import type { KubeObject } from "../model.ts";
import type { Cluster, ClusterRef } from "../ports.ts";
import { applySetId, formatGroupKind, memberSelector, parentObject, readParent, type GroupKind } from "./applyset.ts";
import { decodeRecord, encodeRecord } from "./record.ts";

export const TOOLING = "gitops-verify/v1";
/** On the parent: the revision of the last good apply, for messages ("rolled back to 3f2a9c1"). */
export const REVISION_ANNOTATION = "gitops-verify.io/last-applied-revision";

export type AppliedRecord = NonNullable<ReturnType<typeof decodeRecord>>;

export interface Inventory {
  parent: ClusterRef;
  id: string;
  /** The parent exists (an earlier apply of this environment). */
  exists: boolean;
  groupKinds: GroupKind[];
  /** Namespaces the members live in, the parent's own included. */
  namespaces: string[];
  record?: AppliedRecord;
  /** Why the record could not be read, when it could not (rollback is then not available). */
  recordProblem?: string;
}

/** A DNS-label-safe name unique to the environment: readable prefix, hash suffix (names may be long or alike). */
export function inventoryName(environment: string): string {
  const slug = environment
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  const hash = createHash("sha256").update(environment).digest("hex").slice(0, 8);
  return `gitops-verify-${slug ? `${slug}-` : ""}${hash}`;
}

export async function readInventory(cluster: Cluster, environment: string, namespace: string): Promise<Inventory> {
  const name = inventoryName(environment);
  const parent: ClusterRef = { apiVersion: "v1", kind: "Secret", namespace, name };
  const id = applySetId({ name, namespace, kind: "Secret", group: "" });
  const live = await cluster.get(parent);
  if (!live) return { parent, id, exists: false, groupKinds: [], namespaces: [namespace] };
  const read = readParent(live, id, TOOLING);
  const inventory: Inventory = { parent, id, exists: true, groupKinds: read.groupKinds, namespaces: read.namespaces };
  try {
    const record = decodeRecord(live.data as Record<string, string> | undefined);
    if (record) inventory.record = record;
  } catch (error) {
    inventory.recordProblem = error instanceof Error ? error.message : String(error);
  }
  return inventory;
}

/**
 * Writes the parent: group-kinds and namespaces (a superset before applying, so an interrupted apply can still be
 * pruned; the exact set after), and the record of a good apply when given (the earlier record is kept otherwise).
 */
export async function writeInventory(
  cluster: Cluster,
  inventory: Inventory,
  contents: { groupKinds: GroupKind[]; namespaces: string[]; record?: { data: Record<string, string>; revision: string } },
  fieldManager: string,
): Promise<void> {
  const previous = inventory.exists ? ((await cluster.get(inventory.parent))?.data as Record<string, string> | undefined) : undefined;
  const data = contents.record?.data ?? previous;
  const object = parentObject(
    { name: inventory.parent.name, namespace: inventory.parent.namespace },
    {
      tooling: TOOLING,
      groupKinds: contents.groupKinds,
      namespaces: contents.namespaces,
      ...(contents.record ? { annotations: { [REVISION_ANNOTATION]: contents.record.revision } } : {}),
      ...(data ? { data } : {}),
    },
  );
  if (!contents.record && inventory.exists) {
    // keep the earlier revision annotation: this write only widens the set
    const live = await cluster.get(inventory.parent);
    const revision = ((live?.metadata as Record<string, unknown> | undefined)?.annotations as Record<string, string> | undefined)?.[REVISION_ANNOTATION];
    if (revision) ((object.metadata as Record<string, unknown>).annotations as Record<string, string>)[REVISION_ANNOTATION] = revision;
  }
  await cluster.apply(object, { fieldManager, force: true, dryRun: false });
  inventory.exists = true;
  inventory.groupKinds = contents.groupKinds;
  inventory.namespaces = contents.namespaces;
}

export function recordData(record: { revision: string; environment: string; appliedAt: string; objects: KubeObject[] }): Record<string, string> {
  return encodeRecord(record);
}

/**
 * The live members of the set: every object of the listed group-kinds, in the listed namespaces (namespaced kinds)
 * or cluster-wide, that carries the set's part-of label. `versions` gives an apiVersion per group-kind when one is
 * known (from the rendering or the record); otherwise the server's preferred version is asked.
 */
export async function listMembers(cluster: Cluster, inventory: Inventory, groupKinds: readonly GroupKind[], namespaces: readonly string[], versions: ReadonlyMap<string, string>): Promise<KubeObject[]> {
  const members: KubeObject[] = [];
  const selector = memberSelector(inventory.id);
  for (const groupKind of groupKinds) {
    const key = formatGroupKind(groupKind);
    const version = versions.get(key) ?? (await cluster.preferredVersion(groupKind.group));
    if (!version) continue; // the group is gone (its CRD deleted): nothing of it can be listed or pruned
    const apiVersion = version.includes("/") || !groupKind.group ? version : `${groupKind.group}/${version}`;
    const resource = await cluster.resource(apiVersion, groupKind.kind);
    if (!resource) continue;
    const scopes = resource.namespaced ? namespaces : [""];
    for (const namespace of scopes) {
      try {
        members.push(...(await cluster.list(apiVersion, groupKind.kind, { namespace, labelSelector: selector })));
      } catch (error) {
        if (!(error instanceof ClusterError && error.reason === "NotFound")) throw error;
      }
    }
  }
  return members;
}

/** "Deployment.apps" → "apps/v1", from objects whose apiVersion is known. */
export function versionsOf(objects: Iterable<KubeObject>): Map<string, string> {
  const versions = new Map<string, string>();
  for (const object of objects) {
    const apiVersion = String(object.apiVersion ?? "");
    const slash = apiVersion.lastIndexOf("/");
    const group = slash < 0 ? "" : apiVersion.slice(0, slash);
    versions.set(formatGroupKind({ group, kind: String(object.kind ?? "") }), apiVersion);
  }
  return versions;
}
