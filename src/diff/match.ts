// Pairs the objects of two renderings of one environment.
import { objectKey, type Manifest, type ObjectId } from "../model.ts";

/**
 * kustomize names generated ConfigMaps and Secrets `<name>-<hash>`: 10 characters of the first hex
 * digits of a SHA-256, with 0, 1, 3, a and e replaced by g, h, k, m and t (so no vowels, no words).
 * The exact alphabet keeps names like `settings-production` from being taken for generated ones.
 */
const GENERATOR_HASH_SUFFIX = /^(.+)-[2456789bcdfghkmt]{10}$/;
const GENERATED_KINDS = new Set(["ConfigMap", "Secret"]);

export interface Matching {
  pairs: Array<[base: Manifest, head: Manifest]>;
  /** Only at head, in head order. */
  added: Manifest[];
  /** Only at base, in base order. */
  removed: Manifest[];
}

/**
 * Pairs by group, kind, namespace and name; the version is not identity (apps/v1beta1 → apps/v1 is
 * one object). A generated ConfigMap or Secret whose hash changed is then paired with its predecessor
 * when that pairing is unambiguous. Linear in the number of objects.
 */
export function matchObjects(base: Manifest[], head: Manifest[]): Matching {
  const baseByKey = groupBy(base, (manifest) => objectKey(manifest.id));
  const pairs: Matching["pairs"] = [];
  const added: Manifest[] = [];
  const pairedBase = new Set<Manifest>();
  for (const manifest of head) {
    // a list, not one entry: a plain directory may hold the same object twice, paired in order
    const partner = baseByKey.get(objectKey(manifest.id))?.shift();
    if (partner) {
      pairs.push([partner, manifest]);
      pairedBase.add(partner);
    } else {
      added.push(manifest);
    }
  }
  const removed = base.filter((manifest) => !pairedBase.has(manifest));
  return pairAcrossGeneratorHashes({ pairs, added, removed });
}

/** Pairs an unmatched generated object with the one unmatched object of the same stem on the other side. */
function pairAcrossGeneratorHashes(matching: Matching): Matching {
  const addedByStem = groupBy(matching.added, (manifest) => generatorStem(manifest.id));
  const removedByStem = groupBy(matching.removed, (manifest) => generatorStem(manifest.id));
  const paired = new Set<Manifest>();
  for (const [stem, successors] of addedByStem) {
    const predecessors = removedByStem.get(stem);
    // two candidates on either side could be paired either way: showing them as added and removed is honest
    if (successors.length !== 1 || predecessors?.length !== 1) continue;
    const [predecessor, successor] = [predecessors[0]!, successors[0]!];
    matching.pairs.push([predecessor, successor]);
    paired.add(predecessor).add(successor);
  }
  if (paired.size === 0) return matching;
  return {
    pairs: matching.pairs,
    added: matching.added.filter((manifest) => !paired.has(manifest)),
    removed: matching.removed.filter((manifest) => !paired.has(manifest)),
  };
}

/** objectKey without the generator hash, or undefined when the object is not a generated one. */
function generatorStem(id: ObjectId): string | undefined {
  if (!GENERATED_KINDS.has(id.kind)) return undefined;
  const match = GENERATOR_HASH_SUFFIX.exec(id.name);
  return match ? objectKey({ ...id, name: match[1]! }) : undefined;
}

/** Groups in input order; items without a key are left out. */
function groupBy<T>(items: T[], keyOf: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
