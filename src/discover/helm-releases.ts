// Flux HelmReleases as environments. They are found in the rendered output of the Kustomization that applies
// them (after its patches and substitutions), and rendered with `helm template` when helm is available.
import path from "node:path";
import type { Finding, KubeObject, Manifest } from "../model.ts";
import type { DiscoveredEnvironment } from "./discover.ts";
import { dataOf, filesBelow, pullerEnvironmentName, type FluxContext } from "./flux-environments.ts";
import { classify, refOf } from "./objects.ts";
import type { HelmChartSpec } from "./spec.ts";
import { parseYaml } from "../util/yaml.ts";
import { record } from "../util/values.ts";

/** The HelmReleases among a Flux Kustomization's rendered objects, as environments. */
export function helmReleaseEnvironments(
  parent: DiscoveredEnvironment,
  manifests: Manifest[],
  context: FluxContext,
  helm: { available: boolean; reason?: string },
): DiscoveredEnvironment[] {
  const environments: DiscoveredEnvironment[] = [];
  const cluster = parent.environment.cluster;
  const parentNamespace = parent.spec.type === "edited-kustomization" ? parent.spec.flux?.namespace ?? "flux-system" : "flux-system";
  for (const manifest of manifests) {
    if (classify(manifest.object) !== "flux-helmrelease") continue;
    const ref = refOf(manifest.object);
    const namespace = ref.namespace || parentNamespace;
    const definedAt = manifest.source ?? parent.environment.definedAt ?? { file: parent.environment.path };
    const label = `HelmRelease ${namespace}/${ref.name}`;
    const inputs = new Set([definedAt.file]);
    const problems: Finding[] = [];
    const notices: Finding[] = [];
    const resolved = chartOf(manifest.object, namespace, manifests, context);
    const environment = {
      name: pullerEnvironmentName(cluster, "HelmRelease", namespace, ref.name),
      kind: "flux-helmrelease" as const,
      path: resolved.ok ? describeChart(resolved.chart) : "",
      ...(cluster ? { cluster } : {}),
      definedAt,
    };
    if (!resolved.ok) {
      problems.push({ ruleId: "flux-helmrelease-invalid", severity: "error", message: `${label}: ${resolved.problem}`, location: definedAt });
      environments.push({ environment, spec: { type: "skipped", reason: resolved.problem }, inputs, yamlInputs: new Set(), problems });
      continue;
    }
    if (resolved.chart.type === "directory") for (const file of filesBelow(resolved.chart.dir, context.discovery)) inputs.add(file);
    const values = valuesOf(manifest.object, namespace, manifests, context, label, definedAt, notices, inputs);
    const spec = record(manifest.object.spec);
    const targetNamespace = typeof spec.targetNamespace === "string" && spec.targetNamespace ? spec.targetNamespace : undefined;
    const install = record(spec.install);
    const chart: HelmChartSpec = {
      // helm-controller's default release name: [targetNamespace-]name
      releaseName: typeof spec.releaseName === "string" && spec.releaseName ? spec.releaseName : targetNamespace ? `${targetNamespace}-${ref.name}` : ref.name,
      namespace: targetNamespace ?? namespace,
      chart: resolved.chart,
      valueFiles: resolved.valueFiles,
      values,
      includeCRDs: install.crds !== "Skip",
    };
    const definition = JSON.stringify({ object: manifest.object, values });
    environments.push({
      environment,
      spec: helm.available ? { type: "helm", chart, defaultNamespace: chart.namespace } : { type: "skipped", reason: helm.reason ?? "helm is not available" },
      inputs,
      yamlInputs: new Set(),
      problems,
      notices,
      definition,
    });
  }
  return environments;
}

type ChartResolution = { ok: true; chart: HelmChartSpec["chart"]; valueFiles: string[] } | { ok: false; problem: string };

/** spec.chart.spec (a chart from a HelmRepository, a GitRepository path, …) or spec.chartRef (OCIRepository). */
function chartOf(release: KubeObject, namespace: string, manifests: Manifest[], context: FluxContext): ChartResolution {
  const spec = record(release.spec);
  const chartRef = record(spec.chartRef);
  if (typeof chartRef.kind === "string") {
    const refNamespace = typeof chartRef.namespace === "string" ? chartRef.namespace : namespace;
    const source = findObject(chartRef.kind, refNamespace, String(chartRef.name ?? ""), manifests, context);
    if (!source) return { ok: false, problem: `chartRef ${chartRef.kind} ${refNamespace}/${String(chartRef.name)} is not defined in this repository` };
    const sourceSpec = record(source.spec);
    if (chartRef.kind === "OCIRepository" && typeof sourceSpec.url === "string") {
      const ref = record(sourceSpec.ref);
      const version = typeof ref.tag === "string" ? ref.tag : typeof ref.semver === "string" ? ref.semver : undefined;
      return { ok: true, chart: { type: "oci", url: sourceSpec.url, ...(version ? { version } : {}) }, valueFiles: [] };
    }
    return { ok: false, problem: `chartRef ${chartRef.kind} ${refNamespace}/${String(chartRef.name)} cannot be rendered here` };
  }
  const chartSpec = record(record(spec.chart).spec);
  const chartName = typeof chartSpec.chart === "string" ? chartSpec.chart : "";
  const sourceRef = record(chartSpec.sourceRef);
  if (!chartName || typeof sourceRef.kind !== "string") return { ok: false, problem: "spec.chart.spec needs chart and sourceRef" };
  const refNamespace = typeof sourceRef.namespace === "string" ? sourceRef.namespace : namespace;
  const refLabel = `${sourceRef.kind} ${refNamespace}/${String(sourceRef.name ?? "")}`;
  const version = typeof chartSpec.version === "string" && chartSpec.version !== "*" ? chartSpec.version : undefined;
  if (sourceRef.kind === "GitRepository") {
    const resolution = context.sources.resolveFlux({ kind: "GitRepository", name: String(sourceRef.name ?? ""), namespace: refNamespace });
    if (!resolution.ok) return { ok: false, problem: `the chart's source: ${resolution.reason}` };
    const dir = path.posix.normalize(chartName.replace(/^\.?\/+/, ""));
    if (dir.startsWith("../") || !context.discovery.directories.has(dir)) return { ok: false, problem: `chart "${chartName}" is not a directory of this repository` };
    const valueFiles = (Array.isArray(chartSpec.valuesFiles) ? chartSpec.valuesFiles : [])
      .filter((file): file is string => typeof file === "string")
      .map((file) => path.posix.normalize(file.replace(/^\.?\/+/, "")));
    return { ok: true, chart: { type: "directory", dir }, valueFiles };
  }
  if (sourceRef.kind === "HelmRepository") {
    const repository = findObject("HelmRepository", refNamespace, String(sourceRef.name ?? ""), manifests, context);
    if (!repository) return { ok: false, problem: `chart "${chartName}": ${refLabel} is not defined in this repository` };
    const repositorySpec = record(repository.spec);
    const url = typeof repositorySpec.url === "string" ? repositorySpec.url : "";
    if (!url) return { ok: false, problem: `${refLabel} has no spec.url` };
    if (repositorySpec.type === "oci" || url.startsWith("oci://")) {
      return { ok: true, chart: { type: "oci", url, chart: chartName, ...(version ? { version } : {}) }, valueFiles: [] };
    }
    return { ok: true, chart: { type: "repository", url, chart: chartName, ...(version ? { version } : {}) }, valueFiles: [] };
  }
  return { ok: false, problem: `chart "${chartName}" comes from ${refLabel}, which cannot be rendered here` };
}

/**
 * valuesFrom in order, then spec.values on top (helm-controller's merge). Values from Secrets are left out:
 * a Secret's value must never reach a rendered object a report could show.
 */
function valuesOf(
  release: KubeObject,
  namespace: string,
  manifests: Manifest[],
  context: FluxContext,
  label: string,
  definedAt: { file: string; line?: number },
  notices: Finding[],
  inputs: Set<string>,
): Record<string, unknown> {
  const spec = record(release.spec);
  let merged: Record<string, unknown> = {};
  for (const item of Array.isArray(spec.valuesFrom) ? spec.valuesFrom : []) {
    const from = record(item);
    const kind = String(from.kind ?? "");
    const name = String(from.name ?? "");
    const key = typeof from.valuesKey === "string" && from.valuesKey ? from.valuesKey : "values.yaml";
    if (kind === "Secret") {
      notices.push({ ruleId: "flux-helmrelease-secret-values", severity: "notice", message: `${label}: values from Secret ${namespace}/${name} are not used, so that no Secret value reaches a report`, location: definedAt });
      continue;
    }
    const source = findObject(kind, namespace, name, manifests, context, inputs);
    const text = source ? dataOf(source)[key] : undefined;
    if (text === undefined) {
      if (from.optional !== true) {
        notices.push({ ruleId: "flux-helmrelease-values-missing", severity: "warning", message: `${label}: valuesFrom ${kind} ${namespace}/${name} key ${key} is not in this repository; rendered without it`, location: definedAt });
      }
      continue;
    }
    if (typeof from.targetPath === "string" && from.targetPath) {
      merged = deepMerge(merged, setPath(from.targetPath, text));
      continue;
    }
    try {
      merged = deepMerge(merged, record(parseYaml(text, `${kind} ${namespace}/${name} ${key}`).documents[0]?.value));
    } catch (error) {
      notices.push({ ruleId: "flux-helmrelease-values-invalid", severity: "warning", message: `${label}: ${kind} ${namespace}/${name} key ${key}: ${(error as Error).message}`, location: definedAt });
    }
  }
  return deepMerge(merged, record(spec.values));
}

function findObject(kind: string, namespace: string, name: string, manifests: Manifest[], context: FluxContext, inputs?: Set<string>): KubeObject | undefined {
  const rendered = manifests.find((manifest) => manifest.id.kind === kind && (manifest.id.namespace || namespace) === namespace && manifest.id.name === name);
  if (rendered) return rendered.object;
  const found = [...context.produced.get(kind, namespace, name), ...context.objects.get(kind, namespace, name)][0];
  if (found && inputs) inputs.add(found.location.file);
  return found?.object;
}

function describeChart(chart: HelmChartSpec["chart"]): string {
  if (chart.type === "directory") return chart.dir;
  if (chart.type === "repository") return `${chart.url} ${chart.chart}${chart.version ? `@${chart.version}` : ""}`;
  return `${chart.url}${chart.chart ? `/${chart.chart}` : ""}${chart.version ? `@${chart.version}` : ""}`;
}

/** Helm's deep merge of values: maps merge, everything else is replaced. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const existing = result[key];
    result[key] =
      value && typeof value === "object" && !Array.isArray(value) && existing && typeof existing === "object" && !Array.isArray(existing)
        ? deepMerge(existing as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return result;
}

/** valuesFrom targetPath: "a.b.c" set to the value. */
function setPath(dotted: string, value: string): Record<string, unknown> {
  const keys = dotted.split(".");
  const root: Record<string, unknown> = {};
  let current = root;
  keys.forEach((key, index) => {
    if (index === keys.length - 1) current[key] = value;
    else current = (current[key] = {}) as Record<string, unknown>;
  });
  return root;
}
