// What every use case is handed: the ports, and how to find the repository and its configuration.
import path from "node:path";
import { CONFIG_FILE_NAME, DEFAULT_CONFIG, parseConfig, type Config } from "../config/config.ts";
import { UserError } from "../errors.ts";
import type { Exec, Files, Git, Http, Logger } from "../ports.ts";
import { isInside } from "../util/paths.ts";
import { findKustomize, goMemorySettings, KustomizeRenderer } from "../render/kustomize.ts";
import { findHelm, helmEnvironment, helmHome, HelmRenderer } from "../render/helm.ts";
import type { Renderers } from "./revision.ts";

export interface Ports {
  files: Files;
  exec: Exec;
  /** Downloads of schemas from the configured schema locations. */
  http: Http;
  /** Git for the repository at a directory. */
  gitAt(dir: string): Git;
  logger: Logger;
  /** Cores available for parallel renders. */
  cores: number;
  /** The process environment, for settings handed to child processes. */
  env: Record<string, string | undefined>;
}

/** The renderers a configuration asks for: kustomize always, helm when it is on PATH and not switched off. */
export async function createRenderers(ports: Ports, config: Config, workDir: string, root: string): Promise<Renderers> {
  const binary = await findKustomize(ports.exec, config.renderer);
  const timeoutMs = config.render.timeoutSeconds * 1000;
  const env = goMemorySettings(ports.env);
  const helm = config.helm.enabled ? await findHelm(ports.exec) : undefined;
  // helm run by kustomize (helmCharts) gets the same private configuration as helm run by us
  const kustomizeHelm = helm ? { path: helm.path, env: helmEnvironment(helmHome(path.join(workDir, "kustomize-helm"))) } : undefined;
  const kustomize = new KustomizeRenderer(ports.exec, ports.files, { binary, timeoutMs, workDir, env, ...(kustomizeHelm ? { helm: kustomizeHelm } : {}) });
  if (!config.helm.enabled) return { kustomize, workDir, helmMissing: "Helm rendering is switched off (helm.enabled: false)" };
  if (!helm) {
    return { kustomize, workDir, helmMissing: "no helm binary on PATH: Helm charts are rendered with `helm template` (install helm to verify them)" };
  }
  const chartCacheDir = config.helm.chartCacheDir ? path.resolve(root, config.helm.chartCacheDir) : undefined;
  const renderer = new HelmRenderer(ports.exec, ports.files, { helmPath: helm.path, workDir, timeoutMs, ...(chartCacheDir ? { chartCacheDir } : {}) });
  const kubeVersion = config.helm.kubeVersion;
  return { kustomize, workDir, helm: { render: (request) => renderer.render({ ...request, ...(kubeVersion ? { kubeVersion } : {}) }) } };
}

export interface ConfigSource {
  /** A path given by the user (--config); relative to the current directory. */
  explicitPath?: string;
}

/** Loads the configuration of a checkout: an explicit file, else .gitops-verify.yaml at its root, else defaults. */
export async function loadConfig(files: Files, root: string, source: ConfigSource): Promise<{ config: Config; file?: string }> {
  const file = source.explicitPath ? path.resolve(source.explicitPath) : path.join(root, CONFIG_FILE_NAME);
  const info = await files.stat(file);
  if (!info) {
    if (source.explicitPath) throw new UserError(`configuration file ${source.explicitPath} does not exist`);
    return { config: DEFAULT_CONFIG };
  }
  const display = isInside(root, file) ? path.relative(root, file).split(path.sep).join("/") : file;
  return { config: parseConfig(await files.readText(file), display), file: display };
}

/** The configuration as committed at a revision (for pull_request_target: the base's, not the pull request's). */
export async function loadConfigAt(git: Git, sha: string, explicitPath: string | undefined): Promise<{ config: Config; file?: string }> {
  const file = explicitPath ?? CONFIG_FILE_NAME;
  const text = await git.showFile(sha, file);
  if (text === undefined) {
    if (explicitPath) throw new UserError(`configuration file ${explicitPath} does not exist at ${sha.slice(0, 12)}`);
    return { config: DEFAULT_CONFIG };
  }
  return { config: parseConfig(text, file), file };
}

export { mapConcurrent } from "../util/concurrency.ts";
