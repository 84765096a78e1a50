// Flux image automation's own objects, read from the repository: an ImagePolicy names the ImageRepository (and
// so the image) its setter comments stand for, and the tags it accepts. A `:tag` setter with no image name
// beside it is matched through them, and the target's tag policy can be the ImagePolicy's.
import type { Node } from "yaml";
import { normalizeRepository } from "./image-ref.ts";
import type { SourceFile } from "./locate.ts";
import type { TagPolicy } from "./tag-policy.ts";
import { YamlSource, type SourceDocument } from "./yaml-source.ts";

export interface FluxImagePolicy {
  /** "namespace:name", as setter comments name it. */
  name: string;
  /** The normalised repository of the ImageRepository it refers to, when that object is in the files. */
  repository?: string;
  /** The tags it selects, when its policy is one we order the same way. */
  policy?: TagPolicy;
  file: string;
  line: number;
}

/** Every ImagePolicy in the files, with its image and tag policy; files that do not parse are skipped. */
export function fluxImagePolicies(files: readonly SourceFile[]): Map<string, FluxImagePolicy> {
  const repositories = new Map<string, string>();
  const policies: Array<FluxImagePolicy & { repositoryRef: string }> = [];
  for (const file of files) {
    if (!/\.ya?ml$/i.test(file.path) || !/image\.toolkit\.fluxcd\.io/.test(file.text)) continue;
    let source: YamlSource;
    try {
      source = new YamlSource(file.path, file.text);
    } catch {
      continue; // not ours to report: promotion reads only the target's files strictly
    }
    for (const document of source.documents) {
      const root = source.resolve(document, document.doc.contents);
      const apiVersion = source.stringAt(document, root, "apiVersion") ?? "";
      if (!apiVersion.startsWith("image.toolkit.fluxcd.io/")) continue;
      const kind = source.stringAt(document, root, "kind");
      const metadata = source.get(document, root, "metadata");
      const namespace = source.stringAt(document, metadata, "namespace") ?? "flux-system";
      const name = source.stringAt(document, metadata, "name");
      const spec = source.get(document, root, "spec");
      if (!name) continue;
      if (kind === "ImageRepository") {
        const image = source.stringAt(document, spec, "image");
        const repository = image === undefined ? undefined : normalizeRepository(image);
        if (repository) repositories.set(`${namespace}:${name}`, repository);
      } else if (kind === "ImagePolicy") {
        const ref = source.get(document, spec, "imageRepositoryRef");
        const refName = source.stringAt(document, ref, "name") ?? "";
        const refNamespace = source.stringAt(document, ref, "namespace") ?? namespace;
        const policy = tagPolicyOf(source, document, spec);
        const line = document.doc.contents?.range ? source.lineOf(document.doc.contents.range[0]).line : 1;
        policies.push({ name: `${namespace}:${name}`, repositoryRef: `${refNamespace}:${refName}`, ...(policy ? { policy } : {}), file: file.path, line });
      }
    }
  }
  const result = new Map<string, FluxImagePolicy>();
  for (const { repositoryRef, ...policy } of policies) {
    const repository = repositories.get(repositoryRef);
    result.set(policy.name, { ...policy, ...(repository ? { repository } : {}) });
  }
  return result;
}

/** spec.policy (semver, alphabetical, numerical) with spec.filterTags, as our TagPolicy. */
function tagPolicyOf(source: YamlSource, document: SourceDocument, spec: Node | undefined): TagPolicy | undefined {
  const policy = source.get(document, spec, "policy");
  const filterTags = source.get(document, spec, "filterTags");
  const pattern = source.stringAt(document, filterTags, "pattern");
  const extract = source.stringAt(document, filterTags, "extract");
  const range = source.stringAt(document, source.get(document, policy, "semver"), "range");
  if (range !== undefined) return { type: "semver", range, ...(pattern !== undefined ? { filter: { pattern, ...(extract !== undefined ? { extract } : {}) } } : {}) };
  for (const order of ["alphabetical", "numerical"] as const) {
    const spec = source.get(document, policy, order);
    if (!spec) continue;
    const descending = source.stringAt(document, spec, "order") === "desc";
    return { type: "regex", pattern: pattern ?? "^.*$", extract: extract ?? "$0", order, ...(descending ? { descending } : {}) };
  }
  return undefined;
}
