// Flux Kustomizations as environments: what each one renders (its edited or generated kustomization, its
// components, its substitution variables) and every repository file that rendering reads.
import path from "node:path";
import type { Config } from "../config/config.ts";
import type { Environment, Finding, KubeObject, SourceLocation } from "../model.ts";
import type { DiscoveredEnvironment, Discovery } from "./discover.ts";
import { isLocalRelativePath, readFluxKustomization, type FluxKustomizationSpec } from "./flux.ts";
import { KUSTOMIZATION_FILE_NAMES } from "./kustomization.ts";
import type { ObjectIndex } from "./objects.ts";
import type { SourceIgnore } from "./source-ignore.ts";
import type { SourceResolver } from "./sources.ts";
import type { Substitution } from "./spec.ts";

export interface FluxContext {
  config: Config;
  discovery: Discovery;
  objects: ObjectIndex;
  sources: SourceResolver;
  sourceIgnore: SourceIgnore;
  /** Objects produced by renders so far, for substitution sources and Helm repositories. */
  produced: ObjectIndex;
}

/** The name a reviewer recognises: "cluster/Kind/namespace/name". */
export function pullerEnvironmentName(cluster: string | undefined, kind: string, namespace: string, name: string): string {
  return `${cluster ? `${cluster}/` : ""}${kind}/${namespace}/${name}`;
}

/** The cluster a file belongs to: a configured directory, else the directory after `clusters/`. */
export function clusterOfFile(file: string, configured: Record<string, string>): string | undefined {
  let best: { name: string; length: number } | undefined;
  for (const [name, dir] of Object.entries(configured)) {
    const clean = path.posix.normalize(dir).replace(/\/+$/, "");
    if ((file === clean || file.startsWith(`${clean}/`) || clean === ".") && (!best || clean.length > best.length)) {
      best = { name, length: clean.length };
    }
  }
  if (best) return best.name;
  return /(?:^|\/)clusters\/([^/]+)\//.exec(file)?.[1];
}

/** A Flux Kustomization object (as written, or as a parent rendered it) turned into an environment. */
export function fluxEnvironment(
  object: KubeObject,
  definedAt: SourceLocation,
  cluster: string | undefined,
  defaultNamespace: string,
  context: FluxContext,
): DiscoveredEnvironment {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const namespace = typeof metadata.namespace === "string" && metadata.namespace ? metadata.namespace : defaultNamespace;
  const name = String(metadata.name ?? "");
  const read = readFluxKustomization(object, namespace);
  const environment: Environment = {
    name: pullerEnvironmentName(cluster, "Kustomization", namespace, name),
    kind: "flux-kustomization",
    path: read.ok ? read.spec.path : "",
    ...(cluster ? { cluster } : {}),
    definedAt,
  };
  const inputs = new Set([definedAt.file]);
  const problem = (message: string, location: SourceLocation = definedAt): Finding => ({
    ruleId: "flux-kustomization-invalid",
    severity: "error",
    message: `Kustomization ${namespace}/${name}: ${message}`,
    location,
  });
  if (!read.ok) {
    return { environment, spec: { type: "skipped", reason: read.problem }, inputs, yamlInputs: new Set(), problems: [problem(read.problem)] };
  }
  const spec = read.spec;
  const source = context.sources.resolveFlux(spec.sourceRef);
  if (!source.ok) {
    return { environment, spec: { type: "skipped", reason: `not rendered: ${source.reason}` }, inputs, yamlInputs: new Set(), problems: [] };
  }
  if (source.pathPrefix && source.pathPrefix !== ".") {
    // the source's root is a directory of the repository
    spec.path = path.posix.normalize(path.posix.join(source.pathPrefix, spec.path));
    environment.path = spec.path;
  }
  const built = buildSpec(environment, spec, definedAt, context, problem);
  if (source.definedIn) built.inputs.add(source.definedIn);
  if (spec.suspended) {
    (built.notices ??= []).push({
      ruleId: "flux-kustomization-suspended",
      severity: "notice",
      message: `Kustomization ${namespace}/${name} is suspended: Flux applies none of this until it is resumed`,
      location: definedAt,
    });
  }
  return built;
}

function buildSpec(
  environment: Environment,
  spec: FluxKustomizationSpec,
  definedAt: SourceLocation,
  context: FluxContext,
  problem: (message: string, location?: SourceLocation) => Finding,
): DiscoveredEnvironment {
  const { discovery } = context;
  const inputs = new Set([definedAt.file]);
  const yamlInputs = new Set<string>();
  const problems: Finding[] = [];
  const notices: Finding[] = [];
  let helm = false;
  const addClosure = (dir: string) => {
    const closure = discovery.closureOf(dir);
    helm ||= closure.usesHelm;
    for (const file of closure.files) inputs.add(file);
    for (const file of closure.yamlFiles) yamlInputs.add(file);
    for (const found of closure.problems) if (!problems.includes(found)) problems.push(found);
  };
  const dir = spec.path;
  const entries = discovery.directories.get(dir);
  let generated: string[] | undefined;
  if (!entries) {
    problems.push(problem(`spec.path "${spec.path}" is not a directory in this repository`));
    // so that creating it counts as a change to this environment
    for (const name of KUSTOMIZATION_FILE_NAMES) inputs.add(dir === "." ? name : `${dir}/${name}`);
  } else if (discovery.kustomizations.has(dir)) {
    addClosure(dir);
  } else {
    generated = generatedResources(dir, context, inputs, yamlInputs, addClosure);
  }

  const components: string[] = [];
  for (const component of spec.components) {
    if (!isLocalRelativePath(component)) {
      problems.push(problem(`component "${component}" must be a local, relative path`));
      continue;
    }
    const target = path.posix.normalize(path.posix.join(dir, component));
    if (!discovery.directories.has(target)) {
      if (spec.ignoreMissingComponents) {
        for (const name of KUSTOMIZATION_FILE_NAMES) inputs.add(`${target}/${name}`);
        continue;
      }
      problems.push(problem(`component "${component}" does not exist (${target})`));
      continue;
    }
    components.push(component);
    addClosure(target);
  }

  let substitution: Substitution | undefined;
  if (spec.postBuild) {
    const gathered = gatherVariables(spec, context, inputs, definedAt);
    substitution = gathered.substitution;
    notices.push(...gathered.notices);
  }
  for (const file of localChartFiles(inputs, context)) inputs.add(file);

  return {
    environment,
    spec: {
      type: "edited-kustomization",
      path: dir,
      ...(generated ? { generated } : {}),
      edits: {
        ...(spec.targetNamespace ? { namespace: spec.targetNamespace } : {}),
        ...(spec.namePrefix ? { namePrefix: spec.namePrefix } : {}),
        ...(spec.nameSuffix ? { nameSuffix: spec.nameSuffix } : {}),
        patches: spec.patches,
        images: spec.images,
        components,
      },
      loadRestrictionsNone: true,
      ...(substitution ? { substitution } : {}),
      ...(spec.commonMetadata ? { commonMetadata: spec.commonMetadata } : {}),
      flux: spec,
      ...(helm ? { helm } : {}),
    },
    inputs,
    yamlInputs,
    problems,
    notices,
  };
}

/**
 * The kustomization kustomize-controller generates for a directory without one: every YAML file below it,
 * and each subdirectory with its own kustomization file (not descended into).
 */
function generatedResources(
  dir: string,
  context: FluxContext,
  inputs: Set<string>,
  yamlInputs: Set<string>,
  addClosure: (dir: string) => void,
): string[] {
  const { discovery, sourceIgnore } = context;
  const resources: string[] = [];
  const relative = (repoPath: string) => `./${dir === "." ? repoPath : repoPath.slice(dir.length + 1)}`;
  const visit = (current: string) => {
    const entries = [...(discovery.directories.get(current) ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const repoPath = current === "." ? entry.name : `${current}/${entry.name}`;
      if (entry.type === "directory") {
        if (!discovery.directories.has(repoPath) || sourceIgnore.ignores(`${repoPath}/`)) continue;
        if (discovery.kustomizations.has(repoPath)) {
          resources.push(relative(repoPath));
          addClosure(repoPath);
        } else {
          visit(repoPath);
        }
      } else if (entry.type === "file" && /\.ya?ml$/.test(entry.name) && !sourceIgnore.ignores(repoPath)) {
        resources.push(relative(repoPath));
        inputs.add(repoPath);
        yamlInputs.add(repoPath);
      }
    }
  };
  visit(dir);
  // the generated list depends on which files are ignored
  for (const file of sourceIgnore.files) {
    const scope = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : ".";
    if (scope === "." || dir === "." || dir.startsWith(`${scope}/`) || scope === dir || scope.startsWith(`${dir}/`)) inputs.add(file);
  }
  return resources;
}

/**
 * postBuild variables: `substituteFrom` in order (later sources win), then `substitute` on top, as Flux
 * merges them. ConfigMaps and Secrets are looked up among the objects renders produced in the cluster, then
 * as written in the repository.
 */
function gatherVariables(
  spec: FluxKustomizationSpec,
  context: FluxContext,
  inputs: Set<string>,
  definedAt: SourceLocation,
): { substitution: Substitution; notices: Finding[] } {
  const vars: Record<string, string> = {};
  const secretVars = new Set<string>();
  const notices: Finding[] = [];
  for (const from of spec.postBuild?.substituteFrom ?? []) {
    const candidates = [
      ...context.produced.get(from.kind, spec.namespace, from.name),
      ...context.objects.get(from.kind, spec.namespace, from.name),
    ];
    const found = candidates[0];
    if (!found) {
      if (!from.optional) {
        notices.push({
          ruleId: "flux-substitution-source-missing",
          severity: "warning",
          message: `Kustomization ${spec.namespace}/${spec.name}: postBuild.substituteFrom ${from.kind} ${spec.namespace}/${from.name} is not in this repository (Flux reads it from the cluster); its variables are not substituted`,
          location: definedAt,
        });
      }
      continue;
    }
    inputs.add(found.location.file);
    const object = found.object;
    if (from.kind === "Secret" && object.sops !== undefined) {
      notices.push({
        ruleId: "flux-substitution-source-encrypted",
        severity: "notice",
        message: `Kustomization ${spec.namespace}/${spec.name}: Secret ${spec.namespace}/${from.name} is SOPS-encrypted; its variables are not substituted`,
        location: found.location,
      });
      continue;
    }
    for (const [key, value] of Object.entries(dataOf(object))) {
      vars[key] = value;
      if (from.kind === "Secret") secretVars.add(key);
      else secretVars.delete(key);
    }
  }
  for (const [key, value] of Object.entries(spec.postBuild?.substitute ?? {})) {
    vars[key] = value;
    secretVars.delete(key);
  }
  return { substitution: { vars, secretVars: [...secretVars], strict: context.config.flux.strictSubstitution }, notices };
}

/** A ConfigMap's data, or a Secret's data (base64) and stringData, as strings. */
export function dataOf(object: KubeObject): Record<string, string> {
  const result: Record<string, string> = {};
  const data = (object.data ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(data)) {
    if (value === null || value === undefined) continue;
    result[key] = object.kind === "Secret" ? Buffer.from(String(value), "base64").toString("utf8") : String(value);
  }
  if (object.kind === "Secret") {
    for (const [key, value] of Object.entries((object.stringData ?? {}) as Record<string, unknown>)) {
      if (value !== null && value !== undefined) result[key] = String(value);
    }
  }
  return result;
}

/**
 * HelmReleases written in the files an environment reads, whose chart is a directory of this repository:
 * the chart's files are inputs too, so that a chart change re-renders the environment and its releases.
 */
function localChartFiles(inputs: Set<string>, context: FluxContext): string[] {
  const charts: string[] = [];
  for (const found of context.objects.ofKind("flux-helmrelease")) {
    if (!inputs.has(found.location.file)) continue;
    const chartSpec = (((found.object.spec ?? {}) as Record<string, unknown>).chart as Record<string, unknown> | undefined)?.spec as
      | Record<string, unknown>
      | undefined;
    const sourceRef = (chartSpec?.sourceRef ?? {}) as Record<string, unknown>;
    if (sourceRef.kind !== "GitRepository" || typeof chartSpec?.chart !== "string") continue;
    const namespace = typeof sourceRef.namespace === "string" ? sourceRef.namespace : found.ref.namespace || "flux-system";
    if (!context.sources.resolveFlux({ kind: "GitRepository", name: String(sourceRef.name ?? ""), namespace }).ok) continue;
    const chartDir = path.posix.normalize(chartSpec.chart.replace(/^\.?\/+/, ""));
    charts.push(...filesBelow(chartDir, context.discovery));
  }
  return charts;
}

/** Every file below a directory, as walked. */
export function filesBelow(dir: string, discovery: Discovery): string[] {
  const result: string[] = [];
  const visit = (current: string) => {
    for (const entry of discovery.directories.get(current) ?? []) {
      const repoPath = current === "." ? entry.name : `${current}/${entry.name}`;
      if (entry.type === "directory") visit(repoPath);
      else if (entry.type === "file") result.push(repoPath);
    }
  };
  visit(dir);
  return result;
}
