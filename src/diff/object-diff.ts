// Object-level differences between two renderings of one environment, with Secrets masked.
import { randomBytes } from "node:crypto";
import { FILE_HEADERS_ONLY, formatPatch, structuredPatch } from "diff";
import type { KubeObject, Manifest, ObjectDiff, ObjectId, SecretKeyChange } from "../model.ts";
import { matchObjects } from "./match.ts";
import { normalizeObject, toYaml } from "./normalize.ts";
import { createFingerprinter, isSecret, maskSecret, secretKeyChanges, type Fingerprinter } from "./secrets.ts";

export interface DiffOptions {
  /** Key of the Secret fingerprints: fresh per run, so fingerprints compare within one report only. */
  fingerprintKey: string | Uint8Array;
  /** Lines of context around each change; 3 by default. */
  context?: number;
}

export interface EnvironmentDiff {
  /** In review order: Namespaces, CRDs, then by kind, namespace and name. */
  diffs: ObjectDiff[];
  /** Objects present at both sides and identical after normalization. */
  unchanged: number;
}

const DEFAULT_CONTEXT = 3;
/**
 * Past this many inserted plus deleted lines in one object the line diff is abandoned (its cost grows with
 * the square of the changes: about 0.3 s here) and the patch replaces the whole object, which says as much
 * when a thousand lines changed.
 */
const MAX_EDIT_LENGTH = 2000;

/** Normalizes both sides, masks Secrets before any text exists, pairs the objects and diffs each pair. */
export function diffManifests(base: Manifest[], head: Manifest[], options: DiffOptions): EnvironmentDiff {
  const fingerprint = createFingerprinter(options.fingerprintKey);
  const context = contextLines(options.context);
  const { pairs, added, removed } = matchObjects(base, head);
  const diffs: ObjectDiff[] = [];
  let unchanged = 0;
  for (const [before, after] of pairs) {
    const diff = diffPair(before, after, fingerprint, context);
    if (diff) diffs.push(diff);
    else unchanged++;
  }
  for (const manifest of added) diffs.push(wholeObject("added", manifest, fingerprint));
  for (const manifest of removed) diffs.push(wholeObject("removed", manifest, fingerprint));
  return { diffs: diffs.sort(byReviewOrder), unchanged };
}

/**
 * An object as `render` may print it: Secret values masked, everything else as kustomize printed it (not
 * normalized, so the output matches `render --show-secrets` but for the values). The default fingerprint
 * key is random per process, so fingerprints compare within one run's output only.
 */
export function maskForOutput(object: KubeObject, fingerprint: Fingerprinter = outputFingerprinter()): KubeObject {
  return maskSecret(object, fingerprint);
}

let processFingerprinter: Fingerprinter | undefined;
function outputFingerprinter(): Fingerprinter {
  processFingerprinter ??= createFingerprinter(randomBytes(32));
  return processFingerprinter;
}

/** Masking comes first: normalization and everything after it only ever see placeholders. */
function safeView(object: KubeObject, fingerprint: Fingerprinter): KubeObject {
  return normalizeObject(maskSecret(object, fingerprint));
}

/** undefined when the pair is identical after normalization. */
function diffPair(before: Manifest, after: Manifest, fingerprint: Fingerprinter, context: number): ObjectDiff | undefined {
  const beforeView = safeView(before.object, fingerprint);
  const afterView = safeView(after.object, fingerprint);
  // decoded bytes, not fingerprints, decide whether a value changed: 8 hex digits can collide
  const secretKeys = isSecret(after.object) ? secretKeyChanges(before.object, after.object, fingerprint) : undefined;
  // keys are in canonical order, so JSON equality is content equality; much cheaper than YAML for the many unchanged objects
  if (JSON.stringify(beforeView) === JSON.stringify(afterView) && !secretKeys?.length) return undefined;
  return {
    change: "changed",
    id: after.id,
    ...(before.id.name !== after.id.name ? { previousName: before.id.name } : {}),
    ...unifiedDiff(patchName("base", before.id), patchName("head", after.id), toYaml(beforeView), toYaml(afterView), context),
    ...(secretKeys ? { secretKeys } : {}),
    ...(after.source ? { source: after.source } : {}),
  };
}

/** An added or removed object: the whole object, every line added or removed. */
function wholeObject(change: "added" | "removed", manifest: Manifest, fingerprint: Fingerprinter): ObjectDiff {
  const lines = yamlLines(toYaml(safeView(manifest.object, fingerprint)));
  const secret = isSecret(manifest.object) ? manifest.object : undefined;
  const patch =
    change === "added"
      ? replacement("/dev/null", patchName("head", manifest.id), [], lines)
      : replacement(patchName("base", manifest.id), "/dev/null", lines, []);
  return {
    change,
    id: manifest.id,
    ...patch,
    ...(secret ? { secretKeys: change === "added" ? secretKeyChanges(undefined, secret, fingerprint) : secretKeyChanges(secret, undefined, fingerprint) } : {}),
    ...(manifest.source ? { source: manifest.source } : {}),
  };
}

type PatchText = Pick<ObjectDiff, "patch" | "linesAdded" | "linesRemoved">;

/**
 * One pair of objects outside a base/head comparison (drift: live before, Git after), as `diffManifests` treats
 * a pair: masked before any text exists, normalized, `names` as the file headers. An absent side is the whole
 * other object added or removed. undefined when both sides are equal (or both absent).
 */
export function diffObjectPair(
  before: KubeObject | undefined,
  after: KubeObject | undefined,
  names: { before: string; after: string },
  options: DiffOptions,
): (PatchText & { secretKeys?: SecretKeyChange[] }) | undefined {
  const fingerprint = createFingerprinter(options.fingerprintKey);
  const secretKeys = (before && isSecret(before)) || (after && isSecret(after)) ? secretKeyChanges(before, after, fingerprint) : undefined;
  const withKeys = secretKeys ? { secretKeys } : {};
  if (!before || !after) {
    if (after) return { ...replacement("/dev/null", names.after, [], yamlLines(toYaml(safeView(after, fingerprint)))), ...withKeys };
    if (before) return { ...replacement(names.before, "/dev/null", yamlLines(toYaml(safeView(before, fingerprint))), []), ...withKeys };
    return undefined;
  }
  const beforeView = safeView(before, fingerprint);
  const afterView = safeView(after, fingerprint);
  if (JSON.stringify(beforeView) === JSON.stringify(afterView) && !secretKeys?.length) return undefined;
  return { ...unifiedDiff(names.before, names.after, toYaml(beforeView), toYaml(afterView), contextLines(options.context)), ...withKeys };
}

function unifiedDiff(oldName: string, newName: string, before: string, after: string, context: number): PatchText {
  const structured = structuredPatch(oldName, newName, before, after, undefined, undefined, { context, maxEditLength: MAX_EDIT_LENGTH });
  if (!structured) return replacement(oldName, newName, yamlLines(before), yamlLines(after));
  let linesAdded = 0;
  let linesRemoved = 0;
  for (const line of structured.hunks.flatMap((hunk) => hunk.lines)) {
    if (line.startsWith("+")) linesAdded++;
    else if (line.startsWith("-")) linesRemoved++;
  }
  return { patch: formatPatch(structured, FILE_HEADERS_ONLY), linesAdded, linesRemoved };
}

/** One hunk replacing all of `before` by all of `after` (either may be empty), formatted as formatPatch does. */
function replacement(oldName: string, newName: string, before: string[], after: string[]): PatchText {
  const range = (lines: string[]) => `${lines.length > 0 ? 1 : 0},${lines.length}`;
  const lines = [
    `--- ${oldName}`,
    `+++ ${newName}`,
    `@@ -${range(before)} +${range(after)} @@`,
    ...before.map((line) => `-${line}`),
    ...after.map((line) => `+${line}`),
  ];
  return { patch: `${lines.join("\n")}\n`, linesAdded: after.length, linesRemoved: before.length };
}

function yamlLines(text: string): string[] {
  return text === "" ? [] : text.replace(/\n$/, "").split("\n");
}

/** "base/apps/Deployment/web/api": side, then group (none for the core group), kind, namespace (if any), name. */
function patchName(side: "base" | "head", id: ObjectId): string {
  return [side, id.group, id.kind, id.namespace, id.name].filter((part) => part !== "").join("/");
}

function contextLines(context: number | undefined): number {
  return context !== undefined && Number.isInteger(context) && context >= 0 ? context : DEFAULT_CONTEXT;
}

/** Review order of objects: Namespaces and CRDs first (what the rest needs), then by kind, namespace, name and group. */
const KIND_RANK = new Map([
  ["Namespace", 0],
  ["CustomResourceDefinition", 1],
]);

export function compareObjectIds(a: ObjectId, b: ObjectId): number {
  const rank = (id: ObjectId) => KIND_RANK.get(id.kind) ?? KIND_RANK.size;
  return rank(a) - rank(b) || compareText(a.kind, b.kind) || compareText(a.namespace, b.namespace) || compareText(a.name, b.name) || compareText(a.group, b.group);
}

const CHANGE_RANK = { removed: 0, changed: 1, added: 2 } as const;

function byReviewOrder(a: ObjectDiff, b: ObjectDiff): number {
  return compareObjectIds(a.id, b.id) || CHANGE_RANK[a.change] - CHANGE_RANK[b.change];
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
