// Reads one kustomization file into the list of repository paths it makes kustomize read.
// Pure: takes the parsed YAML and a way to ask what is on disk.
import path from "node:path";
import type { Document } from "yaml";
import type { Finding } from "../model.ts";
import { lineOfNode, nodeAt, type ParsedYaml } from "../util/yaml.ts";

export const KUSTOMIZATION_FILE_NAMES = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;

/** "missing" targets are kept so that creating or deleting them counts as a change to the environment. */
export type ReferenceKind = "directory" | "file" | "remote" | "missing";

export interface Reference {
  kind: ReferenceKind;
  /** The kustomization field that names it, e.g. "resources" or "configMapGenerator[0].files". */
  field: string;
  /** As written in the file. */
  written: string;
  /** Repository-relative path (files and directories), or the URL (remote). */
  target: string;
  line: number;
}

export interface Kustomization {
  dir: string;
  file: string;
  isComponent: boolean;
  references: Reference[];
  /** Problems found while reading it: each makes the environments that include it unrenderable. */
  problems: Finding[];
  /** Generated ConfigMaps/Secrets: name and the line of their entry (where generated objects come from). */
  generators: Array<{ kind: "ConfigMap" | "Secret"; name: string; line: number }>;
  /** Inflates Helm charts (`helmCharts`): rendered only when a helm binary is available. */
  usesHelm: boolean;
}

/** How a reference's target turned out on disk (the caller checks containment and symlinks). */
export type TargetType = "file" | "directory" | "missing" | "outside";

const REMOTE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/)/i;

/** Fields whose entries are kustomization directories or files. */
const DIRECTORY_OR_FILE_LISTS = ["resources", "bases", "components", "generators", "transformers", "validators"];
/** Fields whose entries are files. */
const FILE_LISTS = ["crds", "configurations"];
/** Fields of objects with a `path` pointing at a file. */
const PATH_OBJECT_LISTS = ["patches", "patchesJson6902", "replacements"];

interface RawEntry {
  field: string;
  written: string;
  line: number;
  expect: "any" | "file";
}

/**
 * Collects every path a kustomization names, with its line. `typeOf` says what a repo-relative path is.
 * Paths that leave the repository are reported by the caller, who knows the root.
 */
export async function readKustomization(
  parsed: ParsedYaml,
  file: string,
  typeOf: (repoPath: string) => Promise<TargetType>,
): Promise<Kustomization> {
  const dir = path.posix.dirname(file);
  const problems: Finding[] = [];
  const document = parsed.documents[0];
  const content = (document?.value ?? {}) as Record<string, unknown>;
  const doc = document?.doc;
  const kustomization: Kustomization = {
    dir,
    file,
    isComponent: content.kind === "Component",
    references: [],
    problems,
    generators: [],
    usesHelm: Array.isArray(content.helmCharts) && content.helmCharts.length > 0,
  };
  if (parsed.documents.length > 1) {
    problems.push(problem(file, document?.line ?? 1, "a kustomization file must hold exactly one YAML document"));
  }
  if (content === null || typeof content !== "object" || Array.isArray(content)) {
    problems.push(problem(file, document?.line ?? 1, "a kustomization file must be a YAML map"));
    return kustomization;
  }
  if (!doc) return kustomization;

  const entries = collectEntries(content, doc, parsed);
  for (const entry of entries) {
    if (REMOTE.test(entry.written)) {
      kustomization.references.push({ kind: "remote", field: entry.field, written: entry.written, target: entry.written, line: entry.line });
      continue;
    }
    const target = path.posix.normalize(path.posix.join(dir, entry.written));
    const type = await typeOf(target);
    if (type === "outside") {
      problems.push(problem(file, entry.line, `${entry.field} references "${entry.written}", which is outside the repository`));
      continue;
    }
    if (type === "missing") {
      problems.push(problem(file, entry.line, `${entry.field} references "${entry.written}", which does not exist`));
      kustomization.references.push({ kind: "missing", field: entry.field, written: entry.written, target, line: entry.line });
      continue;
    }
    if (entry.expect === "file" && type === "directory") {
      problems.push(problem(file, entry.line, `${entry.field} references "${entry.written}", a directory where a file is expected`));
      continue;
    }
    kustomization.references.push({ kind: type, field: entry.field, written: entry.written, target, line: entry.line });
  }
  kustomization.generators = collectGenerators(content, doc, parsed);
  return kustomization;
}

function collectEntries(content: Record<string, unknown>, doc: Document.Parsed, parsed: ParsedYaml): RawEntry[] {
  const entries: RawEntry[] = [];
  const lineAt = (steps: Array<string | number>) => lineOfNode(parsed, nodeAt(doc, steps), 1);
  const addList = (field: string, expect: RawEntry["expect"]) => {
    const list = content[field];
    if (!Array.isArray(list)) return;
    list.forEach((item, index) => {
      if (typeof item === "string") entries.push({ field, written: item, line: lineAt([field, index]), expect });
    });
  };
  for (const field of DIRECTORY_OR_FILE_LISTS) addList(field, "any");
  for (const field of FILE_LISTS) addList(field, "file");

  // patchesStrategicMerge entries are file paths or inline patches
  const strategic = content.patchesStrategicMerge;
  if (Array.isArray(strategic)) {
    strategic.forEach((item, index) => {
      if (typeof item === "string" && !looksInline(item)) {
        entries.push({ field: "patchesStrategicMerge", written: item, line: lineAt(["patchesStrategicMerge", index]), expect: "file" });
      }
    });
  }
  for (const field of PATH_OBJECT_LISTS) {
    const list = content[field];
    if (!Array.isArray(list)) continue;
    list.forEach((item, index) => {
      const value = (item as Record<string, unknown> | null)?.path;
      if (typeof value === "string") {
        entries.push({ field: `${field}[${index}].path`, written: value, line: lineAt([field, index, "path"]), expect: "file" });
      }
    });
  }
  // helmCharts value files are read by helm, through kustomize
  const charts = content.helmCharts;
  if (Array.isArray(charts)) {
    charts.forEach((chart, index) => {
      const spec = (chart ?? {}) as Record<string, unknown>;
      if (typeof spec.valuesFile === "string") {
        entries.push({ field: `helmCharts[${index}].valuesFile`, written: spec.valuesFile, line: lineAt(["helmCharts", index, "valuesFile"]), expect: "file" });
      }
      const additional = Array.isArray(spec.additionalValuesFiles) ? spec.additionalValuesFiles : [];
      additional.forEach((written, fileIndex) => {
        if (typeof written === "string") {
          entries.push({ field: `helmCharts[${index}].additionalValuesFiles`, written, line: lineAt(["helmCharts", index, "additionalValuesFiles", fileIndex]), expect: "file" });
        }
      });
    });
  }
  const openapi = (content.openapi as Record<string, unknown> | undefined)?.path;
  if (typeof openapi === "string") entries.push({ field: "openapi.path", written: openapi, line: lineAt(["openapi", "path"]), expect: "file" });

  for (const field of ["configMapGenerator", "secretGenerator"]) {
    const list = content[field];
    if (!Array.isArray(list)) continue;
    list.forEach((generator, index) => {
      const spec = (generator ?? {}) as Record<string, unknown>;
      const files = Array.isArray(spec.files) ? spec.files : [];
      files.forEach((entry, fileIndex) => {
        if (typeof entry !== "string") return;
        // "key=path" or "path"
        const equals = entry.indexOf("=");
        const written = equals >= 0 ? entry.slice(equals + 1) : entry;
        entries.push({ field: `${field}[${index}].files`, written, line: lineAt([field, index, "files", fileIndex]), expect: "any" });
      });
      const envs = [...(Array.isArray(spec.envs) ? spec.envs : []), ...(typeof spec.env === "string" ? [spec.env] : [])];
      envs.forEach((entry, envIndex) => {
        if (typeof entry !== "string") return;
        const steps = typeof spec.env === "string" && envIndex === envs.length - 1 ? [field, index, "env"] : [field, index, "envs", envIndex];
        entries.push({ field: `${field}[${index}].envs`, written: entry, line: lineAt(steps), expect: "file" });
      });
    });
  }
  return entries;
}

function collectGenerators(content: Record<string, unknown>, doc: Document.Parsed, parsed: ParsedYaml): Kustomization["generators"] {
  const generators: Kustomization["generators"] = [];
  for (const [field, kind] of [
    ["configMapGenerator", "ConfigMap"],
    ["secretGenerator", "Secret"],
  ] as const) {
    const list = content[field];
    if (!Array.isArray(list)) continue;
    list.forEach((generator, index) => {
      const name = (generator as Record<string, unknown> | null)?.name;
      if (typeof name === "string") {
        generators.push({ kind, name, line: lineOfNode(parsed, nodeAt(doc, [field, index, "name"]), 1) });
      }
    });
  }
  return generators;
}

/** An inline patch has YAML structure; a file name does not. */
function looksInline(entry: string): boolean {
  return entry.includes("\n") || /^\s*(apiVersion|kind|metadata)\s*:/.test(entry);
}

function problem(file: string, line: number, message: string): Finding {
  return { ruleId: "kustomization-invalid", severity: "error", message, location: { file, line } };
}
