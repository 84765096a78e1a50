// The list and render use cases: one revision, no comparison.
import path from "node:path";
import type { Config } from "../config/config.ts";
import type { DiscoveredEnvironment } from "../discover/discover.ts";
import { maskForOutput } from "../diff/index.ts";
import { UserError } from "../errors.ts";
import type { KubeObject } from "../model.ts";
import { parseYaml } from "../util/yaml.ts";
import { stringify } from "yaml";
import { createRenderers, loadConfig, type Ports } from "./context.ts";
import { Revision } from "./revision.ts";

export interface WorkingTreeSettings {
  repoDir: string;
  configPath?: string;
}

/** Opens the working tree: the git top level when inside a repository, else the directory itself. */
export async function openWorkingTree(settings: WorkingTreeSettings, ports: Ports, workDir: string): Promise<{ revision: Revision; config: Config }> {
  const dir = path.resolve(settings.repoDir);
  if (!(await ports.files.stat(dir))) throw new UserError(`${settings.repoDir}: no such directory`);
  let root = dir;
  try {
    root = await ports.gitAt(dir).topLevel(dir);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
  }
  const { config } = await loadConfig(ports.files, root, { explicitPath: settings.configPath });
  const renderers = await createRenderers(ports, config, workDir, root);
  // outside a git repository there are no remotes: only configured URLs count as this repository
  const remoteUrls = await ports.gitAt(root).remoteUrls().catch(() => []);
  return { revision: await Revision.open(root, ports.files, config, renderers, { remoteUrls }), config };
}

/** Every environment, the HelmReleases of Flux Kustomizations included (found by rendering those). */
export async function listEnvironments(settings: WorkingTreeSettings, ports: Ports): Promise<DiscoveredEnvironment[]> {
  const workDir = await ports.files.makeTempDir("gitops-verify-work-");
  try {
    return await (await openWorkingTree(settings, ports, workDir)).revision.allEnvironments();
  } finally {
    await ports.files.removeTree(workDir);
  }
}

export interface RenderSettings extends WorkingTreeSettings {
  /** Environment names; all when empty. */
  names: string[];
  /** Print Secret values as kustomize does. Off by default: output ends up in CI logs. */
  showSecrets: boolean;
}

/** The rendered YAML of the named environments, as kustomize prints it (Secrets masked unless asked). */
export async function renderEnvironments(settings: RenderSettings, ports: Ports): Promise<string> {
  const workDir = await ports.files.makeTempDir("gitops-verify-work-");
  try {
    const { revision } = await openWorkingTree(settings, ports, workDir);
    const environments = await revision.allEnvironments();
    const selected = settings.names.length === 0 ? environments : settings.names.map((name) => lookupEnvironment(environments, name));
    const outputs: string[] = [];
    for (const environment of selected) {
      const text = await revision.renderText(environment);
      const shown = settings.showSecrets ? text : maskSecretDocuments(text, environment.environment.name);
      outputs.push(selected.length > 1 ? `# Environment: ${environment.environment.name}\n${shown}` : shown);
    }
    return outputs.join(selected.length > 1 ? "---\n" : "");
  } finally {
    await ports.files.removeTree(workDir);
  }
}

/**
 * The environments `written` names: by full name, else by the path it renders, else by an ending of its name
 * ("apps" for "staging/Kustomization/flux-system/apps").
 */
export function matchEnvironments(environments: readonly DiscoveredEnvironment[], written: string): DiscoveredEnvironment[] {
  const name = path.posix.normalize(written.replace(/\/+$/, ""));
  const exact = environments.filter((environment) => environment.environment.name === name);
  if (exact.length > 0) return exact;
  const byPath = environments.filter((environment) => environment.environment.path === name);
  if (byPath.length > 0) return byPath;
  return environments.filter((environment) => environment.environment.name.endsWith(`/${name}`));
}

/** The one environment `written` names; an error listing the candidates when it names none or several. */
export function lookupEnvironment(environments: DiscoveredEnvironment[], written: string): DiscoveredEnvironment {
  const found = matchEnvironments(environments, written);
  if (found.length === 1) return found[0]!;
  if (found.length > 1) {
    throw new UserError(`"${written}" names ${found.length} environments: ${found.map((environment) => environment.environment.name).join(", ")}`);
  }
  const known = environments.map((environment) => environment.environment.name);
  throw new UserError(`no environment named "${written}" (known: ${known.length > 0 ? known.join(", ") : "none"})`);
}

/** Replaces each Secret document with a masked copy; every other byte stays as kustomize printed it. */
export function maskSecretDocuments(text: string, streamName: string): string {
  const { documents } = parseYaml(text, streamName);
  let result = "";
  let cursor = 0;
  for (const document of documents) {
    const value = document.value as KubeObject | null;
    if (!value || value.kind !== "Secret") continue;
    const [start, end] = contentRange(text, document.range);
    result += text.slice(cursor, start) + stringify(maskForOutput(value), { lineWidth: 0 });
    cursor = end;
  }
  return result + text.slice(cursor);
}

/** The document's own text, without a leading `---` line (kept as it was). */
function contentRange(text: string, [start, end]: [number, number]): [number, number] {
  const marker = /^---[^\n]*\n/.exec(text.slice(start, end));
  return [start + (marker ? marker[0].length : 0), end];
}
