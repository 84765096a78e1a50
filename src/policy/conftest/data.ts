// The `data` document conftest gives policies: the JSON and YAML files found with them, each merged at the path of
// its directory below the directory it was found in (OPA's loader: policy/kubernetes/ports.yaml → data.kubernetes).
// Conflicting values are a problem naming the file, as OPA's merge error is.
import { UserError } from "../../errors.js";
import { parseYaml } from "../../util/yaml.js";

export interface PolicyFile {
  /** The configured directory it was found in (repository-relative; a file named itself: its own directory). */
  root: string;
  /** The file, repository-relative. */
  file: string;
  text: string;
}

export interface DataProblem {
  file: string;
  line?: number;
  message: string;
}

export const isDataFile = (file: string): boolean => /\.(json|ya?ml)$/i.test(file);
export const isRegoFile = (file: string): boolean => /\.rego$/i.test(file);

/** Directory segments of a file below its root: (policy, policy/k8s/ports.yaml) → ["k8s"]. */
export function dataPathOf(root: string, file: string): string[] {
  const prefix = root === "" || root === "." ? "" : `${root.replace(/\/+$/, "")}/`;
  // "" is the root of a bundle; a file outside its root is merged at the root
  const relative = prefix === "" ? file : file.startsWith(prefix) ? file.slice(prefix.length) : file.slice(file.lastIndexOf("/") + 1);
  return relative.split("/").slice(0, -1).filter((segment) => segment !== "" && segment !== ".");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Sets an own property, even one named like __proto__ (keys come from the files). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Merges `value` into `target` at `path`; returns the dotted path of a conflict, if any. */
function mergeAt(target: Record<string, unknown>, path: string[], value: Record<string, unknown>): string | undefined {
  let node = target;
  for (const [i, segment] of path.entries()) {
    const next = Object.hasOwn(node, segment) ? node[segment] : undefined;
    if (next === undefined) define(node, segment, {});
    else if (!isPlainObject(next)) return path.slice(0, i + 1).join(".");
    node = node[segment] as Record<string, unknown>;
  }
  return mergeObjects(node, value, path);
}

function mergeObjects(target: Record<string, unknown>, value: Record<string, unknown>, path: string[]): string | undefined {
  for (const [key, item] of Object.entries(value)) {
    const existing = Object.hasOwn(target, key) ? target[key] : undefined;
    if (existing === undefined) define(target, key, item);
    else if (isPlainObject(existing) && isPlainObject(item)) {
      const conflict = mergeObjects(existing, item, [...path, key]);
      if (conflict) return conflict;
    } else return [...path, key].join(".");
  }
  return undefined;
}

function parseDataFile(file: PolicyFile): unknown {
  if (/\.json$/i.test(file.file)) {
    try {
      return JSON.parse(file.text);
    } catch (error) {
      throw new UserError(`invalid JSON: ${(error as Error).message}`, { file: file.file });
    }
  }
  const documents = parseYaml(file.text, file.file).documents.filter((document) => document.value !== null && document.value !== undefined);
  if (documents.length > 1) throw new UserError(`a data file must hold one YAML document, not ${documents.length}`, { file: file.file, line: documents[1]!.line });
  return documents[0]?.value ?? {};
}

/** The data document of the data files among `files`; a file that cannot be read or merged is left out. */
export function buildDataDocument(files: PolicyFile[]): { data: Record<string, unknown>; problems: DataProblem[] } {
  const data: Record<string, unknown> = {};
  const problems: DataProblem[] = [];
  for (const file of [...files].filter((candidate) => isDataFile(candidate.file)).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) {
    let value: unknown;
    try {
      value = parseDataFile(file);
    } catch (error) {
      const location = error instanceof UserError ? error.location : undefined;
      problems.push({ file: file.file, ...(location?.line ? { line: location.line } : {}), message: (error as Error).message });
      continue;
    }
    if (!isPlainObject(value)) {
      problems.push({ file: file.file, message: "a data file must hold an object (a map)" });
      continue;
    }
    // merged into a copy: a file that conflicts leaves nothing of itself behind
    const candidate = structuredClone(data);
    const conflict = mergeAt(candidate, dataPathOf(file.root, file.file), value);
    if (conflict) problems.push({ file: file.file, message: `data.${conflict} is set by another data file too: merge conflict` });
    else for (const [key, item] of Object.entries(candidate)) define(data, key, item);
  }
  return { data, problems };
}
