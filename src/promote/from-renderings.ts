// What to promote when no image is named: what runs in the source environment's rendering (containers, and the
// image values of Flux HelmReleases, whose charts are rendered in the cluster) and differs in the target's,
// compared by repository.
import type { Manifest } from "../model.ts";
import { UserError } from "../errors.ts";
import { canonicalImageRef, parseImageRef, repositoryOf, type ImageRef } from "./image-ref.ts";

/**
 * The images to promote from a source environment's rendering to a target's: for each repository both run, the
 * source's reference when the target runs another tag or digest. `apps` limits it to workloads (metadata.name)
 * or repositories (the last path component, or the whole normalised repository) with those names.
 */
export function imagesToPromote(source: readonly Manifest[], target: readonly Manifest[], apps: readonly string[] = []): { images: ImageRef[]; notices: string[] } {
  const notices: string[] = [];
  const sourceImages = imagesOf(source, apps);
  const targetImages = imagesOf(target, apps);
  const images: ImageRef[] = [];
  for (const [repository, refs] of sourceImages) {
    const theirs = targetImages.get(repository);
    if (!theirs) {
      notices.push(`${repository} runs in the source but not in the target: not promoted`);
      continue;
    }
    const distinct = [...new Map([...refs].map((ref) => [canonicalImageRef(ref), ref])).values()];
    if (distinct.length > 1) {
      throw new UserError(`the source runs ${repository} in several versions (${distinct.map(canonicalImageRef).join(", ")}): promote one explicitly with --image`);
    }
    const wanted = distinct[0]!;
    const same = [...theirs].every((ref) => ref.tag === wanted.tag && ref.digest === wanted.digest);
    if (!same) images.push(wanted);
  }
  return { images, notices };
}

function imagesOf(manifests: readonly Manifest[], apps: readonly string[]): Map<string, Set<ImageRef>> {
  const result = new Map<string, Set<ImageRef>>();
  for (const manifest of manifests) {
    const name = String((manifest.object.metadata as Record<string, unknown> | undefined)?.name ?? "");
    for (const image of [...containerImages(manifest.object), ...helmReleaseImages(manifest.object)]) {
      let ref: ImageRef;
      try {
        ref = parseImageRef(image);
      } catch {
        continue;
      }
      const repository = repositoryOf(ref);
      const short = repository.slice(repository.lastIndexOf("/") + 1);
      if (apps.length > 0 && !apps.some((app) => app === name || app === short || app === repository)) continue;
      const set = result.get(repository) ?? new Set<ImageRef>();
      set.add(ref);
      result.set(repository, set);
    }
  }
  return result;
}

/**
 * The images a Flux HelmRelease's spec.values set, as locate reads values: `image: repo:tag` under a key ending
 * in "image", and maps with a `repository` (and `registry`) beside a `tag` or `digest`.
 */
export function helmReleaseImages(object: Record<string, unknown>): string[] {
  if (object.kind !== "HelmRelease" || !String(object.apiVersion ?? "").startsWith("helm.toolkit.fluxcd.io/")) return [];
  const images: string[] = [];
  const stack: Array<[string, unknown]> = [["values", (object.spec as Record<string, unknown> | undefined)?.values]];
  while (stack.length > 0) {
    const [key, value] = stack.pop()!;
    if (typeof value === "string" && /(^i|I)mage$/.test(key) && /[:@/]/.test(value)) images.push(value);
    else if (Array.isArray(value)) value.forEach((item) => stack.push(["", item]));
    else if (value !== null && typeof value === "object") {
      const map = value as Record<string, unknown>;
      const tag = typeof map.tag === "string" || typeof map.tag === "number" ? String(map.tag) : undefined;
      const digest = typeof map.digest === "string" && map.digest !== "" ? map.digest : undefined;
      if (typeof map.repository === "string" && (tag || digest)) {
        const name = typeof map.registry === "string" && map.registry !== "" ? `${map.registry}/${map.repository}` : map.repository;
        images.push(`${name}${tag ? `:${tag}` : ""}${digest && !tag?.includes("@") ? `@${digest}` : ""}`);
      }
      for (const [childKey, child] of Object.entries(map)) stack.push([childKey, child]);
    }
  }
  return images;
}

/** The images of every container list in an object (Pods, templates, CronJobs, custom resources embedding them). */
export function containerImages(value: unknown): string[] {
  const images: string[] = [];
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (Array.isArray(current)) stack.push(...current);
    else if (current !== null && typeof current === "object") {
      for (const [key, child] of Object.entries(current)) {
        if ((key === "containers" || key === "initContainers" || key === "ephemeralContainers") && Array.isArray(child)) {
          for (const container of child) {
            const image = (container as Record<string, unknown> | null)?.image;
            if (typeof image === "string") images.push(image);
          }
        }
        stack.push(child);
      }
    }
  }
  return images;
}
