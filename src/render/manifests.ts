// Rendered YAML streams into Manifests that remember where they are.
import { UserError } from "../errors.ts";
import { groupOf, type KubeObject, type Manifest } from "../model.ts";
import { parseYaml } from "../util/yaml.ts";

/**
 * Parses a multi-document stream (as kustomize prints it). Empty documents are skipped;
 * a document that is not an object with apiVersion, kind and metadata.name is a UserError
 * naming the stream and line.
 */
export function parseManifests(text: string, streamName: string): Manifest[] {
  const manifests: Manifest[] = [];
  const { documents } = parseYaml(text, streamName);
  documents.forEach((document, index) => {
    if (document.value === null || document.value === undefined) return;
    const object = document.value;
    if (typeof object !== "object" || Array.isArray(object)) {
      throw new UserError("a Kubernetes object must be a YAML map", { file: streamName, line: document.line });
    }
    manifests.push(toManifest(object as KubeObject, { index, line: document.line }, streamName));
  });
  return manifests;
}

export function toManifest(object: KubeObject, rendered: Manifest["rendered"], streamName: string): Manifest {
  const apiVersion = object.apiVersion;
  const kind = object.kind;
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !apiVersion || !kind) {
    throw new UserError("a Kubernetes object needs apiVersion and kind", { file: streamName, line: rendered.line });
  }
  const name = typeof metadata.name === "string" ? metadata.name : typeof metadata.generateName === "string" ? metadata.generateName : "";
  if (!name) throw new UserError(`${kind} has no metadata.name`, { file: streamName, line: rendered.line });
  const namespace = typeof metadata.namespace === "string" ? metadata.namespace : "";
  return { object, id: { ...groupOf(apiVersion), kind, namespace, name }, rendered };
}
