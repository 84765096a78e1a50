// Reading many live objects at once: one LIST per kind and namespace where several objects share them, a GET for
// the rest. An environment of a few hundred objects is then a handful of requests instead of one per object, which
// is what a dry run, a drift check and every round of the readiness wait would otherwise cost.
import { ClusterError } from "../errors.ts";
import type { KubeObject } from "../model.ts";
import type { Cluster, ClusterRef } from "../ports.ts";
import { mapConcurrent } from "../util/concurrency.ts";

/** From this many objects of one kind in one namespace on, a LIST is cheaper than the GETs. */
const LIST_FROM = 3;

export function refKey(ref: ClusterRef): string {
  return `${ref.apiVersion}/${ref.kind}/${ref.namespace}/${ref.name}`;
}

/** The live object of each ref (undefined when it does not exist), by refKey. */
export async function readLive(cluster: Cluster, refs: readonly ClusterRef[], concurrency: number): Promise<Map<string, KubeObject | undefined>> {
  const groups = new Map<string, ClusterRef[]>();
  for (const ref of refs) {
    const key = `${ref.apiVersion}/${ref.kind}/${ref.namespace}`;
    groups.set(key, [...(groups.get(key) ?? []), ref]);
  }
  const live = new Map<string, KubeObject | undefined>();
  const singles: ClusterRef[] = [];
  const lists = [...groups.values()].filter((group) => group.length >= LIST_FROM);
  for (const group of groups.values()) if (group.length < LIST_FROM) singles.push(...group);
  await mapConcurrent(lists, concurrency, async (group) => {
    const first = group[0]!;
    let listed: KubeObject[];
    try {
      listed = await cluster.list(first.apiVersion, first.kind, { namespace: first.namespace });
    } catch (error) {
      // an identity that may get but not list: one by one then
      if (error instanceof ClusterError && error.reason === "Forbidden") {
        singles.push(...group);
        return;
      }
      if (!(error instanceof ClusterError && error.reason === "NotFound")) throw error;
      listed = []; // the namespace does not exist (yet): neither does anything in it
    }
    const byName = new Map(listed.map((object) => [String((object.metadata as Record<string, unknown> | undefined)?.name ?? ""), object]));
    for (const ref of group) live.set(refKey(ref), byName.get(ref.name));
  });
  await mapConcurrent(singles, concurrency, async (ref) => {
    live.set(refKey(ref), await cluster.get(ref));
  });
  return live;
}
