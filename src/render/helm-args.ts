// What gitops-verify asks of the helm binary, as pure functions: the argv of `helm template` and `helm pull`,
// the private environment both run in, and the one line of helm's stderr a reviewer needs.
//
// Flags checked against helm's own `helm template` / `helm pull` reference (helm.sh/docs/helm/helm_template,
// helm_pull; helm/helm pkg/cmd/template.go, pkg/action/pull.go) and against how Argo CD's repo server renders a
// Helm source (argo-cd util/helm/cmd.go, template()).
import { createHash } from "node:crypto";
import path from "node:path";
import { RenderFailure } from "./kustomize.ts";

export type ChartSource =
  /** A chart in the repository checkout. `root` is the checkout: symlinks in the chart may point anywhere inside it (without it, only inside the chart). */
  | { type: "directory"; dir: string; root?: string }
  /** An HTTP(S) Helm repository (Flux HelmRepository, Argo CD repoURL + chart). */
  | { type: "repository"; url: string; chart: string; version?: string }
  /** oci://registry/path[/chart] (Flux OCIRepository or HelmRepository of type oci; Argo CD's bare registry/path is accepted too). */
  | { type: "oci"; url: string; chart?: string; version?: string };

export type RemoteChartSource = Exclude<ChartSource, { type: "directory" }>;

export interface HelmTemplateRequest {
  releaseName: string;
  /** Empty means helm's own default, "default" (as on Argo CD's repo server, which has no kubeconfig). */
  namespace: string;
  chart: ChartSource;
  /** Values files, applied in order (absolute paths), then `values` (already merged by the caller) on top, then `set` parameters. */
  valueFiles: string[];
  values?: Record<string, unknown>;
  /** Argo CD parameters. Helm applies every --set before every --set-string, whatever their order here. */
  set?: Array<{ name: string; value: string; forceString?: boolean }>;
  /** Flux installs CRDs by default (install.crds: Create; Skip leaves them out); Argo CD passes --include-crds unless skipCrds. */
  includeCRDs: boolean;
  /** Test hooks: Flux never installs them (only `helm test` runs them); Argo CD leaves them out when skipTests is set. */
  skipTests?: boolean;
  /** Argo CD's skipSchemaValidation (helm >= 3.16). */
  skipSchemaValidation?: boolean;
  kubeVersion?: string;
  apiVersions?: string[];
}

/** Private config/cache dirs under the work dir: the user's repositories, registry logins and caches are neither used nor changed. */
export interface HelmSettings {
  configDir: string;
  cacheDir: string;
}

/** Everything helm may read or write, under one private directory. */
export interface HelmHome extends HelmSettings {
  dataDir: string;
  /** Never created: helm finds no plugins, so no downloader, getter or post-renderer plugin runs. */
  pluginsDir: string;
  /** An empty directory: helm's registry client falls back to Docker's config and its credential helpers otherwise. */
  dockerConfigDir: string;
  /** Never created: helm template needs no cluster, and a kubeconfig's exec credential plugins must not run. */
  kubeconfig: string;
}

export function helmHome(dir: string): HelmHome {
  return {
    configDir: path.join(dir, "config"),
    cacheDir: path.join(dir, "cache"),
    dataDir: path.join(dir, "data"),
    pluginsDir: path.join(dir, "plugins-disabled"),
    dockerConfigDir: path.join(dir, "docker"),
    kubeconfig: path.join(dir, "no-kubeconfig"),
  };
}

/** The environment of every helm run (merged over the process environment by the Exec adapter). */
export function helmEnvironment(home: HelmHome): Record<string, string> {
  return {
    HELM_CONFIG_HOME: home.configDir,
    HELM_CACHE_HOME: home.cacheDir,
    HELM_DATA_HOME: home.dataDir,
    HELM_PLUGINS: home.pluginsDir,
    HELM_REPOSITORY_CONFIG: repositoryConfig(home),
    HELM_REPOSITORY_CACHE: repositoryCache(home),
    HELM_REGISTRY_CONFIG: registryConfig(home),
    DOCKER_CONFIG: home.dockerConfigDir,
    KUBECONFIG: home.kubeconfig,
  };
}

const repositoryConfig = (settings: HelmSettings) => path.join(settings.configDir, "repositories.yaml");
const repositoryCache = (settings: HelmSettings) => path.join(settings.cacheDir, "repository");
const registryConfig = (settings: HelmSettings) => path.join(settings.configDir, "registry", "config.json");

/** Global flags: the environment says the same, but flags win over anything helm might read elsewhere. */
function privateConfigArgs(settings: HelmSettings): string[] {
  return [
    `--repository-config=${repositoryConfig(settings)}`,
    `--repository-cache=${repositoryCache(settings)}`,
    `--registry-config=${registryConfig(settings)}`,
  ];
}

// helm's own rule for release names (pkg/chartutil ValidateReleaseName). A name matching it cannot start with a dash,
// so it cannot reach helm as a flag.
const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_RELEASE_NAME = 53;
/** Chart names in a repository index: no path, no leading dash. */
const CHART_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const OCI_DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * The argv for `helm template` (after the binary). Every value is passed as `--flag=value`, so nothing taken from
 * the repository can be read as another flag. Never passed: --post-renderer (runs a program), --dependency-update
 * and --repo (network), --devel, --validate/--dry-run=server (cluster), --enable-dns, --set-file (reads any path).
 */
export function helmTemplateArgs(request: HelmTemplateRequest, chartDir: string, valuesFile: string | undefined, settings: HelmSettings): string[] {
  checkTemplateRequest(request);
  if (!path.isAbsolute(chartDir)) throw new RenderFailure(`chart directory ${chartDir} is not an absolute path`, "");
  if (valuesFile !== undefined && !path.isAbsolute(valuesFile)) throw new RenderFailure(`values file ${valuesFile} is not an absolute path`, "");
  const args = ["template", request.releaseName, chartDir, `--namespace=${request.namespace || "default"}`];
  if (request.includeCRDs) args.push("--include-crds");
  if (request.skipTests) args.push("--skip-tests");
  if (request.skipSchemaValidation) args.push("--skip-schema-validation");
  if (request.kubeVersion) args.push(`--kube-version=${request.kubeVersion}`);
  for (const apiVersion of request.apiVersions ?? []) args.push(`--api-versions=${apiVersion}`);
  for (const file of [...request.valueFiles, ...(valuesFile ? [valuesFile] : [])]) args.push(`--values=${file}`);
  const set = request.set ?? [];
  for (const { name, value } of set.filter((parameter) => !parameter.forceString)) args.push(`--set=${name}=${escapeSetValue(value)}`);
  for (const { name, value } of set.filter((parameter) => parameter.forceString)) args.push(`--set-string=${name}=${escapeSetValue(value)}`);
  args.push(...privateConfigArgs(settings));
  return args;
}

/** What helm would refuse, or must not be given, refused before any process starts. */
export function checkTemplateRequest(request: HelmTemplateRequest): void {
  if (request.releaseName.length > MAX_RELEASE_NAME || !RELEASE_NAME.test(request.releaseName)) {
    throw new RenderFailure(
      `release name ${JSON.stringify(request.releaseName)} is not one helm accepts (lower-case letters, digits, "-" and ".", at most ${MAX_RELEASE_NAME} characters)`,
      "",
    );
  }
  for (const file of request.valueFiles) {
    // helm reads "-" from stdin and fetches URLs: only files, named by absolute path
    if (!path.isAbsolute(file)) throw new RenderFailure(`values file ${file} is not an absolute path`, "");
  }
}

/**
 * One parameter is one value: commas not already escaped are escaped, unless the value is a `{a,b}` list.
 * (What Argo CD does to its parameters, cleanSetParameters in util/helm/cmd.go.)
 */
export function escapeSetValue(value: string): string {
  if (value.startsWith("{") && value.endsWith("}")) return value;
  return value.replace(/(?<!\\),/g, "\\,");
}

/**
 * The argv for `helm pull` of a remote chart, unpacked into `destination` (helm puts it in a subdirectory named
 * after the chart). `--version` takes exact versions and constraints alike ("^1.2", ">=1.0.0 <2"); none means the
 * latest stable version, as Flux's default "*". An OCI version that is a digest is pinned as ref@sha256:….
 */
export function helmPullArgs(source: RemoteChartSource, destination: string, settings: HelmSettings): string[] {
  if (!path.isAbsolute(destination)) throw new RenderFailure(`pull destination ${destination} is not an absolute path`, "");
  const args = ["pull"];
  if (source.type === "repository") {
    checkRepositoryUrl(source.url);
    if (!CHART_NAME.test(source.chart)) throw new RenderFailure(`${JSON.stringify(source.chart)} is not a chart name`, "");
    args.push(source.chart, `--repo=${source.url}`);
    if (source.version) args.push(`--version=${source.version}`);
  } else {
    const reference = ociReference(source);
    if (source.version && OCI_DIGEST.test(source.version)) args.push(`${reference}@${source.version}`);
    else {
      args.push(reference);
      if (source.version) args.push(`--version=${source.version}`);
    }
  }
  args.push("--untar", `--untardir=${destination}`, `--destination=${destination}`, ...privateConfigArgs(settings));
  return args;
}

/** oci://registry/path/chart: the url, with the chart appended when given separately. */
export function ociReference(source: Extract<ChartSource, { type: "oci" }>): string {
  let url = source.url.replace(/\/+$/, "");
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) url = `oci://${url}`; // Argo CD names the registry without a scheme
  if (!url.startsWith("oci://")) throw new RenderFailure(`${displayUrl(source.url)} is not an oci:// chart reference`, "");
  if (source.chart !== undefined) {
    const chart = source.chart.replace(/^\/+|\/+$/g, "");
    if (!chart || chart.split("/").some((segment) => !CHART_NAME.test(segment))) {
      throw new RenderFailure(`${JSON.stringify(source.chart)} is not a chart name`, "");
    }
    url = `${url}/${chart}`;
  }
  if (!URL.canParse(url) || /\s/.test(url)) throw new RenderFailure(`${displayUrl(url)} is not an oci:// chart reference`, "");
  return url;
}

/** Without plugins helm fetches repositories over HTTP(S) only; anything else is refused before helm sees it. */
function checkRepositoryUrl(url: string): void {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:")) {
    throw new RenderFailure(`${displayUrl(url)} is not an HTTP(S) Helm repository URL`, "");
  }
}

/** A URL without its user and password, for messages. */
export function displayUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");
}

/** True for versions that name one chart build: the cache may keep those across runs. */
export function isPinnedVersion(source: RemoteChartSource): boolean {
  const version = source.version ?? "";
  if (source.type === "oci" && OCI_DIGEST.test(version)) return true;
  return /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(version);
}

/** A safe directory name for a remote chart: the hash of (kind, source, chart, version), never a path from the repository. */
export function chartCacheKey(source: RemoteChartSource): string {
  let url = source.url.replace(/\/+$/, "");
  if (source.type === "oci") {
    try {
      url = ociReference(source);
    } catch {
      // refused when the pull is built, with the chart named in the message
    }
  }
  const chart = source.type === "repository" ? source.chart : "";
  return createHash("sha256")
    .update(JSON.stringify([source.type, url, chart, source.version ?? ""]))
    .digest("hex");
}

/** "podinfo 6.5.0 from https://…", "oci://ghcr.io/org/podinfo (latest version)": for messages. */
export function describeRemoteChart(source: RemoteChartSource): string {
  const version = source.version ? ` ${source.version}` : " (latest version)";
  if (source.type === "repository") return `chart ${source.chart}${version} from ${displayUrl(source.url)}`;
  let reference: string;
  try {
    reference = ociReference(source);
  } catch {
    reference = source.chart ? `${source.url}/${source.chart}` : source.url;
  }
  return `chart ${displayUrl(reference)}${version}`;
}

/**
 * helm prints warnings and log lines first ("walk.go:74: found symbolic link in path: …", "coalesce.go:…: warning:
 * …", klog "W0102 …", helm 4's "level=WARN …"), then "Error: …". Returns the error itself.
 */
export function firstHelmError(stderr: string): string {
  const lines = stderr.split("\n").map((line) => line.trim()).filter(Boolean);
  for (const line of lines) {
    const error = /^Error:\s*(.*)$/.exec(line);
    if (error?.[1]) return error[1].replace(/^(INSTALLATION|UPGRADE) FAILED:\s*/, "");
  }
  const meaningful = lines.filter(
    (line) =>
      !/^[\w.-]+\.go:\d+: /.test(line) && // Go log lines (helm 3's warnings and debug output)
      !/^(warning|WARNING|Warning)\b:?/.test(line) &&
      !/^[WI]\d{4} /.test(line) && // klog warnings and info
      !/^(time=\S+\s+)?level=(WARN|INFO|DEBUG)\b/.test(line) && // helm 4's slog
      !/^Use --debug flag/.test(line),
  );
  return meaningful[0] ?? lines[0] ?? "helm failed without a message";
}
