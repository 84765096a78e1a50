// Object-level differences between two renderings of one environment, with Secrets masked.
import { structuredPatch } from "diff";
import { objectLabel, type KubeObject, type Manifest, type ObjectDiff } from "../model.ts";
import { matchObjects } from "./match.ts";
import { normalizeObject, toYaml } from "./normalize.ts";
import { createFingerprinter, isSecret, maskSecret, secretKeyChanges, type Fingerprinter } from "./secrets.ts";

export { normalizeObject, toYaml } from "./normalize.ts";
export { createFingerprinter, maskSecret, secretKeyChanges } from "./secrets.ts";
export { matchObjects } from "./match.ts";

export interface DiffOptions {
  /** Key of the Secret fingerprints: one per run, so fingerprints compare within a report only. */
  fingerprintKey: string | Uint8Array;
  /** Lines of context around each change. */
  context?: number;
}

export interface EnvironmentDiff {
  diffs: ObjectDiff[];
  unchanged: number;
}

export function diffManifests(base: Manifest[], head: Manifest[], options: DiffOptions): EnvironmentDiff {
  const fingerprint = createFingerprinter(options.fingerprintKey);
  const context = options.context ?? 3;
  const { pairs, added, removed } = matchObjects(base, head);
  const diffs: ObjectDiff[] = [];
  let unchanged = 0;
  for (const [before, after] of pairs) {
    const beforeText = toYaml(safeView(before.object, fingerprint));
    const afterText = toYaml(safeView(after.object, fingerprint));
    const secretKeys = isSecret(after.object) ? secretKeyChanges(before.object, after.object, fingerprint) : undefined;
    if (beforeText === afterText && !secretKeys?.length) {
      unchanged++;
      continue;
    }
    const renamed = before.id.name !== after.id.name;
    diffs.push({
      change: "changed",
      id: after.id,
      ...(renamed ? { previousName: before.id.name } : {}),
      ...unifiedDiff(`base: ${objectLabel(before.id)}`, `head: ${objectLabel(after.id)}`, beforeText, afterText, context),
      ...(secretKeys ? { secretKeys } : {}),
      ...(after.source ? { source: after.source } : {}),
    });
  }
  for (const manifest of added) diffs.push(wholeObject("added", manifest, fingerprint, context));
  for (const manifest of removed) diffs.push(wholeObject("removed", manifest, fingerprint, context));
  return { diffs: diffs.sort(byReviewOrder), unchanged };
}

/** What a reviewer may see of an object: normalized, and masked when it is a Secret. */
export function safeView(object: KubeObject, fingerprint: Fingerprinter): KubeObject {
  return normalizeObject(maskSecret(object, fingerprint));
}

/** For printing rendered objects (the render command): normalized and masked under a random key. */
export function maskForOutput(object: KubeObject): KubeObject {
  return maskSecret(object, createFingerprinter(crypto.getRandomValues(new Uint8Array(32))));
}

function wholeObject(change: "added" | "removed", manifest: Manifest, fingerprint: Fingerprinter, context: number): ObjectDiff {
  const text = toYaml(safeView(manifest.object, fingerprint));
  const [before, after] = change === "added" ? ["", text] : [text, ""];
  const label = `${change === "added" ? "head" : "base"}: ${objectLabel(manifest.id)}`;
  return {
    change,
    id: manifest.id,
    ...unifiedDiff(change === "added" ? "/dev/null" : label, change === "added" ? label : "/dev/null", before, after, context),
    ...(isSecret(manifest.object)
      ? { secretKeys: secretKeyChanges(change === "removed" ? manifest.object : undefined, change === "added" ? manifest.object : undefined, fingerprint) }
      : {}),
    ...(manifest.source ? { source: manifest.source } : {}),
  };
}

function unifiedDiff(
  oldName: string,
  newName: string,
  before: string,
  after: string,
  context: number,
): Pick<ObjectDiff, "patch" | "linesAdded" | "linesRemoved"> {
  const patch = structuredPatch(oldName, newName, before, after, undefined, undefined, { context });
  let linesAdded = 0;
  let linesRemoved = 0;
  const lines = [`--- ${oldName}`, `+++ ${newName}`];
  for (const hunk of patch.hunks) {
    lines.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`);
    for (const line of hunk.lines) {
      if (line.startsWith("\\")) continue; // "\ No newline at end of file" carries nothing here
      if (line.startsWith("+")) linesAdded++;
      else if (line.startsWith("-")) linesRemoved++;
      lines.push(line);
    }
  }
  return { patch: `${lines.join("\n")}\n`, linesAdded, linesRemoved };
}

/** Namespaces and CRDs first (they are what the rest needs), then by kind, namespace and name. */
const KIND_RANK: Record<string, number> = { Namespace: 0, CustomResourceDefinition: 1 };

function byReviewOrder(a: ObjectDiff, b: ObjectDiff): number {
  const rank = (diff: ObjectDiff) => KIND_RANK[diff.id.kind] ?? 2;
  return (
    rank(a) - rank(b) ||
    a.id.kind.localeCompare(b.id.kind) ||
    a.id.namespace.localeCompare(b.id.namespace) ||
    a.id.name.localeCompare(b.id.name)
  );
}
