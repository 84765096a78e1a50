// Builds a directory the way Flux's kustomize-controller and Argo CD's repo-server do: they edit the
// directory's kustomization file (or generate one) with the puller object's options and build that.
//
// The repository is never written to. Instead the build runs in a mirror: a temporary tree that has the
// repository's layout, with real directories along the path to the environment, symbolic links to the real
// files and directories everywhere else, and the edited kustomization file in place of the original. Relative
// references (`../base`, `patches/x.yaml`) therefore mean what they mean in the repository.
import path from "node:path";
import { parse, stringify } from "yaml";
import { KUSTOMIZATION_FILE_NAMES } from "../discover/kustomization.ts";
import type { KustomizationEdits } from "../discover/spec.ts";
import type { Files } from "../ports.ts";
import { joinRepoPath } from "../util/paths.ts";
import { list, record } from "../util/values.ts";

/**
 * The kustomization file a puller builds: the original (or a generated one listing `generated`) with the
 * edits applied as kustomize-controller's generator and `kustomize edit` apply them. Pure.
 */
export function editedKustomizationText(
  original: Record<string, unknown> | undefined,
  generated: string[] | undefined,
  edits: KustomizationEdits,
): string {
  const kustomization: Record<string, unknown> = original
    ? structuredClone(original)
    : { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: generated ?? [] };
  if (edits.namespace) kustomization.namespace = edits.namespace;
  if (edits.namePrefix) kustomization.namePrefix = edits.namePrefix;
  if (edits.nameSuffix) kustomization.nameSuffix = edits.nameSuffix;
  if (edits.patches.length > 0) kustomization.patches = [...list(kustomization.patches), ...edits.patches];
  if (edits.components.length > 0) kustomization.components = [...list(kustomization.components), ...edits.components];
  if (edits.images.length > 0) {
    const images = list(kustomization.images).map((image) => ({ ...(image as Record<string, unknown>) }));
    for (const edit of edits.images) {
      const existing = images.find((image) => image.name === edit.name);
      if (!existing) {
        images.push({ ...edit });
        continue;
      }
      // fields merge like an overlay; tag and digest go together (setting one clears the other)
      if (edit.newName) existing.newName = edit.newName;
      if (edit.newTag !== undefined || edit.digest !== undefined) {
        delete existing.newTag;
        delete existing.digest;
        if (edit.newTag !== undefined) existing.newTag = edit.newTag;
        if (edit.digest !== undefined) existing.digest = edit.digest;
      }
    }
    kustomization.images = images;
  }
  if (edits.commonLabels && Object.keys(edits.commonLabels).length > 0) {
    kustomization.commonLabels = { ...record(kustomization.commonLabels), ...edits.commonLabels };
  }
  if (edits.commonAnnotations && Object.keys(edits.commonAnnotations).length > 0) {
    kustomization.commonAnnotations = { ...record(kustomization.commonAnnotations), ...edits.commonAnnotations };
  }
  if (edits.replicas && edits.replicas.length > 0) {
    const replicas = list(kustomization.replicas).filter(
      (entry) => !edits.replicas!.some((edit) => edit.name === (entry as Record<string, unknown>).name),
    );
    kustomization.replicas = [...replicas, ...edits.replicas];
  }
  // kustomize refuses a kustomization with nothing in it; Flux keeps such a build valid the same way
  if (!original && (generated ?? []).length === 0) {
    delete kustomization.resources;
    kustomization.namespace ??= "_placeholder";
  }
  // origin annotations tell every object its source file; they are removed again after the build
  const buildMetadata = list(kustomization.buildMetadata);
  if (!buildMetadata.includes("originAnnotations")) kustomization.buildMetadata = [...buildMetadata, "originAnnotations"];
  return stringify(kustomization, { lineWidth: 0 });
}

/** Reads a kustomization file's content as a map (discovery already checked that it parses). */
export function parseKustomization(text: string): Record<string, unknown> {
  const value = parse(text, { maxAliasCount: 100 }) as unknown;
  return record(value);
}

export interface MirrorOptions {
  files: Files;
  /** The real path of the checkout. */
  root: string;
  /** Repository-relative directory that gets the edited kustomization. */
  dir: string;
  /** Where the mirror is made (an empty, private directory). */
  mirrorRoot: string;
  /** The kustomization text to put in `dir`. */
  kustomization: string;
  /**
   * Copy the files below `dir` instead of linking them: kustomize's default load restrictions resolve
   * symbolic links and refuse files outside the kustomization's directory.
   */
  copyDirectory: boolean;
}

/** Makes the mirror; the caller removes `mirrorRoot` afterwards. */
export async function makeMirror(options: MirrorOptions): Promise<void> {
  const { files, root, dir, mirrorRoot } = options;
  const segments = dir === "." ? [] : dir.split("/");
  let current = ".";
  for (let depth = 0; depth <= segments.length; depth++) {
    const atTarget = depth === segments.length;
    const here = joinRepoPath(mirrorRoot, current);
    await files.mkdirp(here);
    if (atTarget && options.copyDirectory) {
      await copyTree(files, joinRepoPath(root, current), here, true);
    } else {
      for (const entry of await files.list(joinRepoPath(root, current))) {
        if (!atTarget && entry.name === segments[depth]) continue;
        if (atTarget && (KUSTOMIZATION_FILE_NAMES as readonly string[]).includes(entry.name)) continue;
        await files.symlink(path.join(joinRepoPath(root, current), entry.name), path.join(here, entry.name));
      }
    }
    if (!atTarget) current = current === "." ? segments[depth]! : `${current}/${segments[depth]}`;
  }
  await files.writeText(path.join(joinRepoPath(mirrorRoot, dir), "kustomization.yaml"), options.kustomization);
}

/** Copies regular files and directories; symbolic links are linked to their real target inside the checkout. */
async function copyTree(files: Files, from: string, to: string, top: boolean): Promise<void> {
  await files.mkdirp(to);
  for (const entry of await files.list(from)) {
    if (top && (KUSTOMIZATION_FILE_NAMES as readonly string[]).includes(entry.name)) continue;
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.type === "directory") await copyTree(files, source, target, false);
    else if (entry.type === "file") await files.copyFile(source, target);
    else if (entry.type === "symlink") {
      // discovery has checked that every path a kustomization names stays inside the checkout
      const real = await files.realpath(source);
      if (real) await files.symlink(real, target);
    }
  }
}
