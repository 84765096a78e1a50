// The Cluster port over the Kubernetes API. @kubernetes/client-node loads the kubeconfig and does authentication,
// TLS and proxies (KubeConfig.applySecurityAuthentication, its fetch library); the requests themselves are built
// here, because KubernetesObjectApi (de)serialises built-in kinds through typed models (unknown fields dropped,
// timestamps turned into Dates) where apply and drift need the objects exactly as sent and served, and because its
// errors carry the Status as text. Every request has a timeout; every failure becomes a ClusterError.
import { HttpMethod, IsomorphicFetchHttpLibrary, RequestContext, type KubeConfig } from "@kubernetes/client-node";
import { ClusterError, type ClusterErrorReason } from "../../errors.ts";
import type { Cluster, ClusterRef, ClusterResource } from "../../ports.ts";
import { loadKubeconfig, type KubeconfigChoice } from "./kubeconfig.ts";

/** Per request, headers and body included: a hung API server must not hang the tool. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Items per list page; `continue` tokens fetch the rest. */
const PAGE_SIZE = 500;

type KubeObject = Record<string, unknown>;

interface Answer {
  status: number;
  body: unknown;
}

interface RequestSpec {
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
}

const REASONS = new Set<ClusterErrorReason>(["Conflict", "AlreadyExists", "NotFound", "Invalid", "Forbidden", "Unauthorized", "BadRequest", "Timeout"]);

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function reasonForCode(status: number): ClusterErrorReason {
  const byCode: Record<number, ClusterErrorReason> = { 400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 408: "Timeout", 409: "Conflict", 422: "Invalid", 504: "Timeout" };
  return byCode[status] ?? "Unknown";
}

function reasonOf(reason: unknown, status: number): ClusterErrorReason {
  if (typeof reason === "string" && REASONS.has(reason as ClusterErrorReason)) return reason as ClusterErrorReason;
  if (reason === "ServerTimeout") return "Timeout";
  return reasonForCode(status);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === "string" && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return error.message;
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function metadataOf(object: KubeObject): Record<string, unknown> {
  return isMap(object.metadata) ? object.metadata : {};
}

export interface KubernetesClusterOptions {
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
}

export class KubernetesCluster implements Cluster {
  /** Discovery, per group-version: the resources served, or undefined when the group-version is not. */
  private readonly discovery = new Map<string, Promise<ClusterResource[] | undefined>>();
  /** Preferred versions by group, once found (a group not served yet may be served after a CRD is applied). */
  private readonly preferred = new Map<string, string>();
  private readonly http = new IsomorphicFetchHttpLibrary();
  private readonly timeoutMs: number;

  constructor(
    private readonly kubeconfig: KubeConfig,
    readonly server: string,
    readonly context: string,
    /** Where namespaced objects without a namespace go: the context's namespace, else "default". */
    readonly defaultNamespace: string,
    options: KubernetesClusterOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async resource(apiVersion: string, kind: string, options: { refresh?: boolean } = {}): Promise<ClusterResource | undefined> {
    const resources = await this.discover(apiVersion, options.refresh ?? false);
    return resources?.find((resource) => resource.kind === kind);
  }

  async preferredVersion(group: string): Promise<string | undefined> {
    const known = this.preferred.get(group);
    if (known) return known;
    const answer = await this.send("GET", group === "" ? "/api" : `/apis/${encodeURIComponent(group)}`, {}, [404]);
    if (answer.status === 404 || !isMap(answer.body)) return undefined;
    const document = answer.body;
    // /api answers APIVersions (versions: ["v1"]), /apis/{group} an APIGroup (preferredVersion.version)
    const version =
      group === ""
        ? Array.isArray(document.versions) && typeof document.versions[0] === "string" ? document.versions[0] : undefined
        : isMap(document.preferredVersion) && typeof document.preferredVersion.version === "string" ? document.preferredVersion.version : undefined;
    if (version) this.preferred.set(group, version);
    return version;
  }

  async get(ref: ClusterRef): Promise<KubeObject | undefined> {
    const resource = await this.locate(ref.apiVersion, ref.kind);
    if (!resource) return undefined;
    const answer = await this.send("GET", this.objectPath(resource, ref.namespace, ref.name), {}, [404]);
    return answer.status === 404 ? undefined : this.object(answer);
  }

  async list(apiVersion: string, kind: string, options: { namespace: string; labelSelector?: string }): Promise<KubeObject[]> {
    const resource = await this.locate(apiVersion, kind);
    if (!resource) return [];
    const path = resource.namespaced && options.namespace !== "" ? this.objectPath(resource, options.namespace) : `${this.groupVersionPath(apiVersion)}/${resource.plural}`;
    try {
      return await this.listPages(path, apiVersion, kind, options.labelSelector);
    } catch (error) {
      // a continue token expired (410 Gone) while paging: the listing starts over, once
      if (error instanceof ClusterError && error.status === 410) return this.listPages(path, apiVersion, kind, options.labelSelector);
      throw error;
    }
  }

  private async listPages(path: string, apiVersion: string, kind: string, labelSelector: string | undefined): Promise<KubeObject[]> {
    const items: KubeObject[] = [];
    let token: string | undefined;
    do {
      const answer = await this.send("GET", path, { query: { labelSelector, limit: String(PAGE_SIZE), continue: token } });
      const list = isMap(answer.body) ? answer.body : {};
      // typed lists leave apiVersion and kind off their items: put them back, callers get whole objects
      for (const item of Array.isArray(list.items) ? list.items.filter(isMap) : []) items.push({ apiVersion, kind, ...item });
      const continueToken = metadataOf(list).continue;
      token = typeof continueToken === "string" && continueToken !== "" ? continueToken : undefined;
    } while (token);
    return items;
  }

  async apply(object: KubeObject, options: { fieldManager: string; force: boolean; dryRun: boolean }): Promise<KubeObject> {
    const { resource, namespace, name } = await this.target(object);
    const answer = await this.send("PATCH", this.objectPath(resource, namespace, name), {
      query: { fieldManager: options.fieldManager, force: options.force ? "true" : undefined, dryRun: options.dryRun ? "All" : undefined },
      // JSON is YAML: the apply content type takes it as it is
      body: object,
      contentType: "application/apply-patch+yaml",
    });
    return this.object(answer);
  }

  async create(object: KubeObject, options: { fieldManager: string }): Promise<KubeObject> {
    const { resource, namespace } = await this.target(object);
    const answer = await this.send("POST", this.objectPath(resource, namespace), { query: { fieldManager: options.fieldManager }, body: object });
    return this.object(answer);
  }

  async replace(object: KubeObject, options: { fieldManager: string }): Promise<KubeObject> {
    const { resource, namespace, name } = await this.target(object);
    const answer = await this.send("PUT", this.objectPath(resource, namespace, name), { query: { fieldManager: options.fieldManager }, body: object });
    return this.object(answer);
  }

  async delete(ref: ClusterRef, options: { uid?: string; dryRun: boolean; propagationPolicy?: "Background" | "Foreground" | "Orphan" }): Promise<"deleted" | "gone"> {
    const resource = await this.locate(ref.apiVersion, ref.kind);
    if (!resource) return "gone";
    const deleteOptions: KubeObject = { apiVersion: "v1", kind: "DeleteOptions" };
    if (options.uid !== undefined) deleteOptions.preconditions = { uid: options.uid };
    if (options.propagationPolicy !== undefined) deleteOptions.propagationPolicy = options.propagationPolicy;
    if (options.dryRun) deleteOptions.dryRun = ["All"];
    const answer = await this.send("DELETE", this.objectPath(resource, ref.namespace, ref.name), { body: deleteOptions }, [404]);
    return answer.status === 404 ? "gone" : "deleted";
  }

  // Discovery

  private discover(apiVersion: string, refresh: boolean): Promise<ClusterResource[] | undefined> {
    const cached = this.discovery.get(apiVersion);
    if (cached && !refresh) return cached;
    const reading = this.readResources(apiVersion);
    this.discovery.set(apiVersion, reading);
    // a failed read is not remembered: the next call asks again
    reading.catch(() => {
      if (this.discovery.get(apiVersion) === reading) this.discovery.delete(apiVersion);
    });
    return reading;
  }

  private async readResources(apiVersion: string): Promise<ClusterResource[] | undefined> {
    const answer = await this.send("GET", this.groupVersionPath(apiVersion), {}, [404]);
    if (answer.status === 404) return undefined;
    const { group, version } = splitApiVersion(apiVersion);
    const list = isMap(answer.body) ? answer.body : {};
    const resources = Array.isArray(list.resources) ? list.resources.filter(isMap) : [];
    return resources
      .filter((resource) => typeof resource.name === "string" && !resource.name.includes("/") && typeof resource.kind === "string")
      .map((resource) => ({ group, version, kind: resource.kind as string, plural: resource.name as string, namespaced: resource.namespaced === true }));
  }

  /** How the server serves a kind; a miss reads discovery again once (a CRD may have arrived since). */
  private async locate(apiVersion: string, kind: string): Promise<ClusterResource | undefined> {
    return (await this.resource(apiVersion, kind)) ?? (await this.resource(apiVersion, kind, { refresh: true }));
  }

  private async target(object: KubeObject): Promise<{ resource: ClusterResource; namespace: string; name: string }> {
    const apiVersion = typeof object.apiVersion === "string" ? object.apiVersion : "";
    const kind = typeof object.kind === "string" ? object.kind : "";
    const metadata = metadataOf(object);
    const name = typeof metadata.name === "string" ? metadata.name : "";
    if (!apiVersion || !kind || !name) throw new ClusterError("the object has no apiVersion, kind or metadata.name", "BadRequest", 0);
    const resource = await this.locate(apiVersion, kind);
    if (!resource) {
      throw new ClusterError(`the server at ${this.server} does not serve ${kind} in ${apiVersion} (is its CustomResourceDefinition installed and established?)`, "NotFound", 404);
    }
    return { resource, namespace: typeof metadata.namespace === "string" ? metadata.namespace : "", name };
  }

  // Paths

  private groupVersionPath(apiVersion: string): string {
    return apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  }

  /** The collection (no name) or the object; a namespaced kind without a namespace goes to the default one. */
  private objectPath(resource: ClusterResource, namespace: string, name?: string): string {
    const apiVersion = resource.group ? `${resource.group}/${resource.version}` : resource.version;
    const scope = resource.namespaced ? `/namespaces/${encodeURIComponent(namespace || this.defaultNamespace)}` : "";
    return `${this.groupVersionPath(apiVersion)}${scope}/${resource.plural}${name === undefined ? "" : `/${encodeURIComponent(name)}`}`;
  }

  // Requests

  /** One request; a 2xx answer (or one of `tolerated`) resolves, anything else is a ClusterError. */
  private async send(method: keyof typeof HttpMethod, path: string, spec: RequestSpec, tolerated: number[] = []): Promise<Answer> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(spec.query ?? {})) if (value !== undefined) query.set(key, value);
    const url = `${this.server}${path}${query.size > 0 ? `?${query.toString()}` : ""}`;
    const request = new RequestContext(url, HttpMethod[method]);
    request.setHeaderParam("Accept", "application/json");
    request.setHeaderParam("User-Agent", "gitops-verify");
    if (spec.body !== undefined) {
      request.setHeaderParam("Content-Type", spec.contentType ?? "application/json");
      request.setBody(JSON.stringify(spec.body));
    }
    request.setSignal(AbortSignal.timeout(this.timeoutMs));
    try {
      await this.kubeconfig.applySecurityAuthentication(request);
    } catch (error) {
      throw new ClusterError(`cannot authenticate to ${this.server} (context "${this.context}"): ${describe(error)}`, "Unauthorized", 0);
    }
    let status: number;
    let text: string;
    try {
      const response = await this.http.send(request).toPromise();
      status = response.httpStatusCode;
      text = await response.body.text();
    } catch (error) {
      throw this.unreachable(method, path, error);
    }
    const body = parseJson(text);
    if ((status >= 200 && status < 300) || tolerated.includes(status)) return { status, body };
    throw this.refusal(method, path, status, body, text);
  }

  private unreachable(method: string, path: string, error: unknown): ClusterError {
    const name = error instanceof Error ? error.name : "";
    const why = name === "TimeoutError" || name === "AbortError" ? `no answer within ${this.timeoutMs / 1000} s` : describe(error);
    return new ClusterError(`cannot reach the Kubernetes API at ${this.server} (context "${this.context}", ${method} ${path}): ${why}`, "Unreachable", 0);
  }

  private refusal(method: string, path: string, status: number, body: unknown, text: string): ClusterError {
    if (isMap(body) && body.kind === "Status") {
      const details = isMap(body.details) ? body.details : {};
      const causes = (Array.isArray(details.causes) ? details.causes.filter(isMap) : []).map((cause) => ({
        ...(typeof cause.field === "string" ? { field: cause.field } : {}),
        message: typeof cause.message === "string" ? cause.message : String(cause.reason ?? ""),
      }));
      const message = typeof body.message === "string" && body.message !== "" ? body.message : `${method} ${path}: HTTP ${status}`;
      return new ClusterError(message, reasonOf(body.reason, status), status, causes);
    }
    const excerpt = text.trim().slice(0, 200);
    return new ClusterError(`${method} ${path}: HTTP ${status}${excerpt ? `: ${excerpt}` : ""}`, reasonForCode(status), status);
  }

  /** A 2xx answer's object; a body that is not one is the server's fault. */
  private object(answer: Answer): KubeObject {
    if (isMap(answer.body)) return answer.body;
    throw new ClusterError(`the Kubernetes API at ${this.server} answered with something that is not an object`, "Unknown", answer.status);
  }
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Loads the kubeconfig (see kubeconfig.ts) and returns the cluster of its chosen context. Nothing is sent yet. */
export async function connectCluster(options: KubeconfigChoice & KubernetesClusterOptions = {}): Promise<KubernetesCluster> {
  const loaded = loadKubeconfig(options);
  return new KubernetesCluster(loaded.config, loaded.server, loaded.context, loaded.namespace, options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {});
}
