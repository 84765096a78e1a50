// Where in the repository a value of a rendered object was written: the file and line a finding points at.
//
// kustomize's origin annotation gives the file of the object's base document (Manifest.source). The value is looked
// up at the same path in that document; when it is not there, or differs, it came from a patch or overlay: the
// environment's other YAML documents of the same kind and name (strategic merge patches) that hold the same value
// at that path are the source. List items are matched by their `name` key when they have one, as strategic merge
// does, so containers[1] of the rendering finds the patch's containers[0] with the same name.
import { isMap, isScalar, isSeq, type Node } from "yaml";
import type { Manifest, SourceLocation } from "../model.ts";
import type { Files } from "../ports.ts";
import { joinRepoPath } from "../util/paths.ts";
import { lineOfNode, parseYaml, type ParsedDocument, type ParsedYaml } from "../util/yaml.ts";
import { record } from "../util/values.ts";

type Path = Array<string | number>;

interface LoadedFile {
  parsed: ParsedYaml;
  documents: ParsedDocument[];
}

export class SourceLocator {
  private readonly loaded = new Map<string, Promise<LoadedFile | undefined>>();
  private readonly ready = new Map<string, LoadedFile | undefined>();

  constructor(
    private readonly root: string,
    private readonly files: Files,
  ) {}

  /** Files already parsed by the caller (plain manifests given on the command line) are not read again. */
  seed(file: string, parsed: ParsedYaml): void {
    const loaded = { parsed, documents: parsed.documents };
    this.loaded.set(file, Promise.resolve(loaded));
    this.ready.set(file, loaded);
  }

  /**
   * Reads (once per run) the files the answers may come from: the manifests' own sources and `patchFiles`, the YAML
   * files of the environment a patch may come from (a file that does not parse is left out). Returns `locate`:
   * the file and line of the value at a path of an object, as precise as can be known; undefined without a source.
   */
  async prepare(manifests: Manifest[], patchFiles: string[] = []): Promise<(manifest: Manifest, path: Path) => SourceLocation | undefined> {
    const candidates = patchFiles.filter((file) => /\.ya?ml$/i.test(file));
    const wanted = new Set<string>(candidates);
    for (const manifest of manifests) if (manifest.source) wanted.add(manifest.source.file);
    await Promise.all([...wanted].map(async (file) => this.ready.set(file, await this.load(file))));
    return (manifest, path) => this.locate(manifest, path, candidates);
  }

  private locate(manifest: Manifest, path: Path, candidates: string[]): SourceLocation | undefined {
    const source = manifest.source;
    if (!source) return undefined;
    const file = this.ready.get(source.file);
    const document = file?.documents.find((candidate) => candidate.line === source.line);
    const rendered = valueAt(manifest.object, path);
    if (file && document) {
      const found = walk(document.doc.contents as Node | undefined, path, manifest.object);
      if (found.complete && sameValue(found.value, rendered)) return { file: source.file, line: lineOfNode(file.parsed, found.at, source.line ?? 1) };
      // not written in the base document, or overwritten: a patch of the same object that sets it
      const patched = this.fromPatches(manifest, path, rendered, source.file, candidates);
      if (patched) return patched;
      return { file: source.file, line: lineOfNode(file.parsed, found.at, source.line ?? 1) };
    }
    return this.fromPatches(manifest, path, rendered, source.file, candidates) ?? source;
  }

  private fromPatches(manifest: Manifest, path: Path, rendered: unknown, except: string, candidates: string[]): SourceLocation | undefined {
    if (path.length === 0 || rendered === undefined) return undefined;
    for (const file of candidates) {
      if (file === except) continue;
      const loaded = this.ready.get(file);
      for (const document of loaded?.documents ?? []) {
        const value = record(document.value);
        const name = record(value.metadata).name;
        if (value.kind !== manifest.id.kind || typeof name !== "string" || !manifest.id.name.includes(name)) continue;
        const found = walk(document.doc.contents as Node | undefined, path, manifest.object);
        if (found.complete && sameValue(found.value, rendered)) return { file, line: lineOfNode(loaded!.parsed, found.at, document.line) };
      }
    }
    return undefined;
  }

  private load(file: string): Promise<LoadedFile | undefined> {
    let loading = this.loaded.get(file);
    if (!loading) {
      loading = (async () => {
        try {
          const parsed = parseYaml(await this.files.readText(joinRepoPath(this.root, file)), file);
          return { parsed, documents: parsed.documents };
        } catch {
          return undefined;
        }
      })();
      this.loaded.set(file, loading);
    }
    return loading;
  }
}

/**
 * Follows a path through a YAML tree, as far as it goes: `at` is the node a finding points at (the key of the last
 * map entry, so a finding about a field points at its key), `value` the last value reached. An index into a list of
 * named items follows the rendered item's name.
 */
function walk(root: Node | undefined, path: Path, object: unknown): { at: Node | undefined; value: unknown; complete: boolean } {
  let node: unknown = root;
  let at: Node | undefined = root;
  let renderedParent: unknown = object;
  for (let i = 0; i < path.length; i++) {
    const step = path[i]!;
    const renderedValue = renderedParent !== null && typeof renderedParent === "object" ? (renderedParent as Record<string | number, unknown>)[step] : undefined;
    let next: unknown;
    let key: Node | undefined;
    if (isMap(node) && typeof step === "string") {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === step);
      key = pair?.key as Node | undefined;
      next = pair ? (pair.value ?? pair.key) : undefined; // `field:` with no value still names the field
    } else if (isSeq(node) && typeof step === "number") {
      const name = record(renderedValue).name;
      next =
        typeof name === "string"
          ? node.items.find((item) => isMap(item) && item.items.some((pair) => isScalar(pair.key) && pair.key.value === "name" && isScalar(pair.value) && pair.value.value === name))
          : node.items[step];
    }
    if (next === undefined || next === null) return { at, value: undefined, complete: false };
    node = next;
    at = key ?? (next as Node);
    renderedParent = renderedValue;
  }
  return { at, value: node, complete: true };
}

function valueAt(object: unknown, path: Path): unknown {
  let value: unknown = object;
  for (const step of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[step];
  }
  return value;
}

/** A scalar must be written as rendered (compared as text: YAML may write 80 or "80"); maps and lists pass. */
function sameValue(value: unknown, rendered: unknown): boolean {
  if (rendered === undefined || rendered === null || typeof rendered === "object") return true;
  return isScalar(value) && String(value.value) === String(rendered);
}
