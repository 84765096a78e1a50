import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NodeFiles } from "../../src/adapters/node/files.ts";
import type { Exec, ExecOptions, ExecResult } from "../../src/ports.ts";
import {
  chartCacheKey,
  escapeSetValue,
  findHelm,
  firstHelmError,
  HelmRenderer,
  helmPullArgs,
  helmTemplateArgs,
  isPinnedVersion,
  type HelmTemplateRequest,
  type RemoteChartSource,
} from "../../src/render/helm.ts";
import { RenderFailure } from "../../src/render/kustomize.ts";

const settings = { configDir: "/w/helm/config", cacheDir: "/w/helm/cache" };
const privateConfig = [
  "--repository-config=/w/helm/config/repositories.yaml",
  "--repository-cache=/w/helm/cache/repository",
  "--registry-config=/w/helm/config/registry/config.json",
];
const request = (extra: Partial<HelmTemplateRequest> = {}): HelmTemplateRequest => ({
  releaseName: "web",
  namespace: "apps",
  chart: { type: "directory", dir: "/repo/charts/web" },
  valueFiles: [],
  includeCRDs: false,
  ...extra,
});

/** Flags that run programs, reach the network or a cluster, or read files by a path from the repository. */
const FORBIDDEN = /^--(post-renderer|post-renderer-args|dependency-update|repo|devel|enable-dns|set-file|dry-run|validate|kubeconfig|kube-context|plugins?)\b/;

describe("helmTemplateArgs", () => {
  const cases: Array<{ name: string; request: HelmTemplateRequest; valuesFile?: string; expected: string[] }> = [
    {
      name: "the minimum: release, chart, namespace, private configuration",
      request: request(),
      expected: ["template", "web", "/repo/charts/web", "--namespace=apps", ...privateConfig],
    },
    {
      name: "an empty namespace is helm's default, said explicitly",
      request: request({ namespace: "" }),
      expected: ["template", "web", "/repo/charts/web", "--namespace=default", ...privateConfig],
    },
    {
      name: "CRDs, tests, schema validation, capabilities",
      request: request({ includeCRDs: true, skipTests: true, skipSchemaValidation: true, kubeVersion: "1.30.0", apiVersions: ["monitoring.coreos.com/v1", "cert-manager.io/v1"] }),
      expected: [
        "template",
        "web",
        "/repo/charts/web",
        "--namespace=apps",
        "--include-crds",
        "--skip-tests",
        "--skip-schema-validation",
        "--kube-version=1.30.0",
        "--api-versions=monitoring.coreos.com/v1",
        "--api-versions=cert-manager.io/v1",
        ...privateConfig,
      ],
    },
    {
      name: "value files in order, then the merged values file last",
      request: request({ valueFiles: ["/repo/charts/web/values.yaml", "/repo/env/prod.yaml", "/repo/env/prod-eu.yaml"] }),
      valuesFile: "/w/helm/values-1.json",
      expected: [
        "template",
        "web",
        "/repo/charts/web",
        "--namespace=apps",
        "--values=/repo/charts/web/values.yaml",
        "--values=/repo/env/prod.yaml",
        "--values=/repo/env/prod-eu.yaml",
        "--values=/w/helm/values-1.json",
        ...privateConfig,
      ],
    },
    {
      name: "--set before --set-string (helm applies them in that order anyway), each in request order",
      request: request({
        set: [
          { name: "image.tag", value: "1.2.3" },
          { name: "replicas", value: "007", forceString: true },
          { name: "hosts", value: "a.example,b.example" },
          { name: "list", value: "{x,y}" },
          { name: "enabled", value: "true", forceString: true },
        ],
      }),
      expected: [
        "template",
        "web",
        "/repo/charts/web",
        "--namespace=apps",
        "--set=image.tag=1.2.3",
        "--set=hosts=a.example\\,b.example",
        "--set=list={x,y}",
        "--set-string=replicas=007",
        "--set-string=enabled=true",
        ...privateConfig,
      ],
    },
    {
      name: "a value that looks like a flag stays a value",
      request: request({ namespace: "--post-renderer=/bin/sh", kubeVersion: "--devel" }),
      expected: ["template", "web", "/repo/charts/web", "--namespace=--post-renderer=/bin/sh", "--kube-version=--devel", ...privateConfig],
    },
  ];

  it.each(cases)("$name", ({ request: given, valuesFile, expected }) => {
    expect(helmTemplateArgs(given, "/repo/charts/web", valuesFile, settings)).toEqual(expected);
  });

  it.each(cases)("never a forbidden flag, every value after '=': $name", ({ request: given, valuesFile }) => {
    const args = helmTemplateArgs(given, "/repo/charts/web", valuesFile, settings);
    const flags = args.filter((arg) => arg.startsWith("--"));
    expect(flags.filter((flag) => FORBIDDEN.test(flag))).toEqual([]);
    // positionals are only the command, the release and the chart: no flag takes its value from the next argument
    expect(args.filter((arg) => !arg.startsWith("--"))).toEqual(["template", "web", "/repo/charts/web"]);
    expect(flags.filter((flag) => !flag.includes("=") && !["--include-crds", "--skip-tests", "--skip-schema-validation"].includes(flag))).toEqual([]);
  });

  it.each([
    { name: "a release name that is a flag", given: request({ releaseName: "--post-renderer=/bin/sh" }), message: /release name "--post-renderer=\/bin\/sh" is not one helm accepts/ },
    { name: "a release name starting with a dash", given: request({ releaseName: "-web" }), message: /release name/ },
    { name: "an upper-case release name", given: request({ releaseName: "Web" }), message: /release name/ },
    { name: "a release name longer than 53", given: request({ releaseName: "a".repeat(54) }), message: /at most 53/ },
    { name: "a values file read from stdin", given: request({ valueFiles: ["-"] }), message: /values file - is not an absolute path/ },
    { name: "a values file fetched from a URL", given: request({ valueFiles: ["https://example.com/values.yaml"] }), message: /not an absolute path/ },
    { name: "a relative values file", given: request({ valueFiles: ["values.yaml"] }), message: /not an absolute path/ },
  ])("refuses $name", ({ given, message }) => {
    expect(() => helmTemplateArgs(given, "/repo/charts/web", undefined, settings)).toThrow(RenderFailure);
    expect(() => helmTemplateArgs(given, "/repo/charts/web", undefined, settings)).toThrow(message);
  });

  it("accepts helm's longest release name (53) with dots", () => {
    const name = `${"a".repeat(25)}.${"b".repeat(27)}`;
    expect(helmTemplateArgs(request({ releaseName: name }), "/c", undefined, settings)[1]).toBe(name);
  });
});

describe("escapeSetValue", () => {
  it.each([
    { name: "plain", value: "nginx", expected: "nginx" },
    { name: "a comma is escaped", value: "a,b", expected: "a\\,b" },
    { name: "consecutive commas", value: "a,,b", expected: "a\\,\\,b" },
    { name: "a leading comma", value: ",a", expected: "\\,a" },
    { name: "an escaped comma stays as it is", value: "a\\,b", expected: "a\\,b" },
    { name: "a {list} is left alone", value: "{a,b}", expected: "{a,b}" },
    { name: "equals signs are kept", value: "k=v,w", expected: "k=v\\,w" },
  ])("$name", ({ value, expected }) => {
    expect(escapeSetValue(value)).toBe(expected);
  });
});

describe("helmPullArgs", () => {
  const tail = (destination: string) => ["--untar", `--untardir=${destination}`, `--destination=${destination}`, ...privateConfig];
  it.each<{ name: string; source: RemoteChartSource; expected: string[] }>([
    {
      name: "repository chart with an exact version",
      source: { type: "repository", url: "https://stefanprodan.github.io/podinfo", chart: "podinfo", version: "6.5.0" },
      expected: ["pull", "podinfo", "--repo=https://stefanprodan.github.io/podinfo", "--version=6.5.0", ...tail("/d")],
    },
    {
      name: "repository chart with a range: passed through",
      source: { type: "repository", url: "https://charts.example/", chart: "app", version: ">=1.0.0 <2.0.0" },
      expected: ["pull", "app", "--repo=https://charts.example/", "--version=>=1.0.0 <2.0.0", ...tail("/d")],
    },
    {
      name: "repository chart without a version: helm's latest",
      source: { type: "repository", url: "http://charts.internal", chart: "app" },
      expected: ["pull", "app", "--repo=http://charts.internal", ...tail("/d")],
    },
    {
      name: "OCI repository and chart name (Flux HelmRepository type oci)",
      source: { type: "oci", url: "oci://ghcr.io/stefanprodan/charts", chart: "podinfo", version: "6.5.0" },
      expected: ["pull", "oci://ghcr.io/stefanprodan/charts/podinfo", "--version=6.5.0", ...tail("/d")],
    },
    {
      name: "OCI reference naming the chart (Flux OCIRepository)",
      source: { type: "oci", url: "oci://ghcr.io/stefanprodan/charts/podinfo/", version: "^6" },
      expected: ["pull", "oci://ghcr.io/stefanprodan/charts/podinfo", "--version=^6", ...tail("/d")],
    },
    {
      name: "OCI registry without a scheme (Argo CD's repoURL)",
      source: { type: "oci", url: "ghcr.io/stefanprodan/charts", chart: "podinfo" },
      expected: ["pull", "oci://ghcr.io/stefanprodan/charts/podinfo", ...tail("/d")],
    },
    {
      name: "OCI digest: pinned in the reference, no --version",
      source: { type: "oci", url: "oci://ghcr.io/org/podinfo", version: `sha256:${"a".repeat(64)}` },
      expected: ["pull", `oci://ghcr.io/org/podinfo@sha256:${"a".repeat(64)}`, ...tail("/d")],
    },
  ])("$name", ({ source, expected }) => {
    const args = helmPullArgs(source, "/d", settings);
    expect(args).toEqual(expected);
    expect(args.filter((arg) => FORBIDDEN.test(arg) && !arg.startsWith("--repo="))).toEqual([]);
  });

  it.each<{ name: string; source: RemoteChartSource; message: RegExp }>([
    { name: "a file:// repository", source: { type: "repository", url: "file:///etc", chart: "x" }, message: /not an HTTP\(S\) Helm repository URL/ },
    { name: "a plugin scheme (s3://)", source: { type: "repository", url: "s3://bucket/charts", chart: "x" }, message: /not an HTTP\(S\)/ },
    { name: "a repository that is no URL", source: { type: "repository", url: "charts", chart: "x" }, message: /not an HTTP\(S\)/ },
    { name: "a chart name that is a flag", source: { type: "repository", url: "https://c.example", chart: "--post-renderer=/bin/sh" }, message: /is not a chart name/ },
    { name: "a chart name that is a path", source: { type: "repository", url: "https://c.example", chart: "../x" }, message: /is not a chart name/ },
    { name: "an https URL given as OCI", source: { type: "oci", url: "https://ghcr.io/org", chart: "x" }, message: /is not an oci:\/\/ chart reference/ },
    { name: "an OCI chart name that climbs", source: { type: "oci", url: "oci://ghcr.io/org", chart: "../x" }, message: /is not a chart name/ },
    { name: "credentials are not repeated in messages", source: { type: "repository", url: "ftp://user:secret@host/x", chart: "x" }, message: /^ftp:\/\/host\/x is not/ },
  ])("refuses $name", ({ source, message }) => {
    expect(() => helmPullArgs(source, "/d", settings)).toThrow(message);
  });
});

describe("chart cache keys", () => {
  const podinfo = (version?: string): RemoteChartSource => ({ type: "repository", url: "https://stefanprodan.github.io/podinfo", chart: "podinfo", ...(version ? { version } : {}) });

  it.each([
    { name: "exact version", source: podinfo("6.5.0"), pinned: true },
    { name: "exact with v and prerelease", source: podinfo("v1.2.3-rc.1+build.5"), pinned: true },
    { name: "a range", source: podinfo("^6.5.0"), pinned: false },
    { name: "a wildcard", source: podinfo("6.x"), pinned: false },
    { name: "no version", source: podinfo(), pinned: false },
    { name: "an OCI digest", source: { type: "oci", url: "oci://r/c", version: `sha256:${"0".repeat(64)}` } as RemoteChartSource, pinned: true },
  ])("pinned: $name", ({ source, pinned }) => {
    expect(isPinnedVersion(source)).toBe(pinned);
  });

  it("is a hex directory name, one per (kind, source, chart, version)", () => {
    const key = chartCacheKey(podinfo("6.5.0"));
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(chartCacheKey(podinfo("6.5.1"))).not.toBe(key);
    expect(chartCacheKey({ ...podinfo("6.5.0"), chart: "other" } as RemoteChartSource)).not.toBe(key);
    expect(chartCacheKey({ type: "oci", url: "oci://stefanprodan.github.io/podinfo", chart: "podinfo", version: "6.5.0" })).not.toBe(key);
    expect(chartCacheKey({ ...podinfo("6.5.0"), url: "https://stefanprodan.github.io/podinfo/" } as RemoteChartSource)).toBe(key);
  });
});

describe("firstHelmError", () => {
  it.each([
    {
      name: "helm 3: symlink warning first, then the error",
      stderr: "walk.go:74: found symbolic link in path: /repo/charts/web/templates/x.yaml resolves to /repo/shared/x.yaml. Contents of linked file included and used\nError: template: web/templates/x.yaml:3:14: executing \"web/templates/x.yaml\" at <.Values.image.tag>: nil pointer evaluating interface {}.tag\n",
      expected: 'template: web/templates/x.yaml:3:14: executing "web/templates/x.yaml" at <.Values.image.tag>: nil pointer evaluating interface {}.tag',
    },
    {
      name: "coalesce warnings first",
      stderr: "coalesce.go:237: warning: skipped value for redis.config: Not a table.\nError: execution error at (web/templates/secret.yaml:4:12): password is required\n",
      expected: "execution error at (web/templates/secret.yaml:4:12): password is required",
    },
    {
      name: "chart not found in a repository",
      stderr: 'Error: chart "podinfo" version "9.9.9" not found in https://stefanprodan.github.io/podinfo repository\n',
      expected: 'chart "podinfo" version "9.9.9" not found in https://stefanprodan.github.io/podinfo repository',
    },
    {
      name: "an unreachable repository",
      stderr: 'Error: looks like "https://nope.example" is not a valid chart repository or cannot be reached: Get "https://nope.example/index.yaml": dial tcp: lookup nope.example: no such host\n',
      expected: 'looks like "https://nope.example" is not a valid chart repository or cannot be reached: Get "https://nope.example/index.yaml": dial tcp: lookup nope.example: no such host',
    },
    {
      name: "the action prefix is dropped",
      stderr: "Error: INSTALLATION FAILED: YAML parse error on web/templates/cm.yaml: error converting YAML to JSON: yaml: line 4: did not find expected key\n\nUse --debug flag to render out invalid YAML\n",
      expected: "YAML parse error on web/templates/cm.yaml: error converting YAML to JSON: yaml: line 4: did not find expected key",
    },
    {
      name: "helm 4: structured warnings first",
      stderr: 'time=2025-11-12T10:00:00.000Z level=WARN msg="found symbolic link in path"\nlevel=INFO msg="loading chart"\nError: chart requires kubeVersion: >=1.31.0 which is incompatible with Kubernetes v1.30.0\n',
      expected: "chart requires kubeVersion: >=1.31.0 which is incompatible with Kubernetes v1.30.0",
    },
    {
      name: "no Error line: the first line that is not a warning",
      stderr: "WARNING: Kubernetes configuration file is group-readable. This is insecure.\nW0102 10:00:00.000000 1 loader.go:1] Config not found\nsignal: killed\n",
      expected: "signal: killed",
    },
    { name: "only warnings: the first line", stderr: "walk.go:74: found symbolic link in path\n", expected: "walk.go:74: found symbolic link in path" },
    { name: "empty", stderr: "  \n", expected: "helm failed without a message" },
  ])("$name", ({ stderr, expected }) => {
    expect(firstHelmError(stderr)).toBe(expected);
  });
});

describe("findHelm", () => {
  const result = (stdout: string, exitCode: number | null = 0, timedOut = false): ExecResult => ({ exitCode, signal: null, stdout, stderr: "", timedOut, outputTooLarge: false, durationMs: 1 });
  const execWith = (onPath: boolean, run: () => Promise<ExecResult>, calls: Array<{ args: string[]; options: ExecOptions }> = []): Exec => ({
    which: async (command) => (onPath && command === "helm" ? "/usr/local/bin/helm" : undefined),
    run: (_command, args, options) => {
      calls.push({ args, options });
      return run();
    },
  });

  it.each([
    { name: "helm 3", onPath: true, run: async () => result("v3.16.2+g13654a5\n"), expected: { path: "/usr/local/bin/helm", version: "v3.16.2+g13654a5" } },
    { name: "helm 4", onPath: true, run: async () => result("v4.0.0+gabcdef0\n"), expected: { path: "/usr/local/bin/helm", version: "v4.0.0+gabcdef0" } },
    { name: "no helm on PATH", onPath: false, run: async () => result("v3.16.2"), expected: undefined },
    { name: "helm 2 (waits for Tiller until the timeout)", onPath: true, run: async () => result("Client: v2.17.0+ga690bad\n", null, true), expected: undefined },
    { name: "a helm that cannot start", onPath: true, run: () => Promise.reject(new Error("EACCES")), expected: undefined },
    { name: "a helm that prints no version", onPath: true, run: async () => result("", 1), expected: { path: "/usr/local/bin/helm", version: "unknown" } },
  ])("$name", async ({ onPath, run, expected }) => {
    expect(await findHelm(execWith(onPath, run))).toEqual(expected);
  });

  it("asks `helm version --short` once, with a timeout and no plugins", async () => {
    const calls: Array<{ args: string[]; options: ExecOptions }> = [];
    await findHelm(execWith(true, async () => result("v3.16.2"), calls), 5000);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args).toEqual(["version", "--short"]);
    expect(calls[0]!.options.timeoutMs).toBe(5000);
    expect(calls[0]!.options.env?.HELM_PLUGINS).toMatch(/nonexistent/);
  });
});

// ---- the renderer, with a fake helm behind the Exec port and real temporary directories ----

const files = new NodeFiles();
const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gv-helm-test-"));
  temps.push(dir);
  return dir;
}

type Call = { args: string[]; options: ExecOptions };
const flag = (args: string[], name: string) => args.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);
const ok = (stdout = "", stderr = ""): ExecResult => ({ exitCode: 0, signal: null, stdout, stderr, timedOut: false, outputTooLarge: false, durationMs: 1 });
const failed = (stderr: string): ExecResult => ({ ...ok("", stderr), exitCode: 1 });

/** Stands in for helm: `pull` unpacks a Chart.yaml as helm does, `template` echoes what it was given. */
class FakeHelm implements Exec {
  readonly calls: Call[] = [];
  constructor(private readonly respond: { pull?: (args: string[]) => ExecResult | undefined; template?: (args: string[]) => ExecResult | undefined } = {}) {}
  async which(): Promise<string | undefined> {
    return "/usr/bin/helm";
  }
  async run(_command: string, args: string[], options: ExecOptions): Promise<ExecResult> {
    this.calls.push({ args, options });
    await delay(20); // long enough for concurrent renders to overlap
    if (args[0] === "pull") {
      const answer = this.respond.pull?.(args);
      if (answer) return answer;
      const destination = flag(args, "--untardir")!;
      const chart = path.posix.basename(args[1]!.split("@")[0]!);
      const version = flag(args, "--version") ?? "9.9.9";
      writeFileSync(path.join(mkdirSyncP(path.join(destination, chart)), "Chart.yaml"), `name: ${chart}\nversion: ${version}\n`);
      mkdirSyncP(path.join(destination, `${chart}-${version}.tgz`)); // helm leaves an empty directory named after the archive
      return ok("Pulled\n");
    }
    const answer = this.respond.template?.(args);
    if (answer) return answer;
    return ok(`# chart ${args[2]}\n`);
  }
  count(command: string): number {
    return this.calls.filter((call) => call.args[0] === command).length;
  }
}
function mkdirSyncP(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

const podinfo = (version?: string): RemoteChartSource => ({ type: "repository", url: "https://stefanprodan.github.io/podinfo", chart: "podinfo", ...(version ? { version } : {}) });
const remote = (source: RemoteChartSource, extra: Partial<HelmTemplateRequest> = {}) => request({ chart: source, ...extra });
const renderer = (exec: Exec, workDir = tempDir(), chartCacheDir?: string) =>
  new HelmRenderer(exec, files, { helmPath: "/usr/bin/helm", workDir, timeoutMs: 2000, ...(chartCacheDir ? { chartCacheDir } : {}) });

describe("HelmRenderer: the chart cache", () => {
  it("pulls a chart once for two concurrent renders of the same version", async () => {
    const helm = new FakeHelm();
    const helmRenderer = renderer(helm);
    const [a, b] = await Promise.all([helmRenderer.render(remote(podinfo("6.5.0"))), helmRenderer.render(remote(podinfo("6.5.0"), { releaseName: "other" }))]);
    expect(helm.count("pull")).toBe(1);
    expect(helm.count("template")).toBe(2);
    expect(a).toBe(b);
    expect(a).toMatch(/# chart .*\/podinfo\n$/);
    expect(existsSync(path.join(a.slice("# chart ".length).trim(), "Chart.yaml"))).toBe(true);
  });

  it("pulls two versions twice", async () => {
    const helm = new FakeHelm();
    const helmRenderer = renderer(helm);
    await Promise.all([helmRenderer.render(remote(podinfo("6.5.0"))), helmRenderer.render(remote(podinfo("6.5.1")))]);
    expect(helm.count("pull")).toBe(2);
    expect(helm.calls.filter((call) => call.args[0] === "pull").map((call) => flag(call.args, "--version")).sort()).toEqual(["6.5.0", "6.5.1"]);
  });

  it("shares a pull between renderers of the process that use the same cache directory", async () => {
    const cache = tempDir();
    const first = new FakeHelm();
    const second = new FakeHelm();
    await Promise.all([renderer(first, tempDir(), cache).render(remote(podinfo("6.5.0"))), renderer(second, tempDir(), cache).render(remote(podinfo("6.5.0")))]);
    expect(first.count("pull") + second.count("pull")).toBe(1);
  });

  it("reuses a pinned chart kept in chartCacheDir by an earlier process, and pulls ranges again", async () => {
    const cache = tempDir();
    await renderer(new FakeHelm(), tempDir(), cache).render(remote(podinfo("6.5.0")));
    await renderer(new FakeHelm(), tempDir(), cache).render(remote(podinfo("^6.0.0")));
    // a new process: the module's own memory of pulls is gone, only the directory remains
    vi.resetModules();
    const fresh = await import("../../src/render/helm.ts");
    const helm = new FakeHelm();
    const later = new fresh.HelmRenderer(helm, files, { helmPath: "/usr/bin/helm", workDir: tempDir(), timeoutMs: 2000, chartCacheDir: cache });
    await later.render(remote(podinfo("6.5.0")));
    expect(helm.count("pull")).toBe(0);
    await later.render(remote(podinfo("^6.0.0")));
    expect(helm.count("pull")).toBe(1);
  });

  it("keeps ranges out of the cache kept across runs", async () => {
    const cache = tempDir();
    await renderer(new FakeHelm(), tempDir(), cache).render(remote(podinfo("^6.0.0")));
    expect(existsSync(path.join(cache, chartCacheKey(podinfo("^6.0.0"))))).toBe(false);
    await renderer(new FakeHelm(), tempDir(), cache).render(remote(podinfo("6.5.0")));
    expect(existsSync(path.join(cache, chartCacheKey(podinfo("6.5.0")), "pulled.json"))).toBe(true);
  });

  it("pulls again over a pull that never completed (no marker)", async () => {
    const cache = tempDir();
    const target = path.join(cache, chartCacheKey(podinfo("6.5.0")));
    writeFileSync(path.join(mkdirSyncP(path.join(target, "chart", "podinfo")), "Chart.yaml"), "name: podinfo\nversion: 6.5.0\n");
    const helm = new FakeHelm();
    await renderer(helm, tempDir(), cache).render(remote(podinfo("6.5.0")));
    expect(helm.count("pull")).toBe(1);
  });

  it("ignores a marker naming a path outside the cache entry", async () => {
    const cache = tempDir();
    const target = path.join(cache, chartCacheKey(podinfo("6.5.0")));
    writeFileSync(path.join(mkdirSyncP(path.join(cache, "elsewhere")), "Chart.yaml"), "name: x\n");
    writeFileSync(path.join(mkdirSyncP(target), "pulled.json"), JSON.stringify({ chart: "../../elsewhere" }));
    const helm = new FakeHelm();
    const output = await renderer(helm, tempDir(), cache).render(remote(podinfo("6.5.0")));
    expect(helm.count("pull")).toBe(1);
    expect(output).toContain(path.join(target, "chart", "podinfo"));
  });

  it("pulls OCI charts into the cache too", async () => {
    const helm = new FakeHelm();
    const output = await renderer(helm).render(remote({ type: "oci", url: "oci://ghcr.io/stefanprodan/charts/podinfo", version: "6.5.0" }));
    expect(helm.calls[0]!.args[1]).toBe("oci://ghcr.io/stefanprodan/charts/podinfo");
    expect(output).toMatch(/\/chart\/podinfo\n$/);
  });
});

describe("HelmRenderer: failures", () => {
  it("a chart that cannot be pulled names chart and version, once per renderer", async () => {
    const stderr = 'walk.go:74: noise\nError: chart "podinfo" version "9.9.9" not found in https://stefanprodan.github.io/podinfo repository\n';
    const helm = new FakeHelm({ pull: () => failed(stderr) });
    const helmRenderer = renderer(helm);
    const error = await helmRenderer.render(remote(podinfo("9.9.9"))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RenderFailure);
    expect((error as RenderFailure).message).toBe(
      'cannot pull chart podinfo 9.9.9 from https://stefanprodan.github.io/podinfo: chart "podinfo" version "9.9.9" not found in https://stefanprodan.github.io/podinfo repository',
    );
    expect((error as RenderFailure).detail).toBe(stderr.trim());
    await expect(helmRenderer.render(remote(podinfo("9.9.9")))).rejects.toThrow(/cannot pull/);
    expect(helm.count("pull")).toBe(1);
    expect(helm.count("template")).toBe(0);
    // a later run tries again
    const again = new FakeHelm();
    await renderer(again).render(remote(podinfo("9.9.9")));
    expect(again.count("pull")).toBe(1);
  });

  it("an unreachable repository, with the version left open", async () => {
    const helm = new FakeHelm({ pull: () => failed('Error: looks like "https://nope.example" is not a valid chart repository or cannot be reached\n') });
    await expect(renderer(helm).render(remote({ type: "repository", url: "https://user:pw@nope.example", chart: "app" }))).rejects.toThrow(
      'cannot pull chart app (latest version) from https://nope.example: looks like "https://nope.example" is not a valid chart repository or cannot be reached',
    );
  });

  it("a template error names the chart and version", async () => {
    const helm = new FakeHelm({ template: () => failed("coalesce.go:237: warning: skipped value\nError: execution error at (podinfo/templates/x.yaml:1:4): tag is required\n") });
    await expect(renderer(helm).render(remote(podinfo("6.5.0")))).rejects.toThrow(
      "chart podinfo 6.5.0 from https://stefanprodan.github.io/podinfo: execution error at (podinfo/templates/x.yaml:1:4): tag is required",
    );
  });

  it.each([
    { name: "pull", respond: { pull: () => ({ ...failed(""), exitCode: null, timedOut: true }) }, message: "cannot pull chart podinfo 6.5.0 from https://stefanprodan.github.io/podinfo: helm pull did not finish within 2 s and was stopped" },
    { name: "template", respond: { template: () => ({ ...failed(""), exitCode: null, timedOut: true }) }, message: "chart podinfo 6.5.0 from https://stefanprodan.github.io/podinfo: helm template did not finish within 2 s and was stopped" },
    { name: "output too large", respond: { template: () => ({ ...failed(""), exitCode: null, outputTooLarge: true }) }, message: "helm template printed more output than a render may have" },
  ])("$name stopped: a RenderFailure that says so", async ({ respond, message }) => {
    await expect(renderer(new FakeHelm(respond)).render(remote(podinfo("6.5.0")))).rejects.toThrow(message);
  });

  it("refuses a bad request before any helm process starts", async () => {
    const helm = new FakeHelm();
    await expect(renderer(helm).render(remote(podinfo("6.5.0"), { releaseName: "--post-renderer=/bin/sh" }))).rejects.toThrow(/release name/);
    await expect(renderer(helm).render(remote({ type: "repository", url: "file:///etc", chart: "passwd" }))).rejects.toThrow(
      "cannot pull chart passwd (latest version) from file:///etc: file:///etc is not an HTTP(S) Helm repository URL",
    );
    await expect(renderer(helm).render(remote({ type: "oci", url: "https://ghcr.io/org", chart: "app", version: "1.0.0" }))).rejects.toThrow(
      "cannot pull chart https://ghcr.io/org/app 1.0.0: https://ghcr.io/org is not an oci:// chart reference",
    );
    expect(helm.calls).toEqual([]);
  });
});

describe("HelmRenderer: every helm run", () => {
  it("has the timeout, a private helm home under the work dir, no plugins, no Docker or kube config", async () => {
    const workDir = tempDir();
    const helm = new FakeHelm();
    await renderer(helm, workDir).render(remote(podinfo("6.5.0")));
    expect(helm.calls.map((call) => call.args[0])).toEqual(["pull", "template"]);
    for (const { args, options } of helm.calls) {
      expect(options.timeoutMs).toBe(2000);
      const env = options.env ?? {};
      for (const name of ["HELM_CONFIG_HOME", "HELM_CACHE_HOME", "HELM_DATA_HOME", "HELM_PLUGINS", "HELM_REPOSITORY_CONFIG", "HELM_REPOSITORY_CACHE", "HELM_REGISTRY_CONFIG", "DOCKER_CONFIG", "KUBECONFIG"]) {
        expect(env[name], name).toBeDefined();
        expect(env[name]!.startsWith(workDir + path.sep), name).toBe(true);
      }
      expect(existsSync(env.HELM_PLUGINS!)).toBe(false);
      expect(existsSync(env.KUBECONFIG!)).toBe(false);
      expect(flag(args, "--repository-config")).toBe(env.HELM_REPOSITORY_CONFIG);
      expect(flag(args, "--registry-config")).toBe(env.HELM_REGISTRY_CONFIG);
      expect(flag(args, "--repository-cache")).toBe(env.HELM_REPOSITORY_CACHE);
      expect(args.some((arg) => arg.startsWith("--post-renderer"))).toBe(false);
    }
  });

  it("passes the merged values as the last values file, and removes it afterwards", async () => {
    let seen: { file: string; content: string } | undefined;
    const helm = new FakeHelm({
      template: (args) => {
        const values = args.filter((arg) => arg.startsWith("--values=")).map((arg) => arg.slice("--values=".length));
        const file = values.at(-1)!;
        seen = { file, content: readFileSync(file, "utf8") };
        return ok("rendered");
      },
    });
    const values = { image: { tag: "1.2.3" }, replicas: 3, "dotted.key": [1, "two"] };
    await renderer(helm).render(remote(podinfo("6.5.0"), { valueFiles: ["/repo/a.yaml", "/repo/b.yaml"], values }));
    const args = helm.calls.find((call) => call.args[0] === "template")!.args;
    expect(args.filter((arg) => arg.startsWith("--values="))).toEqual(["--values=/repo/a.yaml", "--values=/repo/b.yaml", `--values=${seen!.file}`]);
    expect(JSON.parse(seen!.content)).toEqual(values);
    expect(existsSync(seen!.file)).toBe(false);
  });

  it("passes no values file when there are no values", async () => {
    const helm = new FakeHelm();
    await renderer(helm).render(remote(podinfo("6.5.0"), { values: {} }));
    expect(helm.calls.find((call) => call.args[0] === "template")!.args.filter((arg) => arg.startsWith("--values"))).toEqual([]);
  });
});

describe("HelmRenderer: chart directories", () => {
  /** A repository with a chart at charts/web, and a file outside the repository. */
  function repository(): { root: string; chart: string; outside: string } {
    const base = tempDir();
    const root = mkdirSyncP(path.join(base, "repo"));
    const chart = mkdirSyncP(path.join(root, "charts", "web"));
    writeFileSync(path.join(chart, "Chart.yaml"), "apiVersion: v2\nname: web\nversion: 0.1.0\n");
    writeFileSync(path.join(mkdirSyncP(path.join(chart, "templates")), "cm.yaml"), "kind: ConfigMap\n");
    writeFileSync(path.join(mkdirSyncP(path.join(root, "shared")), "_helpers.tpl"), "{{/* shared */}}\n");
    const outside = path.join(base, "secret.txt");
    writeFileSync(outside, "TOKEN=1\n");
    return { root, chart, outside };
  }

  it.each([
    { name: "a template linked to a file outside the repository", link: "templates/leak.yaml", to: "outside", root: true, message: "templates/leak.yaml in chart directory charts/web is a symbolic link to a path outside the repository" },
    { name: "a linked directory outside the repository", link: "files", to: "outsideDir", root: true, message: "files in chart directory charts/web is a symbolic link to a path outside the repository" },
    { name: "without the checkout known, a link out of the chart", link: "templates/_helpers.tpl", to: "shared", root: false, message: "is a symbolic link to a path outside the chart" },
  ])("refuses $name, before helm runs", async ({ link, to, root: withRoot, message }) => {
    const repo = repository();
    const target = to === "outside" ? repo.outside : to === "outsideDir" ? path.dirname(repo.outside) : path.join(repo.root, "shared", "_helpers.tpl");
    symlinkSync(target, path.join(repo.chart, link));
    const helm = new FakeHelm();
    const chart = { type: "directory" as const, dir: repo.chart, ...(withRoot ? { root: repo.root } : {}) };
    await expect(renderer(helm).render(request({ chart }))).rejects.toThrow(message);
    expect(helm.calls).toEqual([]);
  });

  it("allows a link to a file elsewhere in the repository", async () => {
    const repo = repository();
    symlinkSync(path.join(repo.root, "shared", "_helpers.tpl"), path.join(repo.chart, "templates", "_helpers.tpl"));
    const helm = new FakeHelm();
    expect(await renderer(helm).render(request({ chart: { type: "directory", dir: repo.chart, root: repo.root } }))).toBe(`# chart ${repo.chart}\n`);
    expect(helm.count("pull")).toBe(0);
  });

  it("refuses a directory without Chart.yaml", async () => {
    const repo = repository();
    rmSync(path.join(repo.chart, "Chart.yaml"));
    await expect(renderer(new FakeHelm()).render(request({ chart: { type: "directory", dir: repo.chart, root: repo.root } }))).rejects.toThrow(
      "chart directory charts/web has no Chart.yaml",
    );
  });

  it("names the chart by its Chart.yaml and repository path, and prints repository paths", async () => {
    const repo = repository();
    const helm = new FakeHelm({ template: () => failed(`Error: failed to parse ${repo.root}/env/prod.yaml: error converting YAML to JSON\n`) });
    const error = (await renderer(helm)
      .render(request({ chart: { type: "directory", dir: repo.chart, root: repo.root } }))
      .catch((caught: unknown) => caught)) as RenderFailure;
    expect(error.message).toBe("chart web 0.1.0 (charts/web): failed to parse env/prod.yaml: error converting YAML to JSON");
    expect(error.detail).not.toContain(repo.root);
  });
});
