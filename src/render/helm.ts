// Renders a Helm chart with the real `helm template`, when a helm binary is on PATH. Content of a pull request is
// data: no plugins or post-renderers run, helm's configuration, caches and registry logins are private to the run,
// and every helm process has a timeout.
import path from "node:path";
import type { Exec, ExecResult, Files } from "../ports.ts";
import { toRepoPath } from "../util/paths.ts";
import { parseYaml } from "../util/yaml.ts";
import {
  checkTemplateRequest,
  describeRemoteChart,
  firstHelmError,
  helmEnvironment,
  helmHome,
  helmPullArgs,
  helmTemplateArgs,
  type ChartSource,
  type HelmHome,
  type HelmTemplateRequest,
  type RemoteChartSource,
} from "./helm-args.ts";
import { ChartCache, checkChartDirectory } from "./helm-charts.ts";
import { RenderFailure } from "./kustomize.ts";

export {
  chartCacheKey,
  describeRemoteChart,
  escapeSetValue,
  firstHelmError,
  helmEnvironment,
  helmHome,
  helmPullArgs,
  helmTemplateArgs,
  isPinnedVersion,
  ociReference,
} from "./helm-args.ts";
export type { ChartSource, HelmHome, HelmSettings, HelmTemplateRequest, RemoteChartSource } from "./helm-args.ts";

/**
 * Finds helm on PATH and reads `helm version --short` once. undefined when there is none, or when it is Helm 2
 * (whose `template` takes other arguments): the caller reports Helm environments as not rendered and goes on.
 */
export async function findHelm(exec: Exec, timeoutMs = 30_000): Promise<{ path: string; version: string } | undefined> {
  const helmPath = await exec.which("helm");
  if (!helmPath) return undefined;
  let result: ExecResult;
  try {
    result = await exec.run(helmPath, ["version", "--short"], { timeoutMs, env: { HELM_PLUGINS: "/nonexistent/helm-plugins" } });
  } catch {
    return undefined; // on PATH but cannot be started
  }
  // Helm 2 prints "Client: v2.17.0+g…" and then waits for Tiller: read the version even from a run that timed out
  const version = /v\d+\.\d+\.\d+\S*/.exec(result.stdout)?.[0];
  if (version && Number(/^v(\d+)/.exec(version)![1]) < 3) return undefined;
  return { path: helmPath, version: version ?? "unknown" };
}

export interface HelmRendererOptions {
  helmPath: string;
  /** A private directory: helm's configuration, caches, values files and (without chartCacheDir) pulled charts. */
  workDir: string;
  /** For each helm process: a pull and a template each get this long. */
  timeoutMs: number;
  /**
   * Charts are pulled once per (source, chart, version) per process; charts of exact versions are kept in this
   * directory across runs when given (the GitHub Actions cache can restore it).
   */
  chartCacheDir?: string;
}

let valuesCounter = 0;

export class HelmRenderer {
  private readonly home: HelmHome;
  private readonly homeDir: string;
  private readonly env: Record<string, string>;
  private readonly charts: ChartCache;
  private ready: Promise<void> | undefined;

  constructor(
    private readonly exec: Exec,
    private readonly files: Files,
    private readonly options: HelmRendererOptions,
  ) {
    this.homeDir = path.join(options.workDir, "helm");
    this.home = helmHome(this.homeDir);
    this.env = helmEnvironment(this.home);
    this.charts = new ChartCache(files, {
      ...(options.chartCacheDir ? { cacheDir: options.chartCacheDir } : {}),
      workCacheDir: path.join(this.homeDir, "charts"),
      pull: (source, destination) => this.pull(source, destination),
    });
  }

  /**
   * The rendered YAML as `helm template` prints it. Failures throw RenderFailure naming the chart and version,
   * with the first meaningful line of helm's stderr, and the whole stderr as detail.
   */
  async render(request: HelmTemplateRequest): Promise<string> {
    checkTemplateRequest(request);
    await this.prepare();
    const chartDir = await this.chartOnDisk(request.chart);
    const valuesFile = await this.writeValues(request.values);
    try {
      const args = helmTemplateArgs(request, chartDir, valuesFile, this.home);
      const result = await this.run(args);
      if (result.timedOut) {
        throw new RenderFailure(`${await this.describe(request.chart)}: helm template ${this.notFinished()}`, result.stderr);
      }
      if (result.outputTooLarge) throw new RenderFailure(`${await this.describe(request.chart)}: helm template printed more output than a render may have`, "");
      if (result.exitCode !== 0) {
        const clean = (text: string) => this.relativise(text, request.chart);
        throw new RenderFailure(`${await this.describe(request.chart)}: ${clean(firstHelmError(result.stderr))}`, clean(result.stderr.trim()));
      }
      return result.stdout;
    } finally {
      if (valuesFile) await this.files.removeTree(valuesFile);
    }
  }

  private async chartOnDisk(chart: ChartSource): Promise<string> {
    if (chart.type !== "directory") return this.charts.chartDir(chart);
    await checkChartDirectory(this.files, chart.dir, chart.root ?? chart.dir, this.shownDir(chart));
    return chart.dir;
  }

  private async pull(source: RemoteChartSource, destination: string): Promise<void> {
    let args: string[];
    try {
      args = helmPullArgs(source, destination, this.home);
    } catch (error) {
      if (error instanceof RenderFailure) throw new RenderFailure(`cannot pull ${describeRemoteChart(source)}: ${error.message}`, error.detail);
      throw error;
    }
    const result = await this.run(args, destination);
    if (result.timedOut) throw new RenderFailure(`cannot pull ${describeRemoteChart(source)}: helm pull ${this.notFinished()}`, result.stderr);
    if (result.exitCode !== 0) {
      throw new RenderFailure(`cannot pull ${describeRemoteChart(source)}: ${firstHelmError(result.stderr)}`, result.stderr.trim());
    }
  }

  private run(args: string[], cwd = this.homeDir): Promise<ExecResult> {
    return this.exec.run(this.options.helmPath, args, { cwd, timeoutMs: this.options.timeoutMs, env: this.env });
  }

  /** The private directories helm expects to exist (it creates some itself, but not on every path). */
  private prepare(): Promise<void> {
    this.ready ??= (async () => {
      const { configDir, cacheDir, dataDir, dockerConfigDir } = this.home;
      for (const dir of [path.join(configDir, "registry"), path.join(cacheDir, "repository"), dataDir, dockerConfigDir]) await this.files.mkdirp(dir);
    })();
    return this.ready;
  }

  /** The caller's merged values as the last values file (JSON is YAML); none when there are none. */
  private async writeValues(values: Record<string, unknown> | undefined): Promise<string | undefined> {
    if (!values || Object.keys(values).length === 0) return undefined;
    const file = path.join(this.homeDir, `values-${++valuesCounter}.json`);
    await this.files.writeText(file, `${JSON.stringify(values)}\n`);
    return file;
  }

  private notFinished(): string {
    return `did not finish within ${Math.round(this.options.timeoutMs / 1000)} s and was stopped`;
  }

  private shownDir(chart: Extract<ChartSource, { type: "directory" }>): string {
    return chart.root ? toRepoPath(chart.root, chart.dir) || "." : chart.dir;
  }

  /** "chart podinfo 6.5.0 from https://…", or for a directory "chart my-app 0.1.0 (charts/my-app)". */
  private async describe(chart: ChartSource): Promise<string> {
    if (chart.type !== "directory") return describeRemoteChart(chart);
    const shown = this.shownDir(chart);
    try {
      const [document] = parseYaml(await this.files.readText(path.join(chart.dir, "Chart.yaml")), `${shown}/Chart.yaml`).documents;
      const { name, version } = (document?.value ?? {}) as { name?: unknown; version?: unknown };
      const label = [name, version].filter((part) => typeof part === "string" || typeof part === "number").join(" ");
      return label ? `chart ${label} (${shown})` : `chart ${shown}`;
    } catch {
      return `chart ${shown}`;
    }
  }

  /** Temporary checkout paths mean nothing to a reviewer: print repository paths instead. */
  private relativise(text: string, chart: ChartSource): string {
    if (chart.type !== "directory" || !chart.root) return text;
    return text.split(chart.root + path.sep).join("");
  }
}
