// The Kubernetes API stand-in (test/helpers/kube-api-server.ts): its wire format and semantics, case by case, over
// real HTTP where the wire matters and through its helpers where only the stored state does.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startKubeApiServer, type KubeApiServer, type KubeObject, type KubeApiServerOptions } from "../helpers/kube-api-server.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Reply {
  status: number;
  body: Json;
}

async function call(api: KubeApiServer, method: string, path: string, body?: unknown, contentType = "application/json"): Promise<Reply> {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": contentType },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

const SSA = "application/apply-patch+yaml";

function configMap(name: string, namespace = "default", labels: Record<string, string> = {}, data: Record<string, string> = { key: "value" }): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace, ...(Object.keys(labels).length > 0 ? { labels } : {}) }, data };
}

function deployment(name = "web", overrides: { replicas?: number; image?: string; labels?: Record<string, string>; containers?: Json[] } = {}): Json {
  const spec: Json = {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: overrides.containers ?? [{ name: "app", image: overrides.image ?? "nginx:1.27" }] },
    },
  };
  if (overrides.replicas !== undefined) spec.replicas = overrides.replicas;
  return { apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "default", ...(overrides.labels ? { labels: overrides.labels } : {}) }, spec };
}

const DEPLOYMENT_PATH = "/apis/apps/v1/namespaces/default/deployments";
const webRef = { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web" };

function managers(object: Json | undefined): Json[] {
  return (object?.metadata?.managedFields ?? []) as Json[];
}

function entryOf(object: Json | undefined, manager: string, operation = "Apply"): Json | undefined {
  return managers(object).find((entry) => entry.manager === manager && entry.operation === operation && !entry.subresource);
}

async function until<T>(read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let servers: KubeApiServer[] = [];
async function fresh(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const api = await startKubeApiServer({ controller: false, ...options });
  servers.push(api);
  return api;
}
afterEach(async () => {
  await Promise.all(servers.map((api) => api.close()));
  servers = [];
});

describe("discovery", () => {
  let api: KubeApiServer;
  beforeAll(async () => {
    api = await startKubeApiServer({ controller: false, resources: [{ apiVersion: "example.com/v1", kind: "Widget" }] });
  });
  afterAll(() => api.close());

  it.each([
    { name: "core versions", path: "/api", check: (body: Json) => expect(body).toMatchObject({ kind: "APIVersions", versions: ["v1"] }) },
    {
      name: "the group list with preferred versions",
      path: "/apis",
      check: (body: Json) => {
        expect(body.kind).toBe("APIGroupList");
        expect(body.groups).toContainEqual({ name: "apps", versions: [{ groupVersion: "apps/v1", version: "v1" }], preferredVersion: { groupVersion: "apps/v1", version: "v1" } });
        expect(body.groups.map((group: Json) => group.name)).toEqual(expect.arrayContaining(["batch", "rbac.authorization.k8s.io", "apiextensions.k8s.io", "policy", "example.com"]));
      },
    },
    { name: "one group", path: "/apis/networking.k8s.io", check: (body: Json) => expect(body).toMatchObject({ kind: "APIGroup", name: "networking.k8s.io", preferredVersion: { version: "v1" } }) },
    {
      name: "core resources",
      path: "/api/v1",
      check: (body: Json) => {
        expect(body).toMatchObject({ kind: "APIResourceList", groupVersion: "v1" });
        expect(body.resources).toContainEqual(expect.objectContaining({ name: "configmaps", singularName: "configmap", namespaced: true, kind: "ConfigMap", verbs: expect.arrayContaining(["get", "list", "patch"]) }));
        expect(body.resources).toContainEqual(expect.objectContaining({ name: "namespaces", namespaced: false, kind: "Namespace" }));
      },
    },
    {
      name: "a group's resources, subresources listed as plural/sub",
      path: "/apis/apps/v1",
      check: (body: Json) => {
        const names = body.resources.map((resource: Json) => resource.name);
        expect(names).toEqual(expect.arrayContaining(["deployments", "deployments/status", "deployments/scale", "statefulsets", "daemonsets", "replicasets"]));
      },
    },
    { name: "an extra kind", path: "/apis/example.com/v1", check: (body: Json) => expect(body.resources).toContainEqual(expect.objectContaining({ name: "widgets", kind: "Widget", namespaced: true })) },
    { name: "the version", path: "/version", check: (body: Json) => expect(body).toMatchObject({ major: "1" }) },
  ])("serves $name ($path)", async ({ path, check }) => {
    const reply = await call(api, "GET", path);
    expect(reply.status).toBe(200);
    check(reply.body);
  });

  it.each([
    { name: "an unknown group-version", path: "/apis/nope.example.com/v1" },
    { name: "an unknown group", path: "/apis/nope.example.com" },
    { name: "an unknown resource", path: "/api/v1/namespaces/default/gizmos" },
    { name: "a namespaced kind by name without a namespace", path: "/apis/apps/v1/deployments/web" },
    { name: "a subresource", path: "/apis/apps/v1/namespaces/default/deployments/web/status" },
  ])("answers 404 NotFound for $name", async ({ path }) => {
    const reply = await call(api, "GET", path);
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 });
  });

  it("serves every built-in kind the brief names", async () => {
    const served = new Set<string>();
    for (const path of ["/api/v1", ...(await call(api, "GET", "/apis")).body.groups.map((group: Json) => `/apis/${group.preferredVersion.groupVersion}`)]) {
      const list = (await call(api, "GET", path)).body;
      for (const resource of list.resources) if (!resource.name.includes("/")) served.add(`${list.groupVersion} ${resource.kind}`);
    }
    const expected = [
      "v1 Namespace", "v1 ConfigMap", "v1 Secret", "v1 Service", "v1 ServiceAccount", "v1 Pod", "v1 PersistentVolumeClaim",
      "apps/v1 Deployment", "apps/v1 StatefulSet", "apps/v1 DaemonSet", "apps/v1 ReplicaSet", "batch/v1 Job", "batch/v1 CronJob",
      "rbac.authorization.k8s.io/v1 ClusterRole", "rbac.authorization.k8s.io/v1 ClusterRoleBinding", "rbac.authorization.k8s.io/v1 Role",
      "rbac.authorization.k8s.io/v1 RoleBinding", "apiextensions.k8s.io/v1 CustomResourceDefinition", "coordination.k8s.io/v1 Lease",
      "networking.k8s.io/v1 Ingress", "networking.k8s.io/v1 IngressClass", "networking.k8s.io/v1 NetworkPolicy", "storage.k8s.io/v1 StorageClass",
      "scheduling.k8s.io/v1 PriorityClass", "admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration",
      "admissionregistration.k8s.io/v1 MutatingWebhookConfiguration", "policy/v1 PodDisruptionBudget",
    ];
    expect([...served]).toEqual(expect.arrayContaining(expected));
  });
});

describe("CRUD and its failures", () => {
  it.each([
    {
      name: "GET of a missing object is 404 NotFound",
      run: (api: KubeApiServer) => call(api, "GET", "/api/v1/namespaces/default/configmaps/nope"),
      status: 404,
      expected: { reason: "NotFound", message: 'configmaps "nope" not found', details: { name: "nope", group: "", kind: "configmaps" } },
    },
    {
      name: "POST creates (201)",
      run: (api: KubeApiServer) => call(api, "POST", "/api/v1/namespaces/default/configmaps?fieldManager=me", configMap("a")),
      status: 201,
      expected: { kind: "ConfigMap", metadata: { name: "a", namespace: "default" }, data: { key: "value" } },
    },
    {
      name: "POST of an existing name is 409 AlreadyExists",
      run: async (api: KubeApiServer) => {
        api.create(configMap("a"));
        return call(api, "POST", "/api/v1/namespaces/default/configmaps", configMap("a"));
      },
      status: 409,
      expected: { reason: "AlreadyExists", message: 'configmaps "a" already exists' },
    },
    {
      name: "POST into a namespace that does not exist is 404 NotFound",
      run: (api: KubeApiServer) => call(api, "POST", "/api/v1/namespaces/ghost/configmaps", configMap("a", "ghost")),
      status: 404,
      expected: { reason: "NotFound", message: 'namespaces "ghost" not found' },
    },
    {
      name: "an apply into a namespace that does not exist is 404 NotFound",
      run: (api: KubeApiServer) => call(api, "PATCH", "/api/v1/namespaces/ghost/configmaps/a?fieldManager=me", configMap("a", "ghost"), SSA),
      status: 404,
      expected: { reason: "NotFound", message: 'namespaces "ghost" not found' },
    },
    {
      name: "PUT at a stale resourceVersion is 409 Conflict",
      run: async (api: KubeApiServer) => {
        const created = api.create(configMap("a"));
        api.edit({ apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "a" }, (object) => ((object.data as Json).key = "changed"));
        return call(api, "PUT", "/api/v1/namespaces/default/configmaps/a", { ...created, data: { key: "mine" } });
      },
      status: 409,
      expected: { reason: "Conflict", message: 'Operation cannot be fulfilled on configmaps "a": the object has been modified; please apply your changes to the latest version and try again' },
    },
    {
      name: "PUT at the current resourceVersion replaces",
      run: async (api: KubeApiServer) => {
        const created = api.create(configMap("a"));
        return call(api, "PUT", "/api/v1/namespaces/default/configmaps/a", { ...created, data: { other: "x" } });
      },
      status: 200,
      expected: { data: { other: "x" } },
    },
    {
      name: "PUT of a missing object is 404 NotFound",
      run: (api: KubeApiServer) => call(api, "PUT", "/api/v1/namespaces/default/configmaps/a", configMap("a")),
      status: 404,
      expected: { reason: "NotFound" },
    },
    {
      name: "PUT whose body names another object is 400 BadRequest",
      run: async (api: KubeApiServer) => {
        api.create(configMap("a"));
        return call(api, "PUT", "/api/v1/namespaces/default/configmaps/a", configMap("b"));
      },
      status: 400,
      expected: { reason: "BadRequest", message: "the name of the object (b) does not match the name on the URL (a)" },
    },
    {
      name: "DELETE whose uid precondition does not match is 409 Conflict",
      run: async (api: KubeApiServer) => {
        api.create(configMap("a"));
        return call(api, "DELETE", "/api/v1/namespaces/default/configmaps/a", { kind: "DeleteOptions", apiVersion: "v1", preconditions: { uid: "someone-else" } });
      },
      status: 409,
      expected: { reason: "Conflict", message: expect.stringContaining("Precondition failed: UID in precondition: someone-else, UID in object meta: ") },
    },
    {
      name: "DELETE answers a Success Status",
      run: async (api: KubeApiServer) => {
        const created = api.create(configMap("a"));
        return call(api, "DELETE", "/api/v1/namespaces/default/configmaps/a", { preconditions: { uid: (created.metadata as Json).uid }, propagationPolicy: "Background" });
      },
      status: 200,
      expected: { kind: "Status", status: "Success", details: { name: "a", kind: "configmaps" } },
    },
    {
      name: "DELETE of a missing object is 404 NotFound",
      run: (api: KubeApiServer) => call(api, "DELETE", "/api/v1/namespaces/default/configmaps/a"),
      status: 404,
      expected: { reason: "NotFound" },
    },
    {
      name: "an apply without fieldManager is 400 BadRequest",
      run: (api: KubeApiServer) => call(api, "PATCH", "/api/v1/namespaces/default/configmaps/a", configMap("a"), SSA),
      status: 400,
      expected: { reason: "BadRequest", message: expect.stringContaining("fieldManager is required for apply requests") },
    },
    {
      name: "a JSON patch is 415 UnsupportedMediaType",
      run: async (api: KubeApiServer) => {
        api.create(configMap("a"));
        return call(api, "PATCH", "/api/v1/namespaces/default/configmaps/a", [{ op: "remove", path: "/data" }], "application/json-patch+json");
      },
      status: 415,
      expected: { reason: "UnsupportedMediaType" },
    },
    {
      name: "a body that does not parse is 400 BadRequest",
      run: (api: KubeApiServer) => call(api, "POST", "/api/v1/namespaces/default/configmaps", "{not json"),
      status: 400,
      expected: { reason: "BadRequest" },
    },
    {
      name: "an invalid name is 422 Invalid with a cause on metadata.name",
      run: (api: KubeApiServer) => call(api, "POST", "/api/v1/namespaces/default/configmaps", configMap("Not_Valid")),
      status: 422,
      expected: {
        reason: "Invalid",
        message: expect.stringMatching(/^ConfigMap "Not_Valid" is invalid: metadata.name: Invalid value: "Not_Valid": a lowercase RFC 1123 subdomain/),
        details: { name: "Not_Valid", kind: "ConfigMap", causes: [{ reason: "FieldValueInvalid", field: "metadata.name", message: expect.stringContaining("Invalid value") }] },
      },
    },
    {
      name: "a Deployment whose selector does not match its template is 422 Invalid",
      run: (api: KubeApiServer) => {
        const bad = deployment("web");
        bad.spec.template.metadata.labels = { app: "other" };
        return call(api, "PATCH", `${DEPLOYMENT_PATH}/web?fieldManager=me`, bad, SSA);
      },
      status: 422,
      expected: { reason: "Invalid", message: expect.stringContaining('Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value'), details: { causes: [{ field: "spec.template.metadata.labels" }] } },
    },
    {
      name: "a change of a Deployment's selector is 422 Invalid (immutable)",
      run: async (api: KubeApiServer) => {
        api.apply(deployment("web"), { fieldManager: "me" });
        const changed = deployment("web");
        changed.spec.selector.matchLabels.tier = "front";
        changed.spec.template.metadata.labels.tier = "front";
        return call(api, "PATCH", `${DEPLOYMENT_PATH}/web?fieldManager=me`, changed, SSA);
      },
      status: 422,
      expected: { reason: "Invalid", message: expect.stringContaining("spec.selector: Invalid value"), details: { causes: [{ field: "spec.selector", message: expect.stringContaining("field is immutable") }] } },
    },
    {
      name: "a CRD named otherwise than plural.group is 422 Invalid",
      run: (api: KubeApiServer) =>
        call(api, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
          apiVersion: "apiextensions.k8s.io/v1",
          kind: "CustomResourceDefinition",
          metadata: { name: "widgets" },
          spec: { group: "example.com", scope: "Namespaced", names: { kind: "Widget", plural: "widgets" }, versions: [{ name: "v1", served: true, storage: true }] },
        }),
      status: 422,
      expected: { reason: "Invalid", details: { causes: [{ field: "metadata.name" }] } },
    },
  ])("$name", async ({ run, status, expected }) => {
    const api = await fresh();
    const reply = await run(api);
    expect(reply.status).toBe(status);
    expect(reply.body).toMatchObject(expected);
  });

  it("a dry-run DELETE changes nothing", async () => {
    const api = await fresh();
    api.create(configMap("a"));
    const reply = await call(api, "DELETE", "/api/v1/namespaces/default/configmaps/a?dryRun=All");
    expect(reply.status).toBe(200);
    expect(api.get({ apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "a" })).toBeDefined();
  });

  it("a Lease is taken optimistically: of two PUTs at the same resourceVersion, the second is a Conflict", async () => {
    const api = await fresh();
    const lease = api.create({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "apply-lock", namespace: "default" }, spec: { holderIdentity: "nobody" } });
    const path = "/apis/coordination.k8s.io/v1/namespaces/default/leases/apply-lock";
    const first = await call(api, "PUT", path, { ...lease, spec: { holderIdentity: "a" } });
    const second = await call(api, "PUT", path, { ...lease, spec: { holderIdentity: "b" } });
    expect([first.status, second.status]).toEqual([200, 409]);
    expect(second.body.reason).toBe("Conflict");
    expect(api.get({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: "default", name: "apply-lock" })!.spec).toEqual({ holderIdentity: "a" });
  });

  it("a merge patch merges maps and replaces lists (strategic merge patches are treated the same)", async () => {
    const api = await fresh();
    api.create({ ...configMap("a"), data: { keep: "1", drop: "2" } });
    const reply = await call(api, "PATCH", "/api/v1/namespaces/default/configmaps/a?fieldManager=patcher", { data: { drop: null, add: "3" } }, "application/strategic-merge-patch+json");
    expect(reply.status).toBe(200);
    expect(reply.body.data).toEqual({ keep: "1", add: "3" });
    expect(entryOf(reply.body, "patcher", "Update")!.fieldsV1).toEqual({ "f:data": { "f:add": {} } });
  });

  it("an object with finalizers is only marked on DELETE, and goes when an update removes them", async () => {
    const api = await fresh();
    const ref = { apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "held" };
    api.create({ ...configMap("held"), metadata: { name: "held", namespace: "default", finalizers: ["example.com/hold"] } });
    const reply = await call(api, "DELETE", "/api/v1/namespaces/default/configmaps/held");
    expect(reply.status).toBe(200);
    expect(reply.body.metadata.deletionTimestamp).toMatch(/Z$/);
    expect(api.get(ref)).toBeDefined();
    api.edit(ref, (object) => delete (object.metadata as Json).finalizers, "finalizer-controller");
    expect(api.get(ref)).toBeUndefined();
  });

  it("deleting a Namespace deletes the objects in it", async () => {
    const api = await fresh();
    api.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } });
    api.create(configMap("a", "team"));
    api.create(configMap("b", "default"));
    expect((await call(api, "DELETE", "/api/v1/namespaces/team")).status).toBe(200);
    expect(api.list("v1", "ConfigMap").map((object) => (object.metadata as Json).name)).toEqual(["b"]);
  });

  it("requires the bearer token when one is configured", async () => {
    const api = await fresh({ token: "s3cret" });
    const anonymous = await call(api, "GET", "/api/v1/namespaces");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
    const response = await fetch(`${api.url}/api/v1/namespaces`, { headers: { authorization: "Bearer s3cret" } });
    expect(response.status).toBe(200);
  });
});

describe("server-managed metadata", () => {
  it("sets uid, creationTimestamp, generation 1 and a resourceVersion on create", async () => {
    const api = await fresh();
    const created = (await call(api, "POST", "/api/v1/namespaces/default/configmaps", configMap("a"))).body;
    expect(created.metadata).toMatchObject({
      uid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      creationTimestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      generation: 1,
      resourceVersion: expect.stringMatching(/^\d+$/),
    });
  });

  it.each([
    { name: "a spec change bumps generation and resourceVersion", change: (object: Json) => (object.spec.replicas = 4), generation: 2, newVersion: true },
    { name: "a label change bumps only resourceVersion", change: (object: Json) => (object.metadata.labels = { team: "a" }), generation: 1, newVersion: true },
    { name: "no change bumps nothing", change: () => {}, generation: 1, newVersion: false },
  ])("$name", async ({ change, generation, newVersion }) => {
    const api = await fresh();
    const before = api.apply(deployment("web"), { fieldManager: "me" }) as Json;
    const after = api.edit(webRef, (object) => change(object)) as Json;
    expect(after.metadata.generation).toBe(generation);
    expect(after.metadata.resourceVersion !== before.metadata.resourceVersion).toBe(newVersion);
    expect(after.metadata.uid).toBe(before.metadata.uid);
  });

  it("records an Update entry for the manager of a POST, 'unknown' without one", async () => {
    const api = await fresh();
    const named = (await call(api, "POST", "/api/v1/namespaces/default/configmaps?fieldManager=creator", configMap("a"))).body;
    const anonymous = (await call(api, "POST", "/api/v1/namespaces/default/configmaps", configMap("b"))).body;
    expect(named.metadata.managedFields).toEqual([
      { manager: "creator", operation: "Update", apiVersion: "v1", time: expect.any(String), fieldsType: "FieldsV1", fieldsV1: { "f:data": { "f:key": {} } } },
    ]);
    expect(anonymous.metadata.managedFields[0].manager).toBe("unknown");
  });

  it("gives a POST's manager the defaulted fields too; an applier of other values conflicts with it", async () => {
    const api = await fresh();
    const created = (await call(api, "POST", `${DEPLOYMENT_PATH}?fieldManager=kubectl-create`, deployment("web"))).body;
    const owned = entryOf(created, "kubectl-create", "Update")!.fieldsV1;
    expect(owned["f:spec"]).toMatchObject({ "f:replicas": {}, "f:progressDeadlineSeconds": {}, "f:strategy": { "f:type": {} } });
    const same = await call(api, "PATCH", `${DEPLOYMENT_PATH}/web?fieldManager=gitops`, deployment("web", { replicas: 1 }), SSA);
    expect(same.status).toBe(200);
    const other = await call(api, "PATCH", `${DEPLOYMENT_PATH}/web?fieldManager=gitops`, deployment("web", { replicas: 2 }), SSA);
    expect(other.body.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-create" using apps/v1: .spec.replicas');
  });

  it("judges conflicts on the defaulted result: an atomic list the server completes is not a change", async () => {
    const api = await fresh();
    const service = { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "default" }, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } };
    api.create(service, { fieldManager: "kubectl-create" });
    const applied = await call(api, "PATCH", "/api/v1/namespaces/default/services/web?fieldManager=gitops", service, SSA);
    expect(applied.status).toBe(200);
    expect(applied.body.spec.ports).toEqual([{ port: 80, protocol: "TCP", targetPort: 80 }]);
    expect(applied.body.spec.clusterIP).toMatch(/^10\.96\./);
  });

  it("ignores status in the body of writes", async () => {
    const api = await fresh();
    const applied = (await call(api, "PATCH", `${DEPLOYMENT_PATH}/web?fieldManager=me`, { ...deployment("web"), status: { readyReplicas: 99 } }, SSA)).body;
    expect(applied.status).toBeUndefined();
  });
});

describe("defaulting", () => {
  it.each([
    {
      name: "Deployment",
      object: deployment("web", { containers: [{ name: "a", image: "nginx" }, { name: "b", image: "nginx:latest" }, { name: "c", image: "registry:5000/app:1.2", ports: [{ containerPort: 80 }] }, { name: "d", image: "app@sha256:abc" }] }),
      expected: {
        spec: {
          replicas: 1,
          revisionHistoryLimit: 10,
          progressDeadlineSeconds: 600,
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
          template: {
            spec: {
              restartPolicy: "Always",
              dnsPolicy: "ClusterFirst",
              schedulerName: "default-scheduler",
              terminationGracePeriodSeconds: 30,
              securityContext: {},
              containers: [
                { name: "a", imagePullPolicy: "Always", terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File" },
                { name: "b", imagePullPolicy: "Always" },
                { name: "c", imagePullPolicy: "IfNotPresent", ports: [{ containerPort: 80, protocol: "TCP" }] },
                { name: "d", imagePullPolicy: "IfNotPresent" },
              ],
            },
          },
        },
      },
    },
    {
      name: "Service",
      object: { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "default" }, spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80 }] } },
      expected: { spec: { type: "ClusterIP", sessionAffinity: "None", clusterIP: expect.stringMatching(/^10\.96\./), ports: [{ name: "http", port: 80, protocol: "TCP", targetPort: 80 }] } },
    },
    {
      name: "Namespace",
      object: { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } },
      expected: { metadata: { labels: { "kubernetes.io/metadata.name": "team-a" } }, status: { phase: "Active" } },
    },
    { name: "Secret", object: { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "default" }, stringData: { a: "b" } }, expected: { type: "Opaque" } },
    { name: "ConfigMap (nothing)", object: configMap("a"), expected: { data: { key: "value" } } },
  ])("defaults a $name, and the applier does not own the defaults", async ({ object, expected }) => {
    const api = await fresh();
    const applied = api.apply(object as KubeObject, { fieldManager: "gitops" }) as Json;
    expect(applied).toMatchObject(expected);
    // an applier that set nothing but the name owns nothing: no entry at all
    const owned = JSON.stringify(entryOf(applied, "gitops")?.fieldsV1 ?? {});
    for (const defaulted of ["f:revisionHistoryLimit", "f:imagePullPolicy", "f:dnsPolicy", "f:clusterIP", "f:sessionAffinity", "f:protocol", "f:targetPort", "f:type", "f:kubernetes.io/metadata.name"]) {
      expect(owned).not.toContain(defaulted);
    }
    if (object.kind === "ConfigMap") expect(Object.keys(applied).sort()).toEqual(["apiVersion", "data", "kind", "metadata"]);
  });

  it("a field removed from the applied configuration falls back to its default", async () => {
    const api = await fresh();
    api.apply(deployment("web", { replicas: 3 }), { fieldManager: "gitops" });
    const after = api.apply(deployment("web"), { fieldManager: "gitops" }) as Json;
    expect(after.spec.replicas).toBe(1);
  });
});

describe("lists, label selectors and paging", () => {
  let api: KubeApiServer;
  beforeAll(async () => {
    api = await startKubeApiServer({ controller: false, resources: [{ apiVersion: "example.com/v1", kind: "Widget" }] });
    api.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "other" } });
    api.create(configMap("a", "default", { app: "web", tier: "front" }));
    api.create(configMap("b", "default", { app: "web", tier: "back" }));
    api.create(configMap("c", "default", { app: "db" }));
    api.create(configMap("d", "other", { app: "web" }));
    api.create(configMap("e", "other", {}));
    api.create({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "default" }, spec: { size: 1 } });
  });
  afterAll(() => api.close());

  const names = (reply: Reply) => reply.body.items.map((item: Json) => item.metadata.name);

  it.each([
    { name: "no selector", selector: undefined, expected: ["a", "b", "c", "d", "e"] },
    { name: "=", selector: "app=web", expected: ["a", "b", "d"] },
    { name: "==", selector: "app==db", expected: ["c"] },
    { name: "!= (matches objects without the label too)", selector: "app!=web", expected: ["c", "e"] },
    { name: "in", selector: "tier in (front, back)", expected: ["a", "b"] },
    { name: "notin (matches objects without the label too)", selector: "tier notin (front)", expected: ["b", "c", "d", "e"] },
    { name: "exists", selector: "tier", expected: ["a", "b"] },
    { name: "does not exist", selector: "!tier", expected: ["c", "d", "e"] },
    { name: "several requirements", selector: "app=web,tier,tier notin (back)", expected: ["a"] },
  ])("selects across namespaces: $name", async ({ selector, expected }) => {
    const query = selector === undefined ? "" : `?labelSelector=${encodeURIComponent(selector)}`;
    const reply = await call(api, "GET", `/api/v1/configmaps${query}`);
    expect(reply.status).toBe(200);
    expect(names(reply)).toEqual(expected);
  });

  it("lists one namespace as a metav1 List, items without apiVersion and kind (a typed list)", async () => {
    const reply = await call(api, "GET", "/api/v1/namespaces/other/configmaps");
    expect(reply.body).toMatchObject({ kind: "ConfigMapList", apiVersion: "v1", metadata: { resourceVersion: expect.any(String) } });
    expect(names(reply)).toEqual(["d", "e"]);
    expect(reply.body.items[0].apiVersion).toBeUndefined();
  });

  it("lists custom resources with apiVersion and kind on each item", async () => {
    const reply = await call(api, "GET", "/apis/example.com/v1/namespaces/default/widgets");
    expect(reply.body.items).toEqual([expect.objectContaining({ apiVersion: "example.com/v1", kind: "Widget" })]);
  });

  it("pages with limit and continue", async () => {
    const pages: string[][] = [];
    let token = "";
    do {
      const reply = await call(api, "GET", `/api/v1/configmaps?limit=2${token ? `&continue=${token}` : ""}`);
      pages.push(names(reply));
      token = reply.body.metadata.continue ?? "";
    } while (token);
    expect(pages).toEqual([["a", "b"], ["c", "d"], ["e"]]);
  });

  it.each([
    { name: "a selector that does not parse", path: "/api/v1/configmaps?labelSelector=app%20%3D%3D%3D%20x" },
    { name: "a continue token that does not decode", path: "/api/v1/configmaps?continue=garbage" },
  ])("answers 400 BadRequest for $name", async ({ path }) => {
    const reply = await call(api, "GET", path);
    expect(reply.status).toBe(400);
    expect(reply.body.reason).toBe("BadRequest");
  });
});

describe("server-side apply", () => {
  it("creates (201) then updates (200), owning exactly the applied fields in FieldsV1", async () => {
    const api = await fresh();
    const body = deployment("web", { replicas: 2, containers: [{ name: "app", image: "nginx:1.27", args: ["--a", "--b"], env: [{ name: "MODE", value: "x" }] }] });
    const created = await call(api, "PATCH", `${DEPLOYMENT_PATH}/web?fieldManager=gitops`, body, SSA);
    expect(created.status).toBe(201);
    expect(entryOf(created.body, "gitops")).toEqual({
      manager: "gitops",
      operation: "Apply",
      apiVersion: "apps/v1",
      time: expect.stringMatching(/Z$/),
      fieldsType: "FieldsV1",
      fieldsV1: {
        "f:spec": {
          "f:replicas": {},
          "f:selector": { "f:matchLabels": { "f:app": {} } },
          "f:template": {
            "f:metadata": { "f:labels": { "f:app": {} } },
            "f:spec": {
              "f:containers": {
                'k:{"name":"app"}': { ".": {}, "f:args": {}, "f:env": { 'k:{"name":"MODE"}': { ".": {}, "f:name": {}, "f:value": {} } }, "f:image": {}, "f:name": {} },
              },
            },
          },
        },
      },
    });
    const again = await call(api, "PATCH", `${DEPLOYMENT_PATH}/web?fieldManager=gitops`, body, SSA);
    expect(again.status).toBe(200);
    expect(again.body.metadata.resourceVersion).toBe(created.body.metadata.resourceVersion);
  });

  it("accepts a YAML body", async () => {
    const api = await fresh();
    const yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\n  namespace: default\ndata:\n  a: '1'\n";
    const reply = await call(api, "PATCH", "/api/v1/namespaces/default/configmaps/from-yaml?fieldManager=gitops", yaml, SSA);
    expect(reply.status).toBe(201);
    expect(reply.body.data).toEqual({ a: "1" });
  });

  it("refuses a field another manager changed, naming manager and field; force takes it over", async () => {
    const api = await fresh();
    api.apply(deployment("web", { replicas: 2 }), { fieldManager: "gitops" });
    api.edit(webRef, (object) => ((object.spec as Json).replicas = 5));
    const refused = await call(api, "PATCH", `${DEPLOYMENT_PATH}/web?fieldManager=gitops`, deployment("web", { replicas: 2 }), SSA);
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas',
      reason: "Conflict",
      details: { causes: [{ reason: "FieldManagerConflict", message: 'conflict with "kubectl-edit" using apps/v1', field: ".spec.replicas" }] },
      code: 409,
    });
    expect((api.get(webRef)!.spec as Json).replicas).toBe(5);

    const forced = await call(api, "PATCH", `${DEPLOYMENT_PATH}/web?fieldManager=gitops&force=true`, deployment("web", { replicas: 2 }), SSA);
    expect(forced.status).toBe(200);
    expect(forced.body.spec.replicas).toBe(2);
    expect(entryOf(forced.body, "gitops")!.fieldsV1["f:spec"]["f:replicas"]).toEqual({});
    expect(entryOf(forced.body, "kubectl-edit", "Update")).toBeUndefined();
  });

  it("lists every conflict, a named list item's field written as [name=…]", async () => {
    const api = await fresh();
    api.apply(deployment("web", { replicas: 2 }), { fieldManager: "gitops" });
    api.edit(webRef, (object) => {
      const spec = object.spec as Json;
      spec.replicas = 5;
      spec.template.spec.containers[0].image = "nginx:hotfix";
    });
    const refused = await call(api, "PATCH", `${DEPLOYMENT_PATH}/web?fieldManager=gitops`, deployment("web", { replicas: 2 }), SSA);
    expect(refused.body.message).toBe('Apply failed with 2 conflicts: conflicts with "kubectl-edit" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="app"].image');
    expect(refused.body.details.causes.map((cause: Json) => cause.field)).toEqual([".spec.replicas", '.spec.template.spec.containers[name="app"].image']);
  });

  it.each([
    {
      name: "the same value is shared, not a conflict",
      other: { manager: "flux", object: deployment("web", { replicas: 2 }) },
      mine: deployment("web", { replicas: 2 }),
      check: (result: Json) => {
        expect(entryOf(result, "flux")!.fieldsV1["f:spec"]["f:replicas"]).toEqual({});
        expect(entryOf(result, "gitops")!.fieldsV1["f:spec"]["f:replicas"]).toEqual({});
      },
    },
    {
      name: "an empty map applied over fields another manager owns changes nothing there: no conflict",
      other: { manager: "vpa", object: deployment("web", { containers: [{ name: "app", image: "nginx:1.27", resources: { limits: { cpu: "1" } } }] }) },
      mine: deployment("web", { containers: [{ name: "app", image: "nginx:1.27", resources: {} }] }),
      check: (result: Json) => expect(result.spec.template.spec.containers[0].resources).toEqual({ limits: { cpu: "1" } }),
    },
    {
      name: "a field owned by nobody (a default) is taken without conflict",
      other: undefined,
      mine: deployment("web", { replicas: 7 }),
      check: (result: Json) => expect(result.spec.replicas).toBe(7),
    },
  ])("$name", async ({ other, mine, check }) => {
    const api = await fresh();
    api.apply(deployment("web"), { fieldManager: "gitops" });
    if (other) api.apply(other.object, { fieldManager: other.manager });
    check(api.apply(mine, { fieldManager: "gitops" }) as Json);
  });

  it.each([
    {
      name: "a label the applier no longer applies is removed",
      first: deployment("web", { labels: { a: "1", b: "2" } }),
      other: undefined as ((object: KubeObject) => void) | undefined,
      second: deployment("web", { labels: { a: "1" } }),
      check: (result: Json) => expect(result.metadata.labels).toEqual({ a: "1" }),
    },
    {
      name: "a label another manager also owns stays",
      first: deployment("web", { labels: { a: "1", b: "2" } }),
      other: undefined,
      otherApply: deployment("web", { labels: { b: "2" } }),
      second: deployment("web", { labels: { a: "1" } }),
      check: (result: Json) => expect(result.metadata.labels).toEqual({ a: "1", b: "2" }),
    },
    {
      name: "a container another manager added survives the applier's re-apply",
      first: deployment("web"),
      other: (object: KubeObject) => (object.spec as Json).template.spec.containers.push({ name: "sidecar", image: "envoy:1" }),
      second: deployment("web", { image: "nginx:1.28" }),
      check: (result: Json) => expect(result.spec.template.spec.containers.map((container: Json) => `${container.name}=${container.image}`)).toEqual(["app=nginx:1.28", "sidecar=envoy:1"]),
    },
    {
      name: "a container the applier no longer applies is removed",
      first: deployment("web", { containers: [{ name: "app", image: "nginx:1" }, { name: "old", image: "old:1" }] }),
      other: undefined,
      second: deployment("web", { containers: [{ name: "app", image: "nginx:1" }] }),
      check: (result: Json) => expect(result.spec.template.spec.containers.map((container: Json) => container.name)).toEqual(["app"]),
    },
    {
      name: "an atomic list is replaced as a whole",
      first: deployment("web", { containers: [{ name: "app", image: "nginx:1", args: ["--a", "--b"] }] }),
      other: undefined,
      second: deployment("web", { containers: [{ name: "app", image: "nginx:1", args: ["--c"] }] }),
      check: (result: Json) => expect(result.spec.template.spec.containers[0].args).toEqual(["--c"]),
    },
  ])("$name", async (testCase) => {
    const api = await fresh();
    api.apply(testCase.first, { fieldManager: "gitops" });
    if (testCase.other) api.edit(webRef, testCase.other);
    if ("otherApply" in testCase && testCase.otherApply) api.apply(testCase.otherApply, { fieldManager: "other-tool" });
    testCase.check(api.apply(testCase.second, { fieldManager: "gitops" }) as Json);
  });

  it("a dry run answers the result and stores nothing", async () => {
    const api = await fresh();
    const created = await call(api, "PATCH", `${DEPLOYMENT_PATH}/web?fieldManager=gitops&dryRun=All`, deployment("web", { replicas: 3 }), SSA);
    expect(created.body.spec.replicas).toBe(3);
    expect(api.get(webRef)).toBeUndefined();
    api.apply(deployment("web", { replicas: 3 }), { fieldManager: "gitops" });
    const before = api.get(webRef)!;
    const changed = await call(api, "PATCH", `${DEPLOYMENT_PATH}/web?fieldManager=gitops&dryRun=All`, deployment("web", { replicas: 4 }), SSA);
    expect(changed.body.spec.replicas).toBe(4);
    expect(api.get(webRef)).toEqual(before);
  });

  it("kubectl edit takes ownership of exactly the fields it changed or added", async () => {
    const api = await fresh();
    api.apply(deployment("web", { replicas: 2 }), { fieldManager: "gitops" });
    const edited = api.edit(webRef, (object) => {
      (object.spec as Json).replicas = 3;
      (object.metadata as Json).annotations = { note: "hi" };
    }) as Json;
    expect(entryOf(edited, "kubectl-edit", "Update")!.fieldsV1).toEqual({ "f:metadata": { "f:annotations": { "f:note": {} } }, "f:spec": { "f:replicas": {} } });
    expect(entryOf(edited, "gitops")!.fieldsV1["f:spec"]["f:replicas"]).toBeUndefined();
  });
});

describe("custom resource definitions", () => {
  const crd = (versions = [{ name: "v1", served: true, storage: true }]) => ({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: { group: "example.com", scope: "Namespaced", names: { kind: "Widget", plural: "widgets", singular: "widget", listKind: "WidgetList" }, versions },
  });
  const widget = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w1", namespace: "default" }, spec: { size: 3 } };

  it("serves the kind of an applied CRD at once, Established and NamesAccepted", async () => {
    const api = await fresh();
    expect((await call(api, "GET", "/apis/example.com/v1")).status).toBe(404);
    const applied = (await call(api, "PATCH", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com?fieldManager=gitops", crd(), SSA)).body;
    expect(applied.status.conditions).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: "Established", status: "True" }), expect.objectContaining({ type: "NamesAccepted", status: "True" })]),
    );
    expect((await call(api, "GET", "/apis/example.com/v1")).body.resources).toContainEqual(expect.objectContaining({ name: "widgets", kind: "Widget", namespaced: true }));
    const created = await call(api, "PATCH", "/apis/example.com/v1/namespaces/default/widgets/w1?fieldManager=gitops", widget, SSA);
    expect(created.status).toBe(201);
    expect((await call(api, "GET", "/apis/example.com/v1/namespaces/default/widgets/w1")).body.spec).toEqual({ size: 3 });
  });

  it("serves every served version", async () => {
    const api = await fresh();
    api.apply(crd([{ name: "v1", served: true, storage: true }, { name: "v1beta1", served: true, storage: false }, { name: "v1alpha1", served: false, storage: false }]), { fieldManager: "gitops" });
    expect((await call(api, "GET", "/apis/example.com")).body.versions.map((version: Json) => version.version)).toEqual(["v1", "v1beta1"]);
  });

  it("with a delay, serves the kind only once the controller established the CRD", async () => {
    const api = await fresh({ crdEstablishDelayMs: 150 });
    api.apply(crd(), { fieldManager: "gitops" });
    expect((await call(api, "GET", "/apis/example.com/v1")).status).toBe(404);
    const established = await until(
      () => api.get({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name: "widgets.example.com" }) as Json,
      (object) => (object.status?.conditions ?? []).some((condition: Json) => condition.type === "Established" && condition.status === "True"),
    );
    expect(entryOf(established, "kube-apiserver", "Update")).toBeUndefined();
    expect(managers(established).find((entry) => entry.manager === "kube-apiserver")).toMatchObject({ subresource: "status" });
    expect((await call(api, "GET", "/apis/example.com/v1")).status).toBe(200);
  });

  it("deleting the CRD stops serving the kind and deletes its objects", async () => {
    const api = await fresh();
    api.apply(crd(), { fieldManager: "gitops" });
    api.apply(widget, { fieldManager: "gitops" });
    expect((await call(api, "DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")).status).toBe(200);
    expect((await call(api, "GET", "/apis/example.com/v1")).status).toBe(404);
    api.apply(crd(), { fieldManager: "gitops" });
    expect((await call(api, "GET", "/apis/example.com/v1/widgets")).body.items).toEqual([]);
  });
});

describe("the controller loop", () => {
  const ready = (object: Json | undefined) => object?.status?.observedGeneration === object?.metadata.generation;

  it.each([
    {
      name: "a Deployment becomes Available",
      object: deployment("web", { replicas: 3 }),
      expected: {
        observedGeneration: 1,
        replicas: 3,
        updatedReplicas: 3,
        readyReplicas: 3,
        availableReplicas: 3,
        conditions: [
          expect.objectContaining({ type: "Available", status: "True", reason: "MinimumReplicasAvailable" }),
          expect.objectContaining({ type: "Progressing", status: "True", reason: "NewReplicaSetAvailable" }),
        ],
      },
    },
    {
      name: "a Deployment with a failing image exceeds its progress deadline",
      object: deployment("web", { replicas: 2, image: "nginx:broken" }),
      expected: {
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 2,
        unavailableReplicas: 2,
        conditions: [
          expect.objectContaining({ type: "Available", status: "False" }),
          expect.objectContaining({ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }),
        ],
      },
      absent: ["availableReplicas", "readyReplicas"],
    },
    {
      name: "a StatefulSet rolls out to its update revision",
      object: { ...deployment("db", { replicas: 2 }), kind: "StatefulSet", metadata: { name: "db", namespace: "default" } },
      expected: { observedGeneration: 1, replicas: 2, readyReplicas: 2, updatedReplicas: 2, currentRevision: expect.stringMatching(/^db-/), updateRevision: expect.stringMatching(/^db-/) },
    },
    {
      name: "a DaemonSet is scheduled and ready on every node",
      object: { ...deployment("agent"), kind: "DaemonSet", metadata: { name: "agent", namespace: "default" } },
      expected: { observedGeneration: 1, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberReady: 2, numberAvailable: 2 },
    },
  ])("$name", async ({ object, expected, ...rest }) => {
    const api = await fresh({ controller: { intervalMs: 10, nodes: 2 } });
    const applied = api.apply(object as KubeObject, { fieldManager: "gitops" }) as Json;
    const ref = { apiVersion: "apps/v1", kind: String(applied.kind), namespace: "default", name: applied.metadata.name };
    const live = await until(() => api.get(ref) as Json, ready);
    expect(live.status).toMatchObject(expected);
    if ("absent" in rest) for (const field of rest.absent as string[]) expect(live.status[field]).toBeUndefined();
    if (applied.kind === "StatefulSet") expect(live.status.currentRevision).toBe(live.status.updateRevision);
  });

  it("a rollout delay shows progress first, with the new generation observed", async () => {
    const api = await fresh({ controller: { intervalMs: 10, rolloutDelayMs: 300 } });
    api.apply(deployment("web", { replicas: 2 }), { fieldManager: "gitops" });
    const progressing = await until(() => api.get(webRef) as Json, ready);
    expect(progressing.status.updatedReplicas).toBeUndefined();
    expect(progressing.status.conditions).toContainEqual(expect.objectContaining({ type: "Progressing", status: "True", reason: "ReplicaSetUpdated" }));
    const done = await until(() => api.get(webRef) as Json, (object) => object.status.availableReplicas === 2);
    expect(done.status.conditions).toContainEqual(expect.objectContaining({ type: "Progressing", reason: "NewReplicaSetAvailable" }));
  });

  it("a custom failing-image predicate", async () => {
    const api = await fresh({ controller: { intervalMs: 10, failingImage: (image) => image.startsWith("bad/") } });
    api.apply(deployment("web", { image: "bad/app:1" }), { fieldManager: "gitops" });
    const live = await until(() => api.get(webRef) as Json, ready);
    expect(live.status.conditions).toContainEqual(expect.objectContaining({ type: "Progressing", reason: "ProgressDeadlineExceeded" }));
  });

  it.each([
    {
      name: "a Job completes",
      object: { apiVersion: "batch/v1", kind: "Job", metadata: { name: "migrate", namespace: "default" }, spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "m", image: "migrate:1" }] } } } },
      expected: { succeeded: 1, conditions: expect.arrayContaining([expect.objectContaining({ type: "Complete", status: "True" })]) },
    },
    {
      name: "a Job with a failing image fails",
      object: { apiVersion: "batch/v1", kind: "Job", metadata: { name: "migrate", namespace: "default" }, spec: { backoffLimit: 1, template: { spec: { restartPolicy: "Never", containers: [{ name: "m", image: "migrate:broken" }] } } } },
      expected: { failed: 2, conditions: expect.arrayContaining([expect.objectContaining({ type: "Failed", status: "True", reason: "BackoffLimitExceeded" })]) },
    },
    {
      name: "a PVC binds",
      object: { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data", namespace: "default" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "5Gi" } } } },
      expected: { phase: "Bound", capacity: { storage: "5Gi" } },
    },
  ])("$name", async ({ object, expected }) => {
    const api = await fresh({ controller: { intervalMs: 10 } });
    api.apply(object, { fieldManager: "gitops" });
    const ref = { apiVersion: object.apiVersion, kind: object.kind, namespace: "default", name: object.metadata.name };
    const live = await until(() => api.get(ref) as Json, (value) => value.status !== undefined && value.status.active === undefined);
    expect(live.status).toMatchObject(expected);
  });

  it("does nothing when off", async () => {
    const api = await fresh({ controller: false });
    api.apply(deployment("web"), { fieldManager: "gitops" });
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(api.get(webRef)!.status).toBeUndefined();
  });
});

describe("fault injection and recording", () => {
  it("fails the next matching requests with a Status, then serves normally", async () => {
    const api = await fresh();
    api.failNext({ method: "GET", pathPattern: /\/configmaps$/, status: 503, reason: "ServiceUnavailable", message: "etcd is sad", times: 2 });
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await call(api, "GET", "/api/v1/namespaces/default/configmaps"));
    expect(replies.map((reply) => reply.status)).toEqual([503, 503, 200]);
    expect(replies[0]!.body).toMatchObject({ kind: "Status", reason: "ServiceUnavailable", message: "etcd is sad", code: 503 });
    expect((await call(api, "POST", "/api/v1/namespaces/default/configmaps", configMap("x"))).status).toBe(201);
  });

  it("stalls a request for a while", async () => {
    const api = await fresh();
    api.stallNext({ pathPattern: "/api/v1/namespaces/default/configmaps", ms: 150 });
    const started = Date.now();
    expect((await call(api, "GET", "/api/v1/namespaces/default/configmaps")).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("records method, path, query, content type, body and status", async () => {
    const api = await fresh();
    await call(api, "PATCH", "/api/v1/namespaces/default/configmaps/a?fieldManager=gitops&force=true", configMap("a"), SSA);
    expect(api.requests.at(-1)).toEqual({
      method: "PATCH",
      path: "/api/v1/namespaces/default/configmaps/a",
      query: { fieldManager: "gitops", force: "true" },
      contentType: SSA,
      authorization: undefined,
      body: configMap("a"),
      status: 201,
    });
  });
});
