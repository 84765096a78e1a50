// `data.inventory`, the cluster state Gatekeeper replicates for referential templates (unique ingress hosts,
// services selecting pods…): here, the environment's own objects, as the cluster holds them once it is applied.
// Keys are the groupVersion ("v1", "apps/v1"), the kind and the name, under `cluster` or `namespace[ns]`.
import type { KubeObject } from "../../model.js";
import { record } from "../../util/values.js";

export interface Inventory {
  cluster: Record<string, Record<string, Record<string, KubeObject>>>;
  namespace: Record<string, Record<string, Record<string, Record<string, KubeObject>>>>;
}

/** Sets an own property, even one named like __proto__ (names come from the objects). */
function define<T>(parent: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
}

function slot<T>(parent: Record<string, T>, key: string, make: () => T): T {
  if (!Object.hasOwn(parent, key)) define(parent, key, make());
  return parent[key]!;
}

export function buildInventory(objects: Iterable<KubeObject>): Inventory {
  const inventory: Inventory = { cluster: {}, namespace: {} };
  for (const object of objects) {
    const apiVersion = typeof object.apiVersion === "string" ? object.apiVersion : "";
    const kind = typeof object.kind === "string" ? object.kind : "";
    const metadata = record(object.metadata);
    const name = typeof metadata.name === "string" ? metadata.name : "";
    const namespace = typeof metadata.namespace === "string" ? metadata.namespace : "";
    if (!apiVersion || !kind || !name) continue;
    const root: Record<string, Record<string, Record<string, KubeObject>>> = namespace ? slot(inventory.namespace, namespace, () => ({})) : inventory.cluster;
    const byKind = slot(root, apiVersion, () => ({}));
    define(slot(byKind, kind, () => ({})), name, object);
  }
  return inventory;
}
