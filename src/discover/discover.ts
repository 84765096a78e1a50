// Finds the environments of one revision of a repository, and the set of files each one reads.
import path from "node:path";
import type { Config } from "../config/config.ts";
import type { Environment, Finding } from "../model.ts";
import type { DirEntry, Files } from "../ports.ts";
import { UserError } from "../errors.ts";
import { globToRegExp, isInside, joinRepoPath } from "../util/paths.ts";
import { parseYaml } from "../util/yaml.ts";
import { KUSTOMIZATION_FILE_NAMES, readKustomization, type Kustomization, type TargetType } from "./kustomization.ts";
import type { RenderSpec } from "./spec.ts";

/** Directories never searched: version control, dependencies, and hidden tool folders. */
const SKIPPED_DIRECTORIES = new Set(["node_modules", "vendor"]);
const YAML_FILE = /\.(ya?ml|json)$/i;
/** Generator sources are data to kustomize, not YAML it parses. */
const GENERATOR_FIELD = /^(configMapGenerator|secretGenerator)\[/;

export interface DiscoveredEnvironment {
  environment: Environment;
  /** How it is rendered. */
  spec: RenderSpec;
  /** Every repository file the render reads (kustomization files included). */
  inputs: Set<string>;
  /** Inputs kustomize parses as YAML, still to be checked (kustomization files are checked on discovery). */
  yamlInputs: Set<string>;
  /** Problems that make it unrenderable: missing or escaping paths, cycles, remote bases. */
  problems: Finding[];
  /** Findings that do not stop the render (a substitution source outside the repository…). */
  notices?: Finding[];
  /**
   * For an environment defined by an object another render produced: that object (and what it reads),
   * canonically, so that a change made by the parent (a patch, a substitution) counts as a change.
   */
  definition?: string;
}

export interface Discovery {
  /** Leaf Kustomize directories and configured directories (the pullers' environments are found later). */
  environments: DiscoveredEnvironment[];
  kustomizations: Map<string, Kustomization>;
  /** Every YAML file of the repository (repository-relative), outside hidden and vendored directories. */
  yamlFiles: string[];
  /** Every directory of the repository, as walked. */
  directories: Map<string, DirEntry[]>;
  /** The transitive inputs of a kustomization directory. */
  closureOf(dir: string): Closure;
  /** What a repository path is, judged by its real path (symlinks leading out count as outside). */
  typeOf(repoPath: string): Promise<TargetType>;
  /** The real path of the checkout's root. */
  realRoot: string;
}

export interface DiscoverOptions {
  root: string;
  files: Files;
  config: Config;
}

/** Scans a checkout for kustomizations and returns the environments to verify. */
export async function discover({ root, files, config }: DiscoverOptions): Promise<Discovery> {
  const realRoot = (await files.realpath(root)) ?? root;
  const typeOf = targetTypes(realRoot, files);
  const kustomizations = new Map<string, Kustomization>();
  const scanProblems: Finding[] = [];
  const yamlFiles: string[] = [];
  const directories = new Map<string, DirEntry[]>();

  for (const { dir, entries } of await walkDirectories(files, realRoot)) {
    directories.set(dir, entries);
    for (const entry of entries) if (entry.type === "file" && /\.ya?ml$/i.test(entry.name)) yamlFiles.push(joinPath(dir, entry.name));
    const present: string[] = [];
    for (const name of KUSTOMIZATION_FILE_NAMES) {
      const entry = entries.find((candidate) => candidate.name === name);
      if (entry && (entry.type === "file" || (await typeOf(joinPath(dir, name))) === "file")) present.push(name);
    }
    if (present.length === 0) continue;
    const file = joinPath(dir, present[0]!);
    const kustomization = await loadKustomization(files, realRoot, file, typeOf);
    if (present.length > 1) {
      kustomization.problems.push({
        ruleId: "kustomization-invalid",
        severity: "error",
        message: `found several kustomization files in one directory (${present.join(", ")}); kustomize refuses this`,
        location: { file },
      });
    }
    kustomizations.set(dir, kustomization);
  }

  const referenced = new Set<string>();
  for (const kustomization of kustomizations.values()) {
    for (const reference of kustomization.references) {
      if (reference.kind === "directory") referenced.add(reference.target);
    }
  }

  const candidates = new Map<string, Environment>();
  for (const kustomization of kustomizations.values()) {
    if (kustomization.isComponent || referenced.has(kustomization.dir)) continue;
    candidates.set(kustomization.dir, { name: kustomization.dir, kind: "kustomize", path: kustomization.dir });
  }
  for (const written of config.environments.paths) {
    const dir = path.posix.normalize(written.replace(/\/+$/, "")) || ".";
    if (dir.startsWith("..") || path.posix.isAbsolute(dir)) {
      throw new UserError(`environments.paths: "${written}" is outside the repository`, { file: ".gitops-verify.yaml" });
    }
    const kind = kustomizations.has(dir) ? "kustomize" : "directory";
    candidates.set(dir, { name: dir, kind, path: dir });
  }

  const include = config.environments.include.map(globToRegExp);
  const exclude = config.environments.exclude.map(globToRegExp);
  const selected = [...candidates.values()]
    .filter((env) => include.length === 0 || include.some((glob) => glob.test(env.path)))
    .filter((env) => !exclude.some((glob) => glob.test(env.path)))
    .sort((a, b) => a.name.localeCompare(b.name));

  const closures = new ClosureBuilder(kustomizations);
  const environments: DiscoveredEnvironment[] = [];
  for (const environment of selected) {
    if (environment.kind === "kustomize") {
      const closure = closures.of(environment.path);
      const problems = [...scanProblems, ...closure.problems];
      if (!config.render.allowRemoteResources) problems.push(...closure.remote);
      const spec = { type: "kustomize" as const, path: environment.path, ...(closure.usesHelm ? { helm: true } : {}) };
      environments.push({ environment, spec, inputs: closure.files, yamlInputs: closure.yamlFiles, problems });
    } else {
      environments.push(await plainDirectory(environment, files, realRoot, typeOf));
    }
  }
  const closureOf = (dir: string) => {
    const closure = closures.of(dir);
    return config.render.allowRemoteResources ? closure : { ...closure, problems: [...closure.problems, ...closure.remote] };
  };
  return { environments, kustomizations, yamlFiles, directories, closureOf, typeOf, realRoot };
}

async function loadKustomization(
  files: Files,
  root: string,
  file: string,
  typeOf: (repoPath: string) => Promise<TargetType>,
): Promise<Kustomization> {
  try {
    const parsed = parseYaml(await files.readText(joinRepoPath(root, file)), file);
    return await readKustomization(parsed, file, typeOf);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return {
      dir: path.posix.dirname(file),
      file,
      isComponent: false,
      references: [],
      generators: [],
      usesHelm: false,
      problems: [{ ruleId: "yaml-invalid", severity: "error", message: error.message, location: error.location ?? { file } }],
    };
  }
}

export interface Closure {
  /** Some kustomization in it inflates Helm charts. */
  usesHelm: boolean;
  files: Set<string>;
  yamlFiles: Set<string>;
  problems: Finding[];
  /** Remote references, reported only when remote resources are not allowed. */
  remote: Finding[];
}

/** Transitive inputs of a kustomization directory, memoised, with cycle detection. */
class ClosureBuilder {
  private readonly done = new Map<string, Closure>();
  private readonly onStack: string[] = [];

  constructor(private readonly kustomizations: Map<string, Kustomization>) {}

  of(dir: string): Closure {
    const cached = this.done.get(dir);
    if (cached) return cached;
    const kustomization = this.kustomizations.get(dir);
    const closure: Closure = { usesHelm: false, files: new Set(), yamlFiles: new Set(), problems: [], remote: [] };
    if (!kustomization) return closure;
    this.onStack.push(dir);
    // kustomization files were parsed (and alias-checked) when they were read above
    closure.files.add(kustomization.file);
    closure.problems.push(...kustomization.problems);
    closure.usesHelm ||= kustomization.usesHelm;
    for (const reference of kustomization.references) {
      if (reference.kind === "missing") {
        closure.files.add(reference.target);
        // a missing directory's kustomization file too, so that adding it counts as a change
        for (const name of KUSTOMIZATION_FILE_NAMES) closure.files.add(`${reference.target}/${name}`);
      } else if (reference.kind === "file") {
        closure.files.add(reference.target);
        if (!GENERATOR_FIELD.test(reference.field)) closure.yamlFiles.add(reference.target);
      } else if (reference.kind === "remote") {
        closure.remote.push({
          ruleId: "remote-resource",
          severity: "error",
          message: `${reference.field} references the remote "${reference.written}"; remote bases are not fetched unless render.allowRemoteResources is set`,
          location: { file: kustomization.file, line: reference.line },
        });
      } else if (this.onStack.includes(reference.target)) {
        const cycle = [...this.onStack.slice(this.onStack.indexOf(reference.target)), reference.target];
        closure.problems.push({
          ruleId: "kustomization-cycle",
          severity: "error",
          message: `kustomizations include each other in a cycle: ${cycle.join(" -> ")}`,
          location: { file: kustomization.file, line: reference.line },
        });
      } else if (!this.kustomizations.has(reference.target)) {
        closure.problems.push({
          ruleId: "kustomization-invalid",
          severity: "error",
          message: `${reference.field} references the directory "${reference.written}", which has no kustomization file`,
          location: { file: kustomization.file, line: reference.line },
        });
      } else {
        const inner = this.of(reference.target);
        closure.usesHelm ||= inner.usesHelm;
        for (const file of inner.files) closure.files.add(file);
        for (const file of inner.yamlFiles) closure.yamlFiles.add(file);
        addUnique(closure.problems, inner.problems);
        addUnique(closure.remote, inner.remote);
      }
    }
    this.onStack.pop();
    this.done.set(dir, closure);
    return closure;
  }
}

function addUnique(into: Finding[], from: Finding[]): void {
  for (const finding of from) if (!into.includes(finding)) into.push(finding);
}

/** A directory of plain manifests: every YAML or JSON file below it. */
async function plainDirectory(
  environment: Environment,
  files: Files,
  root: string,
  typeOf: (repoPath: string) => Promise<TargetType>,
): Promise<DiscoveredEnvironment> {
  const type = await typeOf(environment.path);
  if (type !== "directory") {
    const why = type === "outside" ? "is outside the repository" : type === "missing" ? "does not exist" : "is not a directory";
    return {
      environment,
      spec: { type: "directory", path: environment.path },
      inputs: new Set(),
      yamlInputs: new Set(),
      problems: [{ ruleId: "environment-invalid", severity: "error", message: `environment path "${environment.path}" ${why}`, location: { file: ".gitops-verify.yaml" } }],
    };
  }
  const inputs = new Set<string>();
  for (const { dir, entries } of await walkDirectories(files, root, environment.path)) {
    for (const entry of entries) {
      if (entry.type === "file" && YAML_FILE.test(entry.name)) inputs.add(joinPath(dir, entry.name));
    }
  }
  return { environment, spec: { type: "directory", path: environment.path }, inputs, yamlInputs: inputs, problems: [] };
}

/** All directories below `start` (repository-relative), not following symlinks, skipping hidden ones. */
export async function walkDirectories(files: Files, root: string, start = "."): Promise<Array<{ dir: string; entries: DirEntry[] }>> {
  const result: Array<{ dir: string; entries: DirEntry[] }> = [];
  const queue = [start];
  while (queue.length > 0) {
    const dir = queue.shift()!;
    const entries = await files.list(joinRepoPath(root, dir));
    result.push({ dir, entries });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.type !== "directory" || entry.name.startsWith(".") || SKIPPED_DIRECTORIES.has(entry.name)) continue;
      queue.push(joinPath(dir, entry.name));
    }
  }
  return result;
}

/**
 * What a repository-relative path is, judged by its real path: a symlink that leads out of the
 * repository counts as outside, so kustomize is never asked to read it.
 */
function targetTypes(realRoot: string, files: Files): (repoPath: string) => Promise<TargetType> {
  const cache = new Map<string, Promise<TargetType>>();
  const resolve = async (repoPath: string): Promise<TargetType> => {
    if (repoPath === ".." || repoPath.startsWith("../") || path.posix.isAbsolute(repoPath)) return "outside";
    const real = await files.realpath(joinRepoPath(realRoot, repoPath));
    if (real === undefined) return "missing";
    if (!isInside(realRoot, real)) return "outside";
    const info = await files.stat(real);
    if (!info) return "missing";
    return info.type === "directory" ? "directory" : info.type === "file" ? "file" : "missing";
  };
  return (repoPath) => {
    let result = cache.get(repoPath);
    if (!result) cache.set(repoPath, (result = resolve(repoPath)));
    return result;
  };
}

export function joinPath(dir: string, name: string): string {
  return dir === "." ? name : `${dir}/${name}`;
}
