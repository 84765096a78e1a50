// What a promotion changes, decided before anything is written: for each requested image, the places of the
// target environment that set it, and for each file the edits and the new text, re-parsed and checked.
// apply.ts then writes exactly those texts.
import { UserError } from "../errors.ts";
import { addKustomizeImages, addMapKey, applyTextEdits, replaceScalar, verifyValues, type KustomizeImageEntry, type TextEdit, type ValueCheck } from "./edit.ts";
import { canonicalImageRef, formatImageRef, parseImageRef, pinnedTag, repositoryOf, splitPinnedTag, type ImageRef } from "./image-ref.ts";
import { locateImages, parseArgoKustomizeImage, type ImagePlace, type LocateInput, type Located } from "./locate.ts";
import { acceptsTag, compareTags, describePolicy, type TagPolicy } from "./tag-policy.ts";
import { YamlSource, type ScalarSource } from "./yaml-source.ts";

export interface PromotionTarget extends LocateInput {
  /** The environment's name, for messages. */
  environment: string;
}

export interface PromoteOptions {
  /** Write digests: "tag@sha256:…" (or a digest field) even where the target has none yet. */
  pinDigest?: boolean;
  /** Tags each repository accepts in the target (by normalised repository, e.g. "ghcr.io/org/app"). */
  policies?: Array<{ repository: string; policy: TagPolicy }>;
  /** Allow a tag its policy orders before the one the target runs (a rollback). Refused by default. */
  allowDowngrade?: boolean;
}

export interface PlannedEdit {
  file: string;
  line: number;
  column: number;
  old: string;
  new: string;
  /** Why: the image, the place, and the kind of place. */
  why: string;
}

export interface FileChange {
  file: string;
  /** The text the plan was made from: applying refuses when the file no longer has it. */
  before: string;
  after: string;
  edits: PlannedEdit[];
}

export interface PromotionPlan {
  environment: string;
  images: string[];
  changes: FileChange[];
  /** Images the target already runs: nothing to change. */
  unchanged: string[];
  /** Places seen and left alone (shared with other environments, overridden), and what could not be read. */
  notices: string[];
}

interface Pending {
  file: string;
  edit: TextEdit;
  checks: ValueCheck[];
  planned: PlannedEdit;
  /** The replaced scalar, for the alias rule; undefined for an insertion. */
  scalar?: ScalarSource;
  place?: ImagePlace;
}

/**
 * Plans setting each requested image (a tag, a digest, or both) in the target environment. Every problem (an
 * image not found, a tag the policy refuses, a value only a shared base sets) is collected into one UserError:
 * a plan is all or nothing.
 */
export async function planPromotion(target: PromotionTarget, requests: readonly ImageRef[], options: PromoteOptions = {}): Promise<PromotionPlan> {
  const located = await locateImages(target);
  const texts = new Map(target.files.map((file) => [file.path, file.text]));
  const yaml = new Map<string, YamlSource>();
  const sourceOf = (file: string) => {
    let source = yaml.get(file);
    if (!source) yaml.set(file, (source = new YamlSource(file, texts.get(file)!)));
    return source;
  };
  const state: PlanState = { problems: [], pending: [], overlay: [], unchanged: [], notices: [...located.notices] };
  const seen = new Set<string>();
  for (const request of requests) {
    const repository = repositoryOf(request);
    if (seen.has(repository)) state.problems.push(`${canonicalImageRef(request)}: the repository is requested twice`);
    else planImage(target, located, request, options, sourceOf, state);
    seen.add(repository);
  }
  if (state.overlay.length > 0 && located.kustomization) {
    const file = located.kustomization;
    const { edit, checks } = addKustomizeImages(sourceOf(file), state.overlay.map((item) => item.entry));
    const line = checks[0]!.line;
    state.pending.push({ file, edit, checks, planned: { file, line, column: 1, old: "", new: edit.text.replace(/^\r?\n|\r?\n$/g, ""), why: state.overlay.map((item) => item.why).join("; ") } });
  }
  state.problems.push(...aliasProblems(state.pending));
  if (state.problems.length > 0) throw new UserError(`cannot promote to ${target.environment}:\n  ${state.problems.join("\n  ")}`);

  const changes: FileChange[] = [];
  for (const [file, edits] of groupBy(state.pending, (item) => item.file)) {
    const unique = dedupeEdits(edits, file);
    const before = texts.get(file)!;
    const after = applyTextEdits(before, unique.map((item) => item.edit), file);
    verifyValues(file, after, unique.flatMap((item) => item.checks));
    changes.push({ file, before, after, edits: unique.map((item) => item.planned).sort((a, b) => a.line - b.line || a.column - b.column) });
  }
  changes.sort((a, b) => a.file.localeCompare(b.file));
  return { environment: target.environment, images: requests.map(canonicalImageRef), changes, unchanged: state.unchanged, notices: state.notices };
}

interface PlanState {
  problems: string[];
  pending: Pending[];
  /** Entries for the target's kustomization, added in one edit once every image is planned. */
  overlay: Array<{ entry: KustomizeImageEntry; why: string }>;
  unchanged: string[];
  notices: string[];
}

/** Plans one image: checks it, finds its places, and edits the target's own or overrides a shared base's. */
function planImage(target: PromotionTarget, located: Located, request: ImageRef, options: PromoteOptions, sourceOf: (file: string) => YamlSource, state: PlanState): void {
  const repository = repositoryOf(request);
  const label = canonicalImageRef(request);
  const places = located.places.filter((place) => place.repository === repository);
  const policy = policyFor(target, repository, places, options);
  const refusal = checkRequest(target, request, options, policy);
  if (refusal) {
    state.problems.push(`${label}: ${refusal}`);
    return;
  }
  if (places.length === 0) {
    state.problems.push(`${label}: ${repository} is not set anywhere in ${target.environment} (looked in ${target.files.length} files: kustomize images, Flux setters, Helm values, Argo CD parameters, containers)`);
    return;
  }
  // kustomize applies an images entry to the image spelled exactly as its name: the target's own entries cover
  // those spellings, and a spelling a shared base writes that none covers gets an entry in the target's kustomization
  // (a HelmRelease's post-renderer entries apply to its chart only: they cover nothing else)
  const ownEntries = places.filter((place) => place.own && place.kind === "kustomize-image" && !place.path.includes("postRenderers"));
  const covered = new Set(ownEntries.map((place) => place.matchName!));
  const overridable = places.filter((place) => !place.own && reachesKustomizeImages(place) && !covered.has(place.outputName!));
  const added = located.kustomization ? [...new Set(overridable.map((place) => place.outputName!))] : [];
  for (const name of added) covered.add(name);
  const overridden = places.filter((place) => place.own && place.kind === "manifest" && covered.has(place.outputName!));
  for (const place of overridden) state.notices.push(`${place.file}:${place.line}: ${repository} is set here by a kustomize images entry; this container's own value is left as it is`);
  let own = places.filter((place) => place.own && !overridden.includes(place));
  // a repository value with no tag beside it (the chart's appVersion decides) is no place to write a tag, when
  // another place sets it
  const nameOnly = own.filter((place) => !place.reference && !place.tag && !place.digest && place.kind !== "kustomize-image");
  if (nameOnly.length < own.length || added.length > 0) {
    for (const place of nameOnly) state.notices.push(`${place.file}:${place.line}: ${place.path} names ${repository} without a tag: left as it is`);
    own = own.filter((place) => !nameOnly.includes(place));
  }
  const left = places.filter((place) => !place.own && !(reachesKustomizeImages(place) && covered.has(place.outputName!)));
  const downgrade = options.allowDowngrade || !policy ? undefined : downgradeOf(request, own.length > 0 ? own : places, policy);
  if (downgrade) {
    state.problems.push(`${label}: ${downgrade}`);
    return;
  }
  const before = state.pending.length + state.overlay.length;
  try {
    if (own.length === 0 && added.length === 0) {
      const where = left.map((place) => `${place.file}:${place.line}`).join(", ");
      const why = located.kustomization ? "not where a kustomize images entry can override it" : `${target.environment} has no kustomization that only it reads to override it in`;
      throw new UserError(`${repository} is set only in files other environments may read too (${where}), and ${why}; nothing was changed`);
    }
    for (const place of left) state.notices.push(`${place.file}:${place.line}: ${repository} is also set here, in a file other environments may read too: left as it is`);
    for (const place of own) state.pending.push(...editsFor(place, request, options, sourceOf(place.file)));
    for (const name of added) state.overlay.push(overlayEntry(name, request, options, overridable));
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    state.problems.push(error.message.startsWith(repository) ? `${label}: ${error.message}` : error.message);
    return;
  }
  if (state.pending.length + state.overlay.length === before) state.unchanged.push(label);
}

/**
 * The tags the target accepts for a repository: the configured policy, else the Flux ImagePolicy whose setter
 * comments mark its places (when the ImagePolicy's own policy is one we can apply).
 */
function policyFor(target: PromotionTarget, repository: string, places: readonly ImagePlace[], options: PromoteOptions): { policy: TagPolicy; source: string } | undefined {
  const configured = options.policies?.find((entry) => entry.repository === repository)?.policy;
  if (configured) return { policy: configured, source: `${target.environment} accepts` };
  for (const place of places) {
    const flux = place.policy === undefined ? undefined : target.imagePolicies?.get(place.policy);
    if (flux?.policy) return { policy: flux.policy, source: `the ImagePolicy ${flux.name} (${flux.file}:${flux.line}) selects` };
  }
  return undefined;
}

/** A place whose current tag the policy orders after the requested one, described; undefined when none. */
function downgradeOf(request: ImageRef, places: readonly ImagePlace[], { policy }: { policy: TagPolicy }): string | undefined {
  if (request.tag === undefined) return undefined;
  for (const place of places) {
    const current = currentParts(place).tag;
    if (current !== undefined && acceptsTag(policy, current) && compareTags(policy, request.tag, current) < 0) {
      return `${place.file}:${place.line} runs ${current}, which ${describePolicy(policy)} orders after ${request.tag}: a downgrade (--allow-downgrade allows a rollback)`;
    }
  }
  return undefined;
}

/** A place whose image a kustomization's images entry sees: containers, and the output of another images entry. */
function reachesKustomizeImages(place: ImagePlace): boolean {
  return place.kind === "manifest" || (place.kind === "kustomize-image" && !place.path.includes("postRenderers"));
}

/** Why a request cannot be promoted at all, or undefined. */
function checkRequest(target: PromotionTarget, request: ImageRef, options: PromoteOptions, policy: { policy: TagPolicy; source: string } | undefined): string | undefined {
  const repository = repositoryOf(request);
  if (request.tag === undefined && request.digest === undefined) return "give a tag or a digest to promote";
  if (options.pinDigest && request.digest === undefined) return "digest pinning was asked, but the image has no digest (…@sha256:…)";
  if (policy && (request.tag === undefined || !acceptsTag(policy.policy, request.tag))) {
    return `${policy.source} ${describePolicy(policy.policy)} for ${repository}; "${request.tag ?? "(no tag)"}" is not accepted`;
  }
  return undefined;
}

/** The edits that make one place set the requested image. */
function editsFor(place: ImagePlace, request: ImageRef, options: PromoteOptions, source: YamlSource): Pending[] {
  const where = `${place.file}:${place.line}`;
  const label = canonicalImageRef(request);
  const current = currentParts(place);
  const pin = options.pinDigest === true || current.digest !== undefined;
  if (pin && request.digest === undefined) {
    throw new UserError(`${where}: ${place.path} pins ${place.repository} to a digest; promote ${label} with its digest (…@sha256:…)`);
  }
  // a digest is written where the place pins one, when asked, and when it is all the request names
  const digest = pin || request.tag === undefined ? request.digest : undefined;
  const why = `${label} (${describeKind(place)} ${place.path}${place.policy && place.kind !== "flux-setter" ? `, Flux setter ${place.policy}` : ""})`;
  const edits: Pending[] = [];
  const replace = (scalar: ScalarSource, value: string) => {
    if (scalar.value === value) return;
    edits.push({
      file: place.file,
      edit: replaceScalar(source.text, scalar, value),
      checks: [{ document: scalar.document, path: scalar.writtenPath, value, line: scalar.line }],
      planned: { file: place.file, line: scalar.line, column: scalar.column, old: scalar.value, new: value, why },
      scalar,
      place,
    });
  };

  if (place.reference) {
    if (place.kind === "argocd-kustomize-image") {
      const parsed = parseArgoKustomizeImage(place.reference.value)!;
      replace(place.reference, `${parsed.name !== undefined ? `${parsed.name}=` : ""}${formatImageRef(parsed.newName, request.tag, digest)}`);
    } else {
      const written = parseImageRef(place.reference.value);
      replace(place.reference, formatImageRef(written.writtenName, request.tag, digest));
    }
    return edits;
  }
  if (request.tag === undefined && place.tag) {
    // keeping the old tag beside a new digest would name a version that is not deployed
    throw new UserError(`${where}: ${place.path} sets a tag; promote ${label} with a tag too`);
  }
  if (place.kind === "kustomize-image") {
    if (request.tag !== undefined) {
      if (place.tag) replace(place.tag, request.tag);
      else edits.push(addedKey(place, source, "newTag", request.tag, why));
    }
    if (digest !== undefined) {
      if (place.digest) replace(place.digest, digest);
      else edits.push(addedKey(place, source, "digest", digest, why));
    }
    return edits;
  }
  if (place.digest && digest !== undefined) {
    replace(place.digest, digest);
    if (place.tag && request.tag !== undefined) replace(place.tag, request.tag);
    return edits;
  }
  if (!place.tag) {
    throw new UserError(`${where}: ${place.path} names ${place.repository} but sets no tag here; add a tag value, or promote where the tag is set`);
  }
  // a Helm tag takes "1.4.2@sha256:…" where the chart has no digest value
  replace(place.tag, request.tag === undefined ? digest! : pinnedTag(request.tag, digest));
  return edits;
}

function addedKey(place: ImagePlace, source: YamlSource, key: string, value: string, why: string): Pending {
  const { edit, check } = addMapKey(source, place.document, place.entryPath!, key, value);
  const line = source.lineOf(edit.start).line + 1;
  return { file: place.file, edit, checks: [{ ...check, line }], planned: { file: place.file, line, column: 1, old: "", new: `${key}: ${value}`, why }, place };
}

/** A new `images:` entry for the target's kustomization: the image comes from a base other environments share. */
function overlayEntry(name: string, request: ImageRef, options: PromoteOptions, from: ImagePlace[]): { entry: KustomizeImageEntry; why: string } {
  const basePlaces = from.filter((place) => place.outputName === name);
  const pinned = options.pinDigest === true || basePlaces.some((place) => currentParts(place).digest !== undefined);
  if (pinned && request.digest === undefined) {
    throw new UserError(`${basePlaces[0]!.file}:${basePlaces[0]!.line}: ${name} is pinned to a digest; promote ${canonicalImageRef(request)} with its digest`);
  }
  const entry = { name, ...(request.tag !== undefined ? { newTag: request.tag } : {}), ...(pinned || request.tag === undefined ? { digest: request.digest! } : {}) };
  const why = `${canonicalImageRef(request)} (set in the shared ${basePlaces.map((place) => `${place.file}:${place.line}`).join(", ")}: overridden in the target's kustomization)`;
  return { entry, why };
}

/** The tag and digest a place sets now, wherever they are written. */
function currentParts(place: ImagePlace): { tag?: string; digest?: string } {
  if (place.reference) {
    const value = place.kind === "argocd-kustomize-image" ? parseArgoKustomizeImage(place.reference.value) : parseImageRef(place.reference.value);
    return { ...(value?.tag !== undefined ? { tag: value.tag } : {}), ...(value?.digest !== undefined ? { digest: value.digest } : {}) };
  }
  const tag = place.tag ? splitPinnedTag(place.tag.value) : undefined;
  const digest = place.digest?.value || tag?.digest;
  return { ...(tag ? { tag: tag.tag } : {}), ...(digest ? { digest } : {}) };
}

function describeKind(place: ImagePlace): string {
  switch (place.kind) {
    case "kustomize-image":
      return "kustomize images entry";
    case "flux-setter":
      return `Flux setter ${place.policy ?? ""}`.trim();
    case "helm-values":
      return "Helm value";
    case "argocd-helm-parameter":
      return "Argo CD helm parameter";
    case "argocd-kustomize-image":
      return "Argo CD kustomize image";
    case "manifest":
      return "container image";
  }
}

/**
 * An anchored value that an alias repeats elsewhere is edited at its anchor only when every place the value
 * appears is an image place this promotion sets to the same value; otherwise the alias would carry the change
 * somewhere nobody asked for (a value of another image, another field), so the promotion is refused.
 */
function aliasProblems(pending: readonly Pending[]): string[] {
  const problems: string[] = [];
  const byScalar = groupBy(
    pending.filter((item) => item.scalar && item.scalar.occurrences.length > 1),
    (item) => `${item.file}#${item.scalar!.start}`,
  );
  for (const items of byScalar.values()) {
    const scalar = items[0]!.scalar!;
    const covered = new Set<string>();
    for (const item of items) {
      for (const path of placePaths(item.place!)) {
        for (const occurrence of scalar.occurrences) if (occurrence === path || occurrence.startsWith(`${path}.`) || occurrence.startsWith(`${path}[`)) covered.add(occurrence);
      }
    }
    const values = new Set(items.map((item) => item.edit.text));
    const uncovered = scalar.occurrences.filter((occurrence) => !covered.has(occurrence));
    if (uncovered.length > 0 || values.size > 1) {
      problems.push(
        `${scalar.file}:${scalar.line}: the value "${scalar.value}"${scalar.anchor ? ` (anchor &${scalar.anchor})` : ""} also appears through an alias at ${uncovered.join(", ") || "another image's place"}, which this promotion does not set; change it by hand or remove the alias`,
      );
    }
  }
  return problems;
}

function placePaths(place: ImagePlace): string[] {
  return [place.path, ...(place.aliasPaths ?? [])];
}

/** One edit per scalar: the same value asked twice is one edit, two different values a refusal. */
function dedupeEdits(items: Pending[], file: string): Pending[] {
  const byRange = new Map<string, Pending>();
  for (const item of items) {
    const insertion = item.edit.start === item.edit.end;
    const key = insertion ? `insert:${item.edit.start}:${item.edit.text}` : `${item.edit.start}:${item.edit.end}`;
    const earlier = byRange.get(key);
    if (!earlier) byRange.set(key, item);
    else if (earlier.edit.text !== item.edit.text) {
      throw new UserError(`${file}:${item.planned.line}: two promotions set this value differently ("${earlier.planned.new}" and "${item.planned.new}")`, { file, line: item.planned.line });
    }
  }
  return [...byRange.values()];
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** The plan as text for a terminal or a pull request body: each file, each edit's line, old and new value, why. */
export function formatPlan(plan: PromotionPlan): string {
  const lines = [`Promotion to ${plan.environment}: ${plan.images.join(", ")}`];
  if (plan.changes.length === 0) lines.push("  nothing to change");
  for (const change of plan.changes) {
    lines.push(`  ${change.file}`);
    for (const edit of change.edits) {
      const what = edit.old === "" ? `added ${JSON.stringify(edit.new)}` : `${JSON.stringify(edit.old)} -> ${JSON.stringify(edit.new)}`;
      lines.push(`    line ${edit.line}: ${what}  (${edit.why})`);
    }
  }
  for (const image of plan.unchanged) lines.push(`  ${image}: already set`);
  for (const notice of plan.notices) lines.push(`  note: ${notice}`);
  return lines.join("\n");
}
