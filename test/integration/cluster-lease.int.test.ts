// The apply Lease (src/cluster/lease.ts) through the real adapter against the Kubernetes API stand-in over HTTP (no
// real API server can be installed here): taken once, refused to a second holder, renewed while held, taken over once
// expired, waited for, and given back.
import { afterEach, describe, expect, it } from "vitest";
import { acquireLease, type LeaseOptions } from "../../src/cluster/lease.ts";
import { UserError } from "../../src/errors.ts";
import type { KubeApiServer } from "../helpers/kube-api-server.ts";
import { standInCluster } from "../helpers/stand-in-cluster.ts";

const cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const setUp = () => standInCluster(cleanup);

const options = (holder: string, extra: Partial<LeaseOptions> = {}): LeaseOptions => ({ name: "gitops-verify-prod", namespace: "default", holder, durationSeconds: 900, waitSeconds: 0, fieldManager: "gitops-verify", ...extra });
const leaseRef = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: "default", name: "gitops-verify-prod" };
const spec = (api: KubeApiServer) => (api.get(leaseRef)?.spec ?? {}) as Record<string, unknown>;

describe("the apply Lease", () => {
  it("is held by one apply at a time, and given back", async () => {
    const { api, cluster } = await setUp();
    const first = await acquireLease(cluster, options("job-1"));
    expect(spec(api).holderIdentity).toBe("job-1");
    await expect(acquireLease(cluster, options("job-2"))).rejects.toThrow(/another apply holds the Lease default\/gitops-verify-prod: job-1 since/);
    await first.release();
    expect(api.get(leaseRef)).toBeUndefined();
    const second = await acquireLease(cluster, options("job-2"));
    expect(spec(api).holderIdentity).toBe("job-2");
    await second.release();
  });

  it("is renewed while held, so a long apply keeps it", async () => {
    const { api, cluster } = await setUp();
    const lease = await acquireLease(cluster, options("job-1", { durationSeconds: 0.3 }));
    const before = Date.parse(String(spec(api).renewTime));
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(Date.parse(String(spec(api).renewTime))).toBeGreaterThan(before);
    expect(spec(api).holderIdentity).toBe("job-1");
    await lease.release();
  });

  it("is taken over once its holder stopped renewing, counting the transition", async () => {
    const { api, cluster } = await setUp();
    const long = new Date(Date.now() - 3_600_000).toISOString();
    api.create({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "gitops-verify-prod", namespace: "default" }, spec: { holderIdentity: "crashed-job", leaseDurationSeconds: 900, acquireTime: long, renewTime: long, leaseTransitions: 2 } });
    const lease = await acquireLease(cluster, options("job-3"));
    expect(spec(api)).toMatchObject({ holderIdentity: "job-3", leaseTransitions: 3 });
    await lease.release();
  });

  it("is waited for when asked, and says so once", async () => {
    const { api, cluster } = await setUp();
    const first = await acquireLease(cluster, options("job-1"));
    const told: string[] = [];
    setTimeout(() => void first.release(), 300);
    const second = await acquireLease(cluster, options("job-2", { waitSeconds: 5, onWait: (message) => told.push(message), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 100))) }));
    expect(spec(api).holderIdentity).toBe("job-2");
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/^waiting for the Lease default\/gitops-verify-prod, held by job-1 since \d{4}-/);
    await second.release();
  });

  it("in a namespace that does not exist: a clear error", async () => {
    const { cluster } = await setUp();
    const error = await acquireLease(cluster, options("job-1", { namespace: "nowhere" })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain("the namespace nowhere of the apply Lease does not exist");
  });
});
