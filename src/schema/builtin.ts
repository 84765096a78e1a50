// The embedded schemas of the built-in Kubernetes kinds (schemas/kubernetes/definitions.json, generated at build time
// by scripts/generate-kubernetes-schemas.mjs), as ajv-ready documents: strict (unknown fields refused, as the API
// server's strict field validation does) and lax. They work offline: nothing is downloaded.
import type { Ajv } from "ajv";
import generated from "../../schemas/kubernetes/definitions.json" with { type: "json" };
import { parseQuantity } from "./checks.ts";
import type { JsonSchema } from "./crd.ts";

interface DefinitionsFile {
  kubernetesVersion: string;
  generatedFrom: string;
  /** "apps/v1/Deployment" → definition name */
  kinds: Record<string, string>;
  /** kinds that are custom resources of well-known projects → the npm package their schema was generated from */
  kindSources: Record<string, string>;
  definitions: Record<string, JsonSchema>;
}

const FILE = generated as unknown as DefinitionsFile;

/** The Kubernetes release the embedded schemas describe (minor version, e.g. "1.36"). */
export const BUILTIN_KUBERNETES_VERSION = FILE.kubernetesVersion;
export const BUILTIN_SOURCE = FILE.generatedFrom;

const STRICT_ID = "k8s-builtin-strict";
const LAX_ID = "k8s-builtin-lax";
const INT32 = { minimum: -2147483648, maximum: 2147483647 };

/** The definition name of a built-in kind, or undefined (a custom resource, or a kind Kubernetes does not have). */
export function builtinDefinition(apiVersion: string, kind: string): string | undefined {
  const key = `${apiVersion}/${kind}`;
  return FILE.kindSources[key] ? undefined : FILE.kinds[key];
}

/**
 * The embedded schema of a well-known custom resource (Flux, cert-manager, External Secrets, Prometheus Operator,
 * Gateway API), with the package it was generated from; undefined for others. These describe each project's CRDs
 * as of the package's release, which may lag the project's own: the location `embedded-crds` is opt-in.
 */
export function embeddedCrdDefinition(apiVersion: string, kind: string): { definition: string; source: string } | undefined {
  const key = `${apiVersion}/${kind}`;
  const source = FILE.kindSources[key];
  return source ? { definition: FILE.kinds[key]!, source } : undefined;
}

/** Kinds whose apiVersion has a schema here, for "did you mean" on unknown kinds. */
export function builtinKindsOf(kind: string): string[] {
  return Object.keys(FILE.kinds)
    .filter((key) => key.endsWith(`/${kind}`))
    .map((key) => key.slice(0, -kind.length - 1));
}

/** Adds both documents to an ajv instance once; `builtinRef` names a kind's schema in them. */
export function addBuiltinSchemas(ajv: Ajv): void {
  if (ajv.getSchema(STRICT_ID)) return;
  ajv.addFormat("k8s:quantity", { type: "string", validate: (value: string) => parseQuantity(value).ok });
  ajv.addSchema({ $id: STRICT_ID, definitions: variant(true) });
  ajv.addSchema({ $id: LAX_ID, definitions: variant(false) });
}

export function builtinRef(definition: string, strict: boolean): JsonSchema {
  return { $ref: `${strict ? STRICT_ID : LAX_ID}#/definitions/${definition}` };
}

/** The generated definitions rewritten for ajv: formats it knows, int32 bounds, and additionalProperties when strict. */
function variant(strict: boolean): Record<string, JsonSchema> {
  return Object.fromEntries(Object.entries(FILE.definitions).map(([name, schema]) => [name, rewrite(schema, strict)]));
}

function rewrite(schema: JsonSchema, strict: boolean): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "properties") {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, JsonSchema>).map(([name, property]) => [name, rewrite(property, strict)]));
    } else if ((key === "items" || key === "additionalProperties") && typeof value === "object" && value !== null) {
      out[key] = rewrite(value as JsonSchema, strict);
    } else if (key === "format") {
      switch (value) {
        case "int32":
          Object.assign(out, INT32);
          break;
        case "quantity":
          out.format = "k8s:quantity";
          break;
        case "date-time":
          out.format = "crd:datetime";
          break;
        case "byte":
          out.format = "crd:byte";
          break;
        // int64 (no JavaScript bound worth checking) and int-or-string (the type says it all)
      }
    } else out[key] = value;
  }
  if (strict && out.type === "object" && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}
