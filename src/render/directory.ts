// Renders a plain directory of manifests: every YAML/JSON file, each document an object.
import type { DiscoveredEnvironment } from "../discover/discover.ts";
import { UserError } from "../errors.ts";
import type { KubeObject, Manifest } from "../model.ts";
import type { Files } from "../ports.ts";
import { joinRepoPath } from "../util/paths.ts";
import { parseYaml } from "../util/yaml.ts";
import { toManifest } from "./manifests.ts";
import { RenderFailure, type RenderedEnvironment } from "./kustomize.ts";
import { stringify } from "yaml";

export async function renderDirectory(root: string, environment: DiscoveredEnvironment, files: Files): Promise<RenderedEnvironment> {
  const manifests: Manifest[] = [];
  const spec = environment.spec;
  const selected = spec.type === "directory" && spec.files ? spec.files : [...environment.inputs];
  try {
    for (const file of [...selected].sort()) {
      const { documents } = parseYaml(await files.readText(joinRepoPath(root, file)), file);
      for (const document of documents) {
        const value = document.value as KubeObject | null;
        if (value === null || typeof value !== "object" || Array.isArray(value)) continue;
        // Kubernetes "List" documents hold their objects in items
        const objects = value.kind === "List" && Array.isArray(value.items) ? (value.items as KubeObject[]) : [value];
        for (const object of objects) {
          const manifest = toManifest(object, { index: manifests.length, line: document.line }, file);
          manifest.source = { file, line: document.line };
          manifests.push(manifest);
        }
      }
    }
  } catch (error) {
    if (error instanceof UserError) {
      const where = error.location ? `${error.location.file}:${error.location.line ?? ""}: ` : "";
      throw new RenderFailure(`${where}${error.message}`, "");
    }
    throw error;
  }
  const text = manifests.map((manifest) => stringify(manifest.object, { lineWidth: 0 })).join("---\n");
  return { text, manifests };
}
