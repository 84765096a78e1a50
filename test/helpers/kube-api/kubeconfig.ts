// Kubeconfig files pointing at the stand-in (or anywhere), for tests that load them as users' tools do.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { stringify } from "yaml";

export interface KubeconfigContext {
  name: string;
  server: string;
  /** A bearer token for the context's user; none = no credentials. */
  token?: string;
  namespace?: string;
}

/** Writes a kubeconfig with one cluster and user per context; returns its path. */
export async function writeKubeconfig(file: string, contexts: KubeconfigContext[], currentContext = contexts[0]?.name ?? ""): Promise<string> {
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: contexts.map((context) => ({ name: context.name, cluster: { server: context.server } })),
    users: contexts.map((context) => ({ name: context.name, user: context.token ? { token: context.token } : {} })),
    contexts: contexts.map((context) => ({
      name: context.name,
      context: { cluster: context.name, user: context.name, ...(context.namespace ? { namespace: context.namespace } : {}) },
    })),
    "current-context": currentContext,
    preferences: {},
  };
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, stringify(config), "utf8");
  return file;
}
