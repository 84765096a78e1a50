// What the API server (and our own apply) adds to an object, removed so that only what Git can specify is compared.
import type { KubeObject } from "../model.ts";

type Fields = Record<string, unknown>;

/** metadata fields the server writes: never in Git, never drift. ownerReferences are set by controllers, not by Git. */
const SERVER_METADATA = [
  "managedFields",
  "resourceVersion",
  "uid",
  "generation",
  "creationTimestamp",
  "selfLink",
  "deletionGracePeriodSeconds",
  "deletionTimestamp",
  "ownerReferences",
] as const;

/** Annotations tools write on their own: kubectl's copy of the last apply, the Deployment controller's revision. */
const TOOL_ANNOTATIONS = new Set(["kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision"]);

/** The ApplySet labels and annotations our apply adds (applyset.kubernetes.io/part-of, /id, /tooling, …). */
const APPLYSET_PREFIX = "applyset.kubernetes.io/";

/**
 * A copy of `object` without `status`, the server-written metadata, the tool annotations and the ApplySet
 * labels and annotations; labels and annotations maps left empty are removed. Applied to live objects, to
 * dry-run results and to desired objects alike, so that what our apply adds never shows as drift.
 * The input is not modified.
 */
export function normalizeLive(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  delete copy.status;
  const metadata = asFields(copy.metadata);
  if (!metadata) return copy;
  for (const field of SERVER_METADATA) delete metadata[field];
  pruneMap(metadata, "labels", (key) => key.startsWith(APPLYSET_PREFIX));
  pruneMap(metadata, "annotations", (key) => key.startsWith(APPLYSET_PREFIX) || TOOL_ANNOTATIONS.has(key));
  return copy;
}

/** Removes the keys `drop` selects from metadata[field], and the map itself when it ends up empty (or is null). */
function pruneMap(metadata: Fields, field: "labels" | "annotations", drop: (key: string) => boolean): void {
  if (metadata[field] === null) {
    delete metadata[field];
    return;
  }
  const map = asFields(metadata[field]);
  if (!map) return;
  for (const key of Object.keys(map)) if (drop(key)) delete map[key];
  if (Object.keys(map).length === 0) delete metadata[field];
}

function asFields(value: unknown): Fields | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Fields) : undefined;
}
