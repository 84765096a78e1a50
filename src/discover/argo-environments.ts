// Argo CD Applications (and the Applications ApplicationSets generate) as environments: each source that is
// this repository rendered as the repo-server renders it (kustomize with the Application's edits, Helm, or a
// directory of manifests), for the destination cluster and namespace.
import path from "node:path";
import type { ArgoCluster, Config } from "../config/config.ts";
import type { Environment, Finding, KubeObject, SourceLocation } from "../model.ts";
import { expandApplicationSet, type ClusterInfo, type RepositoryView } from "./applicationset.ts";
import type { DiscoveredEnvironment, Discovery } from "./discover.ts";
import { filesBelow, pullerEnvironmentName } from "./flux-environments.ts";
import type { SourceResolver } from "./sources.ts";
import type { HelmChartSpec, KustomizationEdits, RenderSpec } from "./spec.ts";
import { globToRegExp } from "../util/paths.ts";
import { parseYaml } from "../util/yaml.ts";
import { nonEmptyString as str, record, stringMap } from "../util/values.ts";

export interface ArgoContext {
  config: Config;
  discovery: Discovery;
  sources: SourceResolver;
  readText(repoPath: string): Promise<string>;
}

export const IN_CLUSTER: ArgoCluster = { name: "in-cluster", server: "https://kubernetes.default.svc" };

/** The environments an Application or ApplicationSet object defines. */
export async function argoEnvironments(object: KubeObject, definedAt: SourceLocation, context: ArgoContext): Promise<DiscoveredEnvironment[]> {
  if (object.kind === "Application") return [applicationEnvironment(object, definedAt, context)];
  const clusters = [IN_CLUSTER, ...context.config.argocd.clusters];
  const view = repositoryView(context);
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const label = `ApplicationSet ${String(metadata.namespace ?? "argocd")}/${String(metadata.name ?? "")}`;
  let expansion;
  try {
    expansion = await expandApplicationSet(object, view, clusters as ClusterInfo[]);
  } catch (error) {
    expansion = { applications: [], problems: [{ message: (error as Error).message }], reads: [] };
  }
  const environments = expansion.applications.map((application) => {
    const environment = applicationEnvironment(application, definedAt, context);
    for (const file of expansion.reads) environment.inputs.add(file);
    environment.definition = JSON.stringify(application);
    return environment;
  });
  if (expansion.problems.length > 0) {
    const namespace = String(metadata.namespace ?? "argocd");
    const name = String(metadata.name ?? "");
    environments.push({
      environment: { name: pullerEnvironmentName(undefined, "ApplicationSet", namespace, name), kind: "argocd-application", path: "", definedAt },
      spec: { type: "skipped", reason: "the ApplicationSet does not expand" },
      inputs: new Set([definedAt.file, ...expansion.reads]),
      yamlInputs: new Set(),
      problems: expansion.problems.map((problem) => ({
        ruleId: "argocd-applicationset-invalid",
        severity: "error" as const,
        message: `${label}${problem.path ? ` (${problem.path})` : ""}: ${problem.message}`,
        location: definedAt,
      })),
    });
  }
  return environments;
}

/** One view per checkout: listing every file once, however many ApplicationSets there are. */
const views = new WeakMap<Discovery, RepositoryView>();

function repositoryView(context: ArgoContext): RepositoryView {
  const cached = views.get(context.discovery);
  if (cached) return cached;
  const directories = [...context.discovery.directories.keys()].filter((dir) => dir !== ".");
  const files = filesBelow(".", context.discovery);
  const view: RepositoryView = {
    isThisRepository: (repoURL, revision) => context.sources.isThisRepository(repoURL, argoRevision(revision)).ok,
    directories: () => directories,
    files: () => files,
    readText: (file) => context.readText(file),
  };
  views.set(context.discovery, view);
  return view;
}

/** targetRevision: HEAD and empty follow the default branch; anything else must be a configured branch. */
function argoRevision(revision: string | undefined): { branch?: string; other?: string } {
  if (!revision || revision === "HEAD") return {};
  return { branch: revision };
}

function applicationEnvironment(application: KubeObject, definedAt: SourceLocation, context: ArgoContext): DiscoveredEnvironment {
  const metadata = (application.metadata ?? {}) as Record<string, unknown>;
  const spec = record(application.spec);
  const namespace = typeof metadata.namespace === "string" && metadata.namespace ? metadata.namespace : "argocd";
  const name = String(metadata.name ?? "");
  const destination = record(spec.destination);
  const cluster = clusterName(destination, context.config.argocd.clusters);
  const destinationNamespace = typeof destination.namespace === "string" && destination.namespace ? destination.namespace : undefined;
  const sources = Array.isArray(spec.sources) ? spec.sources.map(record) : spec.source ? [record(spec.source)] : [];
  const label = `Application ${namespace}/${name}`;
  const environment: Environment = {
    name: pullerEnvironmentName(cluster, "Application", namespace, name),
    kind: "argocd-application",
    path: "",
    ...(cluster ? { cluster } : {}),
    definedAt,
  };
  const inputs = new Set([definedAt.file]);
  const yamlInputs = new Set<string>();
  const problems: Finding[] = [];
  const notices: Finding[] = [];
  const problem = (message: string): Finding => ({ ruleId: "argocd-application-invalid", severity: "error", message: `${label}: ${message}`, location: definedAt });

  // `ref` sources only lend their files to other sources' value files ($ref/values.yaml)
  const refs = new Map<string, boolean>();
  for (const source of sources) {
    if (typeof source.ref === "string") refs.set(source.ref, context.sources.isThisRepository(String(source.repoURL ?? ""), argoRevision(str(source.targetRevision))).ok);
  }
  const parts: RenderSpec[] = [];
  const skipped: string[] = [];
  for (const source of sources) {
    const repoURL = String(source.repoURL ?? "");
    if (typeof source.ref === "string" && source.path === undefined && source.chart === undefined) continue;
    if (typeof source.chart === "string") {
      parts.push({ type: "helm", chart: helmChart(source, name, destinationNamespace, { type: "remote", repoURL }, refs, inputs, problem, problems), ...defaultNs(destinationNamespace) });
      continue;
    }
    const resolution = context.sources.isThisRepository(repoURL, argoRevision(str(source.targetRevision)));
    if (!resolution.ok) {
      skipped.push(resolution.reason);
      continue;
    }
    const dir = path.posix.normalize(String(source.path ?? ".").replace(/^\.?\/+/, "") || ".");
    if (dir === ".." || dir.startsWith("../")) {
      problems.push(problem(`source path "${String(source.path)}" is outside the repository`));
      continue;
    }
    parts.push(sourcePart(source, dir, name, destinationNamespace, context, { inputs, yamlInputs, problems, notices, refs, problem }));
    environment.path = environment.path ? `${environment.path}, ${dir}` : dir;
  }
  if (parts.length === 0 && skipped.length > 0) {
    return { environment, spec: { type: "skipped", reason: `not rendered: ${skipped.join("; ")}` }, inputs, yamlInputs, problems, notices };
  }
  for (const reason of skipped) {
    notices.push({ ruleId: "argocd-source-skipped", severity: "notice", message: `${label}: a source is not rendered: ${reason}`, location: definedAt });
  }
  const renderSpec: RenderSpec = parts.length === 1 ? parts[0]! : { type: "multi", parts };
  return { environment, spec: renderSpec, inputs, yamlInputs, problems, notices };
}

interface PartState {
  inputs: Set<string>;
  yamlInputs: Set<string>;
  problems: Finding[];
  notices: Finding[];
  refs: Map<string, boolean>;
  problem: (message: string) => Finding;
}

/** One source of this repository: its type as Argo CD detects it, unless the source names one. */
function sourcePart(
  source: Record<string, unknown>,
  dir: string,
  appName: string,
  destinationNamespace: string | undefined,
  context: ArgoContext,
  state: PartState,
): RenderSpec {
  const { discovery } = context;
  const entries = discovery.directories.get(dir);
  if (!entries) {
    state.problems.push(state.problem(`source path "${dir}" is not a directory in this repository`));
    state.inputs.add(dir);
    return { type: "skipped", reason: "missing path" };
  }
  const isChart = entries.some((entry) => entry.name === "Chart.yaml");
  const isKustomize = discovery.kustomizations.has(dir);
  if (source.helm !== undefined || (isChart && source.kustomize === undefined && source.directory === undefined)) {
    for (const file of filesBelow(dir, discovery)) state.inputs.add(file);
    return {
      type: "helm",
      chart: helmChart(source, appName, destinationNamespace, { type: "directory", dir }, state.refs, state.inputs, state.problem, state.problems),
      ...defaultNs(destinationNamespace),
    };
  }
  if (source.kustomize !== undefined || (isKustomize && source.directory === undefined)) {
    const closure = discovery.closureOf(dir);
    for (const file of closure.files) state.inputs.add(file);
    for (const file of closure.yamlFiles) state.yamlInputs.add(file);
    state.problems.push(...closure.problems);
    const kustomize = record(source.kustomize);
    const edits = kustomizeEdits(kustomize, state.problem, state.problems);
    for (const component of edits.components) {
      const target = path.posix.normalize(path.posix.join(dir, component));
      if (!discovery.kustomizations.has(target)) {
        state.problems.push(state.problem(`kustomize component "${component}" does not exist (${target})`));
        continue;
      }
      const inner = discovery.closureOf(target);
      for (const file of inner.files) state.inputs.add(file);
      for (const file of inner.yamlFiles) state.yamlInputs.add(file);
    }
    return {
      type: "edited-kustomization",
      path: dir,
      edits,
      loadRestrictionsNone: false,
      ...(closure.usesHelm ? { helm: true } : {}),
      ...defaultNs(destinationNamespace),
    };
  }
  // a directory of manifests: recurse, include and exclude as Argo CD's directory source
  const directory = record(source.directory);
  const recurse = directory.recurse === true;
  const include = patterns(directory.include);
  const exclude = patterns(directory.exclude);
  if (Object.keys(record(directory.jsonnet)).length > 0 || entries.some((entry) => entry.name.endsWith(".jsonnet"))) {
    state.notices.push({ ...state.problem("Jsonnet is not rendered; only the YAML and JSON manifests of the directory are"), ruleId: "argocd-jsonnet", severity: "notice" });
  }
  const selected = (recurse ? filesBelow(dir, discovery) : entries.filter((entry) => entry.type === "file").map((entry) => (dir === "." ? entry.name : `${dir}/${entry.name}`)))
    .filter((file) => /\.(ya?ml|json)$/i.test(file))
    .filter((file) => {
      const relative = dir === "." ? file : file.slice(dir.length + 1);
      return (include.length === 0 || include.some((glob) => glob.test(relative) || glob.test(path.posix.basename(relative)))) &&
        !exclude.some((glob) => glob.test(relative) || glob.test(path.posix.basename(relative)));
    });
  for (const file of selected) {
    state.inputs.add(file);
    state.yamlInputs.add(file);
  }
  return { type: "directory", path: dir, files: selected, ...defaultNs(destinationNamespace) };
}

function helmChart(
  source: Record<string, unknown>,
  appName: string,
  destinationNamespace: string | undefined,
  chart: { type: "directory"; dir: string } | { type: "remote"; repoURL: string },
  refs: Map<string, boolean>,
  inputs: Set<string>,
  problem: (message: string) => Finding,
  problems: Finding[],
): HelmChartSpec {
  const helm = record(source.helm);
  const valueFiles: string[] = [];
  for (const written of Array.isArray(helm.valueFiles) ? helm.valueFiles : []) {
    if (typeof written !== "string") continue;
    const refMatch = /^\$([^/]+)\/(.*)$/.exec(written);
    let file: string;
    if (refMatch) {
      if (!refs.has(refMatch[1]!)) {
        problems.push(problem(`value file "${written}" names the source ref "${refMatch[1]}", which no source defines`));
        continue;
      }
      if (!refs.get(refMatch[1]!)) continue;
      file = path.posix.normalize(refMatch[2]!);
    } else if (chart.type === "directory") {
      file = path.posix.normalize(path.posix.join(chart.dir, written));
    } else {
      continue;
    }
    if (file.startsWith("../")) {
      problems.push(problem(`value file "${written}" is outside the repository`));
      continue;
    }
    inputs.add(file);
    valueFiles.push(file);
  }
  // Argo CD: valuesObject wins over values (a YAML string)
  let values: Record<string, unknown> | undefined;
  if (helm.valuesObject && typeof helm.valuesObject === "object") values = record(helm.valuesObject);
  else if (typeof helm.values === "string" && helm.values.trim()) {
    try {
      values = record(parseYaml(helm.values, "spec.source.helm.values").documents[0]?.value);
    } catch (error) {
      problems.push(problem(`helm.values is not valid YAML: ${(error as Error).message}`));
    }
  }
  const set = (Array.isArray(helm.parameters) ? helm.parameters : []).flatMap((item) => {
    const parameter = record(item);
    if (typeof parameter.name !== "string") return [];
    return [{ name: parameter.name, value: String(parameter.value ?? ""), ...(parameter.forceString === true ? { forceString: true } : {}) }];
  });
  const repoURL = chart.type === "remote" ? chart.repoURL : "";
  const version = str(source.targetRevision);
  return {
    releaseName: typeof helm.releaseName === "string" && helm.releaseName ? helm.releaseName : appName,
    namespace: destinationNamespace ?? "default",
    chart:
      chart.type === "directory"
        ? chart
        : /^[a-z][a-z0-9+.-]*:\/\//i.test(repoURL) && !repoURL.startsWith("oci://")
          ? { type: "repository", url: repoURL, chart: String(source.chart), ...(version ? { version } : {}) }
          : { type: "oci", url: repoURL.startsWith("oci://") ? repoURL : `oci://${repoURL}`, chart: String(source.chart), ...(version ? { version } : {}) },
    valueFiles,
    ...(values ? { values } : {}),
    ...(set.length > 0 ? { set } : {}),
    includeCRDs: helm.skipCrds !== true,
    ...(helm.skipTests === true ? { skipTests: true } : {}),
  };
}

/** Argo CD's kustomize source options, as the `kustomize edit` commands the repo-server runs. */
function kustomizeEdits(kustomize: Record<string, unknown>, problem: (message: string) => Finding, problems: Finding[]): KustomizationEdits {
  const images = (Array.isArray(kustomize.images) ? kustomize.images : []).flatMap((written) => {
    if (typeof written !== "string") return [];
    const image = parseKustomizeImage(written);
    if (!image) {
      problems.push(problem(`kustomize image "${written}" is not of the form name[=newName][:tag][@digest]`));
      return [];
    }
    return [image];
  });
  const replicas = (Array.isArray(kustomize.replicas) ? kustomize.replicas : []).flatMap((item) => {
    const entry = record(item);
    const count = Number(entry.count);
    if (typeof entry.name !== "string" || !Number.isInteger(count)) return [];
    return [{ name: entry.name, count }];
  });
  const patches = (Array.isArray(kustomize.patches) ? kustomize.patches : []).flatMap((item) => {
    const entry = record(item);
    if (typeof entry.patch !== "string") return [];
    const target = entry.target === undefined ? undefined : stringMap(entry.target);
    return [{ patch: entry.patch, ...(target ? { target } : {}) }];
  });
  return {
    ...(str(kustomize.namespace) ? { namespace: str(kustomize.namespace) } : {}),
    ...(str(kustomize.namePrefix) ? { namePrefix: str(kustomize.namePrefix) } : {}),
    ...(str(kustomize.nameSuffix) ? { nameSuffix: str(kustomize.nameSuffix) } : {}),
    patches,
    images,
    components: (Array.isArray(kustomize.components) ? kustomize.components : []).filter((item): item is string => typeof item === "string"),
    ...(kustomize.commonLabels ? { commonLabels: stringMap(kustomize.commonLabels) } : {}),
    ...(kustomize.commonAnnotations ? { commonAnnotations: stringMap(kustomize.commonAnnotations) } : {}),
    ...(replicas.length > 0 ? { replicas } : {}),
  };
}

/** `kustomize edit set image` syntax: name[=newName][:newTag][@digest]. */
export function parseKustomizeImage(written: string): { name: string; newName?: string; newTag?: string; digest?: string } | undefined {
  const [left, right] = written.includes("=") ? [written.slice(0, written.indexOf("=")), written.slice(written.indexOf("=") + 1)] : [undefined, written];
  const at = right.indexOf("@");
  const digest = at >= 0 ? right.slice(at + 1) : undefined;
  const rest = at >= 0 ? right.slice(0, at) : right;
  // a tag is after the last colon that comes after the last slash (a registry port is not a tag)
  const colon = rest.lastIndexOf(":");
  const tag = colon > rest.lastIndexOf("/") ? rest.slice(colon + 1) : undefined;
  const reference = colon > rest.lastIndexOf("/") ? rest.slice(0, colon) : rest;
  if (!reference) return undefined;
  const name = left ?? reference;
  return {
    name,
    ...(left !== undefined && reference !== name ? { newName: reference } : {}),
    ...(tag !== undefined ? { newTag: tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

function clusterName(destination: Record<string, unknown>, clusters: ArgoCluster[]): string | undefined {
  if (typeof destination.name === "string" && destination.name) return destination.name;
  const server = typeof destination.server === "string" ? destination.server.replace(/\/+$/, "") : "";
  if (!server) return undefined;
  const known = [IN_CLUSTER, ...clusters].find((cluster) => cluster.server.replace(/\/+$/, "") === server);
  return known?.name ?? server.replace(/^https?:\/\//, "");
}

/** Argo CD's include/exclude: a glob or `{a,b}` of globs. */
function patterns(value: unknown): RegExp[] {
  if (typeof value !== "string" || !value) return [];
  const inner = /^\{(.*)\}$/.exec(value);
  return (inner ? inner[1]!.split(",") : [value]).map((glob) => globToRegExp(glob.trim()));
}

function defaultNs(namespace: string | undefined): { defaultNamespace?: string } {
  return namespace ? { defaultNamespace: namespace } : {};
}
