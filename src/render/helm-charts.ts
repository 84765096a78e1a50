// Charts on disk for `helm template`: remote charts pulled once and cached, chart directories from the repository
// checked so that helm cannot read past them through a symlink.
import path from "node:path";
import type { Files } from "../ports.ts";
import { isInside } from "../util/paths.ts";
import { chartCacheKey, isPinnedVersion, type RemoteChartSource } from "./helm-args.ts";
import { RenderFailure } from "./kustomize.ts";

/** Pulls in flight or done, by target directory: every renderer of the process using that directory shares them. */
const pulled = new Map<string, Promise<string>>();

/** Written after a pull completed: a directory without it is a pull that was interrupted. */
const MARKER = "pulled.json";

export interface ChartCacheOptions {
  /** Kept across runs (the GitHub Actions cache can restore it): charts of pinned versions. */
  cacheDir?: string;
  /** This run's own directory: charts of version ranges, and everything when there is no cacheDir. */
  workCacheDir: string;
  /** Runs `helm pull` of the chart into the (empty, existing) destination directory; throws RenderFailure. */
  pull(source: RemoteChartSource, destination: string): Promise<void>;
}

export class ChartCache {
  /** This renderer's outcomes, failures included: a chart that cannot be pulled is tried once per run, not once per environment. */
  private readonly outcomes = new Map<string, Promise<string>>();

  constructor(
    private readonly files: Files,
    private readonly options: ChartCacheOptions,
  ) {}

  /** The directory of the unpacked chart (the one holding its Chart.yaml). */
  chartDir(source: RemoteChartSource): Promise<string> {
    // A range or a missing version names whatever is newest at the time, so its cache key is not one chart build:
    // such charts are kept in the run's work directory only, never in the cache kept across runs.
    const pinned = isPinnedVersion(source);
    const root = pinned && this.options.cacheDir ? this.options.cacheDir : this.options.workCacheDir;
    const target = path.join(root, chartCacheKey(source));
    let outcome = this.outcomes.get(target);
    if (!outcome) {
      outcome = this.shared(target, source, pinned);
      this.outcomes.set(target, outcome);
    }
    return outcome;
  }

  private async shared(target: string, source: RemoteChartSource, pinned: boolean): Promise<string> {
    for (;;) {
      const existing = pulled.get(target);
      if (!existing) break;
      const dir = await existing; // a pull still running for another renderer: its failure is ours too
      if (await isChart(this.files, dir)) return dir;
      // removed since (the work directory of an earlier run): pull again, unless someone already does
      if (pulled.get(target) === existing) {
        pulled.delete(target);
        break;
      }
    }
    const pull = this.load(target, source, pinned);
    pulled.set(target, pull);
    // a failed pull is not shared with later renderers: the next run may well succeed
    pull.catch(() => {
      if (pulled.get(target) === pull) pulled.delete(target);
    });
    return pull;
  }

  private async load(target: string, source: RemoteChartSource, pinned: boolean): Promise<string> {
    if (pinned) {
      const kept = await keptChart(this.files, target);
      if (kept) return kept;
    }
    await this.files.removeTree(target);
    const destination = path.join(target, "chart");
    await this.files.mkdirp(destination);
    await this.options.pull(source, destination);
    const name = await unpackedChart(this.files, destination);
    await this.files.writeText(path.join(target, MARKER), `${JSON.stringify({ chart: name })}\n`);
    return path.join(destination, name);
  }
}

/** The chart a completed earlier pull left in `target`, if any. */
async function keptChart(files: Files, target: string): Promise<string | undefined> {
  const marker = path.join(target, MARKER);
  if ((await files.stat(marker))?.type !== "file") return undefined;
  try {
    const { chart } = JSON.parse(await files.readText(marker)) as { chart?: unknown };
    if (typeof chart !== "string" || !isPlainName(chart)) return undefined;
    const dir = path.join(target, "chart", chart);
    return (await isChart(files, dir)) ? dir : undefined;
  } catch {
    return undefined; // a damaged marker: pull again
  }
}

/**
 * helm unpacks into a subdirectory named after the chart (and, for a repository chart, also creates an empty one
 * named after the archive): the chart is the one subdirectory holding a Chart.yaml.
 */
async function unpackedChart(files: Files, destination: string): Promise<string> {
  const charts: string[] = [];
  for (const entry of await files.list(destination)) {
    if (entry.type === "directory" && isPlainName(entry.name) && (await isChart(files, path.join(destination, entry.name)))) charts.push(entry.name);
  }
  if (charts.length !== 1) {
    throw new RenderFailure(`helm pull left ${charts.length === 0 ? "no chart" : `${charts.length} charts`} where one was expected`, charts.join(", "));
  }
  return charts[0]!;
}

const isPlainName = (name: string) => name !== "." && name !== ".." && path.basename(name) === name && !name.includes("/") && !name.includes("\\");

async function isChart(files: Files, dir: string): Promise<boolean> {
  return (await files.stat(path.join(dir, "Chart.yaml")))?.type === "file";
}

/** More files than any chart has: a walk past this is refused rather than left to run on. */
export const MAX_CHART_FILES = 20_000;

/**
 * helm follows symlinks in a chart directory ("found symbolic link in path") and would render, say,
 * templates/x.yaml -> /proc/self/environ into the diff. Every symlink must resolve inside `boundary`
 * (the checkout, or the chart itself when the checkout is not known).
 */
export async function checkChartDirectory(files: Files, dir: string, boundary: string, shownDir = dir): Promise<void> {
  const realBoundary = (await files.realpath(boundary)) ?? boundary;
  const where = boundary === dir ? "the chart" : "the repository";
  const start = await files.realpath(dir);
  if (!start) throw new RenderFailure(`chart directory ${shownDir} does not exist`, "");
  if (!isInside(realBoundary, start)) throw new RenderFailure(`chart directory ${shownDir} resolves to a path outside ${where}`, "");
  if ((await files.realpath(path.join(start, "Chart.yaml"))) === undefined) throw new RenderFailure(`chart directory ${shownDir} has no Chart.yaml`, "");
  const seen = new Set([start]);
  const pending: Array<{ real: string; shown: string }> = [{ real: start, shown: "" }];
  let count = 0;
  while (pending.length > 0) {
    const { real, shown } = pending.pop()!;
    for (const entry of await files.list(real)) {
      if (++count > MAX_CHART_FILES) throw new RenderFailure(`chart directory ${shownDir} has more than ${MAX_CHART_FILES} files`, "");
      const entryShown = shown ? `${shown}/${entry.name}` : entry.name;
      let entryReal = path.join(real, entry.name);
      let type = entry.type;
      if (type === "symlink") {
        const resolved = await files.realpath(entryReal);
        if (resolved === undefined) continue; // dangling: helm reports it itself
        if (!isInside(realBoundary, resolved)) {
          throw new RenderFailure(`${entryShown} in chart directory ${shownDir} is a symbolic link to a path outside ${where}`, "");
        }
        entryReal = resolved;
        type = (await files.stat(resolved))?.type ?? "other";
      }
      if (type === "directory" && !seen.has(entryReal)) {
        seen.add(entryReal);
        pending.push({ real: entryReal, shown: entryShown });
      }
    }
  }
}
