// The HTTP side of the stand-in: discovery, CRUD, server-side apply, label selectors, paging, bearer-token auth,
// request recording and fault injection, in the Kubernetes wire format (JSON bodies, Status objects on failure).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parse as parseYaml } from "yaml";
import type { ClusterRef } from "../../../src/ports.ts";
import { Controller, type ControllerOptions } from "./controller.ts";
import { isMap, stringAt } from "./objects.ts";
import { VERBS, groupVersionOf, ResourceRegistry, type ExtraResource, type ResourceType } from "./resources.ts";
import { parseLabelSelector } from "./selector.ts";
import { ApiError, badRequest, methodNotAllowed, notFound, routeNotFound, statusObject, unauthorized, unsupportedMediaType } from "./status.ts";
import { ObjectStore } from "./store.ts";

export interface KubeApiServerOptions {
  /** A bearer token every request must carry (401 Unauthorized otherwise). Default: none required. */
  token?: string;
  /** Extra kinds to serve besides the built-in table, e.g. { apiVersion: "example.com/v1", kind: "Widget" }. */
  resources?: ExtraResource[];
  /** The status-writing controller loop; false turns it off (CRDs are still established). Default: on. */
  controller?: ControllerOptions | false;
  /** Delay before an applied or created CRD is Established and its kinds served. Default 0 (at once). */
  crdEstablishDelayMs?: number;
  /** Namespaces that exist from the start. Default: default, kube-system, kube-public, kube-node-lease. */
  namespaces?: string[];
  /** Added to every answer, as the round trip to a remote API server would be (benchmarks). Default 0. */
  latencyMs?: number;
}

export interface RecordedRequest {
  method: string;
  /** The path without the query. */
  path: string;
  query: Record<string, string>;
  contentType?: string;
  authorization?: string;
  /** The parsed body (JSON, or YAML for apply patches), undefined when there was none. */
  body?: unknown;
  /** The HTTP status answered (0 while a stalled request is still waiting). */
  status: number;
}

export interface FaultRule {
  /** Only requests with this method (default: any). */
  method?: string;
  /** Matched against the path without the query: a RegExp, or a substring. */
  pathPattern: RegExp | string;
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface FailureRule extends FaultRule {
  status: number;
  reason: string;
  message: string;
  causes?: { reason?: string; message: string; field?: string }[];
}

export interface StallRule extends FaultRule {
  /** How long the request waits before it is answered normally (default: until the server closes). */
  ms?: number;
}

interface ActiveFault {
  rule: FailureRule | StallRule;
  kind: "fail" | "stall";
  left: number;
}

/** A parsed resource URL: /api/v1/…, /apis/{group}/{version}/…, namespaced or not, an object or a collection. */
interface ResourceRoute {
  type: ResourceType;
  /** undefined for a list across all namespaces (or of a cluster-scoped kind). */
  namespace: string | undefined;
  name?: string;
  subresource?: string;
}

const JSON_TYPE = "application/json";

function matchesRule(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method) return false;
  return typeof rule.pathPattern === "string" ? path.includes(rule.pathPattern) : rule.pathPattern.test(path);
}

function encodeContinue(offset: number, resourceVersion: string): string {
  return Buffer.from(JSON.stringify({ offset, rv: resourceVersion })).toString("base64url");
}

function decodeContinue(token: string): number {
  try {
    const decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { offset?: unknown };
    if (typeof decoded.offset === "number" && decoded.offset >= 0) return decoded.offset;
  } catch {
    // fall through
  }
  throw badRequest("continue key is not valid: the token could not be decoded");
}

function dryRunOf(query: URLSearchParams, body?: unknown): boolean {
  const values = query.getAll("dryRun");
  if (isMap(body) && Array.isArray(body.dryRun)) values.push(...body.dryRun.map(String));
  for (const value of values) if (value !== "All") throw badRequest(`Invalid dry run value: ${JSON.stringify(value)}: valid values are "All"`);
  return values.length > 0;
}

export class KubeApiHttpServer {
  readonly requests: RecordedRequest[] = [];
  readonly registry: ResourceRegistry;
  readonly store: ObjectStore;
  readonly controller: Controller;
  private readonly faults: ActiveFault[] = [];
  private readonly stalled = new Set<() => void>();
  private server?: Server;
  port = 0;

  constructor(private readonly options: KubeApiServerOptions = {}) {
    this.registry = new ResourceRegistry(options.resources);
    this.store = new ObjectStore(this.registry, { crdEstablishDelayMs: options.crdEstablishDelayMs ?? 0 });
    this.controller = new Controller(this.store, options.controller ?? {});
    const namespaces = options.namespaces ?? ["default", "kube-system", "kube-public", "kube-node-lease"];
    const namespaceType = this.registry.byKind("v1", "Namespace")!;
    for (const name of namespaces) this.store.create(namespaceType, "", { apiVersion: "v1", kind: "Namespace", metadata: { name } }, { fieldManager: "kube-apiserver" });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.controller.start();
  }

  async close(): Promise<void> {
    this.controller.stop();
    for (const release of this.stalled) release();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  failNext(rule: FailureRule): void {
    this.faults.push({ rule, kind: "fail", left: rule.times ?? 1 });
  }

  stallNext(rule: StallRule): void {
    this.faults.push({ rule, kind: "stall", left: rule.times ?? 1 });
  }

  /** The type for an apiVersion/kind, as tests name objects. */
  typeOf(apiVersion: string, kind: string): ResourceType {
    const type = this.registry.byKind(apiVersion, kind);
    if (!type) throw new Error(`the stand-in does not serve ${apiVersion} ${kind}`);
    return type;
  }

  typeOfRef(ref: Pick<ClusterRef, "apiVersion" | "kind">): ResourceType {
    return this.typeOf(ref.apiVersion, ref.kind);
  }

  private takeFault(method: string, path: string): ActiveFault | undefined {
    const fault = this.faults.find((candidate) => candidate.left > 0 && matchesRule(candidate.rule, method, path));
    if (fault) fault.left--;
    return fault;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const method = (request.method ?? "GET").toUpperCase();
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: request.headers["content-type"],
      authorization: request.headers.authorization,
      status: 0,
    };
    this.requests.push(record);
    if (this.options.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
    const send = (status: number, body: unknown) => {
      record.status = status;
      if (response.destroyed) return;
      response.writeHead(status, { "content-type": JSON_TYPE });
      response.end(JSON.stringify(body));
    };
    try {
      const text = await readBody(request);
      record.body = text ? this.parseBody(text, record.contentType ?? "") : undefined;
      if (this.options.token !== undefined && request.headers.authorization !== `Bearer ${this.options.token}`) throw unauthorized();
      const fault = this.takeFault(method, url.pathname);
      if (fault?.kind === "stall") await this.stall((fault.rule as StallRule).ms);
      if (fault?.kind === "fail") {
        const rule = fault.rule as FailureRule;
        send(rule.status, statusObject(rule.status, rule.reason, rule.message, rule.causes ? { causes: rule.causes } : undefined));
        return;
      }
      const [status, body] = this.route(method, url, record);
      send(status, body);
    } catch (error) {
      if (error instanceof ApiError) send(error.code, error.toStatus());
      else send(500, statusObject(500, "InternalError", `Internal error occurred: ${error instanceof Error ? error.message : String(error)}`));
    }
  }

  private stall(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.stalled.delete(release);
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(release, ms);
      this.stalled.add(release);
    });
  }

  private parseBody(text: string, contentType: string): unknown {
    try {
      return contentType.startsWith("application/apply-patch+yaml") ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
    } catch (error) {
      throw badRequest(`the request body could not be decoded: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    }
  }

  private route(method: string, url: URL, record: RecordedRequest): [number, unknown] {
    const segments = url.pathname.split("/").filter(Boolean);
    const discovery = this.discovery(segments);
    if (discovery) {
      if (method !== "GET") throw methodNotAllowed(method);
      return [200, discovery];
    }
    const route = this.resourceRoute(segments);
    if (!route || route.subresource !== undefined) throw routeNotFound();
    return this.resourceRequest(method, url.searchParams, route, record);
  }

  // Discovery: /version, /api, /apis, /api/v1, /apis/{group}, /apis/{group}/{version}.

  private discovery(segments: string[]): unknown {
    const [root, group, version, ...rest] = segments;
    if (root === "version" && segments.length === 1) {
      return { major: "1", minor: "33", gitVersion: "v1.33.0-gitops-verify-stand-in", platform: "linux/amd64" };
    }
    if (root === "api" && segments.length === 1) {
      return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: `127.0.0.1:${this.port}` }] };
    }
    if (root === "api" && segments.length === 2) return this.resourceList("", group!);
    if (root !== "apis" || rest.length > 0) return undefined;
    const groups = this.registry.groups();
    if (group === undefined) {
      const list = [...groups].filter(([name]) => name !== "").map(([name, versions]) => this.apiGroup(name, versions));
      return { kind: "APIGroupList", apiVersion: "v1", groups: list };
    }
    if (version === undefined) {
      const versions = groups.get(group);
      if (!versions) throw routeNotFound();
      return { kind: "APIGroup", apiVersion: "v1", ...this.apiGroup(group, versions) };
    }
    return this.resourceList(group, version);
  }

  private apiGroup(name: string, versions: string[]): Record<string, unknown> {
    const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
    return { name, versions: list, preferredVersion: list[0] };
  }

  private resourceList(group: string, version: string): Record<string, unknown> {
    const types = this.registry.all().filter((type) => type.group === group && type.version === version);
    if (types.length === 0) throw routeNotFound();
    const resources = types.flatMap((type) => {
      const main: Record<string, unknown> = { name: type.plural, singularName: type.singular, namespaced: type.namespaced, kind: type.kind, verbs: VERBS };
      if (type.shortNames) main.shortNames = type.shortNames;
      const subresources = type.subresources.map((sub) => ({
        name: `${type.plural}/${sub}`,
        singularName: "",
        namespaced: type.namespaced,
        kind: sub === "scale" ? "Scale" : type.kind,
        verbs: sub === "status" || sub === "scale" ? ["get", "patch", "update"] : ["get"],
      }));
      return [main, ...subresources];
    });
    return { kind: "APIResourceList", apiVersion: "v1", groupVersion: groupVersionOf({ group, version }), resources };
  }

  private resourceRoute(segments: string[]): ResourceRoute | undefined {
    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === "api" && segments.length >= 3) [group, version, rest] = ["", segments[1]!, segments.slice(2)];
    else if (segments[0] === "apis" && segments.length >= 4) [group, version, rest] = [segments[1]!, segments[2]!, segments.slice(3)];
    else return undefined;
    if (rest[0] === "namespaces" && rest.length >= 3) {
      const type = this.registry.byPlural(group, version, rest[2]!);
      if (type?.namespaced) return { type, namespace: rest[1]!, name: rest[3], subresource: rest[4] };
      if (rest.length > 3 || type) return undefined;
    }
    const type = this.registry.byPlural(group, version, rest[0]!);
    if (!type || rest.length > 3) return undefined;
    // a namespaced kind is addressed without a namespace only as a list across all namespaces
    if (type.namespaced && rest.length > 1) return undefined;
    return { type, namespace: type.namespaced ? undefined : "", name: rest[1], subresource: rest[2] };
  }

  private resourceRequest(method: string, query: URLSearchParams, route: ResourceRoute, record: RecordedRequest): [number, unknown] {
    const { type, name } = route;
    const namespace = route.namespace ?? "";
    const fieldManager = query.get("fieldManager") ?? undefined;
    if (name === undefined) {
      if (method === "GET") return [200, this.list(type, route.namespace, query)];
      if (method === "POST" && route.namespace !== undefined) {
        return [201, this.store.create(type, namespace, record.body, { fieldManager, dryRun: dryRunOf(query) })];
      }
      throw methodNotAllowed(method);
    }
    switch (method) {
      case "GET": {
        const object = this.store.get(type, namespace, name);
        if (!object) throw notFound(type, name);
        return [200, object];
      }
      case "PUT":
        return [200, this.store.replace(type, namespace, name, record.body, { fieldManager, dryRun: dryRunOf(query) })];
      case "PATCH":
        return this.patch(type, namespace, name, query, record);
      case "DELETE":
        return this.delete(type, namespace, name, query, record.body);
      default:
        throw methodNotAllowed(method);
    }
  }

  private patch(type: ResourceType, namespace: string, name: string, query: URLSearchParams, record: RecordedRequest): [number, unknown] {
    const contentType = (record.contentType ?? "").split(";")[0]!.trim();
    const fieldManager = query.get("fieldManager") ?? undefined;
    const dryRun = dryRunOf(query);
    if (contentType === "application/apply-patch+yaml") {
      const existed = this.store.get(type, namespace, name) !== undefined;
      const result = this.store.apply(type, namespace, name, record.body, { fieldManager, force: query.get("force") === "true", dryRun });
      return [existed ? 200 : 201, result];
    }
    if (query.has("force")) throw badRequest("force is only allowed for apply patches");
    if (contentType === "application/merge-patch+json" || contentType === "application/strategic-merge-patch+json") {
      return [200, this.store.patch(type, namespace, name, record.body, { fieldManager, dryRun })];
    }
    throw unsupportedMediaType(contentType);
  }

  private delete(type: ResourceType, namespace: string, name: string, query: URLSearchParams, body: unknown): [number, unknown] {
    const options = isMap(body) ? body : {};
    const preconditions = isMap(options.preconditions) ? options.preconditions : {};
    const { object, gone } = this.store.delete(type, namespace, name, {
      uid: stringAt(preconditions, "uid"),
      resourceVersion: stringAt(preconditions, "resourceVersion"),
      dryRun: dryRunOf(query, options),
    });
    if (!gone) return [200, object];
    const metadata = isMap(object.metadata) ? object.metadata : {};
    return [200, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name, group: type.group, kind: type.plural, uid: metadata.uid } }];
  }

  private list(type: ResourceType, namespace: string | undefined, query: URLSearchParams): Record<string, unknown> {
    const selector = parseLabelSelector(query.get("labelSelector") ?? undefined);
    const matching = this.store.list(type, namespace).filter((object) => {
      const metadata = isMap(object.metadata) ? object.metadata : {};
      return selector(isMap(metadata.labels) ? (metadata.labels as Record<string, string>) : {});
    });
    const continueToken = query.get("continue");
    const offset = continueToken ? decodeContinue(continueToken) : 0;
    const limit = Number(query.get("limit") ?? "0");
    const end = limit > 0 ? offset + limit : matching.length;
    const page = matching.slice(offset, end);
    const metadata: Record<string, unknown> = { resourceVersion: this.store.resourceVersion };
    if (end < matching.length) {
      metadata.continue = encodeContinue(end, this.store.resourceVersion);
      metadata.remainingItemCount = matching.length - end;
    }
    // typed (built-in) lists carry apiVersion and kind on the list only, as the real server's JSON does
    const items = page.map((object) => {
      if (!type.builtin) return object;
      const { apiVersion: _apiVersion, kind: _kind, ...rest } = object;
      return rest;
    });
    return { kind: `${type.kind}List`, apiVersion: groupVersionOf(type), metadata, items };
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
