import { parseManifests, toManifest } from "../../src/render/manifests.ts";
import type { KubeObject, Manifest } from "../../src/model.ts";

/** A Manifest from a plain object, as the renderer would produce it. */
export function manifest(object: KubeObject, index = 0): Manifest {
  return toManifest(structuredClone(object), { index, line: 1 }, "test");
}

export function manifestsFromYaml(text: string): Manifest[] {
  return parseManifests(text, "test");
}

export function deployment(overrides: { name?: string; namespace?: string; image?: string; replicas?: number; apiVersion?: string } = {}): KubeObject {
  return {
    apiVersion: overrides.apiVersion ?? "apps/v1",
    kind: "Deployment",
    metadata: { name: overrides.name ?? "web", ...(overrides.namespace ? { namespace: overrides.namespace } : {}) },
    spec: {
      replicas: overrides.replicas ?? 1,
      template: { spec: { containers: [{ name: "web", image: overrides.image ?? "nginx:1.0" }] } },
    },
  };
}

export function configMap(name: string, data: Record<string, string>, namespace?: string): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, ...(namespace ? { namespace } : {}) }, data };
}

export function secret(name: string, values: { data?: Record<string, unknown>; stringData?: Record<string, unknown> }, extra: KubeObject = {}): KubeObject {
  return { apiVersion: "v1", kind: "Secret", metadata: { name }, type: "Opaque", ...values, ...extra };
}

export const b64 = (text: string) => Buffer.from(text).toString("base64");
