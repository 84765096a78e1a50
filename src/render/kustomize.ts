// Renders a Kustomize directory with the real kustomize binary (standalone or inside kubectl).
import path from "node:path";
import { ToolError } from "../errors.ts";
import type { Manifest, SourceLocation } from "../model.ts";
import type { Exec, Files } from "../ports.ts";
import { parseManifests } from "./manifests.ts";
import type { SourceIndex } from "./source-map.ts";
import type { Kustomization } from "../discover/kustomization.ts";
import { joinRepoPath } from "../util/paths.ts";

export type KustomizeBinary = { kind: "kustomize"; path: string } | { kind: "kubectl"; path: string };

/** Picks the binary: the config's choice, or kustomize when on PATH, else kubectl. */
export async function findKustomize(exec: Exec, choice: "auto" | "kustomize" | "kubectl"): Promise<KustomizeBinary> {
  if (choice !== "kubectl") {
    const kustomize = await exec.which("kustomize");
    if (kustomize) return { kind: "kustomize", path: kustomize };
    if (choice === "kustomize") throw new ToolError("renderer is set to kustomize, but no kustomize binary is on PATH", "kustomize");
  }
  const kubectl = await exec.which("kubectl");
  if (kubectl) return { kind: "kubectl", path: kubectl };
  throw new ToolError(
    choice === "kubectl"
      ? "renderer is set to kubectl, but no kubectl binary is on PATH"
      : "neither kustomize nor kubectl is on PATH: install one of them (kubectl includes kustomize as `kubectl kustomize`)",
    "kustomize",
  );
}

/**
 * The arguments never enable plugins, exec functions or helm: content of a pull request is data.
 * (kustomize runs none of them unless asked with --enable-alpha-plugins, --enable-exec, --enable-helm.)
 */
export function kustomizeArgs(binary: KustomizeBinary, dir: string, options: { loadRestrictionsNone?: boolean; helmCommand?: string } = {}): string[] {
  // Flux builds without load restrictions (files from anywhere in the source); Argo CD and plain kustomize with them
  const flags = options.loadRestrictionsNone ? ["--load-restrictor=LoadRestrictionsNone"] : [];
  // helmCharts: kustomize runs `helm template` (and `helm pull`); never plugins or exec functions
  if (options.helmCommand) flags.push("--enable-helm", `--helm-command=${options.helmCommand}`);
  return binary.kind === "kustomize" ? ["build", ...flags, dir] : ["kustomize", ...flags, dir];
}

export interface KustomizeRendererOptions {
  binary: KustomizeBinary;
  /** Extra environment for the binary (Go runtime settings). */
  env?: Record<string, string>;
  timeoutMs: number;
  /** A private directory for the wrapper kustomizations. */
  workDir: string;
  /** helm for kustomizations with helmCharts, and the private environment it runs in. */
  helm?: { path: string; env: Record<string, string> };
}

export interface RenderedEnvironment {
  text: string;
  manifests: Manifest[];
}

/** Why a render failed, in one line a reviewer can act on, and kustomize's full message. */
export class RenderFailure extends Error {
  constructor(
    message: string,
    readonly detail: string,
  ) {
    super(message);
  }
}

let wrapperCounter = 0;

/** Go runtime settings for kustomize, unless the user set their own. */
export function goMemorySettings(environment: Record<string, string | undefined>): Record<string, string> {
  if (environment.GOGC !== undefined || environment.GOMEMLIMIT !== undefined) return {};
  return { GOGC: "off", GOMEMLIMIT: "768MiB" };
}

export class KustomizeRenderer {
  constructor(
    private readonly exec: Exec,
    private readonly files: Files,
    private readonly options: KustomizeRendererOptions,
  ) {}

  /** kustomize's output, byte for byte, as `kustomize build DIR` prints it. */
  async renderPlain(root: string, dir: string): Promise<string> {
    return this.run(root, joinRepoPath(root, dir), joinRepoPath(root, dir));
  }

  /**
   * Renders through a one-line wrapper kustomization that asks kustomize for origin annotations,
   * so every object knows the file it came from; the annotations are removed again afterwards.
   */
  async render(root: string, dir: string, sources: SourceIndex, generators: Map<string, SourceLocation>): Promise<RenderedEnvironment> {
    const wrapperDir = path.join(this.options.workDir, `wrap-${++wrapperCounter}`);
    const target = path.relative(wrapperDir, joinRepoPath(root, dir)).split(path.sep).join("/");
    await this.files.writeText(
      path.join(wrapperDir, "kustomization.yaml"),
      `resources:\n- ${JSON.stringify(target)}\nbuildMetadata: [originAnnotations]\n`,
    );
    try {
      const text = await this.run(root, wrapperDir, joinRepoPath(root, dir));
      const manifests = parseManifests(text, `${dir} (rendered)`);
      for (const manifest of manifests) await sources.attach(manifest, wrapperDir, generators);
      return { text, manifests };
    } finally {
      await this.files.removeTree(wrapperDir);
    }
  }

  /**
   * Builds a kustomization written into a mirror of the repository (see render/edited-kustomization.ts):
   * `mirrorRoot` stands for the repository root, and origins inside it are mapped back to repository files.
   */
  async renderMirrored(
    root: string,
    mirrorRoot: string,
    dir: string,
    options: { loadRestrictionsNone: boolean; sources: SourceIndex; generators: Map<string, SourceLocation>; helm?: boolean; copyRoot?: string },
  ): Promise<RenderedEnvironment> {
    const buildDir = joinRepoPath(mirrorRoot, dir);
    if (options.helm && !this.options.helm) throw new RenderFailure("helmCharts need a helm binary on PATH", "");
    const text = await this.run(root, buildDir, buildDir, {
      loadRestrictionsNone: options.loadRestrictionsNone,
      mirrorRoot,
      ...(options.helm && this.options.helm ? { helmCommand: this.options.helm.path } : {}),
    });
    const manifests = parseManifests(text, `${dir} (rendered)`);
    const aliases = [mirrorRoot, ...(options.copyRoot ? [options.copyRoot] : [])];
    for (const manifest of manifests) await options.sources.attach(manifest, buildDir, options.generators, aliases);
    return { text, manifests };
  }

  private async run(
    root: string,
    buildDir: string,
    envDir: string,
    options: { loadRestrictionsNone?: boolean; mirrorRoot?: string; helmCommand?: string } = {},
  ): Promise<string> {
    const { binary, timeoutMs } = this.options;
    const result = await this.exec.run(binary.path, kustomizeArgs(binary, buildDir, options), {
      cwd: envDir,
      timeoutMs,
      env: {
        // no credentials or helpers for fetching: remote bases are refused before we get here
        GIT_TERMINAL_PROMPT: "0",
        KUSTOMIZE_PLUGIN_HOME: "/nonexistent",
        XDG_CONFIG_HOME: "/nonexistent",
        // kustomize is a short-lived Go process that spends ~40% of its CPU collecting garbage it would free on
        // exit anyway: collect only past a memory limit instead (a measured third less CPU per render)
        ...this.options.env,
        ...(options.helmCommand ? this.options.helm?.env : {}),
      },
    });
    if (result.timedOut) {
      throw new RenderFailure(`kustomize did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped`, result.stderr);
    }
    if (result.outputTooLarge) throw new RenderFailure("kustomize printed more output than a render may have", "");
    if (result.exitCode !== 0) {
      const clean = (text: string) => relativise(options.mirrorRoot ? relativise(text, options.mirrorRoot, buildDir) : text, root, buildDir);
      throw new RenderFailure(clean(firstKustomizeError(result.stderr)), clean(result.stderr.trim()));
    }
    return result.stdout;
  }
}

/** Generated ConfigMaps and Secrets, keyed "file#kind#name", pointing at their generator entry. */
export function generatorLocations(kustomizations: Map<string, Kustomization>): Map<string, SourceLocation> {
  const locations = new Map<string, SourceLocation>();
  for (const kustomization of kustomizations.values()) {
    for (const generator of kustomization.generators) {
      locations.set(`${kustomization.file}#${generator.kind}#${generator.name}`, { file: kustomization.file, line: generator.line });
    }
  }
  return locations;
}

/**
 * kubectl prints harmless warnings first (deprecated fields) and wraps the error in a klog line;
 * kustomize prints "Error: …". Returns the error itself.
 */
export function firstKustomizeError(stderr: string): string {
  const lines = stderr.split("\n").map((line) => line.trim()).filter(Boolean);
  const meaningful = lines.filter((line) => !/^(#\s*)?warning:/i.test(line) && !/^W\d{4} /.test(line));
  for (const line of meaningful) {
    const klog = /^E\d{4} [\d:.]+\s+\d+ \S+\] .*?err="((?:[^"\\]|\\.)*)"/.exec(line);
    if (klog) {
      try {
        return JSON.parse(`"${klog[1]}"`) as string;
      } catch {
        return klog[1]!;
      }
    }
    const error = /^Error:\s*(.*)$/.exec(line);
    if (error) return error[1]!;
  }
  return meaningful[0] ?? lines[0] ?? "kustomize failed without a message";
}

/** Temporary checkout paths mean nothing to a reviewer: print repository paths instead. */
function relativise(text: string, root: string, buildDir: string): string {
  const fromWrapper = path.relative(buildDir, root).split(path.sep).join("/");
  let result = text.split(root + path.sep).join("").split(root).join(".");
  if (fromWrapper && fromWrapper !== ".") result = result.split(fromWrapper + "/").join("");
  return result;
}
