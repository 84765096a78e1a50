import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NodeFiles } from "../../src/adapters/node/files.ts";
import { NodeHttp } from "../../src/adapters/node/http.ts";
import { silentLogger, type Http } from "../../src/ports.ts";
import {
  DEFAULT_SCHEMA_LOCATION,
  expandLocation,
  LocationTemplateError,
  SchemaLocations,
  templateVariables,
  type LocationSettings,
} from "../../src/schema/locations.ts";

describe("expandLocation", () => {
  const deployment = (version = "1.31.2", strict = false) => templateVariables("apps/v1", "Deployment", version, strict);
  it.each([
    // kubeconform's own cases (pkg/registry/registry_test.go)
    {
      name: "kubeconform: named group, strict",
      template: "https://kubernetesjsonschema.dev/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json",
      variables: templateVariables("apps/v1", "Deployment", "1.16.0", true),
      expected: "https://kubernetesjsonschema.dev/v1.16.0-standalone-strict/deployment-apps-v1.json",
    },
    {
      name: "kubeconform: named group, not strict",
      template: "https://kubernetesjsonschema.dev/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json",
      variables: templateVariables("apps/v1", "Deployment", "1.16.0", false),
      expected: "https://kubernetesjsonschema.dev/v1.16.0-standalone/deployment-apps-v1.json",
    },
    {
      name: "kubeconform: core group",
      template: "https://kubernetesjsonschema.dev/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json",
      variables: templateVariables("v1", "Service", "1.18.0", false),
      expected: "https://kubernetesjsonschema.dev/v1.18.0-standalone/service-v1.json",
    },
    {
      name: "kubeconform: master is not prefixed",
      template: "https://kubernetesjsonschema.dev/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json",
      variables: templateVariables("v1", "Service", "master", false),
      expected: "https://kubernetesjsonschema.dev/master-standalone/service-v1.json",
    },
    // every variable
    {
      name: "every variable, named group with dots",
      template: "x/{{.Group}}|{{.ResourceAPIVersion}}|{{.ResourceKind}}|{{.KindSuffix}}|{{.StrictSuffix}}|{{.NormalizedKubernetesVersion}}.json",
      variables: templateVariables("cert-manager.io/v1", "Certificate", "1.31.2", true),
      expected: "x/cert-manager.io|v1|certificate|-cert-manager-v1|-strict|v1.31.2.json",
    },
    {
      name: "every variable, core group: Group is the version, as kubeconform splits it",
      template: "x/{{.Group}}|{{.ResourceAPIVersion}}|{{.ResourceKind}}|{{.KindSuffix}}|{{.StrictSuffix}}|{{.NormalizedKubernetesVersion}}.json",
      variables: templateVariables("v1", "ConfigMap", "master", false),
      expected: "x/v1|v1|configmap|-v1||master.json",
    },
    {
      name: "KindSuffix takes the group's first DNS label",
      template: "s/{{ .ResourceKind }}{{ .KindSuffix }}.json",
      variables: templateVariables("networking.k8s.io/v1", "Ingress", "1.31.2", false),
      expected: "s/ingress-networking-v1.json",
    },
    {
      name: "the CRDs-catalog layout",
      template: "https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json",
      variables: templateVariables("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "1.31.2", true),
      expected: "https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/kustomize.toolkit.fluxcd.io/kustomization_v1.json",
    },
    // versions
    { name: "a minor version names its first release, as kubernetes-json-schema's directories do", template: "s/{{ .NormalizedKubernetesVersion }}.json", variables: deployment("1.31"), expected: "s/v1.31.0.json" },
    { name: "a given v is not doubled", template: "s/{{ .NormalizedKubernetesVersion }}.json", variables: deployment("v1.31.2"), expected: "s/v1.31.2.json" },
    { name: "master", template: "s/{{ .NormalizedKubernetesVersion }}.json", variables: deployment("master"), expected: "s/master.json" },
    // Go template syntax
    { name: "no spaces", template: "s/{{.ResourceKind}}.json", variables: deployment(), expected: "s/deployment.json" },
    { name: "many spaces and tabs", template: "s/{{   .ResourceKind\t}}.json", variables: deployment(), expected: "s/deployment.json" },
    { name: "newlines inside the braces", template: "s/{{\n.ResourceKind\n}}.json", variables: deployment(), expected: "s/deployment.json" },
    { name: "trim markers eat the whitespace around", template: "s/ \t{{- .ResourceKind -}}\n /x.json", variables: deployment(), expected: "s/deployment/x.json" },
    { name: "a comment", template: "s/{{/* the kind */}}{{ .ResourceKind }}.json", variables: deployment(), expected: "s/deployment.json" },
    { name: "a comment with trim markers", template: "s/ {{- /* the kind */ -}} {{ .ResourceKind }}.json", variables: deployment(), expected: "s/deployment.json" },
    { name: "a lone }} is text", template: "s/}}{{ .ResourceKind }}.json", variables: deployment(), expected: "s/}}deployment.json" },
    // kubeconform's default suffix, for a location not ending in "json"
    {
      name: "no template: the default layout is appended",
      template: "https://example.com/schemas",
      variables: deployment("1.31.2", true),
      expected: "https://example.com/schemas/v1.31.2-standalone-strict/deployment-apps-v1.json",
    },
    {
      name: "a trailing slash gives a double slash, as in kubeconform",
      template: "https://example.com/schemas/",
      variables: deployment(),
      expected: "https://example.com/schemas//v1.31.2-standalone/deployment-apps-v1.json",
    },
    {
      name: "a template not ending in json still gets the suffix",
      template: "https://example.com/{{ .Group }}",
      variables: deployment(),
      expected: "https://example.com/apps/v1.31.2-standalone/deployment-apps-v1.json",
    },
    { name: "ending in json without a template: one file for every kind", template: "https://example.com/all.json", variables: deployment(), expected: "https://example.com/all.json" },
    // local paths
    { name: "a relative directory", template: "./schemas", variables: deployment(), expected: "./schemas/v1.31.2-standalone/deployment-apps-v1.json" },
    { name: "a relative template", template: "crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json", variables: deployment(), expected: "crds/apps/deployment_v1.json" },
    { name: "an absolute directory", template: "/opt/schemas", variables: deployment("master", true), expected: "/opt/schemas/master-standalone-strict/deployment-apps-v1.json" },
  ])("$name", ({ template, variables, expected }) => {
    expect(expandLocation(template, variables)).toBe(expected);
  });

  it("default is the raw.githubusercontent.com location", () => {
    // verbatim from kubeconform's registry.New
    expect(DEFAULT_SCHEMA_LOCATION).toBe(
      "https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json",
    );
    expect(expandLocation("default", templateVariables("v1", "Pod", "1.31.0", true))).toBe(
      "https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/v1.31.0-standalone-strict/pod-v1.json",
    );
  });

  it.each([
    { name: "an unknown field", template: "s/{{ .Kind }}.json", error: /can't evaluate field Kind/ },
    { name: "field names are case-sensitive", template: "s/{{ .resourceKind }}.json", error: /can't evaluate field resourceKind/ },
    { name: "a pipeline", template: "s/{{ .ResourceKind | lower }}.json", error: /unsupported template action/ },
    { name: "a function", template: "s/{{ printf \"%s\" .ResourceKind }}.json", error: /unsupported template action/ },
    { name: "an unclosed action", template: "s/{{ .ResourceKind.json", error: /unclosed action/ },
    { name: "a dash without its space is no trim marker", template: "s/{{.ResourceKind-}}.json", error: /unsupported template action/ },
    { name: "an empty action", template: "s/{{ }}.json", error: /unsupported template action/ },
  ])("refuses $name", ({ template, error }) => {
    expect(() => expandLocation(template, templateVariables("v1", "Pod", "master", false))).toThrow(LocationTemplateError);
    expect(() => expandLocation(template, templateVariables("v1", "Pod", "master", false))).toThrow(error);
  });
});

// A real HTTP server on 127.0.0.1: it stands in for a schema registry such as raw.githubusercontent.com, which the
// tests cannot reach. Plain HTTP; unknown paths answer 404.
interface Route {
  status?: number;
  body?: string;
  /** never answer */
  hang?: boolean;
}

interface Registry {
  url: string;
  hits: Map<string, number>;
  routes: Map<string, Route>;
  close(): Promise<void>;
}

const servers: Server[] = [];

async function startRegistry(routes: Record<string, Route> = {}): Promise<Registry> {
  const table = new Map(Object.entries(routes));
  const hits = new Map<string, number>();
  const server = createServer((request, response) => {
    const url = request.url ?? "/";
    hits.set(url, (hits.get(url) ?? 0) + 1);
    const route = table.get(url);
    if (route?.hang) return;
    response.writeHead(route?.status ?? (route ? 200 : 404), { "content-type": "application/json" });
    response.end(route?.body ?? (route ? "{}" : "404: Not Found"));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    routes: table,
    close: () => stopServer(server),
  };
}

function stopServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port nothing listens on: listen, note the port, close. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** NodeHttp, counting the requests per host. */
class CountingHttp implements Http {
  readonly calls = new Map<string, number>();
  private readonly inner = new NodeHttp();
  get(url: string, options: { timeoutMs: number }) {
    const host = new URL(url).host;
    this.calls.set(host, (this.calls.get(host) ?? 0) + 1);
    return this.inner.get(url, options);
  }
}

const files = new NodeFiles();
const DEPLOYMENT_SCHEMA = JSON.stringify({ type: "object", properties: { spec: { type: "object" } } });
const WIDGET_SCHEMA = JSON.stringify({ type: "object", description: "widget" });
let dir: string;

beforeEach(async () => {
  dir = await files.makeTempDir("schema-locations-");
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => (server.listening ? stopServer(server) : Promise.resolve())));
  await files.removeTree(dir);
});

function locations(settings: Partial<LocationSettings> & { locations: string[] }, http: Http = new NodeHttp(), root?: string): SchemaLocations {
  return new SchemaLocations({ kubernetesVersion: "1.31.2", strict: false, ...settings }, { files, http, logger: silentLogger }, root);
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("SchemaLocations over HTTP", () => {
  it("finds a schema at the second location after a 404 at the first", async () => {
    const registry = await startRegistry({ "/second/deployment-apps-v1.json": { body: DEPLOYMENT_SCHEMA } });
    const source = locations({ locations: ["default", `${registry.url}/first`, `${registry.url}/second/{{ .ResourceKind }}{{ .KindSuffix }}.json`] });
    const result = await source.lookup("apps/v1", "Deployment");
    expect(result).toEqual({ found: true, schema: JSON.parse(DEPLOYMENT_SCHEMA), location: `${registry.url}/second/deployment-apps-v1.json` });
    expect(registry.hits.get("/first/v1.31.2-standalone/deployment-apps-v1.json")).toBe(1);
    expect(source.problems).toEqual([]);
  });

  it("fetches a URL once, for concurrent lookups and for kinds that map to the same URL", async () => {
    const registry = await startRegistry({ "/s/deployment.json": { body: DEPLOYMENT_SCHEMA } });
    const source = locations({ locations: [`${registry.url}/s/{{ .ResourceKind }}.json`] });
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => source.lookup("apps/v1", "Deployment")),
      source.lookup("extensions/v1beta1", "Deployment"),
    ]);
    expect(results.every((result) => result.found)).toBe(true);
    expect(registry.hits.get("/s/deployment.json")).toBe(1);
    // and later lookups too
    await source.lookup("apps/v1", "Deployment");
    expect(registry.hits.get("/s/deployment.json")).toBe(1);
  });

  it("serves a second run from the disk cache, with the server stopped", async () => {
    const registry = await startRegistry({ "/s/v1.31.2-standalone-strict/deployment-apps-v1.json": { body: DEPLOYMENT_SCHEMA } });
    const cacheDir = path.join(dir, "cache");
    const settings = { locations: [`${registry.url}/s`], strict: true, cacheDir };
    const url = `${registry.url}/s/v1.31.2-standalone-strict/deployment-apps-v1.json`;

    const first = await locations(settings).lookup("apps/v1", "Deployment");
    expect(first.found).toBe(true);
    expect(await files.readText(path.join(cacheDir, `${sha256(url)}.json`))).toBe(DEPLOYMENT_SCHEMA);
    expect(await files.list(cacheDir)).toHaveLength(1);

    await registry.close();
    const http = new CountingHttp();
    const second = locations(settings, http);
    expect(await second.lookup("apps/v1", "Deployment")).toEqual({ found: true, schema: JSON.parse(DEPLOYMENT_SCHEMA), location: url });
    expect(http.calls.size).toBe(0);
    expect(second.problems).toEqual([]);
  });

  it("does not cache a 404", async () => {
    const registry = await startRegistry();
    const cacheDir = path.join(dir, "cache");
    const result = await locations({ locations: [`${registry.url}/s`], cacheDir }).lookup("v1", "Pod");
    expect(result).toEqual({ found: false, tried: [`${registry.url}/s/v1.31.2-standalone/pod-v1.json`] });
    expect(await files.stat(cacheDir)).toBeUndefined();
  });

  it("fetches a corrupt cache file again, overwrites it and reports it", async () => {
    const registry = await startRegistry({ "/s/pod-v1.json": { body: DEPLOYMENT_SCHEMA } });
    const cacheDir = path.join(dir, "cache");
    const url = `${registry.url}/s/pod-v1.json`;
    const cacheFile = path.join(cacheDir, `${sha256(url)}.json`);
    await files.writeText(cacheFile, '{"type": "obj');

    const source = locations({ locations: [`${registry.url}/s/{{ .ResourceKind }}{{ .KindSuffix }}.json`], cacheDir });
    const result = await source.lookup("v1", "Pod");
    expect(result.found).toBe(true);
    expect(registry.hits.get("/s/pod-v1.json")).toBe(1);
    expect(await files.readText(cacheFile)).toBe(DEPLOYMENT_SCHEMA);
    expect(source.problems).toHaveLength(1);
    expect(source.problems[0]!.message).toContain(`corrupt cache file ${cacheFile}`);
    expect(source.problems[0]!.message).toContain(url);
    expect(source.problems[0]!.message).toContain("fetched again");
  });

  it("reports an unreachable location once, skips it for the rest of the run, and the next location still works", async () => {
    const port = await closedPort();
    const registry = await startRegistry({
      "/s/deployment-apps-v1.json": { body: DEPLOYMENT_SCHEMA },
      "/s/service-v1.json": { body: WIDGET_SCHEMA },
    });
    const http = new CountingHttp();
    const unreachable = `http://127.0.0.1:${port}/schemas`;
    const source = locations({ locations: [unreachable, `${registry.url}/s/{{ .ResourceKind }}{{ .KindSuffix }}.json`] }, http);

    const [deployment, service] = await Promise.all([source.lookup("apps/v1", "Deployment"), source.lookup("v1", "Service")]);
    expect(deployment.found && deployment.location).toBe(`${registry.url}/s/deployment-apps-v1.json`);
    expect(service.found && service.location).toBe(`${registry.url}/s/service-v1.json`);
    const again = await source.lookup("v1", "ConfigMap");
    expect(again).toEqual({ found: false, tried: [`${registry.url}/s/configmap-v1.json`] });

    expect(http.calls.get(`127.0.0.1:${port}`)).toBe(2); // the two concurrent first lookups, nothing after
    expect(source.problems).toHaveLength(1);
    const [problem] = source.problems;
    expect(problem!.location).toBe(unreachable);
    expect(problem!.message).toMatch(
      new RegExp(`^schema location http://127\\.0\\.0\\.1:${port}/schemas/v1\\.31\\.2-standalone/[a-z-]+v1\\.json could not be reached: connect ECONNREFUSED 127\\.0\\.0\\.1:${port} \\(skipped for the rest of this run\\)$`),
    );
  });

  it("gives up on a location that does not answer within the timeout, once", async () => {
    const registry = await startRegistry({ "/slow/pod-v1.json": { hang: true } });
    const http = new CountingHttp();
    const source = locations({ locations: [`${registry.url}/slow/{{ .ResourceKind }}{{ .KindSuffix }}.json`], timeoutMs: 300 }, http);
    expect(await source.lookup("v1", "Pod")).toEqual({ found: false, tried: [] });
    expect(await source.lookup("v1", "Service")).toEqual({ found: false, tried: [] });
    expect(http.calls.get(new URL(registry.url).host)).toBe(1);
    expect(source.problems.map((problem) => problem.message)).toEqual([
      `schema location ${registry.url}/slow/pod-v1.json could not be reached: no answer within 300 ms (skipped for the rest of this run)`,
    ]);
  });

  it("reports HTTP 500 once for the location and tries the next", async () => {
    const registry = await startRegistry({
      "/broken/pod-v1.json": { status: 500, body: "oops" },
      "/broken/service-v1.json": { status: 500, body: "oops" },
      "/good/pod-v1.json": { body: WIDGET_SCHEMA },
    });
    const broken = `${registry.url}/broken/{{ .ResourceKind }}{{ .KindSuffix }}.json`;
    const source = locations({ locations: [broken, `${registry.url}/good/{{ .ResourceKind }}{{ .KindSuffix }}.json`] });
    const pod = await source.lookup("v1", "Pod");
    expect(pod.found && pod.location).toBe(`${registry.url}/good/pod-v1.json`);
    expect(await source.lookup("v1", "Service")).toEqual({ found: false, tried: [`${registry.url}/good/service-v1.json`] });
    expect(registry.hits.get("/broken/service-v1.json")).toBe(1); // an HTTP error does not stop the location
    expect(source.problems).toEqual([
      { location: broken, message: `schema location ${registry.url}/broken/pod-v1.json answered HTTP 500: not used, the next location is tried` },
    ]);
  });

  it("reports invalid JSON without quoting it, and does not cache it", async () => {
    const registry = await startRegistry({
      "/s/pod-v1.json": { body: "<html>secret internal page</html>" },
      "/s/service-v1.json": { body: "[1, 2]" },
    });
    const cacheDir = path.join(dir, "cache");
    const source = locations({ locations: [`${registry.url}/s/{{ .ResourceKind }}{{ .KindSuffix }}.json`], cacheDir });
    expect(await source.lookup("v1", "Pod")).toEqual({ found: false, tried: [] });
    expect(source.problems).toHaveLength(1);
    expect(source.problems[0]!.message).toBe(`schema at ${registry.url}/s/pod-v1.json is not valid JSON (33 characters): not used, the next location is tried`);
    expect(source.problems[0]!.message).not.toContain("secret");
    expect(await files.stat(cacheDir)).toBeUndefined();

    // JSON that is not an object: the same kind of problem at the same location, reported once
    expect(await source.lookup("v1", "Service")).toEqual({ found: false, tried: [] });
    expect(source.problems).toHaveLength(1);
    const other = locations({ locations: [`${registry.url}/s/{{ .ResourceKind }}{{ .KindSuffix }}.json`] });
    await other.lookup("v1", "Service");
    expect(other.problems[0]!.message).toContain("is valid JSON but not a JSON object (an array)");
  });

  it("reports everything missing with every place tried, in order", async () => {
    const registry = await startRegistry();
    await files.mkdirp(path.join(dir, "schemas"));
    const source = locations({ locations: [`${registry.url}/a`, "schemas/{{ .ResourceKind }}.json", "default", `${registry.url}/b/{{ .Group }}.json`] }, new NodeHttp(), dir);
    expect(await source.lookup("example.com/v1", "Widget")).toEqual({
      found: false,
      tried: [`${registry.url}/a/v1.31.2-standalone/widget-example-v1.json`, path.join(dir, "schemas", "widget.json"), `${registry.url}/b/example.com.json`],
    });
    expect(source.problems).toEqual([]);
  });
});

describe("SchemaLocations on disk", () => {
  beforeEach(async () => {
    await files.writeText(path.join(dir, "repo", "schemas", "v1.31.2-standalone-strict", "widget-example-v1.json"), WIDGET_SCHEMA);
    await files.writeText(path.join(dir, "catalog", "example.com", "gadget_v1.json"), DEPLOYMENT_SCHEMA);
    await files.writeText(path.join(dir, "catalog", "example.com", "broken_v1.json"), "{");
    await files.mkdirp(path.join(dir, "catalog", "example.com", "folder_v1.json"));
  });

  it("reads a relative directory against the root, and absolute and file:// templates", async () => {
    const catalog = path.join(dir, "catalog");
    const source = locations(
      { locations: ["schemas", `${catalog}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`, `file://${catalog}/x/{{ .ResourceKind }}.json`], strict: true },
      new NodeHttp(),
      path.join(dir, "repo"),
    );
    expect(await source.lookup("example.com/v1", "Widget")).toEqual({
      found: true,
      schema: JSON.parse(WIDGET_SCHEMA),
      location: path.join(dir, "repo", "schemas", "v1.31.2-standalone-strict", "widget-example-v1.json"),
    });
    expect(await source.lookup("example.com/v1", "Gadget")).toEqual({
      found: true,
      schema: JSON.parse(DEPLOYMENT_SCHEMA),
      location: path.join(catalog, "example.com", "gadget_v1.json"),
    });
    expect(await source.lookup("example.com/v1", "Missing")).toEqual({
      found: false,
      tried: [
        path.join(dir, "repo", "schemas", "v1.31.2-standalone-strict", "missing-example-v1.json"),
        path.join(catalog, "example.com", "missing_v1.json"),
        path.join(catalog, "x", "missing.json"),
      ],
    });
    expect(source.problems).toEqual([]);
  });

  it("reports invalid JSON and a directory where the file should be", async () => {
    const catalog = path.join(dir, "catalog");
    const source = locations({ locations: [`${catalog}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`] });
    expect(await source.lookup("example.com/v1", "Broken")).toEqual({ found: false, tried: [] });
    expect(await source.lookup("example.com/v1", "Folder")).toEqual({ found: false, tried: [] });
    expect(source.problems.map((problem) => problem.message)).toEqual([
      `schema file ${path.join(catalog, "example.com", "broken_v1.json")} is not valid JSON (1 characters): not used, the next location is tried`,
      `schema location ${path.join(catalog, "example.com", "folder_v1.json")} is a directory, not a file: not used, the next location is tried`,
    ]);
  });

  it("reports a relative location when no root was given", async () => {
    const source = locations({ locations: ["schemas"] });
    expect(await source.lookup("v1", "Pod")).toEqual({ found: false, tried: [] });
    expect(await source.lookup("v1", "Service")).toEqual({ found: false, tried: [] });
    expect(source.problems).toEqual([
      { location: "schemas", message: "schema location schemas is a relative path, but no directory was given to resolve it against (skipped for this run)" },
    ]);
  });
});

describe("SchemaLocations configuration", () => {
  it.each([
    { name: "no locations", list: [], empty: true },
    { name: "only default", list: ["default"], empty: true },
    { name: "default and another", list: ["default", "https://example.com/s"], empty: false },
  ])("empty with $name: $empty", ({ list, empty }) => {
    expect(locations({ locations: list }).empty).toBe(empty);
  });

  it("reports a location that is not a valid template and skips it", async () => {
    const source = locations({ locations: ["https://example.com/{{ .Kind }}.json"] }, new CountingHttp());
    expect(source.problems).toEqual([
      {
        location: "https://example.com/{{ .Kind }}.json",
        message: expect.stringMatching(/^schema location https:\/\/example\.com\/\{\{ \.Kind \}\}\.json is not a valid template: .*can't evaluate field Kind/),
      },
    ]);
    expect(await source.lookup("v1", "Pod")).toEqual({ found: false, tried: [] });
  });
});

describe("NodeHttp", () => {
  it("refuses a body over its limit, naming the URL", async () => {
    const registry = await startRegistry({ "/big.json": { body: `"${"x".repeat(4096)}"` } });
    await expect(new NodeHttp(1024).get(`${registry.url}/big.json`, { timeoutMs: 5000 })).rejects.toThrow(
      `GET ${registry.url}/big.json: the response body is larger than 1024 bytes`,
    );
  });

  it("returns the status and body of any answer", async () => {
    const registry = await startRegistry({ "/teapot": { status: 418, body: "short and stout" } });
    expect(await new NodeHttp().get(`${registry.url}/teapot`, { timeoutMs: 5000 })).toEqual({ status: 418, body: "short and stout" });
  });
});
