// readLive (src/cluster/live.ts) through the real adapter against the Kubernetes API stand-in over HTTP (no real API
// server can be installed here): many objects of one kind and namespace are one LIST, the rest are GETs, an identity
// that may not list falls back to GETs, and a namespace that does not exist yet holds nothing.
import { afterEach, describe, expect, it } from "vitest";
import { readLive, refKey } from "../../src/cluster/live.ts";
import type { ClusterRef } from "../../src/ports.ts";
import { standInCluster } from "../helpers/stand-in-cluster.ts";

const cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setUp(): Promise<Awaited<ReturnType<typeof standInCluster>>> {
  const standIn = await standInCluster(cleanup);
  for (let i = 0; i < 5; i++) standIn.api.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `c${i}`, namespace: "default" }, data: {} });
  standIn.api.create({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "default" }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } } });
  return standIn;
}

const configMap = (name: string, namespace = "default"): ClusterRef => ({ apiVersion: "v1", kind: "ConfigMap", namespace, name });
const web: ClusterRef = { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web" };
const refs = [configMap("c0"), configMap("c1"), configMap("c2"), configMap("c4"), configMap("gone"), web];

describe("readLive", () => {
  it("lists a kind where several objects share a namespace, gets the rest", async () => {
    const { api, cluster } = await setUp();
    const before = api.requests.length;
    const live = await readLive(cluster, refs, 8);
    expect([...live].map(([key, object]) => [key, object === undefined ? "absent" : "live"]).sort()).toEqual(
      [...refs.map((ref) => [refKey(ref), ref.name === "gone" ? "absent" : "live"])].sort(),
    );
    // discovery (/api/v1, /apis/apps/v1) aside
    const made = api.requests.slice(before).filter((request) => request.path.includes("/namespaces/"));
    expect(made.map((request) => `${request.method} ${request.path}`).sort()).toEqual(["GET /api/v1/namespaces/default/configmaps", "GET /apis/apps/v1/namespaces/default/deployments/web"]);
  });

  it("falls back to one GET each when the identity may not list", async () => {
    const { api, cluster } = await setUp();
    api.failNext({ method: "GET", pathPattern: /\/configmaps$/, status: 403, reason: "Forbidden", message: 'configmaps is forbidden: User "drift" cannot list resource "configmaps"' });
    const live = await readLive(cluster, refs, 8);
    expect(live.get(refKey(configMap("c2")))).toBeDefined();
    expect(live.get(refKey(configMap("gone")))).toBeUndefined();
    expect(api.requests.filter((request) => /\/configmaps\/c\d$/.test(request.path))).toHaveLength(4);
  });

  it("a namespace that does not exist yet holds nothing", async () => {
    const { cluster } = await setUp();
    const live = await readLive(cluster, [configMap("a", "later"), configMap("b", "later"), configMap("c", "later")], 8);
    expect([...live.values()]).toEqual([undefined, undefined, undefined]);
  });
});
