// KubernetesCluster (src/adapters/kubernetes/cluster.ts) against the Kubernetes API stand-in over real HTTP, through
// a kubeconfig file as users have one: every Cluster method, the error reasons, an unreachable or hung server,
// context selection, and discovery read again after a CRD is applied.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectCluster, type KubernetesCluster } from "../../src/adapters/kubernetes/cluster.ts";
import { ClusterError, UserError } from "../../src/errors.ts";
import type { ClusterRef } from "../../src/ports.ts";
import { startKubeApiServer, unreachableUrl, writeKubeconfig, type KubeApiServer, type KubeObject } from "../helpers/kube-api-server.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const TOKEN = "integration-token";
const MANAGER = "gitops-verify";

let dir: string;
let api: KubeApiServer;
let cluster: KubernetesCluster;

function configMap(name: string, namespace = "default", labels?: Record<string, string>): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace, ...(labels ? { labels } : {}) }, data: { key: name } };
}

function deployment(replicas: number, image = "nginx:1.27"): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default" },
    spec: { replicas, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image }] } } },
  };
}

const webRef: ClusterRef = { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web" };
const crd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.com" },
  spec: { group: "example.com", scope: "Namespaced", names: { kind: "Widget", plural: "widgets", singular: "widget" }, versions: [{ name: "v1", served: true, storage: true }] },
};

async function rejection(promise: Promise<unknown>): Promise<ClusterError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ClusterError);
  return error as ClusterError;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "gitops-verify-kube-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  api = await startKubeApiServer({ token: TOKEN, controller: false });
  cluster = await connectCluster({ kubeconfig: await api.writeKubeconfig(dir) });
});
afterEach(async () => {
  await api.close();
});

describe("connecting", () => {
  it("reports the server and the context of the kubeconfig", () => {
    expect(cluster.server).toBe(api.url);
    expect(cluster.context).toBe("stand-in");
  });

  it("sends the kubeconfig's bearer token", async () => {
    await cluster.get(webRef);
    expect(api.requests.every((request) => request.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it.each([
    { name: "the current context", context: undefined, server: "api", chosen: "stand-in" },
    { name: "another context", context: "staging", server: "staging", chosen: "staging" },
  ])("chooses $name", async ({ context, server, chosen }) => {
    const staging = await startKubeApiServer({ controller: false });
    try {
      const file = await writeKubeconfig(path.join(dir, "two-contexts"), [
        { name: "stand-in", server: api.url, token: TOKEN },
        { name: "staging", server: staging.url, namespace: "team" },
      ]);
      const connected = await connectCluster({ kubeconfig: file, ...(context ? { context } : {}) });
      expect(connected.context).toBe(chosen);
      expect(connected.server).toBe(server === "api" ? api.url : staging.url);
      expect(connected.defaultNamespace).toBe(server === "api" ? "default" : "team");
    } finally {
      await staging.close();
    }
  });

  it.each([
    { name: "a context the kubeconfig does not have", options: async () => ({ kubeconfig: await api.writeKubeconfig(dir), context: "prod" }), message: /context "prod" does not exist in .*; available contexts: stand-in$/ },
    { name: "a kubeconfig file that does not exist", options: async () => ({ kubeconfig: path.join(dir, "nope") }), message: /the kubeconfig .*nope does not exist/ },
    {
      name: "a kubeconfig without a current context",
      options: async () => ({ kubeconfig: await writeKubeconfig(path.join(dir, "no-current"), [{ name: "a", server: api.url }, { name: "b", server: api.url }], "") }),
      message: /has no current context: pass --context; available contexts: a, b/,
    },
  ])("refuses $name with a UserError", async ({ options, message }) => {
    const error = await connectCluster(await options()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(message);
  });

  it("reads KUBECONFIG when no file is given", async () => {
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = await writeKubeconfig(path.join(dir, "from-env"), [{ name: "from-env", server: api.url, token: TOKEN }]);
    try {
      const connected = await connectCluster({});
      expect(connected.context).toBe("from-env");
      expect(await connected.resource("v1", "ConfigMap")).toBeDefined();
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });
});

describe("discovery", () => {
  it.each([
    { name: "a core kind", apiVersion: "v1", kind: "ConfigMap", expected: { group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true } },
    { name: "a cluster-scoped kind", apiVersion: "v1", kind: "Namespace", expected: { group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false } },
    { name: "a group's kind", apiVersion: "apps/v1", kind: "Deployment", expected: { group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true } },
    { name: "an unknown kind of a served group", apiVersion: "apps/v1", kind: "Gizmo", expected: undefined },
    { name: "a group-version not served", apiVersion: "example.com/v1", kind: "Widget", expected: undefined },
  ])("resolves $name", async ({ apiVersion, kind, expected }) => {
    expect(await cluster.resource(apiVersion, kind)).toEqual(expected);
  });

  it("never takes a subresource for the kind", async () => {
    // apps/v1 lists deployments/status and deployments/scale too; the Scale subresource has kind Scale
    expect(await cluster.resource("apps/v1", "Scale")).toBeUndefined();
  });

  it("reads a group-version once, and again when asked to refresh", async () => {
    await cluster.resource("apps/v1", "Deployment");
    await cluster.resource("apps/v1", "StatefulSet");
    await cluster.resource("apps/v1", "DaemonSet", { refresh: true });
    expect(api.requests.filter((request) => request.path === "/apis/apps/v1")).toHaveLength(2);
  });

  it("sees a CRD's kind after the CRD is applied, on refresh", async () => {
    expect(await cluster.resource("example.com/v1", "Widget")).toBeUndefined();
    await cluster.apply(crd, { fieldManager: MANAGER, force: false, dryRun: false });
    expect(await cluster.resource("example.com/v1", "Widget")).toBeUndefined();
    expect(await cluster.resource("example.com/v1", "Widget", { refresh: true })).toEqual({ group: "example.com", version: "v1", kind: "Widget", plural: "widgets", namespaced: true });
    const widget = await cluster.apply({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "default" }, spec: { size: 1 } }, { fieldManager: MANAGER, force: false, dryRun: false });
    expect(widget.spec).toEqual({ size: 1 });
  });

  it("waits out a CRD that is established late", async () => {
    await api.close();
    api = await startKubeApiServer({ token: TOKEN, controller: { intervalMs: 10 }, crdEstablishDelayMs: 200 });
    cluster = await connectCluster({ kubeconfig: await api.writeKubeconfig(dir) });
    await cluster.apply(crd, { fieldManager: MANAGER, force: false, dryRun: false });
    let attempts = 0;
    while (!(await cluster.resource("example.com/v1", "Widget", { refresh: true }))) {
      attempts++;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(attempts).toBeGreaterThan(0);
  });

  it.each([
    { name: "the core group", group: "", expected: "v1" },
    { name: "apps", group: "apps", expected: "v1" },
    { name: "a group not served", group: "example.com", expected: undefined },
  ])("knows the preferred version of $name", async ({ group, expected }) => {
    expect(await cluster.preferredVersion(group)).toBe(expected);
  });
});

describe("reading", () => {
  it.each([
    { name: "an existing object", ref: { apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "present" }, found: true },
    { name: "a missing object", ref: { apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "absent" }, found: false },
    { name: "an object in a missing namespace", ref: { apiVersion: "v1", kind: "ConfigMap", namespace: "ghost", name: "present" }, found: false },
    { name: "an object of a kind not served", ref: { apiVersion: "example.com/v1", kind: "Widget", namespace: "default", name: "w" }, found: false },
    { name: "a cluster-scoped object", ref: { apiVersion: "v1", kind: "Namespace", namespace: "", name: "kube-system" }, found: true },
  ])("gets $name", async ({ ref, found }) => {
    api.create(configMap("present"));
    const object = await cluster.get(ref);
    expect(object !== undefined).toBe(found);
    if (object) expect(object).toMatchObject({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name } });
  });

  it("puts a namespaced object without a namespace in the context's namespace", async () => {
    api.create(configMap("present"));
    expect(await cluster.get({ apiVersion: "v1", kind: "ConfigMap", namespace: "", name: "present" })).toBeDefined();
  });

  describe("lists", () => {
    beforeEach(() => {
      api.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "other" } });
      api.create(configMap("a", "default", { app: "web" }));
      api.create(configMap("b", "default", { app: "db" }));
      api.create(configMap("c", "other", { app: "web" }));
    });

    const names = (objects: KubeObject[]) => objects.map((object) => `${(object.metadata as Json).namespace ?? ""}/${(object.metadata as Json).name}`);

    it.each([
      { name: "one namespace", options: { namespace: "default" }, expected: ["default/a", "default/b"] },
      { name: "all namespaces", options: { namespace: "" }, expected: ["default/a", "default/b", "other/c"] },
      { name: "by label selector", options: { namespace: "", labelSelector: "app=web" }, expected: ["default/a", "other/c"] },
      { name: "by set selector in one namespace", options: { namespace: "default", labelSelector: "app in (db)" }, expected: ["default/b"] },
    ])("$name", async ({ options, expected }) => {
      const objects = await cluster.list("v1", "ConfigMap", options);
      expect(names(objects)).toEqual(expected);
      expect(objects.every((object) => object.apiVersion === "v1" && object.kind === "ConfigMap")).toBe(true);
    });

    it("a cluster-scoped kind", async () => {
      expect(names(await cluster.list("v1", "Namespace", { namespace: "" }))).toEqual(["/default", "/kube-node-lease", "/kube-public", "/kube-system", "/other"]);
    });

    it("a kind not served is empty", async () => {
      expect(await cluster.list("example.com/v1", "Widget", { namespace: "" })).toEqual([]);
    });

    it("follows continue tokens", async () => {
      for (let i = 0; i < 520; i++) api.create(configMap(`many-${String(i).padStart(3, "0")}`, "other"));
      const objects = await cluster.list("v1", "ConfigMap", { namespace: "other" });
      expect(objects).toHaveLength(521);
      const pages = api.requests.filter((request) => request.path === "/api/v1/namespaces/other/configmaps");
      expect(pages.map((request) => [request.query.limit, request.query.continue !== undefined])).toEqual([
        ["500", false],
        ["500", true],
      ]);
    });
  });
});

describe("writing", () => {
  it("applies server-side: content type, field manager, the object as the server returns it", async () => {
    const applied = await cluster.apply(deployment(2), { fieldManager: MANAGER, force: false, dryRun: false });
    expect(applied).toMatchObject({ metadata: { name: "web", uid: expect.any(String) }, spec: { replicas: 2, revisionHistoryLimit: 10 } });
    const request = api.requests.at(-1)!;
    expect(request).toMatchObject({ method: "PATCH", path: "/apis/apps/v1/namespaces/default/deployments/web", contentType: "application/apply-patch+yaml", query: { fieldManager: MANAGER } });
    expect(request.query.force).toBeUndefined();
    expect(request.query.dryRun).toBeUndefined();
    expect(request.body).toEqual(deployment(2));
  });

  it("a dry-run apply sends dryRun=All and stores nothing", async () => {
    const result = await cluster.apply(deployment(2), { fieldManager: MANAGER, force: false, dryRun: true });
    expect(result.spec).toMatchObject({ replicas: 2 });
    expect(api.requests.at(-1)!.query.dryRun).toBe("All");
    expect(api.get(webRef)).toBeUndefined();
  });

  it("a conflict is a Conflict ClusterError naming manager and field; force takes the field", async () => {
    await cluster.apply(deployment(2), { fieldManager: MANAGER, force: false, dryRun: false });
    api.edit(webRef, (object) => ((object.spec as Json).replicas = 5));
    const error = await rejection(cluster.apply(deployment(2), { fieldManager: MANAGER, force: false, dryRun: false }));
    expect(error).toMatchObject({ reason: "Conflict", status: 409, message: 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas' });
    expect(error.causes).toEqual([{ field: ".spec.replicas", message: 'conflict with "kubectl-edit" using apps/v1' }]);
    const forced = await cluster.apply(deployment(2), { fieldManager: MANAGER, force: true, dryRun: false });
    expect(api.requests.at(-1)!.query.force).toBe("true");
    expect((forced.spec as Json).replicas).toBe(2);
  });

  it("creates, and refuses an existing name with AlreadyExists", async () => {
    const created = await cluster.create(configMap("new"), { fieldManager: MANAGER });
    expect(created).toMatchObject({ metadata: { name: "new", managedFields: [expect.objectContaining({ manager: MANAGER, operation: "Update" })] } });
    expect(api.requests.at(-1)).toMatchObject({ method: "POST", path: "/api/v1/namespaces/default/configmaps", query: { fieldManager: MANAGER } });
    const error = await rejection(cluster.create(configMap("new"), { fieldManager: MANAGER }));
    expect(error).toMatchObject({ reason: "AlreadyExists", status: 409, message: 'configmaps "new" already exists' });
  });

  it("replaces at the resourceVersion, and refuses a stale one with Conflict", async () => {
    const lease = await cluster.create({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "lock", namespace: "default" }, spec: { holderIdentity: "a" } }, { fieldManager: MANAGER });
    const taken = await cluster.replace({ ...lease, spec: { holderIdentity: "b" } }, { fieldManager: MANAGER });
    expect(taken.spec).toEqual({ holderIdentity: "b" });
    expect(api.requests.at(-1)).toMatchObject({ method: "PUT", path: "/apis/coordination.k8s.io/v1/namespaces/default/leases/lock" });
    const error = await rejection(cluster.replace({ ...lease, spec: { holderIdentity: "c" } }, { fieldManager: MANAGER }));
    expect(error).toMatchObject({ reason: "Conflict", status: 409 });
    expect(error.message).toContain("the object has been modified");
  });

  it("deletes with the uid precondition and the propagation policy in DeleteOptions", async () => {
    const uid = (api.create(configMap("doomed")).metadata as Json).uid;
    const ref = { apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "doomed" };
    expect(await cluster.delete(ref, { uid, dryRun: false, propagationPolicy: "Foreground" })).toBe("deleted");
    expect(api.requests.at(-1)).toMatchObject({
      method: "DELETE",
      path: "/api/v1/namespaces/default/configmaps/doomed",
      body: { apiVersion: "v1", kind: "DeleteOptions", preconditions: { uid }, propagationPolicy: "Foreground" },
    });
    expect(api.get(ref)).toBeUndefined();
  });

  it.each([
    { name: "a missing object", ref: { apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "absent" } },
    { name: "an object in a missing namespace", ref: { apiVersion: "v1", kind: "ConfigMap", namespace: "ghost", name: "absent" } },
    { name: "an object of a kind not served", ref: { apiVersion: "example.com/v1", kind: "Widget", namespace: "default", name: "w" } },
  ])("deleting $name is gone", async ({ ref }) => {
    expect(await cluster.delete(ref, { dryRun: false })).toBe("gone");
  });

  it("a uid that does not match is a Conflict, and nothing is deleted", async () => {
    api.create(configMap("kept"));
    const ref = { apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "kept" };
    const error = await rejection(cluster.delete(ref, { uid: "0000", dryRun: false }));
    expect(error).toMatchObject({ reason: "Conflict", status: 409 });
    expect(error.message).toContain("Precondition failed: UID in precondition: 0000");
    expect(api.get(ref)).toBeDefined();
  });

  it("a dry-run delete deletes nothing", async () => {
    api.create(configMap("kept"));
    const ref = { apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "kept" };
    expect(await cluster.delete(ref, { dryRun: true })).toBe("deleted");
    expect(api.requests.at(-1)!.body).toMatchObject({ dryRun: ["All"] });
    expect(api.get(ref)).toBeDefined();
  });

  it("applying a kind the server does not serve is NotFound, naming it", async () => {
    const error = await rejection(cluster.apply({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "default" } }, { fieldManager: MANAGER, force: false, dryRun: false }));
    expect(error).toMatchObject({ reason: "NotFound", status: 404 });
    expect(error.message).toContain("does not serve Widget in example.com/v1");
  });
});

describe("errors", () => {
  const get = () => cluster.get({ apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "x" });

  it.each([
    { name: "Forbidden", status: 403, reason: "Forbidden", message: 'configmaps "x" is forbidden: User "ci" cannot get resource "configmaps"', expected: "Forbidden" },
    { name: "Unauthorized", status: 401, reason: "Unauthorized", message: "Unauthorized", expected: "Unauthorized" },
    { name: "BadRequest", status: 400, reason: "BadRequest", message: "bad", expected: "BadRequest" },
    { name: "Timeout", status: 504, reason: "Timeout", message: "Timeout: request did not complete within the allowed duration", expected: "Timeout" },
    { name: "ServerTimeout as Timeout", status: 500, reason: "ServerTimeout", message: "the server cannot complete the requested operation at this time", expected: "Timeout" },
    { name: "Conflict", status: 409, reason: "Conflict", message: "conflict", expected: "Conflict" },
    { name: "an unknown reason as Unknown", status: 500, reason: "InternalError", message: "Internal error occurred: etcd", expected: "Unknown" },
    { name: "TooManyRequests as Unknown", status: 429, reason: "TooManyRequests", message: "too many requests", expected: "Unknown" },
  ])("maps a Status with reason $name", async ({ status, reason, message, expected }) => {
    api.failNext({ pathPattern: "/api/v1/namespaces/default/configmaps/x", status, reason, message });
    const error = await rejection(get());
    expect(error).toMatchObject({ reason: expected, status, message });
  });

  it("maps an Invalid Status with its causes", async () => {
    const error = await rejection(cluster.create({ ...configMap("Bad_Name") }, { fieldManager: MANAGER }));
    expect(error).toMatchObject({ reason: "Invalid", status: 422 });
    expect(error.message).toMatch(/^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value/);
    expect(error.causes).toEqual([{ field: "metadata.name", message: expect.stringContaining('Invalid value: "Bad_Name"') }]);
  });

  it("maps a real NotFound from a write (the namespace does not exist)", async () => {
    const error = await rejection(cluster.apply(configMap("a", "ghost"), { fieldManager: MANAGER, force: false, dryRun: false }));
    expect(error).toMatchObject({ reason: "NotFound", status: 404, message: 'namespaces "ghost" not found' });
  });

  it("maps an answer that is not a Status by its HTTP code", async () => {
    await api.close();
    const { createServer } = await import("node:http");
    const proxy = createServer((_request, response) => {
      response.writeHead(502, { "content-type": "text/html" });
      response.end("<html>Bad Gateway</html>");
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    try {
      const port = (proxy.address() as { port: number }).port;
      const file = await writeKubeconfig(path.join(dir, "proxy"), [{ name: "proxy", server: `http://127.0.0.1:${port}` }]);
      const viaProxy = await connectCluster({ kubeconfig: file });
      const error = await rejection(viaProxy.resource("v1", "ConfigMap"));
      expect(error).toMatchObject({ reason: "Unknown", status: 502 });
      expect(error.message).toBe("GET /api/v1: HTTP 502: <html>Bad Gateway</html>");
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
      api = await startKubeApiServer({ controller: false });
    }
  });

  it("a wrong token is Unauthorized", async () => {
    const wrong = await connectCluster({ kubeconfig: await api.writeKubeconfig(path.join(dir, "wrong"), { token: "wrong" }) });
    const error = await rejection(wrong.resource("v1", "ConfigMap"));
    expect(error).toMatchObject({ reason: "Unauthorized", status: 401 });
  });

  it("a server that is not listening is Unreachable, naming its URL", async () => {
    const url = await unreachableUrl();
    const offline = await connectCluster({ kubeconfig: await writeKubeconfig(path.join(dir, "offline"), [{ name: "offline", server: url, token: TOKEN }]) });
    const error = await rejection(offline.get(webRef));
    expect(error).toMatchObject({ reason: "Unreachable", status: 0 });
    expect(error.message).toContain(`cannot reach the Kubernetes API at ${url}`);
    expect(error.message).toContain("ECONNREFUSED");
  });

  it("a name that does not resolve is Unreachable", async () => {
    const offline = await connectCluster({ kubeconfig: await writeKubeconfig(path.join(dir, "dns"), [{ name: "dns", server: "http://no-such-host.invalid:6443" }]) });
    const error = await rejection(offline.resource("v1", "ConfigMap"));
    expect(error).toMatchObject({ reason: "Unreachable", status: 0 });
    expect(error.message).toContain("http://no-such-host.invalid:6443");
  });

  it("a server that does not answer times out as Unreachable", async () => {
    const impatient = await connectCluster({ kubeconfig: await api.writeKubeconfig(dir), timeoutMs: 200 });
    api.stallNext({ pathPattern: "/api/v1" });
    const started = Date.now();
    const error = await rejection(impatient.resource("v1", "ConfigMap"));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error).toMatchObject({ reason: "Unreachable", status: 0 });
    expect(error.message).toContain("no answer within 0.2 s");
  });

  it("a failed discovery read is not cached", async () => {
    api.failNext({ pathPattern: "/apis/apps/v1", status: 503, reason: "ServiceUnavailable", message: "try later" });
    await rejection(cluster.resource("apps/v1", "Deployment"));
    expect(await cluster.resource("apps/v1", "Deployment")).toBeDefined();
  });
});
