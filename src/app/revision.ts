// One revision of the repository on disk: its environments, and renders of them.
import path from "node:path";
import type { Config } from "../config/config.ts";
import { discover, type DiscoveredEnvironment, type Discovery } from "../discover/discover.ts";
import type { FluxContext } from "../discover/flux-environments.ts";
import { helmReleaseEnvironments } from "../discover/helm-releases.ts";
import { objectsInFile, ObjectIndex, type FoundObject } from "../discover/objects.ts";
import { discoverPullerEnvironments } from "../discover/pullers.ts";
import { SOURCE_IGNORE_FILE } from "../discover/source-ignore.ts";
import { SourceResolver } from "../discover/sources.ts";
import type { RenderSpec } from "../discover/spec.ts";
import type { HelmTemplateRequest } from "../render/helm.ts";
import { UserError } from "../errors.ts";
import type { Finding, Manifest, SourceLocation } from "../model.ts";
import type { Files } from "../ports.ts";
import { renderDirectory } from "../render/directory.ts";
import { editedKustomizationText, makeMirror, parseKustomization } from "../render/edited-kustomization.ts";
import { InputChecker } from "../render/input-check.ts";
import type { KustomizeRenderer } from "../render/kustomize.ts";
import { generatorLocations, RenderFailure } from "../render/kustomize.ts";
import { parseManifests } from "../render/manifests.ts";
import { applyDefaultNamespace, fluxPostBuild } from "../render/post-build.ts";
import { SourceIndex } from "../render/source-map.ts";
import { globToRegExp, joinRepoPath } from "../util/paths.ts";
import { stringify } from "yaml";

export type RenderOutcome =
  | { ok: true; manifests: Manifest[]; findings: Finding[] }
  /** `skipped`: cannot be rendered here at all (the findings say why); not a failure of the change. */
  | { ok: false; findings: Finding[]; skipped?: string };

/** What renders Helm charts (src/render/helm.ts), with paths made absolute. */
export interface HelmPort {
  render(request: HelmTemplateRequest): Promise<string>;
}

export interface Renderers {
  kustomize: KustomizeRenderer;
  /** Undefined when helm is not on PATH (or switched off): `helmMissing` says why. */
  helm?: HelmPort;
  helmMissing?: string;
  /** A private directory for mirrors. */
  workDir: string;
}

/** Renders of one revision that another revision may reuse: same environment, same inputs, none changed. */
export interface RenderReuse {
  changed: Set<string>;
  outcomes: Map<string, Promise<RenderOutcome>>;
  /** The puller objects of each YAML file, as the first revision read them: unchanged files are not read again. */
  objectsByFile?: Map<string, FoundObject[]>;
}

let mirrorCounter = 0;

export class Revision {
  private readonly sources: SourceIndex;
  private readonly checker: InputChecker;
  private readonly generators: Map<string, SourceLocation>;
  private readonly renders = new Map<string, Promise<RenderOutcome>>();
  environments: DiscoveredEnvironment[] = [];
  private fluxContext?: FluxContext;
  private checkoutCopy?: Promise<string>;

  private constructor(
    readonly root: string,
    readonly discovery: Discovery,
    private readonly files: Files,
    private readonly config: Config,
    private readonly renderers: Renderers,
    private readonly reuse?: RenderReuse,
  ) {
    this.sources = new SourceIndex(root, files);
    this.checker = new InputChecker(root, files);
    this.generators = generatorLocations(discovery.kustomizations);
  }

  static async open(
    root: string,
    files: Files,
    config: Config,
    renderers: Renderers,
    options: { remoteUrls: string[]; reuse?: RenderReuse },
  ): Promise<Revision> {
    const discovery = await discover({ root, files, config });
    const revision = new Revision(root, discovery, files, config, renderers, options.reuse);
    await revision.findEnvironments(options.remoteUrls);
    return revision;
  }

  private async findEnvironments(remoteUrls: string[]): Promise<void> {
    const { discovery, config } = this;
    const objects = new ObjectIndex();
    const shared = this.reuse?.objectsByFile;
    const byFile = new Map<string, FoundObject[]>();
    for (const file of discovery.yamlFiles) {
      const unchanged = shared && !this.reuse!.changed.has(file) ? shared.get(file) : undefined;
      const found = unchanged ?? objectsInFile(await this.readText(file), file);
      byFile.set(file, found);
      for (const one of found) objects.add(one);
    }
    if (this.reuse && !shared) this.reuse.objectsByFile = byFile;
    const ignoreFiles = new Map<string, string>();
    for (const [dir, entries] of discovery.directories) {
      if (!entries.some((entry) => entry.name === SOURCE_IGNORE_FILE && entry.type === "file")) continue;
      const file = dir === "." ? SOURCE_IGNORE_FILE : `${dir}/${SOURCE_IGNORE_FILE}`;
      ignoreFiles.set(file, await this.readText(file));
    }
    const pullers = await discoverPullerEnvironments({
      config,
      discovery,
      objects,
      sources: new SourceResolver(config.sources, remoteUrls, objects),
      ignoreFiles,
      render: (environment) => this.render(environment),
      readText: (file) => this.readText(file),
    });
    this.fluxContext = pullers.fluxContext;
    // A leaf overlay that a puller renders is verified as the puller renders it, not twice
    const policy = config.environments.kustomizeLeaves;
    const configured = new Set(config.environments.paths.map((written) => path.posix.normalize(written.replace(/\/+$/, "")) || "."));
    const readByPullers = new Set(pullers.environments.flatMap((environment) => [...environment.inputs]));
    const leaves = discovery.environments.filter((environment) => {
      if (configured.has(environment.environment.path) || policy === "always") return true;
      if (policy === "never") return false;
      const file = discovery.kustomizations.get(environment.environment.path)?.file;
      return !(file && readByPullers.has(file));
    });
    this.environments = selected([...leaves, ...pullers.environments], config).sort(byClusterAndName);
  }

  private async readText(file: string): Promise<string> {
    return this.files.readText(joinRepoPath(this.root, file));
  }

  /** The HelmReleases a Flux Kustomization applies, from its render. */
  helmReleasesOf(environment: DiscoveredEnvironment, outcome: RenderOutcome): DiscoveredEnvironment[] {
    if (environment.environment.kind !== "flux-kustomization" || !outcome.ok || !this.fluxContext) return [];
    const helm = this.renderers.helm
      ? { available: true }
      : { available: false, reason: this.renderers.helmMissing ?? "no helm binary on PATH" };
    return helmReleaseEnvironments(environment, outcome.manifests, this.fluxContext, helm);
  }

  /** Every environment, with the HelmReleases of every Flux Kustomization (which takes rendering them). */
  async allEnvironments(): Promise<DiscoveredEnvironment[]> {
    const result: DiscoveredEnvironment[] = [];
    for (const environment of this.environments) {
      result.push(environment);
      if (environment.environment.kind === "flux-kustomization" && environment.spec.type !== "skipped") {
        result.push(...this.helmReleasesOf(environment, await this.render(environment)));
      }
    }
    return result.sort(byClusterAndName);
  }

  /** Renders one environment once; problems become findings on it, never exceptions. */
  render(environment: DiscoveredEnvironment): Promise<RenderOutcome> {
    const key = renderKey(environment);
    let outcome = this.renders.get(key);
    if (!outcome) {
      const unchanged = this.reuse && ![...environment.inputs].some((file) => this.reuse!.changed.has(file));
      const reused = unchanged ? this.reuse!.outcomes.get(key) : undefined;
      outcome = reused ?? this.renderNow(environment);
      this.renders.set(key, outcome);
      if (this.reuse && !reused) this.reuse.outcomes.set(key, outcome);
    }
    return outcome;
  }

  private async renderNow(environment: DiscoveredEnvironment): Promise<RenderOutcome> {
    const name = environment.environment.name;
    const notices = (environment.notices ?? []).map((finding) => ({ ...finding, environment: name }));
    const skippedFor =
      environment.spec.type === "skipped" ? environment.spec.reason : !this.renderers.helm && usesHelm(environment.spec) ? this.renderers.helmMissing ?? "no helm binary on PATH" : undefined;
    if (skippedFor !== undefined && environment.problems.length === 0) {
      const reason = skippedFor;
      return { ok: false, skipped: reason, findings: [...notices, { ruleId: "environment-skipped", severity: "notice", environment: name, message: reason, ...(environment.environment.definedAt ? { location: environment.environment.definedAt } : {}) }] };
    }
    const blocking = [...environment.problems, ...(await this.checker.check(environment))];
    if (blocking.length > 0) return { ok: false, findings: blocking.map((finding) => ({ ...finding, environment: name })) };
    try {
      const { manifests, findings } = await this.renderSpec(environment, environment.spec);
      return { ok: true, manifests, findings: [...notices, ...findings.map((finding) => ({ ...finding, environment: name }))] };
    } catch (error) {
      if (error instanceof RenderFailure || error instanceof UserError) {
        const file = this.discovery.kustomizations.get(environment.environment.path)?.file ?? environment.environment.definedAt?.file;
        return { ok: false, findings: [renderFinding(environment, error, file)] };
      }
      throw error;
    }
  }

  private async renderSpec(environment: DiscoveredEnvironment, spec: RenderSpec): Promise<{ manifests: Manifest[]; findings: Finding[] }> {
    const label = `${environment.environment.name} (rendered)`;
    switch (spec.type) {
      case "kustomize":
        if (spec.helm) {
          // kustomize pulls charts into the kustomization's directory: build in a copy, as the puller would build it
          return this.renderEdited(environment, { type: "edited-kustomization", path: spec.path, edits: { patches: [], images: [], components: [] }, loadRestrictionsNone: false, helm: true }, label);
        }
        return { manifests: (await this.renderers.kustomize.render(this.root, spec.path, this.sources, this.generators)).manifests, findings: [] };
      case "directory": {
        const { manifests } = await renderDirectory(this.root, environment, this.files);
        return { manifests: spec.defaultNamespace ? applyDefaultNamespace(manifests, spec.defaultNamespace, label) : manifests, findings: [] };
      }
      case "edited-kustomization":
        return this.renderEdited(environment, spec, label);
      case "helm": {
        if (!this.renderers.helm) throw new RenderFailure(this.renderers.helmMissing ?? "no helm binary on PATH", "");
        const chart = spec.chart;
        const text = await this.renderers.helm.render({
          ...chart,
          chart: chart.chart.type === "directory" ? { type: "directory", dir: joinRepoPath(this.root, chart.chart.dir), root: this.root } : chart.chart,
          valueFiles: chart.valueFiles.map((file) => joinRepoPath(this.root, file)),
        });
        const definedAt = environment.environment.definedAt;
        const manifests = parseManifests(text, label).map((manifest) => (definedAt ? { ...manifest, source: definedAt } : manifest));
        return { manifests: spec.defaultNamespace ? applyDefaultNamespace(manifests, spec.defaultNamespace, label) : manifests, findings: [] };
      }
      case "multi": {
        const manifests: Manifest[] = [];
        const findings: Finding[] = [];
        for (const part of spec.parts) {
          const rendered = await this.renderSpec(environment, part);
          manifests.push(...rendered.manifests);
          findings.push(...rendered.findings);
        }
        return { manifests, findings };
      }
      case "skipped":
        throw new RenderFailure(spec.reason, "");
    }
  }

  private async renderEdited(
    environment: DiscoveredEnvironment,
    spec: Extract<RenderSpec, { type: "edited-kustomization" }>,
    label: string,
  ): Promise<{ manifests: Manifest[]; findings: Finding[] }> {
    const original = this.discovery.kustomizations.get(spec.path);
    const text = editedKustomizationText(original ? parseKustomization(await this.readText(original.file)) : undefined, spec.generated, spec.edits);
    const mirrorRoot = path.join(this.renderers.workDir, `mirror-${++mirrorCounter}`);
    const copyRoot = spec.helm ? await this.copyOfCheckout() : undefined;
    try {
      await makeMirror({
        files: this.files,
        root: copyRoot ?? this.discovery.realRoot,
        dir: spec.path,
        mirrorRoot,
        kustomization: text,
        copyDirectory: !spec.loadRestrictionsNone,
      });
      const rendered = await this.renderers.kustomize.renderMirrored(this.root, mirrorRoot, spec.path, {
        loadRestrictionsNone: spec.loadRestrictionsNone,
        sources: this.sources,
        generators: this.generators,
        ...(spec.helm ? { helm: true } : {}),
        ...(copyRoot ? { copyRoot } : {}),
      });
      let manifests = rendered.manifests;
      let findings: Finding[] = [];
      if (spec.substitution || spec.commonMetadata) {
        ({ manifests, findings } = fluxPostBuild(manifests, { substitution: spec.substitution, commonMetadata: spec.commonMetadata, label }));
      }
      if (spec.defaultNamespace) manifests = applyDefaultNamespace(manifests, spec.defaultNamespace, label);
      return { manifests, findings };
    } finally {
      await this.files.removeTree(mirrorRoot);
    }
  }

  /**
   * A copy of the checkout's files (hidden and vendored directories left out), made once: kustomize writes the
   * charts it pulls for helmCharts next to the kustomization, and the checkout is never written to.
   */
  private copyOfCheckout(): Promise<string> {
    this.checkoutCopy ??= (async () => {
      const copy = path.join(this.renderers.workDir, `copy-${++mirrorCounter}`);
      for (const [dir, entries] of this.discovery.directories) {
        await this.files.mkdirp(joinRepoPath(copy, dir));
        for (const entry of entries) {
          if (entry.type !== "file") continue;
          await this.files.copyFile(path.join(joinRepoPath(this.discovery.realRoot, dir), entry.name), path.join(joinRepoPath(copy, dir), entry.name));
        }
      }
      return copy;
    })();
    return this.checkoutCopy;
  }

  /** The output as the puller would build it, for `gitops-verify render`: kustomize's own bytes where it is plain kustomize. */
  async renderText(environment: DiscoveredEnvironment): Promise<string> {
    const blocking = [...environment.problems, ...(await this.checker.check(environment))];
    if (blocking.length > 0) throw new RenderFailure(formatFindings(blocking), "");
    if (environment.spec.type === "kustomize" && !environment.spec.helm) return this.renderers.kustomize.renderPlain(this.root, environment.spec.path);
    if (environment.spec.type === "directory" && !environment.spec.defaultNamespace) {
      return (await renderDirectory(this.root, environment, this.files)).text;
    }
    const outcome = await this.render(environment);
    if (!outcome.ok) throw new RenderFailure(outcome.skipped ?? formatFindings(outcome.findings), "");
    return outcome.manifests.map((manifest) => stringifyObject(manifest.object)).join("---\n");
  }
}

function stringifyObject(object: unknown): string {
  return stringify(object, { lineWidth: 0 });
}

/** environments.include and exclude, over names and paths (a puller's parent is still walked when filtered out). */
function selected(environments: DiscoveredEnvironment[], config: Config): DiscoveredEnvironment[] {
  const include = config.environments.include.map(globToRegExp);
  const exclude = config.environments.exclude.map(globToRegExp);
  const matches = (globs: RegExp[], environment: DiscoveredEnvironment) =>
    globs.some((glob) => glob.test(environment.environment.name) || glob.test(environment.environment.path));
  return environments.filter((environment) => (include.length === 0 || matches(include, environment)) && !matches(exclude, environment));
}

function usesHelm(spec: RenderSpec): boolean {
  if (spec.type === "kustomize" || spec.type === "edited-kustomization") return spec.helm === true;
  return spec.type === "helm" || (spec.type === "multi" && spec.parts.some(usesHelm));
}

/** Two environments render alike when their names, specs and definitions are the same. */
function renderKey(environment: DiscoveredEnvironment): string {
  return `${environment.environment.name}\0${JSON.stringify(environment.spec)}\0${environment.definition ?? ""}`;
}

function byClusterAndName(a: DiscoveredEnvironment, b: DiscoveredEnvironment): number {
  const clusterA = a.environment.cluster ?? "";
  const clusterB = b.environment.cluster ?? "";
  if (clusterA !== clusterB) return clusterA < clusterB ? -1 : 1;
  return a.environment.name < b.environment.name ? -1 : a.environment.name > b.environment.name ? 1 : 0;
}

function renderFinding(environment: DiscoveredEnvironment, error: RenderFailure | UserError, kustomizationFile: string | undefined): Finding {
  const location = error instanceof UserError ? error.location : undefined;
  return {
    ruleId: "render-failed",
    severity: "error",
    environment: environment.environment.name,
    message: `render failed: ${error.message}`,
    ...(location ? { location } : kustomizationFile ? { location: { file: kustomizationFile } } : {}),
  };
}

export function formatFindings(findings: Finding[]): string {
  return findings
    .map((finding) => {
      const where = finding.location ? `${finding.location.file}${finding.location.line ? `:${finding.location.line}` : ""}: ` : "";
      return `${where}${finding.message}`;
    })
    .join("\n");
}
