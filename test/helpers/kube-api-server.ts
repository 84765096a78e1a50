// A stand-in for the Kubernetes API server on 127.0.0.1 (node:http, a random port), for the integration tests of
// `gitops-verify apply` and `drift`. No real API server (kind, k3s, envtest's kube-apiserver) can be installed on
// this machine, so the tests talk real HTTP, in the real wire format, to this one instead: discovery documents,
// objects and metav1 Lists as JSON, metav1.Status on every failure, server-side apply with managedFields (FieldsV1)
// and conflicts, defaulting, optimistic concurrency, label selectors and paging, and a small controller loop that
// writes status so readiness can be waited on.
//
// Deliberate simplifications (each documented where it lives):
// - no watch, no /status or /scale subresources (404), no OpenAPI validation of custom resources, no conversion
//   between the versions of a CRD (one storage, the same fields under every version);
// - field ownership treats lists as atomic except lists whose items have a `name` (merged and owned item by item,
//   `k:{"name":"…"}`); the real server keys some lists otherwise (Service ports by port and protocol);
// - strategic merge patches are applied as JSON merge patches (lists replaced); JSON patches get 415;
// - a deleted Namespace goes at once with its objects (no Terminating phase); objects with finalizers get a
//   deletionTimestamp and stay until an update removes the finalizers;
// - metadata.generation is kept for every kind; status is written only by the controller loop (and setStatus), and
//   its zero counters are left out as the real API's omitempty fields are (a failed rollout has no availableReplicas);
// - a resourceVersion in an applied configuration is ignored (the real server takes it as a precondition).
//
// The modules are under kube-api/: server.ts (HTTP, discovery, faults), store.ts (write paths), managed-fields.ts
// and field-paths.ts (server-side apply), defaults.ts, validate.ts, controller.ts, selector.ts, kubeconfig.ts.
import { createServer } from "node:net";
import path from "node:path";
import type { ClusterRef } from "../../src/ports.ts";
import { writeKubeconfig } from "./kube-api/kubeconfig.ts";
import { clone, isMap, type KubeObject } from "./kube-api/objects.ts";
import { KubeApiHttpServer, type FailureRule, type KubeApiServerOptions, type RecordedRequest, type StallRule } from "./kube-api/server.ts";

export { writeKubeconfig, type KubeconfigContext } from "./kube-api/kubeconfig.ts";
export type { ControllerOptions } from "./kube-api/controller.ts";
export type { ExtraResource } from "./kube-api/resources.ts";
export { ApiError } from "./kube-api/status.ts";
export type { FailureRule, KubeApiServerOptions, RecordedRequest, StallRule } from "./kube-api/server.ts";
export type { KubeObject } from "./kube-api/objects.ts";

/** An object's identity; `namespace` may be left out (or "") for cluster-scoped kinds. */
export type ObjectRef = Omit<ClusterRef, "namespace"> & { namespace?: string };

export interface KubeApiServer {
  /** "http://127.0.0.1:<port>" */
  readonly url: string;
  readonly port: number;
  /** Every request, in arrival order, with the status answered. */
  readonly requests: RecordedRequest[];
  close(): Promise<void>;

  /** The stored object (as a GET returns it), or undefined. */
  get(ref: ObjectRef): KubeObject | undefined;
  /** Objects of a kind, in one namespace or all. */
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  /** Creates an object as a POST does (an Update managedFields entry for the manager, default "kubectl-create"). Throws ApiError. */
  create(object: KubeObject, options?: { fieldManager?: string }): KubeObject;
  /** Server-side applies an object, as another tool (Flux, kubectl apply --server-side) would. Throws ApiError. */
  apply(object: KubeObject, options: { fieldManager: string; force?: boolean }): KubeObject;
  /**
   * Changes an object the way `kubectl edit` does: a PUT whose manager (an Update operation) takes ownership of the
   * fields whose values it changed or added. Throws ApiError.
   */
  edit(ref: ObjectRef, mutate: (object: KubeObject) => void, manager?: string): KubeObject;
  /** Deletes an object as a DELETE without options does. Throws ApiError (NotFound). */
  delete(ref: ObjectRef): void;
  /** Writes status as a controller would (the loop may overwrite it for the kinds it manages). */
  setStatus(ref: ObjectRef, status: Record<string, unknown>, manager?: string): KubeObject;
  /** Runs the controller loop once, now. */
  tick(): void;

  /** The next matching requests (default 1) are answered with this Status instead. */
  failNext(rule: FailureRule): void;
  /** The next matching requests (default 1) get no answer for `ms` (default: until close). */
  stallNext(rule: StallRule): void;

  /** Writes a kubeconfig for this server (one context, its token) at dir/kubeconfig; returns the path. */
  writeKubeconfig(dir: string, options?: { context?: string; namespace?: string; token?: string }): Promise<string>;
}

/** Starts the stand-in on 127.0.0.1 at a random port. */
export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const server = new KubeApiHttpServer(options);
  await server.listen();
  const { store } = server;
  const located = (ref: ObjectRef) => ({ type: server.typeOfRef(ref), namespace: ref.namespace ?? "", name: ref.name });
  const typeOfObject = (object: KubeObject) => server.typeOf(String(object.apiVersion), String(object.kind));
  const namespaceOf = (object: KubeObject) => (isMap(object.metadata) && typeof object.metadata.namespace === "string" ? object.metadata.namespace : "");
  const nameOf = (object: KubeObject) => (isMap(object.metadata) && typeof object.metadata.name === "string" ? object.metadata.name : "");

  return {
    url: server.url,
    port: server.port,
    requests: server.requests,
    close: () => server.close(),
    get(ref) {
      const { type, namespace, name } = located(ref);
      return store.get(type, namespace, name);
    },
    list(apiVersion, kind, namespace) {
      return store.list(server.typeOf(apiVersion, kind), namespace);
    },
    create(object, createOptions = {}) {
      return store.create(typeOfObject(object), namespaceOf(object), clone(object), { fieldManager: createOptions.fieldManager ?? "kubectl-create" });
    },
    apply(object, applyOptions) {
      return store.apply(typeOfObject(object), namespaceOf(object), nameOf(object), clone(object), applyOptions);
    },
    edit(ref, mutate, manager = "kubectl-edit") {
      const { type, namespace, name } = located(ref);
      const current = store.get(type, namespace, name);
      if (!current) throw new Error(`edit: ${ref.kind} ${namespace}/${name} does not exist`);
      const edited = clone(current);
      mutate(edited);
      return store.replace(type, namespace, name, edited, { fieldManager: manager });
    },
    delete(ref) {
      const { type, namespace, name } = located(ref);
      store.delete(type, namespace, name);
    },
    setStatus(ref, status, manager) {
      const { type, namespace, name } = located(ref);
      const written = store.writeStatus(type, namespace, name, status, manager);
      if (!written) throw new Error(`setStatus: ${ref.kind} ${namespace}/${name} does not exist`);
      return written;
    },
    tick: () => server.controller.tick(),
    failNext: (rule) => server.failNext(rule),
    stallNext: (rule) => server.stallNext(rule),
    writeKubeconfig(dir, kubeconfigOptions = {}) {
      const context = kubeconfigOptions.context ?? "stand-in";
      const token = kubeconfigOptions.token ?? options.token;
      return writeKubeconfig(path.join(dir, "kubeconfig"), [{ name: context, server: server.url, token, namespace: kubeconfigOptions.namespace }]);
    },
  };
}

/** A URL where nothing listens (a port bound and released), for "unreachable server" tests. */
export async function unreachableUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
