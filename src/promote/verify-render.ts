// The last check before a promotion is committed: the target rendered again must hold the same objects, differ
// only in values that now carry a promoted image's new tag or digest, and run the promoted references.
import { objectKey, type Manifest } from "../model.ts";
import { canonicalImageRef, repositoryOf, tryParseImageRef, type ImageRef } from "./image-ref.ts";
import { containerImages } from "./from-renderings.ts";

/** A generated ConfigMap or Secret's name changes with its content: "name-<10 characters>". */
const GENERATED_SUFFIX = /-[a-z0-9]{10}$/;

/** What is wrong with the rendering after a promotion (empty: only the intended changes). */
export function checkPromotedRendering(before: readonly Manifest[], after: readonly Manifest[], images: readonly ImageRef[]): string[] {
  const problems: string[] = [];
  const beforeByKey = new Map(before.map((manifest) => [objectKey(manifest.id), manifest]));
  const afterByKey = new Map(after.map((manifest) => [objectKey(manifest.id), manifest]));
  const pairs: Array<[Manifest, Manifest]> = [];
  const unmatchedBefore = before.filter((manifest) => !afterByKey.has(objectKey(manifest.id)));
  const unmatchedAfter = after.filter((manifest) => !beforeByKey.has(objectKey(manifest.id)));
  for (const manifest of before) {
    const counterpart = afterByKey.get(objectKey(manifest.id));
    if (counterpart) pairs.push([manifest, counterpart]);
  }
  // a generated object renamed because a promoted value changed its content
  for (const old of [...unmatchedBefore]) {
    const base = old.id.name.replace(GENERATED_SUFFIX, "");
    const index = unmatchedAfter.findIndex((manifest) => manifest.id.kind === old.id.kind && manifest.id.namespace === old.id.namespace && GENERATED_SUFFIX.test(manifest.id.name) && manifest.id.name.replace(GENERATED_SUFFIX, "") === base);
    if (index < 0 || !GENERATED_SUFFIX.test(old.id.name)) continue;
    pairs.push([old, unmatchedAfter[index]!]);
    unmatchedAfter.splice(index, 1);
    unmatchedBefore.splice(unmatchedBefore.indexOf(old), 1);
  }
  for (const manifest of unmatchedBefore) problems.push(`${label(manifest)} is no longer rendered`);
  for (const manifest of unmatchedAfter) problems.push(`${label(manifest)} is rendered only after the promotion`);

  // references to a renamed generated object (volumes, envFrom) change with it
  const renamed = new Map(pairs.filter(([old, now]) => old.id.name !== now.id.name).map(([old, now]) => [old.id.name, now.id.name]));
  const markers = images.flatMap((image) => [image.tag, image.digest].filter((part): part is string => part !== undefined));
  for (const [old, now] of pairs) {
    for (const change of leafChanges(old.object, now.object, "")) {
      const strings = typeof change.after === "string" && typeof change.before === "string";
      const carriesImage = strings && markers.some((marker) => String(change.after).includes(marker));
      const followsRename = strings && renamed.get(String(change.before)) === change.after;
      if (!carriesImage && !followsRename) problems.push(`${label(now)}: ${change.path || "(the object)"} changed from ${show(change.before)} to ${show(change.after)}, which is not a promoted image`);
    }
    for (const written of containerImages(now.object)) {
      const ref = tryParseImageRef(written);
      const promoted = ref && images.find((image) => repositoryOf(image) === repositoryOf(ref));
      if (!ref || !promoted) continue;
      const tagOk = promoted.tag === undefined || ref.tag === promoted.tag;
      const digestOk = promoted.digest === undefined || ref.digest === undefined || ref.digest === promoted.digest;
      if (!tagOk || !digestOk) problems.push(`${label(now)} runs ${written}, not the promoted ${canonicalImageRef(promoted)}`);
    }
  }
  return problems;
}

interface LeafChange {
  path: string;
  before: unknown;
  after: unknown;
}

/** Values that differ between two objects: leaves, or a whole subtree where the shapes differ. */
function leafChanges(before: unknown, after: unknown, path: string): LeafChange[] {
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((item, index) => leafChanges(item, after[index], `${path}[${index}]`));
  }
  if (isRecord(before) && isRecord(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].flatMap((key) => leafChanges(before[key], after[key], path ? `${path}.${key}` : key));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function label(manifest: Manifest): string {
  return `${manifest.id.kind} ${manifest.id.namespace ? `${manifest.id.namespace}/` : ""}${manifest.id.name}`;
}

function show(value: unknown): string {
  const text = value === undefined ? "(absent)" : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
