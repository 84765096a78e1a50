// What a promotion says about itself: the commit message (what changed, from where, why), the pull/merge request's
// title and body (one section per promotion, newest first, so an updated request keeps its history), and the diff.
import { createTwoFilesPatch } from "diff";
import type { ImageRef } from "../promote/image-ref.ts";
import { canonicalImageRef } from "../promote/image-ref.ts";
import type { PromotionPlan } from "../promote/plan.ts";

export interface PromotionStory {
  target: string;
  targetPath: string;
  /** The source environment, when the images were taken from one. */
  source?: string;
  images: readonly ImageRef[];
  plan: PromotionPlan;
  reason?: string;
}

/** The hidden marker of a promotion request's body; sections follow it. */
export function requestMarker(target: string): string {
  return `<!-- gitops-verify:promote ${target} -->`;
}

/** "shop-api:2.3.2" for "ghcr.io/example/shop-api:2.3.2" (a digest shortened to 12 hex digits). */
function shortImage(image: ImageRef): string {
  const name = image.path.slice(image.path.lastIndexOf("/") + 1);
  const digest = image.digest ? `@${image.digest.slice(0, image.digest.indexOf(":") + 13)}` : "";
  return `${name}${image.tag !== undefined ? `:${image.tag}` : ""}${digest}`;
}

export function commitSubject(story: PromotionStory): string {
  const images = story.images.map(shortImage).join(", ");
  const subject = `Promote ${images} to ${story.target}`;
  return subject.length <= 100 ? subject : `Promote ${story.images.length} images to ${story.target}`;
}

function origin(story: PromotionStory): string {
  return story.source ? `from ${story.source}` : "as requested (--image)";
}

function changeLines(plan: PromotionPlan): string[] {
  return plan.changes.flatMap((change) =>
    change.edits.map((edit) => `- ${change.file}:${edit.line}: ${edit.old === "" ? `added ${JSON.stringify(edit.new)}` : `${JSON.stringify(edit.old)} -> ${JSON.stringify(edit.new)}`} (${edit.why})`),
  );
}

export function commitMessage(story: PromotionStory): string {
  const lines = [
    commitSubject(story),
    "",
    `Promotes into ${story.target} (${story.targetPath}) ${origin(story)}:`,
    ...story.images.map((image) => `- ${canonicalImageRef(image)}`),
    "",
    "Changes:",
    ...changeLines(story.plan),
    "",
    `Why: ${story.reason ?? (story.source ? `${story.source} runs these images` : "requested explicitly")}`,
    `Checked: ${story.target} re-rendered with only the promoted images changed, and no new schema or policy finding.`,
    "Promoted-by: gitops-verify",
  ];
  return `${lines.join("\n")}\n`;
}

/** This promotion's section of a request body. */
function section(story: PromotionStory): string {
  const changes = changeLines(story.plan).map((line) => line.replace(/^- ([^:]+:\d+)/, "- `$1`"));
  return [
    `### ${commitSubject(story)}`,
    "",
    `Into **${story.target}** (\`${story.targetPath}\`) ${origin(story)}:`,
    "",
    ...story.images.map((image) => `- \`${canonicalImageRef(image)}\``),
    "",
    "Changes:",
    "",
    ...changes,
    "",
    `Why: ${story.reason ?? (story.source ? `${story.source} runs these images` : "requested explicitly")}`,
    "",
    `${story.target} was re-rendered before committing: only the promoted images changed, and its schema and policy checks found nothing new.`,
  ].join("\n");
}

/** The body of the request: marker, this section, then the sections of the body it replaces. */
export function requestBody(story: PromotionStory, previousBody: string | undefined): string {
  const marker = requestMarker(story.target);
  const earlier = previousBody?.includes(marker) ? previousBody.slice(previousBody.indexOf(marker) + marker.length).trim() : "";
  const intro = `Promotion to **${story.target}**, opened by gitops-verify. Merging it deploys the change through the cluster's puller; a further promotion to ${story.target} updates this request instead of opening another.`;
  const body = [marker, intro, section(story), ...(earlier ? [stripIntro(earlier, intro)] : [])].join("\n\n");
  return `${body}\n`;
}

function stripIntro(earlier: string, intro: string): string {
  return earlier.startsWith(intro) ? earlier.slice(intro.length).trim() : earlier;
}

export function requestTitle(story: PromotionStory, updated: boolean): string {
  return updated ? `Promote to ${story.target}: ${story.images.map(shortImage).join(", ")} and earlier` : commitSubject(story);
}

/** The plan as a unified diff (what `git diff` would show once written). */
export function planDiff(plan: PromotionPlan): string {
  return plan.changes
    .map((change) => createTwoFilesPatch(`a/${change.file}`, `b/${change.file}`, change.before, change.after, "", "", { context: 3 }).replace(/^=+\n/, ""))
    .join("");
}
