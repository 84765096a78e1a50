// Rendered objects as the API server will see them: each kind resolved through discovery (namespaced or not), a
// namespaced object without a namespace put in the default one (as kubectl's current namespace would), and a kind
// the server does not serve yet accepted only when a CustomResourceDefinition in the same rendering defines it.
import type { KubeObject, Manifest } from "../model.ts";
import { groupOf, objectKey } from "../model.ts";
import type { Cluster, ClusterRef } from "../ports.ts";

export interface ClusterObject {
  object: KubeObject;
  ref: ClusterRef;
  /** objectKey of the (namespace-filled) identity: the same key drift and the record use. */
  key: string;
  manifest: Manifest;
  namespaced: boolean;
  /** False while the kind is defined by a CRD of this rendering that the server does not serve yet. */
  served: boolean;
}

export interface ResolvedObjects {
  objects: ClusterObject[];
  /** Objects that cannot be applied here, each a sentence naming the object. */
  problems: string[];
}

/** Resolves every object's kind; problems (unknown kinds) are returned, not thrown, so all are reported at once. */
export async function resolveObjects(manifests: readonly Manifest[], cluster: Cluster, defaultNamespace: string, options: { refresh?: boolean } = {}): Promise<ResolvedObjects> {
  const definedHere = crdScopes(manifests);
  const objects: ClusterObject[] = [];
  const problems: string[] = [];
  for (const manifest of manifests) {
    const apiVersion = String(manifest.object.apiVersion ?? "");
    const kind = String(manifest.object.kind ?? "");
    const resource = await cluster.resource(apiVersion, kind, options.refresh ? { refresh: true } : {});
    const pending = resource ? undefined : definedHere.get(`${groupOf(apiVersion).group}/${kind}`);
    if (!resource && pending === undefined) {
      problems.push(`${kind} ${manifest.id.namespace ? `${manifest.id.namespace}/` : ""}${manifest.id.name} (${apiVersion}): the cluster does not serve this kind, and no CustomResourceDefinition in this rendering defines it`);
      continue;
    }
    const namespaced = resource ? resource.namespaced : pending!;
    objects.push(withNamespace(manifest, namespaced, defaultNamespace, resource !== undefined));
  }
  return { objects, problems };
}

function withNamespace(manifest: Manifest, namespaced: boolean, defaultNamespace: string, served: boolean): ClusterObject {
  const metadata = (manifest.object.metadata ?? {}) as Record<string, unknown>;
  const written = typeof metadata.namespace === "string" ? metadata.namespace : "";
  // a cluster-scoped object's namespace is ignored by the server; dropping it keeps identities comparable
  const namespace = namespaced ? written || defaultNamespace : "";
  const object = namespace === written ? manifest.object : { ...manifest.object, metadata: namespaced ? { ...metadata, namespace } : withoutKey(metadata, "namespace") };
  const id = { ...manifest.id, namespace };
  const resolved = object === manifest.object ? manifest : { ...manifest, object, id };
  return {
    object,
    ref: { apiVersion: String(object.apiVersion), kind: String(object.kind), namespace, name: id.name },
    key: objectKey(id),
    manifest: resolved,
    namespaced,
    served,
  };
}

/** "group/Kind" → namespaced, for every CRD in the rendering. */
function crdScopes(manifests: readonly Manifest[]): Map<string, boolean> {
  const scopes = new Map<string, boolean>();
  for (const { object } of manifests) {
    if (object.kind !== "CustomResourceDefinition") continue;
    const spec = (object.spec ?? {}) as Record<string, unknown>;
    const names = (spec.names ?? {}) as Record<string, unknown>;
    if (typeof spec.group === "string" && typeof names.kind === "string") scopes.set(`${spec.group}/${names.kind}`, spec.scope !== "Cluster");
  }
  return scopes;
}

function withoutKey(record: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}

export function describeRef(ref: ClusterRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}
