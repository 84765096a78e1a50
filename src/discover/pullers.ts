// The environments the in-cluster pullers apply. A Flux Kustomization or Argo CD Application often applies
// further ones (a cluster directory full of Kustomizations, an app of apps): those are found by rendering
// their parent, exactly as the puller would see them after the parent's patches and substitutions.
import type { Config } from "../config/config.ts";
import type { Manifest, SourceLocation } from "../model.ts";
import { argoEnvironments, type ArgoContext } from "./argo-environments.ts";
import type { DiscoveredEnvironment, Discovery } from "./discover.ts";
import { clusterOfFile, fluxEnvironment, type FluxContext } from "./flux-environments.ts";
import { classify, ObjectIndex, refOf, type FoundObject } from "./objects.ts";
import { SourceIgnore } from "./source-ignore.ts";
import type { SourceResolver } from "./sources.ts";

export type ParentRender = (environment: DiscoveredEnvironment) => Promise<{ ok: true; manifests: Manifest[] } | { ok: false }>;

export interface PullerDiscoveryOptions {
  config: Config;
  discovery: Discovery;
  objects: ObjectIndex;
  sources: SourceResolver;
  /** `.sourceignore` files of the checkout and their text. */
  ignoreFiles: Map<string, string>;
  /** Renders a parent environment to find the environments it applies. */
  render: ParentRender;
  readText(repoPath: string): Promise<string>;
}

export interface PullerDiscovery {
  environments: DiscoveredEnvironment[];
  /** Objects the parents' renders produced (ConfigMaps, Secrets, sources), for later lookups. */
  produced: ObjectIndex;
  fluxContext: FluxContext;
}

/** Kinds whose presence in a render makes its environment a parent of further environments. */
const PARENT_KINDS = new Set(["flux-kustomization", "argocd-application", "argocd-applicationset"]);

export async function discoverPullerEnvironments(options: PullerDiscoveryOptions): Promise<PullerDiscovery> {
  const { config, discovery, objects } = options;
  const produced = new ObjectIndex();
  const fluxContext: FluxContext = {
    config,
    discovery,
    objects,
    sources: options.sources,
    sourceIgnore: new SourceIgnore(options.ignoreFiles),
    produced,
  };
  const environments = new Map<string, DiscoveredEnvironment>();
  const filesWithParentKinds = new Map<string, FoundObject[]>();
  for (const found of objects.all) {
    if (!PARENT_KINDS.has(found.kind)) continue;
    const list = filesWithParentKinds.get(found.location.file);
    if (list) list.push(found);
    else filesWithParentKinds.set(found.location.file, [found]);
  }

  type Pending = { object: FoundObject["object"]; location: SourceLocation; cluster: string | undefined; namespace: string };
  const queue: Pending[] = [];
  const argo: ArgoContext = { config, discovery, sources: options.sources, readText: options.readText };

  if (config.flux.enabled) {
    const written = objects.ofKind("flux-kustomization");
    // a Kustomization is a root when no other Kustomization's render reads the file it is written in
    const probes = written.map((found) => ({
      found,
      environment: fluxEnvironment(found.object, found.location, undefined, found.ref.namespace || "flux-system", fluxContext),
    }));
    for (const probe of probes) {
      const file = probe.found.location.file;
      const readByOther = probes.some((other) => other !== probe && other.found.location.file !== file && other.environment.inputs.has(file));
      if (readByOther) continue;
      queue.push({
        object: probe.found.object,
        location: probe.found.location,
        cluster: clusterOfFile(file, config.flux.clusters),
        namespace: probe.found.ref.namespace || "flux-system",
      });
    }
  }

  const seen = new Set<string>();
  const visit = async (environment: DiscoveredEnvironment, cluster: string | undefined, namespace: string) => {
    if (environments.has(environment.environment.name)) return;
    environments.set(environment.environment.name, environment);
    // the file the environment itself is written in does not count: it is what defines it
    const ownFile = environment.environment.definedAt?.file;
    const writtenParents = [...environment.inputs].filter((file) => file !== ownFile).flatMap((file) => filesWithParentKinds.get(file) ?? []);
    const isParent = writtenParents.length > 0;
    if (!isParent || environment.spec.type === "skipped") return;
    const outcome = await options.render(environment);
    const children: Pending[] = [];
    if (outcome.ok) {
      for (const manifest of outcome.manifests) {
        const kind = classify(manifest.object);
        if (!kind) continue;
        const ref = refOf(manifest.object);
        const location = manifest.source ?? environment.environment.definedAt ?? { file: environment.environment.path };
        produced.add({ kind, object: manifest.object, ref: { ...ref, namespace: ref.namespace || namespace }, location });
        if (PARENT_KINDS.has(kind)) children.push({ object: manifest.object, location, cluster, namespace });
      }
    } else {
      // the parent does not render: its children as written are still verified
      for (const found of writtenParents) children.push({ object: found.object, location: found.location, cluster, namespace });
    }
    for (const child of children) await enqueue(child);
  };

  const enqueue = async (pending: Pending) => {
    const kind = classify(pending.object);
    const ref = refOf(pending.object);
    const key = `${pending.cluster ?? ""}/${kind}/${ref.namespace || pending.namespace}/${ref.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (kind === "flux-kustomization") {
      if (!config.flux.enabled) return;
      const environment = fluxEnvironment(pending.object, pending.location, pending.cluster, pending.namespace, fluxContext);
      environment.definition = JSON.stringify(pending.object);
      await visit(environment, pending.cluster, ref.namespace || pending.namespace);
    } else if (kind === "argocd-application" || kind === "argocd-applicationset") {
      if (!config.argocd.enabled) return;
      for (const environment of await argoEnvironments(pending.object, pending.location, argo)) {
        await visit(environment, environment.environment.cluster, ref.namespace || pending.namespace);
      }
    }
  };

  for (const pending of queue) await enqueue(pending);

  if (config.argocd.enabled) {
    // Applications and ApplicationSets that no render produced are applied by hand or by a bootstrap
    for (const found of [...objects.ofKind("argocd-application"), ...objects.ofKind("argocd-applicationset")]) {
      const readBy = [...environments.values()].some((environment) => environment.inputs.has(found.location.file));
      if (readBy) continue;
      await enqueue({ object: found.object, location: found.location, cluster: undefined, namespace: found.ref.namespace || "argocd" });
    }
  }

  return { environments: [...environments.values()], produced, fluxContext };
}
