// The Cluster port as the commands get it (the client-node adapter through a kubeconfig file) on the Kubernetes API
// stand-in: no real API server can be installed here. Each call registers its own cleanup.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { connectCluster, type KubernetesCluster } from "../../src/adapters/kubernetes/cluster.ts";
import { startKubeApiServer, type KubeApiServer, type KubeApiServerOptions } from "./kube-api-server.ts";

export async function standInCluster(cleanup: Array<() => void | Promise<void>>, options: KubeApiServerOptions = { controller: false }): Promise<{ api: KubeApiServer; cluster: KubernetesCluster }> {
  const api = await startKubeApiServer(options);
  cleanup.push(() => api.close());
  const dir = mkdtempSync(path.join(os.tmpdir(), "gv-stand-in-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return { api, cluster: await connectCluster({ kubeconfig: await api.writeKubeconfig(dir) }) };
}
