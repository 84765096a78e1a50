// Pairs the objects of two renderings of one environment.
import { objectKey, type Manifest, type ObjectId } from "../model.ts";

/** kustomize appends "-" and a 10-character hash to generated ConfigMaps and Secrets. */
const GENERATOR_HASH = /^(.*)-[a-z0-9]{10}$/;
const GENERATED_KINDS = new Set(["ConfigMap", "Secret"]);

export interface Matching {
  pairs: Array<[base: Manifest, head: Manifest]>;
  added: Manifest[];
  removed: Manifest[];
}

/**
 * Matches by group, kind, namespace and name (not version: apps/v1beta1 → apps/v1 is the same object).
 * A generated ConfigMap or Secret whose hash changed is matched to its one unmatched predecessor.
 */
export function matchObjects(base: Manifest[], head: Manifest[]): Matching {
  const baseByKey = new Map(base.map((manifest) => [objectKey(manifest.id), manifest]));
  const pairs: Matching["pairs"] = [];
  const added: Manifest[] = [];
  const matchedBase = new Set<Manifest>();
  for (const manifest of head) {
    const partner = baseByKey.get(objectKey(manifest.id));
    if (partner && !matchedBase.has(partner)) {
      pairs.push([partner, manifest]);
      matchedBase.add(partner);
    } else {
      added.push(manifest);
    }
  }
  const removed = base.filter((manifest) => !matchedBase.has(manifest));
  return matchGeneratedAcrossHashes({ pairs, added, removed });
}

function generatorKey(id: ObjectId): string | undefined {
  if (!GENERATED_KINDS.has(id.kind)) return undefined;
  const match = GENERATOR_HASH.exec(id.name);
  return match ? `${id.group}/${id.kind}/${id.namespace}/${match[1]}` : undefined;
}

function matchGeneratedAcrossHashes(matching: Matching): Matching {
  const group = (manifests: Manifest[]) => {
    const byKey = new Map<string, Manifest[]>();
    for (const manifest of manifests) {
      const key = generatorKey(manifest.id);
      if (key) byKey.set(key, [...(byKey.get(key) ?? []), manifest]);
    }
    return byKey;
  };
  const addedByKey = group(matching.added);
  const removedByKey = group(matching.removed);
  const paired = new Set<Manifest>();
  for (const [key, candidates] of addedByKey) {
    const predecessors = removedByKey.get(key);
    // only an unambiguous pairing: one new and one old object with that generator name
    if (candidates.length !== 1 || predecessors?.length !== 1) continue;
    matching.pairs.push([predecessors[0]!, candidates[0]!]);
    paired.add(predecessors[0]!).add(candidates[0]!);
  }
  return {
    pairs: matching.pairs,
    added: matching.added.filter((manifest) => !paired.has(manifest)),
    removed: matching.removed.filter((manifest) => !paired.has(manifest)),
  };
}
