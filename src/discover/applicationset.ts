// Expands an Argo CD ApplicationSet into the Applications its controller would generate: the list, git
// (directories and files), clusters, matrix and merge generators, generator-level templates and selectors, both
// template syntaxes (fasttemplate and goTemplate) and templatePatch, as argo-cd v3 applicationset/ does them.
// Pure: the repository and the clusters are handed in. Where Argo would fail the whole ApplicationSet, this
// reports a problem and keeps what did expand, so a review still sees the rest.
import type { KubeObject } from "../model.ts";
import {
  asStringMap,
  asStringSlice,
  cloneGo,
  compareBytes,
  goJson,
  goPathBase,
  goPathDir,
  goQuote,
  goTrimSpace,
  isGoMap,
  isTypedCollection,
  mergeMaps,
  parseGoTemplateOptions,
  parseGoYaml,
  renderGoTemplate,
  sanitizeName,
  setKey,
  sprintValue,
  toGoValue,
  type GoMap,
  type GoTemplateOptions,
  type GoValue,
} from "../util/go-template.ts";

/** What the generator may see of the repository at one revision. Paths are repository-relative POSIX paths. */
export interface RepositoryView {
  /** Does a git generator's repoURL (and revision) point at this repository? */
  isThisRepository(repoURL: string, revision: string | undefined): boolean;
  /** Every directory of the repository (not hidden ones), repository-relative, e.g. "apps/web". */
  directories(): string[];
  /** Every file of the repository, repository-relative. */
  files(): string[];
  /** A file's text (only called for files returned by files()). */
  readText(path: string): Promise<string>;
}

/**
 * A cluster Argo CD knows, as its cluster Secret describes it. Argo CD's local cluster (server
 * https://kubernetes.default.svc without labels or annotations) has no Secret; the generator adds it itself when no
 * cluster has that server, so listing it is optional.
 */
export interface ClusterInfo {
  name: string;
  server: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** The Secret's `project` (the cluster generator's `project` parameter). */
  project?: string;
}

export interface ExpansionProblem {
  message: string;
  /** dotted path in the ApplicationSet, e.g. "spec.generators[0].git" */
  path?: string;
}

export interface ExpansionResult {
  applications: KubeObject[];
  problems: ExpansionProblem[];
  /** repository files the result depends on (matched git files; for directories, nothing extra) */
  reads: string[];
}

export interface ExpandOptions {
  /**
   * The controller's applicationsetcontroller.enable.new.git.file.globbing: git files patterns as doublestar globs
   * (`*` stays in one directory, `**` spans directories) instead of git pathspecs (`*` matches across `/`).
   */
  newGitFileGlobbing?: boolean;
}

const IN_CLUSTER_NAME = "in-cluster";
const IN_CLUSTER_SERVER = "https://kubernetes.default.svc";
const SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type";
const RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io";
/** ApplicationSetGenerator's fields in Go's declaration order (the order Argo visits them in). */
const GENERATOR_KINDS = ["list", "clusters", "git", "scmProvider", "clusterDecisionResource", "pullRequest", "matrix", "merge", "plugin"] as const;
type GeneratorKind = (typeof GENERATOR_KINDS)[number];
const OUTSIDE: Partial<Record<GeneratorKind, string>> = {
  scmProvider: "asks an SCM provider's API for repositories",
  clusterDecisionResource: "reads a resource in the cluster",
  pullRequest: "asks an SCM provider's API for pull requests",
  plugin: "calls a plugin service",
};

/** One ApplicationSet template: the metadata fields Argo copies into the Application, and the spec. */
interface AppTemplate {
  metadata: Record<string, unknown>;
  spec: Record<string, unknown>;
}
interface TransformResult {
  params: GoMap[];
  template: AppTemplate;
  /** Where a template field was written: the generator's own template or spec.template. */
  fieldPath: (field: string) => string;
}
interface Context {
  goTemplate: boolean;
  templateOptions: GoTemplateOptions;
  repository: RepositoryView;
  clusters: ClusterInfo[];
  options: ExpandOptions;
  problems: ExpansionProblem[];
  reads: Set<string>;
}

/** A generator that yields nothing: Argo fails the ApplicationSet with this message. */
class GeneratorError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}
/** A template string that does not render. */
class RenderError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

/** The Applications an ApplicationSet generates from this repository and these clusters. */
export async function expandApplicationSet(
  applicationSet: KubeObject,
  repository: RepositoryView,
  clusters: ClusterInfo[],
  options: ExpandOptions = {},
): Promise<ExpansionResult> {
  const problems: ExpansionProblem[] = [];
  const reads = new Set<string>();
  const done = (applications: KubeObject[]): ExpansionResult => ({ applications, problems, reads: [...reads].sort(compareBytes) });
  const spec = asRecord(applicationSet.spec);
  if (!spec) {
    problems.push({ message: "the ApplicationSet has no spec", path: "spec" });
    return done([]);
  }
  const goTemplate = spec.goTemplate === true;
  let templateOptions: GoTemplateOptions = { missingKey: "invalid" };
  if (goTemplate) {
    try {
      templateOptions = parseGoTemplateOptions(Array.isArray(spec.goTemplateOptions) ? spec.goTemplateOptions.map(String) : []);
    } catch (error) {
      problems.push({ message: (error as Error).message, path: "spec.goTemplateOptions" });
      return done([]);
    }
  }
  if (!Array.isArray(spec.generators)) {
    problems.push({ message: "the ApplicationSet has no generators", path: "spec.generators" });
    return done([]);
  }
  const context: Context = { goTemplate, templateOptions, repository, clusters, options, problems, reads };
  const baseTemplate = templateOf(spec.template);
  const metadata = asRecord(applicationSet.metadata) ?? {};
  const namespace = typeof metadata.namespace === "string" && metadata.namespace ? metadata.namespace : undefined;
  const applications: KubeObject[] = [];
  const names = new Set<string>();
  for (const [i, generator] of spec.generators.entries()) {
    const path = `spec.generators[${i}]`;
    let results: TransformResult[];
    try {
      results = await transform(generator, path, baseTemplate, {}, 0, context);
    } catch (error) {
      if (!(error instanceof GeneratorError)) throw error;
      problems.push({ message: error.message, path: error.path });
      continue;
    }
    for (const result of results) {
      result.params.forEach((params, index) => {
        const where = `${path} (parameter set ${index + 1})`;
        const application = renderApplication(result, params, spec, namespace, where, context);
        if (!application) return;
        const name = (application.metadata as { name: string }).name;
        if (names.has(name)) {
          problems.push({ message: `${where}: the ApplicationSet generates two Applications named ${goQuote(name)}; Argo CD creates only the first`, path });
          return;
        }
        names.add(name);
        applications.push(application);
      });
    }
  }
  return done(applications);
}

// ---------------------------------------------------------------------------------------------------------------
// Generators (generators/generator_spec_processor.go: Transform)

async function transform(generator: unknown, path: string, baseTemplate: AppTemplate, params: GoMap, depth: number, context: Context): Promise<TransformResult[]> {
  const spec = asRecord(generator);
  if (!spec) throw new GeneratorError("a generator must be a mapping", path);
  const selector = parseSelector(spec.selector, `${path}.selector`);
  // a combination generator's children may combine once more; their children are terminal (list, clusters, git)
  const kinds = GENERATOR_KINDS.filter((kind) => spec[kind] !== undefined && spec[kind] !== null && !(depth >= 2 && (kind === "matrix" || kind === "merge")));
  if (kinds.length === 0 && depth === 0) {
    const written = Object.keys(spec).filter((key) => key !== "selector");
    context.problems.push({ message: `unrecognized generator${written.length ? `: ${written.join(", ")}` : ""}; Argo CD generates nothing from it`, path });
  }
  const results: TransformResult[] = [];
  for (const kind of kinds) {
    const kindPath = `${path}.${kind}`;
    if (OUTSIDE[kind]) throw new GeneratorError(`the ${kind} generator ${OUTSIDE[kind]}: it cannot be expanded here`, kindPath);
    const kindSpec = asRecord(spec[kind]);
    if (!kindSpec) throw new GeneratorError(`${kind} must be a mapping`, kindPath);
    const own = templateOf(kindSpec.template);
    const template = depth === 0 ? mergeTemplate(own, baseTemplate) : baseTemplate;
    let interpolated = spec;
    if (Object.keys(params).length > 0) {
      // a matrix renders its second generator with the first one's parameters before running it
      try {
        interpolated = renderValue(spec, cloneGo(params), context, path) as Record<string, unknown>;
      } catch (error) {
        if (error instanceof RenderError) throw new GeneratorError(`failed to replace parameters in generator: ${error.message}`, error.path);
        throw error;
      }
    }
    const generated = await generateParams(kind, asRecord(interpolated[kind]) ?? {}, kindPath, depth, context);
    results.push({
      params: selector ? generated.filter((set) => selector(flattenParams(set))) : generated,
      template,
      fieldPath: (field) => (isEmptyGo(valueAt(own, field)) ? `spec.template.${field}` : `${kindPath}.template.${field}`),
    });
  }
  return results;
}

async function generateParams(kind: GeneratorKind, spec: Record<string, unknown>, path: string, depth: number, context: Context): Promise<GoMap[]> {
  switch (kind) {
    case "list":
      return listParams(spec, path, context);
    case "clusters":
      return clusterParams(spec, path, context);
    case "git":
      return gitParams(spec, path, context);
    case "matrix":
      return matrixParams(spec, path, depth, context);
    case "merge":
      return mergeParams(spec, path, depth, context);
    default:
      throw new GeneratorError(`the ${kind} generator cannot be expanded here`, path);
  }
}

/** The parameters of one child of a matrix or merge (its own template is ignored, as Argo ignores it). */
async function childParams(child: unknown, path: string, params: GoMap, depth: number, context: Context): Promise<GoMap[]> {
  const results = await transform(child, path, { metadata: {}, spec: {} }, params, depth + 1, context);
  if (results.length === 0) throw new GeneratorError("child generator generated no parameters", path);
  if (results.length > 1) throw new GeneratorError("found more than one generator in matrix.Generators", path);
  return results[0]!.params;
}

/** matrix.go: every parameter set of the first child with every set of the second, which may use the first's. */
async function matrixParams(spec: Record<string, unknown>, path: string, depth: number, context: Context): Promise<GoMap[]> {
  const children = Array.isArray(spec.generators) ? spec.generators : [];
  if (children.length < 2) throw new GeneratorError("found less than two generators, Matrix support only two", path);
  if (children.length > 2) throw new GeneratorError("found more than two generators, Matrix support only two", path);
  const out: GoMap[] = [];
  for (const first of await childParams(children[0], `${path}.generators[0]`, {}, depth, context)) {
    for (const second of await childParams(children[1], `${path}.generators[1]`, first, depth, context)) {
      if (context.goTemplate) {
        // mergo: the second's parameters, then the first's over them (nested maps merge)
        const combined: GoMap = {};
        mergeMaps(combined, cloneGo(second), true);
        mergeMaps(combined, cloneGo(first), true);
        out.push(combined);
      } else out.push(combineStringMaps(first, second, path));
    }
  }
  return out;
}

function combineStringMaps(a: GoMap, b: GoMap, path: string): GoMap {
  const combined: GoMap = {};
  for (const [key, value] of Object.entries(a)) setKey(combined, key, sprintValue(value));
  for (const [key, value] of Object.entries(b)) {
    const text = sprintValue(value);
    const current = combined[key];
    if (current !== undefined && current !== text) {
      throw new GeneratorError(`failed to combine string maps with merging params for the matrix generator: found duplicate key ${key} with different value, a: ${String(current)} ,b: ${text}`, path);
    }
    setKey(combined, key, text);
  }
  return combined;
}

/** merge.go: the first child's parameter sets, each overridden by the other children's sets with equal merge keys. */
async function mergeParams(spec: Record<string, unknown>, path: string, depth: number, context: Context): Promise<GoMap[]> {
  const children = Array.isArray(spec.generators) ? spec.generators : [];
  if (children.length < 2) throw new GeneratorError("found less than two generators, Merge requires two or more", path);
  const sets: GoMap[][] = [];
  for (const [i, child] of children.entries()) sets.push(await childParams(child, `${path}.generators[${i}]`, {}, depth, context));
  const mergeKeys = Array.isArray(spec.mergeKeys) ? spec.mergeKeys.map(String) : [];
  if (mergeKeys.length === 0) throw new GeneratorError("no merge keys were specified, Merge requires at least one", `${path}.mergeKeys`);
  // Argo returns these in Go map order (random); the base generator's order is one of those orders
  const base = byMergeKey(mergeKeys, sets[0]!, `${path}.generators[0]`);
  sets.slice(1).forEach((other, i) => {
    const overrides = byMergeKey(mergeKeys, other, `${path}.generators[${i + 1}]`);
    for (const [key, set] of base) {
      const override = overrides.get(key);
      if (!override) continue;
      if (context.goTemplate) mergeMaps(set, cloneGo(override), true);
      else for (const [name, value] of Object.entries(override)) setKey(set, name, value);
    }
  });
  return [...base.values()];
}

function byMergeKey(mergeKeys: string[], sets: GoMap[], path: string): Map<string, GoMap> {
  const keys = [...new Set(mergeKeys)];
  const byKey = new Map<string, GoMap>();
  for (const set of sets) {
    const keyValues: GoMap = {};
    for (const key of keys) setKey(keyValues, key, Object.prototype.hasOwnProperty.call(set, key) ? (set[key] ?? null) : null);
    const key = goJson(keyValues);
    if (byKey.has(key)) {
      throw new GeneratorError(`the parameters from a generator were not unique by the given mergeKeys, Merge requires all param sets to be unique. Duplicate key was ${key}`, path);
    }
    byKey.set(key, set);
  }
  return byKey;
}

/** list.go: one parameter set per element (fasttemplate: string values only, values.* flattened). */
function listParams(spec: Record<string, unknown>, path: string, context: Context): GoMap[] {
  const elements = spec.elements ?? [];
  if (!Array.isArray(elements)) throw new GeneratorError("elements must be a list", `${path}.elements`);
  const out: GoMap[] = [];
  elements.forEach((element, i) => {
    if (element !== null && element !== undefined && !isGoMap(element)) {
      throw new GeneratorError(`error unmarshling list element json: cannot unmarshal ${jsonKind(element)} into Go value of type map[string]interface {}`, `${path}.elements[${i}]`);
    }
    out.push(listElement(toGoValue(element ?? {}) as GoMap, `${path}.elements[${i}]`, context));
  });
  if (typeof spec.elementsYaml === "string" && spec.elementsYaml !== "") {
    let parsed: GoValue;
    try {
      parsed = parseGoYaml(spec.elementsYaml);
    } catch (error) {
      throw new GeneratorError(`error unmarshling decoded ElementsYaml ${(error as Error).message}`, `${path}.elementsYaml`);
    }
    const items = parsed === null ? [] : parsed;
    if (!Array.isArray(items) || items.some((item) => item !== null && !isGoMap(item))) {
      throw new GeneratorError("error unmarshling decoded ElementsYaml: it must be a list of mappings", `${path}.elementsYaml`);
    }
    items.forEach((item, i) => out.push(listElement((item ?? {}) as GoMap, `${path}.elementsYaml[${i}]`, context)));
  }
  return out;
}

function listElement(element: GoMap, path: string, context: Context): GoMap {
  if (context.goTemplate) return element;
  const params: GoMap = {};
  const value = (item: GoValue, key: string): string => {
    if (typeof item === "string") return item;
    if (typeof item === "boolean" || typeof item === "number") return sprintValue(item);
    if (item === null || item === undefined) return "";
    throw new GeneratorError(`unsupported value type ${goTypeOf(item)} for key ${goQuote(key)}: nested objects and arrays are not supported in non-GoTemplate mode`, path);
  };
  for (const [key, item] of Object.entries(element)) {
    if (key !== "values") setKey(params, key, value(item, key));
    else if (!isGoMap(item)) throw new GeneratorError("error parsing values map", `${path}.values`);
    else for (const [name, nested] of Object.entries(item)) setKey(params, `values.${name}`, value(nested, name));
  }
  return params;
}

/** cluster.go: the local cluster (unless a selector is set or a cluster claims its server), then the cluster Secrets. */
function clusterParams(spec: Record<string, unknown>, path: string, context: Context): GoMap[] {
  const selectorSpec = asRecord(spec.selector) ?? {};
  const hasSelector =
    (Array.isArray(selectorSpec.matchExpressions) && selectorSpec.matchExpressions.length > 0) || Object.keys(asRecord(selectorSpec.matchLabels) ?? {}).length > 0;
  const selector = parseSelector(spec.selector ?? {}, `${path}.selector`)!;
  const values = stringMap(spec.values, `${path}.values`);
  const isLocal = (cluster: ClusterInfo) => cluster.server === IN_CLUSTER_SERVER && isEmptyGo(cluster.labels ?? {}) && isEmptyGo(cluster.annotations ?? {});
  // Secrets are found by name: a later Secret with the same name replaces an earlier one
  const secrets = new Map<string, ClusterInfo>();
  for (const cluster of context.clusters) {
    if (isLocal(cluster)) continue;
    const labels = { [SECRET_TYPE_LABEL]: "cluster", ...cluster.labels };
    if (selector(labels)) secrets.set(cluster.name, { ...cluster, labels });
  }
  const params: GoMap[] = [];
  if (!hasSelector && ![...secrets.values()].some((cluster) => cluster.server === IN_CLUSTER_SERVER)) {
    params.push({ name: IN_CLUSTER_NAME, nameNormalized: IN_CLUSTER_NAME, server: IN_CLUSTER_SERVER, project: "" });
  }
  for (const cluster of secrets.values()) {
    const set: GoMap = { name: cluster.name, nameNormalized: sanitizeName(cluster.name), server: cluster.server, project: cluster.project ?? "" };
    const labels = cluster.labels ?? {};
    const annotations = cluster.annotations ?? {};
    if (context.goTemplate) {
      const meta: GoMap = {};
      if (Object.keys(annotations).length > 0) setKey(meta, "annotations", asStringMap({ ...annotations }));
      if (Object.keys(labels).length > 0) setKey(meta, "labels", asStringMap({ ...labels }));
      set.metadata = meta;
    } else {
      for (const [key, value] of Object.entries(annotations)) setKey(set, `metadata.annotations.${key}`, value);
      for (const [key, value] of Object.entries(labels)) setKey(set, `metadata.labels.${key}`, value);
    }
    params.push(set);
  }
  for (const set of params) appendValues(values, set, path, context);
  return spec.flatList === true ? [{ clusters: params }] : params;
}

/** git.go: one parameter set per matching directory, or per object in each matching JSON/YAML file. */
async function gitParams(spec: Record<string, unknown>, path: string, context: Context): Promise<GoMap[]> {
  const repoURL = typeof spec.repoURL === "string" ? spec.repoURL : "";
  const revision = typeof spec.revision === "string" && spec.revision !== "" ? spec.revision : undefined;
  if (!context.repository.isThisRepository(repoURL, revision)) {
    throw new GeneratorError(`the git generator reads ${repoURL || "(no repoURL)"}${revision ? ` at revision ${revision}` : ""}, which is not this repository: it cannot be expanded here`, path);
  }
  const prefix = typeof spec.pathParamPrefix === "string" ? spec.pathParamPrefix : "";
  const values = stringMap(spec.values, `${path}.values`);
  if (Array.isArray(spec.directories) && spec.directories.length > 0) {
    return directoryParams(gitItems(spec.directories, `${path}.directories`), prefix, values, path, context);
  }
  if (Array.isArray(spec.files) && spec.files.length > 0) {
    return fileParams(gitItems(spec.files, `${path}.files`), prefix, values, path, context);
  }
  throw new GeneratorError("ApplicationSet is empty: the git generator has neither directories nor files", path);
}

interface GitItem {
  path: string;
  exclude: boolean;
}
function gitItems(items: unknown[], path: string): GitItem[] {
  return items.map((item, i) => {
    const record = asRecord(item);
    if (!record || typeof record.path !== "string") throw new GeneratorError("each entry needs a path", `${path}[${i}]`);
    return { path: record.path, exclude: record.exclude === true };
  });
}

function directoryParams(items: GitItem[], prefix: string, values: Record<string, string>, path: string, context: Context): GoMap[] {
  // the repo-server walks the checkout in lexical order and skips directories whose name starts with "."
  const all = context.repository
    .directories()
    .filter((dir) => dir !== "" && dir !== "." && !dir.split("/").some((segment) => segment.startsWith(".")))
    .sort(compareWalkOrder);
  const malformed = new Set<string>();
  const selected = all.filter((dir) => {
    let include = false;
    let exclude = false;
    for (const item of items) {
      const match = goPathMatch(item.path, dir);
      if (match === "malformed") malformed.add(item.path);
      else if (match && item.exclude) exclude = true;
      else if (match) include = true;
    }
    // an exclude wins over any include, whatever the order
    return include && !exclude;
  });
  for (const pattern of malformed) {
    context.problems.push({ message: `the directory pattern ${goQuote(pattern)} is malformed (Go path.Match syntax): Argo CD matches nothing with it`, path: `${path}.directories` });
  }
  return selected.map((dir) => {
    const params: GoMap = {};
    const basename = goPathBase(dir);
    if (context.goTemplate) {
      const pathParam: GoMap = { path: dir, basename, basenameNormalized: sanitizeName(basename), segments: asStringSlice(dir.split("/")) };
      setKey(params, prefix || "path", prefix ? { path: pathParam } : pathParam);
    } else {
      const name = prefix ? `${prefix}.path` : "path";
      setKey(params, name, dir);
      setKey(params, `${name}.basename`, basename);
      setKey(params, `${name}.basenameNormalized`, sanitizeName(basename));
      dir.split("/").forEach((segment, i) => {
        if (segment !== "") setKey(params, `${name}[${i}]`, segment);
      });
    }
    appendValues(values, params, path, context);
    return params;
  });
}

async function fileParams(items: GitItem[], prefix: string, values: Record<string, string>, path: string, context: Context): Promise<GoMap[]> {
  const files = context.repository.files();
  const matched = new Set<string>();
  for (const item of items.filter((entry) => !entry.exclude)) for (const file of matchFiles(item.path, files, path, context)) matched.add(file);
  for (const item of items.filter((entry) => entry.exclude)) for (const file of matchFiles(item.path, files, path, context)) matched.delete(file);
  const out: GoMap[] = [];
  for (const file of [...matched].sort(compareBytes)) {
    context.reads.add(file);
    const text = await context.repository.readText(file);
    let objects: GoMap[];
    try {
      objects = parseGitFile(text);
    } catch (error) {
      throw new GeneratorError(`unable to process file '${file}': unable to parse file: ${(error as Error).message}`, path);
    }
    const dir = goPathDir(file);
    const basename = goPathBase(dir);
    const filename = goPathBase(file);
    for (const object of objects) {
      let params: GoMap;
      if (context.goTemplate) {
        params = { ...object };
        const pathParam: GoMap = {
          path: dir,
          basename,
          filename,
          basenameNormalized: sanitizeName(basename),
          filenameNormalized: sanitizeName(filename),
          segments: asStringSlice(dir.split("/")),
        };
        setKey(params, prefix || "path", prefix ? { path: pathParam } : pathParam);
      } else {
        params = {};
        for (const [key, value] of Object.entries(flatten(object))) setKey(params, key, sprintValue(value));
        const name = prefix ? `${prefix}.path` : "path";
        setKey(params, name, dir);
        setKey(params, `${name}.basename`, basename);
        setKey(params, `${name}.filename`, filename);
        setKey(params, `${name}.basenameNormalized`, sanitizeName(basename));
        setKey(params, `${name}.filenameNormalized`, sanitizeName(filename));
        dir.split("/").forEach((segment, i) => {
          if (segment !== "") setKey(params, `${name}[${i}]`, segment);
        });
      }
      appendValues(values, params, path, context);
      out.push(params);
    }
  }
  return out;
}

/** A JSON or YAML file as Argo reads it: a list of mappings, or one mapping; empty is one empty set. */
function parseGitFile(text: string): GoMap[] {
  const value = parseGoYaml(text);
  if (value === null || value === undefined) return [{}];
  if (Array.isArray(value)) {
    if (value.some((item) => item !== null && !isGoMap(item))) throw new Error("json: cannot unmarshal array into Go value of type map[string]interface {}");
    return value.length === 0 ? [{}] : value.map((item) => (item ?? {}) as GoMap);
  }
  if (isGoMap(value)) return [value];
  throw new Error(`json: cannot unmarshal ${jsonKind(value)} into Go value of type map[string]interface {}`);
}

/** value_interpolation.go: the generator's `values`, rendered with the parameters, as values.* (or .values). */
function appendValues(values: Record<string, string>, params: GoMap, path: string, context: Context): void {
  const entries = Object.entries(values);
  if (entries.length === 0) return;
  const rendered: GoMap = {};
  for (const [key, value] of entries) {
    try {
      setKey(rendered, key, replace(value, params, context));
    } catch (error) {
      throw new GeneratorError(`failed to append templated values: ${(error as Error).message}`, `${path}.values.${key}`);
    }
  }
  if (context.goTemplate) setKey(params, "values", asStringMap(rendered));
  else for (const [key, value] of Object.entries(rendered)) setKey(params, `values.${key}`, value);
}

// ---------------------------------------------------------------------------------------------------------------
// Matching paths: Go's path.Match (directories), git pathspecs or doublestar (files)

/** Which files a git files pattern selects: `git ls-files -- <pattern>`, or doublestar with the new globbing. */
function matchFiles(pattern: string, files: string[], path: string, context: Context): string[] {
  if (context.options.newGitFileGlobbing) {
    const regexp = doublestarRegExp(pattern.replace(/^\/+/, ""));
    return files.filter((file) => regexp.test(file));
  }
  if (pattern === "") throw new GeneratorError("empty string is not a valid pathspec", path);
  if (pattern.startsWith(":")) throw new GeneratorError(`the pathspec ${goQuote(pattern)} uses git pathspec magic, which is not supported here`, path);
  if (pattern.startsWith("/")) throw new GeneratorError(`${pattern}: '${pattern}' is outside repository`, path);
  const segments: string[] = [];
  for (const segment of pattern.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (segments.length === 0) throw new GeneratorError(`${pattern}: '${pattern}' is outside repository`, path);
      segments.pop();
    } else segments.push(segment);
  }
  const normalized = segments.join("/") + (pattern.endsWith("/") && segments.length > 0 ? "/" : "");
  return files.filter((file) => gitPathspecMatch(normalized, file));
}

/** git's pathspec match without magic: the path itself, a directory prefix, or wildmatch where `*` spans `/`. */
export function gitPathspecMatch(pattern: string, name: string): boolean {
  if (pattern === "" || name === pattern) return true;
  if (name.startsWith(pattern) && (pattern.endsWith("/") || name[pattern.length] === "/")) return true;
  if (!/[*?[\\]/.test(pattern)) return false;
  return wildmatch(Buffer.from(pattern, "utf8"), 0, Buffer.from(name, "utf8"), 0) === WM_MATCH;
}

const WM_MATCH = 0;
const WM_NOMATCH = 1;
const WM_ABORT_ALL = -1;
const isGlobSpecial = (byte: number | undefined) => byte === 0x2a || byte === 0x3f || byte === 0x5b || byte === 0x5c;

/** git's wildmatch.c dowild() without WM_PATHNAME (as pathspecs use it): `*`, `?` and classes match `/` too. */
function wildmatch(p: Buffer, pi: number, t: Buffer, ti: number): number {
  for (; pi < p.length; pi++, ti++) {
    let pch = p[pi];
    const tch = t[ti];
    if (tch === undefined && pch !== 0x2a) return WM_ABORT_ALL;
    switch (pch) {
      case 0x5c: // backslash: the next character literally
        pch = p[++pi];
        if (tch !== pch) return WM_NOMATCH;
        continue;
      case 0x3f: // ?
        continue;
      case 0x2a: {
        // *: without WM_PATHNAME, * and ** both match any run of characters
        while (p[pi + 1] === 0x2a) pi++;
        pi++;
        if (pi >= p.length) return WM_MATCH;
        for (;;) {
          if (ti >= t.length) break;
          if (!isGlobSpecial(p[pi])) {
            while (ti < t.length && t[ti] !== p[pi]) ti++;
            if (ti >= t.length) return WM_NOMATCH;
          }
          const matched = wildmatch(p, pi, t, ti);
          if (matched !== WM_NOMATCH) return matched;
          ti++;
        }
        return WM_ABORT_ALL;
      }
      case 0x5b: {
        // [class]
        pch = p[++pi];
        if (pch === 0x5e) pch = 0x21;
        const negated = pch === 0x21;
        if (negated) pch = p[++pi];
        let previous = 0;
        let matched = false;
        do {
          if (pch === undefined) return WM_ABORT_ALL;
          if (pch === 0x5c) {
            pch = p[++pi];
            if (pch === undefined) return WM_ABORT_ALL;
            if (tch === pch) matched = true;
          } else if (pch === 0x2d && previous && p[pi + 1] !== undefined && p[pi + 1] !== 0x5d) {
            pch = p[++pi]!;
            if (pch === 0x5c) {
              pch = p[++pi];
              if (pch === undefined) return WM_ABORT_ALL;
            }
            if (tch! <= pch && tch! >= previous) matched = true;
            pch = 0;
          } else if (pch === 0x5b && p[pi + 1] === 0x3a) {
            const start = pi + 2;
            let end = start;
            while (end < p.length && p[end] !== 0x5d) end++;
            if (end >= p.length) return WM_ABORT_ALL;
            if (end - start < 1 || p[end - 1] !== 0x3a) {
              // no ":]": a plain "["
              if (tch === 0x5b) matched = true;
            } else {
              const test = CHARACTER_CLASSES[p.subarray(start, end - 1).toString("latin1")];
              if (!test) return WM_ABORT_ALL;
              if (test(String.fromCharCode(tch!))) matched = true;
              pi = end;
              pch = 0;
            }
          } else if (tch === pch) matched = true;
          previous = pch;
          pch = p[++pi];
        } while (pch !== 0x5d);
        if (matched === negated) return WM_NOMATCH;
        continue;
      }
      default:
        if (tch !== pch) return WM_NOMATCH;
        continue;
    }
  }
  return ti < t.length ? WM_NOMATCH : WM_MATCH;
}
const CHARACTER_CLASSES: Record<string, (char: string) => boolean> = {
  alnum: (c) => /[0-9A-Za-z]/.test(c),
  alpha: (c) => /[A-Za-z]/.test(c),
  blank: (c) => c === " " || c === "\t",
  cntrl: (c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f,
  digit: (c) => /[0-9]/.test(c),
  graph: (c) => c.charCodeAt(0) > 0x20 && c.charCodeAt(0) < 0x7f,
  lower: (c) => /[a-z]/.test(c),
  print: (c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) < 0x7f,
  punct: (c) => /[!-/:-@[-`{-~]/.test(c),
  space: (c) => /[ \t\n\v\f\r]/.test(c),
  upper: (c) => /[A-Z]/.test(c),
  xdigit: (c) => /[0-9A-Fa-f]/.test(c),
};

/** doublestar: `**` as a whole segment spans directories, `*` and `?` stay in one, `{a,b}` alternatives. */
function doublestarRegExp(pattern: string): RegExp {
  const segments = pattern.split("/");
  let source = "";
  segments.forEach((segment, i) => {
    if (segment === "**") {
      if (segments.length === 1) source += ".*";
      else if (i === 0) source += "(?:.*/)?";
      else source += "(?:/.*)?";
      return;
    }
    if (i > 0 && !(i === 1 && segments[0] === "**")) source += "/";
    source += globSegment(segment);
  });
  return new RegExp(`^${source}$`, "s");
}
function globSegment(segment: string): string {
  let out = "";
  let braces = 0;
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i]!;
    if (char === "\\" && i + 1 < segment.length) out += escapeRegExp(segment[++i]!);
    else if (char === "*") out += "[^/]*";
    else if (char === "?") out += "[^/]";
    else if (char === "{") {
      braces++;
      out += "(?:";
    } else if (char === "}" && braces > 0) {
      braces--;
      out += ")";
    } else if (char === "," && braces > 0) out += "|";
    else if (char === "[") {
      const end = segment.indexOf("]", i + 2);
      if (end < 0) out += "\\[";
      else {
        let body = segment.slice(i + 1, end);
        const negated = body.startsWith("!") || body.startsWith("^");
        if (negated) body = body.slice(1);
        out += `[${negated ? "^/" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
        i = end;
      }
    } else out += escapeRegExp(char);
  }
  return out + ")".repeat(braces);
}
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Go's path.Match: `*` and `?` never match `/`; "malformed" when the pattern is (Argo logs it, matches nothing). */
export function goPathMatch(pattern: string, name: string): boolean | "malformed" {
  let p = [...pattern];
  let n = [...name];
  pattern: while (p.length > 0) {
    let star = false;
    while (p[0] === "*") {
      p = p.slice(1);
      star = true;
    }
    const [chunk, rest] = scanChunk(p);
    p = rest;
    if (star && chunk.length === 0) return !n.includes("/");
    const first = matchChunk(chunk, n);
    if (first === "malformed") return "malformed";
    if (first && (first.length === 0 || p.length > 0)) {
      n = first;
      continue;
    }
    if (star) {
      for (let i = 0; i < n.length && n[i] !== "/"; i++) {
        const attempt = matchChunk(chunk, n.slice(i + 1));
        if (attempt === "malformed") return "malformed";
        if (attempt) {
          if (p.length === 0 && attempt.length > 0) continue;
          n = attempt;
          continue pattern;
        }
      }
    }
    // before answering no, the rest of the pattern must still be well formed
    while (p.length > 0) {
      while (p[0] === "*") p = p.slice(1);
      const [next, remainder] = scanChunk(p);
      p = remainder;
      if (matchChunk(next, []) === "malformed") return "malformed";
    }
    return false;
  }
  return n.length === 0;
}
function scanChunk(pattern: string[]): [string[], string[]] {
  let inRange = false;
  let i = 0;
  for (; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === "\\") {
      if (i + 1 < pattern.length) i++;
    } else if (char === "[") inRange = true;
    else if (char === "]") inRange = false;
    else if (char === "*" && !inRange) break;
  }
  return [pattern.slice(0, i), pattern.slice(i)];
}
/** The rest of the name after the chunk, false when it does not match, "malformed" for a bad pattern. */
function matchChunk(chunk: string[], name: string[]): string[] | false | "malformed" {
  let failed = false;
  let c = 0;
  let s = 0;
  while (c < chunk.length) {
    if (!failed && s >= name.length) failed = true;
    const char = chunk[c]!;
    if (char === "[") {
      const rune = failed ? "" : name[s++]!;
      c++;
      let negated = false;
      if (chunk[c] === "^") {
        negated = true;
        c++;
      }
      let match = false;
      let ranges = 0;
      for (;;) {
        if (chunk[c] === "]" && ranges > 0) {
          c++;
          break;
        }
        const lo = getEscaped(chunk, c);
        if (lo === "malformed") return "malformed";
        c = lo.next;
        let hi = lo;
        if (chunk[c] === "-") {
          const high = getEscaped(chunk, c + 1);
          if (high === "malformed") return "malformed";
          hi = high;
          c = high.next;
        }
        if (lo.char <= rune && rune <= hi.char) match = true;
        ranges++;
      }
      if (match === negated) failed = true;
    } else if (char === "?") {
      if (!failed) {
        if (name[s] === "/") failed = true;
        s++;
      }
      c++;
    } else {
      let literal = char;
      if (char === "\\") {
        c++;
        if (c >= chunk.length) return "malformed";
        literal = chunk[c]!;
      }
      if (!failed) {
        if (literal !== name[s]) failed = true;
        s++;
      }
      c++;
    }
  }
  return failed ? false : name.slice(s);
}
function getEscaped(chunk: string[], at: number): { char: string; next: number } | "malformed" {
  let i = at;
  if (i >= chunk.length || chunk[i] === "-" || chunk[i] === "]") return "malformed";
  if (chunk[i] === "\\") {
    i++;
    if (i >= chunk.length) return "malformed";
  }
  const char = chunk[i]!;
  if (i + 1 >= chunk.length) return "malformed";
  return { char, next: i + 1 };
}

/** filepath.WalkDir order: depth first, the entries of a directory by name ("a", "a/b", "a-c"). */
function compareWalkOrder(a: string, b: string): number {
  const left = a.split("/");
  const right = b.split("/");
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const order = compareBytes(left[i]!, right[i]!);
    if (order !== 0) return order;
  }
  return left.length - right.length;
}

// ---------------------------------------------------------------------------------------------------------------
// Selectors (utils/selector.go, metav1.LabelSelector)

type LabelSelector = (labels: Record<string, string>) => boolean;

/** A label selector, or undefined when there is none (an empty selector selects everything). */
function parseSelector(value: unknown, path: string): LabelSelector | undefined {
  if (value === undefined || value === null) return undefined;
  const spec = asRecord(value);
  if (!spec) throw new GeneratorError("a selector must be a mapping", path);
  const requirements: LabelSelector[] = [];
  for (const [key, expected] of Object.entries(asRecord(spec.matchLabels) ?? {})) {
    if (typeof expected !== "string") throw new GeneratorError(`matchLabels.${key} must be a string`, `${path}.matchLabels`);
    requirements.push((labels) => Object.prototype.hasOwnProperty.call(labels, key) && labels[key] === expected);
  }
  const expressions = Array.isArray(spec.matchExpressions) ? spec.matchExpressions : [];
  expressions.forEach((item, i) => {
    const expression = asRecord(item) ?? {};
    const key = String(expression.key ?? "");
    const operator = String(expression.operator ?? "");
    const values = Array.isArray(expression.values) ? expression.values.map(String) : [];
    const where = `${path}.matchExpressions[${i}]`;
    const has = (labels: Record<string, string>) => Object.prototype.hasOwnProperty.call(labels, key);
    switch (operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) throw new GeneratorError(`for 'in', 'notin' operators, values set can't be empty`, where);
        requirements.push(operator === "In" ? (l) => has(l) && values.includes(l[key]!) : (l) => !has(l) || !values.includes(l[key]!));
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0) throw new GeneratorError("values set must be empty for exists and does not exist", where);
        requirements.push(operator === "Exists" ? has : (l) => !has(l));
        break;
      default:
        throw new GeneratorError(`${goQuote(operator)} is not a valid label selector operator`, where);
    }
  });
  return (labels) => requirements.every((requirement) => requirement(labels));
}

/** A parameter set flattened with dotted keys and %v values, as a selector sees it. */
function flattenParams(params: GoMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(flatten(params))) out[key] = sprintValue(value);
  return out;
}

/** jeremywohl/flatten (DotStyle): nested maps and lists become dotted keys; typed maps and slices stay values. */
function flatten(map: GoMap, prefix = "", out: Record<string, GoValue> = {}): Record<string, GoValue> {
  const assign = (key: string, value: GoValue) => {
    if ((isGoMap(value) || Array.isArray(value)) && !isTypedCollection(value)) {
      if (Array.isArray(value)) value.forEach((item, i) => assign(`${key}.${i}`, item));
      else flatten(value, key, out);
    } else out[key] = value;
  };
  for (const [key, value] of Object.entries(map)) assign(prefix ? `${prefix}.${key}` : key, value);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Templates (utils/utils.go: RenderTemplateParams, Replace; controllers/template: GenerateApplications)

function templateOf(value: unknown): AppTemplate {
  const template = asRecord(value) ?? {};
  const metadata = asRecord(template.metadata) ?? {};
  const kept: Record<string, unknown> = {};
  // Argo copies only these into the Application (GetTempApplication)
  for (const key of ["name", "namespace", "labels", "annotations", "finalizers"]) if (metadata[key] !== undefined) kept[key] = metadata[key];
  return { metadata: structuredClone(kept), spec: structuredClone(asRecord(template.spec) ?? {}) };
}

/** mergo.Merge(generatorTemplate, spec.template): the generator's fields win; empty ones are filled in. */
function mergeTemplate(own: AppTemplate, base: AppTemplate): AppTemplate {
  return fillEmpty(own, base) as unknown as AppTemplate;
}
function fillEmpty(dst: unknown, src: unknown, key?: string): unknown {
  if (isEmptyGo(dst)) return structuredClone(src);
  // valuesObject is raw JSON to Go: taken whole, never merged
  if (isPlainObject(dst) && isPlainObject(src) && key !== "valuesObject") {
    const out: Record<string, unknown> = { ...dst };
    for (const [name, value] of Object.entries(src)) out[name] = fillEmpty(dst[name], value, name);
    return out;
  }
  return dst;
}

/** One string, as Render.Replace renders it. */
function replace(text: string, params: GoMap, context: Context): string {
  return context.goTemplate ? renderGoTemplate(text, params, context.templateOptions) : fastReplace(text, params);
}

/**
 * fasttemplate with "{{" and "}}": a tag whose trimmed text is a string parameter is replaced, any other tag is
 * left as written. Strings without "{{...}}" on one line are not parsed (Argo's isTemplatedRegex).
 */
export function fastReplace(text: string, params: GoMap): string {
  if (!/\{\{[^\n]*\}\}/.test(text)) return text;
  let out = "";
  let rest = text;
  for (;;) {
    const start = rest.indexOf("{{");
    if (start < 0) return out + rest;
    out += rest.slice(0, start);
    rest = rest.slice(start + 2);
    const end = rest.indexOf("}}");
    if (end < 0) throw new Error(`invalid template: Cannot find end tag="}}" in the template=${goQuote(text)} starting from ${goQuote(rest)}`);
    const tag = rest.slice(0, end);
    rest = rest.slice(end + 2);
    const key = goTrimSpace(tag);
    const value = key !== "" && Object.prototype.hasOwnProperty.call(params, key) ? params[key] : undefined;
    out += typeof value === "string" ? value : `{{${tag}}}`;
  }
}

/** Every string (keys too) rendered; null fields dropped, as Go's typed Application drops them. */
function renderValue(value: unknown, params: GoMap, context: Context, path: string): unknown {
  if (typeof value === "string") {
    try {
      return replace(value, params, context);
    } catch (error) {
      throw new RenderError((error as Error).message, path);
    }
  }
  if (Array.isArray(value)) return value.map((item, i) => renderValue(item, params, context, `${path}[${i}]`));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === null || item === undefined) continue;
      let renderedKey: string;
      try {
        renderedKey = replace(key, params, context);
      } catch (error) {
        throw new RenderError((error as Error).message, `${path}.${key}`);
      }
      const rendered = renderValue(item, params, context, `${path}.${key}`);
      if (renderedKey === "__proto__") Object.defineProperty(out, renderedKey, { value: rendered, enumerable: true, writable: true, configurable: true });
      else out[renderedKey] = rendered;
    }
    return out;
  }
  return value;
}

function renderApplication(
  result: TransformResult,
  params: GoMap,
  spec: Record<string, unknown>,
  namespace: string | undefined,
  where: string,
  context: Context,
): KubeObject | undefined {
  let metadata: Record<string, unknown>;
  let appSpec: Record<string, unknown>;
  const data = cloneGo(params);
  if (Object.keys(params).length === 0) {
    // RenderTemplateParams returns the template as it is, without the finalizer
    metadata = structuredClone(result.template.metadata);
    appSpec = structuredClone(result.template.spec);
  } else {
    try {
      metadata = renderValue(result.template.metadata, data, context, "metadata") as Record<string, unknown>;
      appSpec = renderValue(result.template.spec, data, context, "spec") as Record<string, unknown>;
    } catch (error) {
      if (!(error instanceof RenderError)) throw error;
      context.problems.push({ message: `${where}: ${error.message}`, path: result.fieldPath(error.path) });
      return undefined;
    }
    const syncPolicy = asRecord(spec.syncPolicy);
    const finalizers = Array.isArray(metadata.finalizers) ? metadata.finalizers : [];
    if (syncPolicy?.preserveResourcesOnDeletion !== true && finalizers.length === 0) metadata.finalizers = [RESOURCES_FINALIZER];
  }
  let application: Record<string, unknown> = { metadata, spec: appSpec };
  if (typeof spec.templatePatch === "string") {
    const patched = applyTemplatePatch(application, spec.templatePatch, data, context);
    if (typeof patched === "string") {
      context.problems.push({ message: `${where}: ${patched}`, path: "spec.templatePatch" });
      return undefined;
    }
    application = patched;
  }
  return toApplication(application, namespace, where, context);
}

/** templatePatch: rendered, read as YAML or JSON, merged in; the project cannot be patched. A string is an error. */
function applyTemplatePatch(application: Record<string, unknown>, templatePatch: string, params: GoMap, context: Context): Record<string, unknown> | string {
  let text: string;
  try {
    text = replace(templatePatch, params, context);
  } catch (error) {
    return `error replacing values in templatePatch: ${(error as Error).message}`;
  }
  let patch: unknown;
  try {
    patch = goTrimSpace(text).startsWith("{") ? JSON.parse(text) : parseGoYaml(text);
  } catch (error) {
    return `error while converting template to json ${goQuote(text)}: ${(error as Error).message}`;
  }
  if (patch === null) return application;
  if (!isPlainObject(patch)) return `invalid templatePatch ${goQuote(text)}: it is not a mapping`;
  const project = asRecord(application.spec)?.project;
  let patched: Record<string, unknown>;
  try {
    patched = strategicMerge(application, patch, "") as Record<string, unknown>;
  } catch (error) {
    return (error as Error).message;
  }
  const patchedSpec = asRecord(patched.spec) ?? {};
  if (project === undefined) delete patchedSpec.project;
  else patchedSpec.project = project;
  patched.spec = patchedSpec;
  return patched;
}

/**
 * A strategic merge patch on an Application: mappings merge, null deletes, lists are replaced, except
 * metadata.finalizers (patchStrategy merge: the union). Patch directives ($patch, ...) are refused.
 */
function strategicMerge(original: unknown, patch: unknown, path: string): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isPlainObject(original) ? { ...original } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$")) throw new Error(`templatePatch: the strategic merge directive ${key} is not supported here`);
    const where = path ? `${path}.${key}` : key;
    if (value === null) delete out[key];
    else if (where === "metadata.finalizers" && Array.isArray(value) && Array.isArray(out[key])) {
      out[key] = [...new Set([...(out[key] as unknown[]), ...value])];
    } else out[key] = strategicMerge(out[key], value, where);
  }
  return out;
}

/** The Application as the controller writes it: namespace of the ApplicationSet, empty fields dropped, spec normalized. */
function toApplication(application: Record<string, unknown>, namespace: string | undefined, where: string, context: Context): KubeObject | undefined {
  const metadata = asRecord(application.metadata) ?? {};
  const name = typeof metadata.name === "string" ? metadata.name : "";
  if (!name) {
    context.problems.push({ message: `${where}: the generated Application has no name; Kubernetes refuses it`, path: "spec.template.metadata.name" });
    return undefined;
  }
  const out: Record<string, unknown> = { name };
  // the Application lives where the ApplicationSet is, whatever the template says (appsets-in-any-namespace boundary)
  if (namespace) out.namespace = namespace;
  for (const key of ["labels", "annotations", "finalizers"]) if (!isEmptyGo(metadata[key])) out[key] = metadata[key];
  return { apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: out, spec: normalizeSpec(asRecord(application.spec) ?? {}) };
}

/** argo's NormalizeApplicationSpec, applied before the controller writes: project "default", empty parts dropped. */
function normalizeSpec(spec: Record<string, unknown>): Record<string, unknown> {
  const out = { ...spec };
  if (typeof out.project !== "string" || out.project === "") out.project = "default";
  const syncPolicy = asRecord(out.syncPolicy);
  if (syncPolicy && ["automated", "syncOptions", "retry", "managedNamespaceMetadata"].every((key) => isEmptyGo(syncPolicy[key]))) delete out.syncPolicy;
  const source = asRecord(out.source);
  if (source) {
    const normalized = { ...source };
    for (const key of ["kustomize", "helm", "directory"]) if (isPlainObject(normalized[key]) && isEmptyGo(normalized[key])) delete normalized[key];
    out.source = normalized;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return isPlainObject(value) ? value : undefined;
}
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
/** mergo's isEmptyValue: zero values and empty collections. */
function isEmptyGo(value: unknown): boolean {
  if (value === undefined || value === null || value === "" || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isPlainObject(value)) return Object.keys(value).length === 0;
  return false;
}
function valueAt(template: AppTemplate, field: string): unknown {
  let current: unknown = template;
  for (const step of field.split(/\.|\[(\d+)\]/).filter(Boolean)) current = isPlainObject(current) || Array.isArray(current) ? (current as Record<string, unknown>)[step] : undefined;
  return current;
}
/** A map[string]string field (generator `values`): anything else would not decode in Argo CD. */
function stringMap(value: unknown, path: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  const record = asRecord(value);
  if (!record) throw new GeneratorError("values must be a mapping of strings", path);
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(record)) {
    if (typeof item !== "string") throw new GeneratorError(`values.${key} must be a string`, path);
    out[key] = item;
  }
  return out;
}
function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (isPlainObject(value)) return "object";
  return typeof value === "string" ? "string" : typeof value === "boolean" ? "bool" : "number";
}
function goTypeOf(value: GoValue): string {
  return Array.isArray(value) ? "[]interface {}" : "map[string]interface {}";
}
