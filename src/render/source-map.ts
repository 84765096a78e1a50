// Finds the repository file and line an object was defined at, from kustomize's origin annotation.
import path from "node:path";
import type { Manifest, SourceLocation } from "../model.ts";
import type { Files } from "../ports.ts";
import { isInside, joinRepoPath, toRepoPath } from "../util/paths.ts";
import { parseYaml } from "../util/yaml.ts";

export const ORIGIN_ANNOTATION = "config.kubernetes.io/origin";

interface DefinedObject {
  kind: string;
  name: string;
  line: number;
}

/** Caches the documents of each source file, shared by every environment of one revision. */
export class SourceIndex {
  private readonly definitions = new Map<string, Promise<DefinedObject[]>>();

  constructor(
    private readonly root: string,
    private readonly files: Files,
  ) {}

  /**
   * Removes the origin annotation kustomize added on request and turns it into a source location.
   * `originBase` is the directory the origin paths are relative to.
   */
  async attach(manifest: Manifest, originBase: string, generators: Map<string, SourceLocation>, aliases: string[] = []): Promise<void> {
    const metadata = manifest.object.metadata as Record<string, unknown> | undefined;
    const annotations = metadata?.annotations as Record<string, unknown> | undefined;
    const origin = annotations?.[ORIGIN_ANNOTATION];
    if (!metadata || !annotations || typeof origin !== "string") return;
    delete annotations[ORIGIN_ANNOTATION];
    if (Object.keys(annotations).length === 0) delete metadata.annotations;

    const fields = parseOrigin(origin);
    // a build in a mirror or a copy of the repository names their paths: they stand for the same repository files
    const unmirror = (absolute: string) => {
      const alias = aliases.find((candidate) => isInside(candidate, absolute));
      return alias ? path.join(this.root, path.relative(alias, absolute)) : absolute;
    };
    if (fields.path) {
      const absolute = unmirror(path.resolve(originBase, fields.path));
      if (!isInside(this.root, absolute)) return;
      const file = toRepoPath(this.root, absolute);
      manifest.source = { file, line: await this.lineOf(file, manifest.id.kind, manifest.id.name) };
    } else if (fields.configuredIn) {
      const absolute = unmirror(path.resolve(originBase, fields.configuredIn));
      if (!isInside(this.root, absolute)) return;
      const file = toRepoPath(this.root, absolute);
      const generated = generators.get(`${file}#${manifest.id.kind}#${manifest.id.name}`);
      manifest.source = generated ?? { file, line: findGeneratorLine(generators, file, manifest.id.kind, manifest.id.name) };
    }
  }

  private async lineOf(file: string, kind: string, renderedName: string): Promise<number | undefined> {
    let definitions = this.definitions.get(file);
    if (!definitions) this.definitions.set(file, (definitions = this.load(file)));
    const candidates = (await definitions).filter((definition) => definition.kind === kind);
    if (candidates.length === 1) return candidates[0]!.line;
    // name prefixes and suffixes are applied by overlays: the defined name is inside the rendered one
    const exact = candidates.find((definition) => definition.name === renderedName);
    const contained = candidates.filter((definition) => definition.name && renderedName.includes(definition.name));
    contained.sort((a, b) => b.name.length - a.name.length);
    return (exact ?? contained[0])?.line;
  }

  private async load(file: string): Promise<DefinedObject[]> {
    try {
      const parsed = parseYaml(await this.files.readText(joinRepoPath(this.root, file)), file);
      return parsed.documents.flatMap((document) => {
        const value = document.value as { kind?: unknown; metadata?: { name?: unknown } } | null;
        if (!value || typeof value !== "object") return [];
        return [{ kind: String(value.kind ?? ""), name: String(value.metadata?.name ?? ""), line: document.line }];
      });
    } catch {
      return [];
    }
  }
}

/** The origin annotation is a small YAML map: `path: ../base/x.yaml` or `configuredIn: …`. */
function parseOrigin(origin: string): { path?: string; configuredIn?: string } {
  const result: { path?: string; configuredIn?: string } = {};
  for (const line of origin.split("\n")) {
    const match = /^(path|configuredIn):\s*(.+)$/.exec(line.trim());
    if (match) result[match[1] as "path" | "configuredIn"] = match[2]!.replace(/^["']|["']$/g, "");
  }
  return result;
}

function findGeneratorLine(generators: Map<string, SourceLocation>, file: string, kind: string, renderedName: string): number | undefined {
  let best: SourceLocation | undefined;
  let bestLength = -1;
  for (const [key, location] of generators) {
    const [generatorFile, generatorKind, name] = key.split("#");
    if (generatorFile !== file || generatorKind !== kind || !name || !renderedName.includes(name)) continue;
    if (name.length > bestLength) {
      best = location;
      bestLength = name.length;
    }
  }
  return best?.line;
}
