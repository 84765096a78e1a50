// Loading a kubeconfig as kubectl does (a given file, else KUBECONFIG, ~/.kube/config, or the in-cluster service
// account) through @kubernetes/client-node, and choosing its context; every problem a UserError that says which.
import { existsSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { UserError } from "../../errors.ts";

export interface KubeconfigChoice {
  /** A kubeconfig file; default: KUBECONFIG, ~/.kube/config, or in-cluster, as client-node's loadFromDefault. */
  kubeconfig?: string;
  /** A context of the kubeconfig; default: its current-context. */
  context?: string;
}

export interface LoadedKubeconfig {
  config: KubeConfig;
  context: string;
  /** The API server's URL, without a trailing slash. */
  server: string;
  /** The context's namespace, else "default": where namespaced objects without one go. */
  namespace: string;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What loadFromDefault falls back to when it finds nothing: a context for http://localhost:8080. */
function isNothingFound(config: KubeConfig): boolean {
  return config.currentContext === "loaded-context" && config.clusters.length === 1 && config.clusters[0]?.server === "http://localhost:8080";
}

function load(choice: KubeconfigChoice): { config: KubeConfig; source: string } {
  const config = new KubeConfig();
  if (choice.kubeconfig !== undefined) {
    if (!existsSync(choice.kubeconfig)) throw new UserError(`the kubeconfig ${choice.kubeconfig} does not exist`);
    try {
      config.loadFromFile(choice.kubeconfig);
    } catch (error) {
      throw new UserError(`cannot read the kubeconfig ${choice.kubeconfig}: ${reasonOf(error)}`);
    }
    return { config, source: choice.kubeconfig };
  }
  const fromEnvironment = process.env.KUBECONFIG;
  const source = fromEnvironment ? `KUBECONFIG (${fromEnvironment})` : "the default kubeconfig";
  try {
    config.loadFromDefault();
  } catch (error) {
    throw new UserError(`cannot read ${source}: ${reasonOf(error)}`);
  }
  if (!fromEnvironment && isNothingFound(config)) {
    throw new UserError("no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config (in a pod, the service account is used)");
  }
  return { config, source };
}

function contextList(config: KubeConfig): string {
  const names = config.getContexts().map((context) => context.name);
  return names.length > 0 ? names.join(", ") : "none";
}

export function loadKubeconfig(choice: KubeconfigChoice): LoadedKubeconfig {
  const { config, source } = load(choice);
  if (choice.context !== undefined) {
    if (!config.getContextObject(choice.context)) {
      throw new UserError(`the kubeconfig context "${choice.context}" does not exist in ${source}; available contexts: ${contextList(config)}`);
    }
    config.setCurrentContext(choice.context);
  }
  const contextName = config.getCurrentContext();
  const context = contextName ? config.getContextObject(contextName) : null;
  if (!context) {
    throw new UserError(`${source} has no current context${contextName ? ` ("${contextName}" is not defined)` : ""}: pass --context; available contexts: ${contextList(config)}`);
  }
  const cluster = config.getCluster(context.cluster);
  if (!cluster) throw new UserError(`the kubeconfig context "${contextName}" names the cluster "${context.cluster}", which ${source} does not define`);
  let url: URL;
  try {
    url = new URL(cluster.server);
  } catch {
    throw new UserError(`the kubeconfig cluster "${cluster.name}" has no valid server URL: ${JSON.stringify(cluster.server ?? "")}`);
  }
  if (url.protocol === "http:" && !cluster.skipTLSVerify) {
    // client-node refuses plain-http servers unless skipTLSVerify is set, though there is no TLS to skip; kubectl
    // talks to them (kubectl proxy, local test servers). Setting it changes nothing on the wire.
    config.clusters = config.clusters.map((candidate) => (candidate === cluster ? { ...candidate, skipTLSVerify: true } : candidate));
  }
  return { config, context: contextName, server: cluster.server.replace(/\/+$/, ""), namespace: context.namespace || "default" };
}
