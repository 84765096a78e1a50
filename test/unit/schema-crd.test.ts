// CRD schemas to ajv: custom resources accepted and refused as the API server would, and CRDs it would refuse.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv, type ErrorObject } from "ajv";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { compileCrdSchemas, goPattern, schemasFromCrd, type CompiledCrdSchema, type CrdSchema } from "../../src/schema/crd.ts";
import { parseYaml } from "../../src/util/yaml.ts";
import type { KubeObject } from "../../src/model.ts";
import { SHARED } from "../helpers/repo.ts";

const ajv = new Ajv({ strict: false, allErrors: true });

function compiled(crd: KubeObject): CompiledCrdSchema[] {
  const { schemas, problems } = schemasFromCrd(crd);
  expect(problems).toEqual([]);
  return compileCrdSchemas(schemas, ajv);
}

function forVersion(all: CompiledCrdSchema[], version: string): CompiledCrdSchema {
  const found = all.find((item) => item.schema.version === version);
  if (!found) throw new Error(`no schema for ${version}`);
  return found;
}

/** Where each error points; an unknown or missing field is named as a path of its own. */
function errorPaths(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    if (error.keyword === "additionalProperties") return `${error.instancePath}/${String(error.params.additionalProperty)}`;
    if (error.keyword === "required") return `${error.instancePath}/${String(error.params.missingProperty)}`;
    return error.instancePath;
  });
}

/** true when valid; otherwise the error paths, so a failing case shows why. */
function verdict(validate: CompiledCrdSchema["strict"], object: unknown): true | string[] {
  return validate(object) ? true : errorPaths(validate.errors);
}

type Expected = "valid" | string;

function expectVerdict(validate: CompiledCrdSchema["strict"], object: unknown, expected: Expected): void {
  const result = verdict(validate, object);
  if (expected === "valid") expect(result).toBe(true);
  else expect(result).toEqual(expect.arrayContaining([expected]));
}

// ---------------------------------------------------------------------------------------------------------------
// A CRD that uses every feature, one field each.

const WIDGET = parse(`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget}
  versions:
    - name: v1
      served: true
      storage: true
      subresources: {status: {}}
      schema:
        openAPIV3Schema:
          type: object
          description: A widget.
          properties:
            apiVersion: {type: string}
            kind: {type: string}
            metadata:
              type: object
              properties:
                name: {type: string, maxLength: 20}
            spec:
              type: object
              required: [size, mode]
              properties:
                size: {type: integer, minimum: 1, maximum: 10, exclusiveMaximum: true, format: int32}
                mode: {type: string, enum: [fast, safe], default: safe, example: fast}
                step: {type: number, multipleOf: 0.5}
                name: {type: string, maxLength: 8, pattern: '^[a-z][a-z0-9\\-]*$'}
                port: {x-kubernetes-int-or-string: true}
                replicas:
                  x-kubernetes-int-or-string: true
                  anyOf: [{type: integer}, {type: string}]
                  pattern: '^[0-9]+%$'
                note: {type: string, nullable: true}
                level: {type: string, nullable: true, enum: [low, high]}
                owner: {type: string}
                tags: {type: array, maxItems: 3, x-kubernetes-list-type: set, items: {type: string}}
                env:
                  type: array
                  x-kubernetes-list-type: map
                  x-kubernetes-list-map-keys: [name]
                  items:
                    type: object
                    required: [name]
                    properties:
                      name: {type: string}
                      value: {type: string}
                selector: {type: object, minProperties: 1, additionalProperties: {type: string}}
                extra: {type: object, additionalProperties: true}
                config:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                  properties:
                    level: {type: integer}
                    options:
                      type: object
                      properties:
                        debug: {type: boolean}
                raw: {type: object}
                payload:
                  type: object
                  required: [blob]
                  properties:
                    blob: {x-kubernetes-preserve-unknown-fields: true}
                template: {type: object, x-kubernetes-embedded-resource: true, x-kubernetes-preserve-unknown-fields: true}
                child:
                  type: object
                  x-kubernetes-embedded-resource: true
                  properties:
                    kind: {type: string, enum: [Deployment, StatefulSet]}
                    spec:
                      type: object
                      properties:
                        image: {type: string}
                schedule:
                  type: object
                  properties:
                    at: {type: string, format: date-time}
                    every: {type: string, format: duration}
                    amount: {type: string, format: quantity}
                    id: {type: string, format: uuid}
                    data: {type: string, format: byte}
                    odd: {type: string, format: int-or-string}
                source:
                  type: object
                  properties:
                    git: {type: string}
                    oci: {type: string}
                  oneOf:
                    - required: [git]
                    - required: [oci]
                limits:
                  type: object
                  properties:
                    cpu: {type: string}
                    memory: {type: string}
                  not:
                    required: [cpu, memory]
                rules:
                  type: array
                  items: {type: string, minLength: 1}
                  x-kubernetes-validations:
                    - rule: self.size() < 5
            status:
              type: object
              properties:
                ready: {type: boolean}
`) as KubeObject;

function widget(spec: unknown, changes: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "apps" }, spec, ...changes };
}

describe("schemasFromCrd: custom resources as the API server sees them", () => {
  const [schema] = compiled(WIDGET);

  it.each<{ name: string; object: KubeObject; strict: Expected; lax: Expected }>([
    { name: "a valid widget (mode has a default, so it may be missing)", object: widget({ size: 3 }), strict: "valid", lax: "valid" },
    { name: "a required field without default is missing", object: widget({ mode: "fast" }), strict: "/spec/size", lax: "/spec/size" },
    { name: "exclusiveMaximum: true excludes the bound", object: widget({ size: 10 }), strict: "/spec/size", lax: "/spec/size" },
    { name: "minimum", object: widget({ size: 0 }), strict: "/spec/size", lax: "/spec/size" },
    { name: "a string where an integer belongs", object: widget({ size: "3" }), strict: "/spec/size", lax: "/spec/size" },
    { name: "a misspelt field: refused strict (pruned), kept lax", object: widget({ size: 3, szie: 4 }), strict: "/spec/szie", lax: "valid" },
    { name: "enum", object: widget({ size: 3, mode: "slow" }), strict: "/spec/mode", lax: "/spec/mode" },
    { name: "multipleOf", object: widget({ size: 3, step: 0.75 }), strict: "/spec/step", lax: "/spec/step" },
    { name: "multipleOf accepts a multiple", object: widget({ size: 3, step: 1.5 }), strict: "valid", lax: "valid" },
    { name: "maxLength", object: widget({ size: 3, name: "far-too-long" }), strict: "/spec/name", lax: "/spec/name" },
    { name: "pattern (RE2 escapes of punctuation work)", object: widget({ size: 3, name: "Web" }), strict: "/spec/name", lax: "/spec/name" },
    { name: "pattern accepts a match", object: widget({ size: 3, name: "web-1" }), strict: "valid", lax: "valid" },
    { name: "int-or-string takes an integer", object: widget({ size: 3, port: 8080 }), strict: "valid", lax: "valid" },
    { name: "int-or-string takes a string", object: widget({ size: 3, port: "http" }), strict: "valid", lax: "valid" },
    { name: "int-or-string refuses a fraction", object: widget({ size: 3, port: 1.5 }), strict: "/spec/port", lax: "/spec/port" },
    { name: "int-or-string refuses a boolean", object: widget({ size: 3, port: true }), strict: "/spec/port", lax: "/spec/port" },
    { name: "int-or-string written as anyOf: the pattern holds for strings", object: widget({ size: 3, replicas: "half" }), strict: "/spec/replicas", lax: "/spec/replicas" },
    { name: "int-or-string written as anyOf: integers skip the pattern", object: widget({ size: 3, replicas: 3 }), strict: "valid", lax: "valid" },
    { name: "nullable: null kept and accepted", object: widget({ size: 3, note: null }), strict: "valid", lax: "valid" },
    { name: "nullable with enum: the null is kept, and the enum refuses it", object: widget({ size: 3, level: null }), strict: "/spec/level", lax: "/spec/level" },
    { name: "not nullable, not required: the null is dropped", object: widget({ size: 3, owner: null }), strict: "valid", lax: "valid" },
    { name: "not nullable, required, no default: dropped, so missing", object: widget({ size: null }), strict: "/spec/size", lax: "/spec/size" },
    { name: "not nullable with a default: the default replaces the null", object: widget({ size: 3, mode: null }), strict: "valid", lax: "valid" },
    { name: "a field without type takes anything", object: widget({ size: 3, payload: { blob: ["x", { y: 1 }] } }), strict: "valid", lax: "valid" },
    { name: "a field without type, required: its null is dropped, so missing", object: widget({ size: 3, payload: { blob: null } }), strict: "/spec/payload/blob", lax: "/spec/payload/blob" },
    { name: "a null spec is dropped like any field", object: widget(null), strict: "valid", lax: "valid" },
    { name: "list-type set: a repeated item", object: widget({ size: 3, tags: ["a", "b", "a"] }), strict: "/spec/tags", lax: "/spec/tags" },
    { name: "maxItems", object: widget({ size: 3, tags: ["a", "b", "c", "d"] }), strict: "/spec/tags", lax: "/spec/tags" },
    { name: "list-type map: a repeated key", object: widget({ size: 3, env: [{ name: "A", value: "1" }, { name: "A", value: "2" }] }), strict: "/spec/env/1", lax: "/spec/env/1" },
    { name: "list-type map: distinct keys", object: widget({ size: 3, env: [{ name: "A" }, { name: "B" }] }), strict: "valid", lax: "valid" },
    { name: "an item null is not dropped", object: widget({ size: 3, env: [null] }), strict: "/spec/env/0", lax: "/spec/env/0" },
    { name: "minProperties", object: widget({ size: 3, selector: {} }), strict: "/spec/selector", lax: "/spec/selector" },
    { name: "additionalProperties schema: a wrong value", object: widget({ size: 3, selector: { app: 1 } }), strict: "/spec/selector/app", lax: "/spec/selector/app" },
    { name: "additionalProperties schema: a null value is dropped", object: widget({ size: 3, selector: { app: "web", gone: null } }), strict: "valid", lax: "valid" },
    { name: "additionalProperties: true keeps keys and scalars", object: widget({ size: 3, extra: { a: "x", b: [1, "y"] } }), strict: "valid", lax: "valid" },
    { name: "additionalProperties: true prunes the fields of objects below", object: widget({ size: 3, extra: { b: { c: 1 } } }), strict: "/spec/extra/b/c", lax: "valid" },
    { name: "preserve-unknown-fields keeps unknown fields of its level, any depth", object: widget({ size: 3, config: { level: 2, anything: { deep: [1, { x: true }] } } }), strict: "valid", lax: "valid" },
    { name: "preserve-unknown-fields still validates the fields it names", object: widget({ size: 3, config: { level: "high" } }), strict: "/spec/config/level", lax: "/spec/config/level" },
    { name: "below a named field of a preserving object, pruning is back", object: widget({ size: 3, config: { options: { debug: true, verbose: true } } }), strict: "/spec/config/options/verbose", lax: "valid" },
    { name: "type: object without properties keeps nothing", object: widget({ size: 3, raw: { a: 1 } }), strict: "/spec/raw/a", lax: "valid" },
    { name: "type: object without properties: an empty object", object: widget({ size: 3, raw: {} }), strict: "valid", lax: "valid" },
    { name: "embedded resource: a whole object", object: widget({ size: 3, template: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { app: "web" } }, data: { a: "b" } } }), strict: "valid", lax: "valid" },
    { name: "embedded resource: apiVersion required", object: widget({ size: 3, template: { kind: "ConfigMap" } }), strict: "/spec/template/apiVersion", lax: "/spec/template/apiVersion" },
    { name: "embedded resource: an apiVersion with two slashes", object: widget({ size: 3, template: { apiVersion: "a/b/c", kind: "ConfigMap" } }), strict: "/spec/template/apiVersion", lax: "/spec/template/apiVersion" },
    { name: "embedded resource: kind must be a DNS-1035 label", object: widget({ size: 3, template: { apiVersion: "v1", kind: "Config_Map" } }), strict: "/spec/template/kind", lax: "/spec/template/kind" },
    { name: "embedded resource: its labels are checked", object: widget({ size: 3, template: { apiVersion: "v1", kind: "ConfigMap", metadata: { labels: { app: "no spaces" } } } }), strict: "/spec/template/metadata/labels/app", lax: "/spec/template/metadata/labels/app" },
    { name: "embedded resource with properties: the CRD's own rule on kind holds", object: widget({ size: 3, child: { apiVersion: "apps/v1", kind: "DaemonSet" } }), strict: "/spec/child/kind", lax: "/spec/child/kind" },
    { name: "embedded resource with properties: unknown fields pruned", object: widget({ size: 3, child: { apiVersion: "apps/v1", kind: "Deployment", replicas: 2 } }), strict: "/spec/child/replicas", lax: "valid" },
    { name: "embedded resource with properties: unknown metadata fields", object: widget({ size: 3, child: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", colour: "red" } } }), strict: "/spec/child/metadata/colour", lax: "valid" },
    { name: "embedded resource with properties: below it pruning goes on", object: widget({ size: 3, child: { apiVersion: "apps/v1", kind: "Deployment", spec: { image: "x", imagePullPolicy: "Always" } } }), strict: "/spec/child/spec/imagePullPolicy", lax: "valid" },
    { name: "format date-time", object: widget({ size: 3, schedule: { at: "2024-02-29T10:00:00.5+01:00" } }), strict: "valid", lax: "valid" },
    { name: "format date-time: a day that does not exist", object: widget({ size: 3, schedule: { at: "2023-02-29T10:00:00Z" } }), strict: "/spec/schedule/at", lax: "/spec/schedule/at" },
    { name: "format duration: Go and Scala styles", object: widget({ size: 3, schedule: { every: "1h30m" } }), strict: "valid", lax: "valid" },
    { name: "format duration: not a duration", object: widget({ size: 3, schedule: { every: "soon" } }), strict: "/spec/schedule/every", lax: "/spec/schedule/every" },
    { name: "format quantity", object: widget({ size: 3, schedule: { amount: "1.5Gi" } }), strict: "valid", lax: "valid" },
    { name: "format quantity: GB is no suffix", object: widget({ size: 3, schedule: { amount: "1GB" } }), strict: "/spec/schedule/amount", lax: "/spec/schedule/amount" },
    { name: "format uuid", object: widget({ size: 3, schedule: { id: "not-a-uuid" } }), strict: "/spec/schedule/id", lax: "/spec/schedule/id" },
    { name: "format byte", object: widget({ size: 3, schedule: { data: "aGVsbG8=" } }), strict: "valid", lax: "valid" },
    { name: "format byte: not base64", object: widget({ size: 3, schedule: { data: "hello!" } }), strict: "/spec/schedule/data", lax: "/spec/schedule/data" },
    { name: "a format the API server ignores is ignored", object: widget({ size: 3, schedule: { odd: "anything" } }), strict: "valid", lax: "valid" },
    { name: "format int-or-string is such a format: type string still refuses an integer", object: widget({ size: 3, schedule: { odd: 8080 } }), strict: "/spec/schedule/odd", lax: "/spec/schedule/odd" },
    { name: "oneOf: one of them", object: widget({ size: 3, source: { git: "a" } }), strict: "valid", lax: "valid" },
    { name: "oneOf: both", object: widget({ size: 3, source: { git: "a", oci: "b" } }), strict: "/spec/source", lax: "/spec/source" },
    { name: "not", object: widget({ size: 3, limits: { cpu: "1", memory: "1Gi" } }), strict: "/spec/limits", lax: "/spec/limits" },
    { name: "x-kubernetes-validations are not evaluated", object: widget({ size: 3, rules: ["a", "b", "c", "d", "e", "f"] }), strict: "valid", lax: "valid" },
    { name: "with the status subresource, status is not validated", object: widget({ size: 3 }, { status: { ready: "yes" } }), strict: "valid", lax: "valid" },
    { name: "an unknown top-level field", object: widget({ size: 3 }, { extraTop: 1 }), strict: "/extraTop", lax: "valid" },
    { name: "another version's apiVersion", object: widget({ size: 3 }, { apiVersion: "example.com/v2" }), strict: "/apiVersion", lax: "/apiVersion" },
    { name: "another kind", object: widget({ size: 3 }, { kind: "Gadget" }), strict: "/kind", lax: "/kind" },
    { name: "metadata is required", object: widget({ size: 3 }, { metadata: undefined }), strict: "/metadata", lax: "/metadata" },
    { name: "metadata.name must be a DNS subdomain", object: widget({ size: 3 }, { metadata: { name: "Web_1" } }), strict: "/metadata/name", lax: "/metadata/name" },
    { name: "metadata.name: the CRD's own restriction holds too", object: widget({ size: 3 }, { metadata: { name: "a-name-of-twenty-one-" } }), strict: "/metadata/name", lax: "/metadata/name" },
    { name: "metadata needs a name or generateName", object: widget({ size: 3 }, { metadata: { labels: { a: "b" } } }), strict: "/metadata", lax: "/metadata" },
    { name: "metadata.namespace must be a DNS label", object: widget({ size: 3 }, { metadata: { name: "w", namespace: "Apps" } }), strict: "/metadata/namespace", lax: "/metadata/namespace" },
    { name: "label keys are qualified names", object: widget({ size: 3 }, { metadata: { name: "w", labels: { "-app": "web" } } }), strict: "/metadata/labels", lax: "/metadata/labels" },
    { name: "label values have 63 characters at most", object: widget({ size: 3 }, { metadata: { name: "w", labels: { app: "x".repeat(64) } } }), strict: "/metadata/labels/app", lax: "/metadata/labels/app" },
    { name: "annotation values are strings", object: widget({ size: 3 }, { metadata: { name: "w", annotations: { replicas: 3 } } }), strict: "/metadata/annotations/replicas", lax: "/metadata/annotations/replicas" },
    { name: "annotation keys may have an upper-case prefix", object: widget({ size: 3 }, { metadata: { name: "w", annotations: { "Example.COM/Note": "x" } } }), strict: "valid", lax: "valid" },
    { name: "kustomize's creationTimestamp: null", object: widget({ size: 3 }, { metadata: { name: "w", creationTimestamp: null } }), strict: "valid", lax: "valid" },
    { name: "a metadata field ObjectMeta does not have", object: widget({ size: 3 }, { metadata: { name: "w", clusterName: "c" } }), strict: "/metadata/clusterName", lax: "valid" },
  ])("$name", ({ object, strict, lax }) => {
    expectVerdict(schema!.strict, object, strict);
    expectVerdict(schema!.lax, object, lax);
  });

  it("keeps nothing ajv would choke on: no OpenAPI or x-kubernetes keywords, only registered formats", () => {
    const text = JSON.stringify(schemasFromCrd(WIDGET).schemas[0]);
    for (const keyword of ['"x-kubernetes', '"nullable"', '"example"', '"description"', '"default"', '"int32"']) expect(text).not.toContain(keyword);
    expect(text).toContain('"format":"crd:datetime"');
    // strictSchema refuses unknown keywords and formats; strictRequired and strictTypes judge the CRD's own style
    const strictAjv = new Ajv({ strictSchema: true, strictTypes: false, strictRequired: false, strictTuples: false });
    expect(() => compileCrdSchemas(schemasFromCrd(WIDGET).schemas, strictAjv)).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Realistic CRDs.

const CERTIFICATE = parse(`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: certificates.cert-manager.io
spec:
  group: cert-manager.io
  names: {kind: Certificate, listKind: CertificateList, plural: certificates, shortNames: [cert, certs], singular: certificate}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      subresources: {status: {}}
      schema:
        openAPIV3Schema:
          description: A Certificate resource should be created to ensure an up to date and signed X.509 certificate is stored in the Kubernetes Secret resource named in spec.secretName.
          type: object
          required: [spec]
          properties:
            apiVersion: {type: string}
            kind: {type: string}
            metadata: {type: object}
            spec:
              type: object
              required: [issuerRef, secretName]
              properties:
                commonName: {type: string}
                dnsNames: {type: array, items: {type: string}}
                duration: {type: string, format: duration}
                renewBefore: {type: string}
                ipAddresses: {type: array, items: {type: string}}
                isCA: {type: boolean}
                issuerRef:
                  type: object
                  required: [name]
                  properties:
                    group: {type: string}
                    kind: {type: string}
                    name: {type: string}
                privateKey:
                  type: object
                  properties:
                    algorithm: {type: string, enum: [RSA, ECDSA, Ed25519]}
                    encoding: {type: string, enum: [PKCS1, PKCS8]}
                    rotationPolicy: {type: string, enum: [Never, Always]}
                    size: {type: integer}
                revisionHistoryLimit: {type: integer, format: int32}
                secretName: {type: string}
                secretTemplate:
                  type: object
                  properties:
                    annotations: {type: object, additionalProperties: {type: string}}
                    labels: {type: object, additionalProperties: {type: string}}
                subject:
                  type: object
                  properties:
                    organizations: {type: array, items: {type: string}}
                usages:
                  type: array
                  items:
                    type: string
                    enum: [signing, digital signature, key encipherment, server auth, client auth]
            status:
              type: object
              properties:
                conditions:
                  type: array
                  x-kubernetes-list-type: map
                  x-kubernetes-list-map-keys: [type]
                  items:
                    type: object
                    required: [status, type]
                    properties:
                      status: {type: string, enum: ["True", "False", Unknown]}
                      type: {type: string}
    - name: v1alpha2
      served: false
      storage: false
      deprecated: true
      deprecationWarning: cert-manager.io/v1alpha2 Certificate is deprecated
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
`) as KubeObject;

const CERT = {
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: { name: "web-tls", namespace: "apps" },
  spec: {
    secretName: "web-tls",
    duration: "2160h",
    renewBefore: "360h",
    dnsNames: ["web.example.com"],
    issuerRef: { name: "letsencrypt", kind: "ClusterIssuer", group: "cert-manager.io" },
    privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
    usages: ["server auth", "digital signature"],
    secretTemplate: { labels: { app: "web" } },
  },
};

describe("a cert-manager-like Certificate", () => {
  const all = compiled(CERTIFICATE);
  const v1 = forVersion(all, "v1");

  it.each<{ name: string; change: (spec: Record<string, unknown>) => void; strict: Expected; lax: Expected }>([
    { name: "as written", change: () => {}, strict: "valid", lax: "valid" },
    { name: "dnsName for dnsNames", change: (spec) => (spec.dnsName = spec.dnsNames), strict: "/spec/dnsName", lax: "valid" },
    { name: "issuerRef without name", change: (spec) => (spec.issuerRef = { kind: "ClusterIssuer" }), strict: "/spec/issuerRef/name", lax: "/spec/issuerRef/name" },
    { name: "an algorithm cert-manager does not know", change: (spec) => (spec.privateKey = { algorithm: "DSA" }), strict: "/spec/privateKey/algorithm", lax: "/spec/privateKey/algorithm" },
    { name: "a usage that is no usage", change: (spec) => (spec.usages = ["server auth", "serverauth"]), strict: "/spec/usages/1", lax: "/spec/usages/1" },
    { name: "a duration in days is Scala style, which kube-openapi accepts", change: (spec) => (spec.duration = "90 days"), strict: "valid", lax: "valid" },
    { name: "a duration that is a number", change: (spec) => (spec.duration = 90), strict: "/spec/duration", lax: "/spec/duration" },
    { name: "secretTemplate labels are strings", change: (spec) => (spec.secretTemplate = { labels: { tier: 1 } }), strict: "/spec/secretTemplate/labels/tier", lax: "/spec/secretTemplate/labels/tier" },
  ])("$name", ({ change, strict, lax }) => {
    const object = structuredClone(CERT);
    change(object.spec);
    expectVerdict(v1.strict, object, strict);
    expectVerdict(v1.lax, object, lax);
  });

  it("lists the version that is not served, flagged and with its deprecation", () => {
    const { schemas } = schemasFromCrd(CERTIFICATE);
    expect(schemas.map((schema: CrdSchema) => [schema.version, schema.served, schema.storage, schema.deprecated])).toEqual([
      ["v1", true, true, undefined],
      ["v1alpha2", false, false, { warning: "cert-manager.io/v1alpha2 Certificate is deprecated" }],
    ]);
    expect(schemas[0]).toMatchObject({ group: "cert-manager.io", kind: "Certificate", scope: "Namespaced" });
  });
});

/** A Flux Kustomization-like CRD: v1, and v1beta2 with a list of free-form patches. */
function fluxKustomizationCrd(): KubeObject {
  const spec = (beta: boolean): string => `
              type: object
              required: [interval, prune, sourceRef]
              properties:
                commonMetadata:
                  type: object
                  properties:
                    annotations: {type: object, additionalProperties: {type: string}}
                    labels: {type: object, additionalProperties: {type: string}}
                components: {type: array, items: {type: string}}
                decryption:
                  type: object
                  required: [provider]
                  properties:
                    provider: {type: string, enum: [sops]}
                    secretRef: {type: object, required: [name], properties: {name: {type: string}}}
                deletionPolicy: {type: string, enum: [MirrorPrune, Delete, WaitForTermination, Orphan]}
                dependsOn:
                  type: array
                  items:
                    type: object
                    required: [name]
                    properties:
                      name: {type: string}
                      namespace: {type: string}
                      readyExpr: {type: string}
                force: {type: boolean, default: false}
                healthCheckExprs:
                  type: array
                  items:
                    type: object
                    required: [apiVersion, current, kind]
                    properties:
                      apiVersion: {type: string}
                      current: {type: string, minLength: 1}
                      failed: {type: string}
                      inProgress: {type: string}
                      kind: {type: string}
                healthChecks:
                  type: array
                  items:
                    type: object
                    required: [kind, name]
                    properties:
                      apiVersion: {type: string}
                      kind: {type: string}
                      name: {type: string}
                      namespace: {type: string}
                images:
                  type: array
                  items:
                    type: object
                    required: [name]
                    properties:
                      digest: {type: string}
                      name: {type: string}
                      newName: {type: string}
                      newTag: {type: string}
                interval: {type: string, pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$'}
                kubeConfig:
                  type: object
                  properties:
                    secretRef: {type: object, required: [name], properties: {key: {type: string}, name: {type: string}}}
                namePrefix: {type: string, maxLength: 200, minLength: 1}
                nameSuffix: {type: string, maxLength: 200, minLength: 1}
                patches:
                  type: array
                  items:
                    type: object
                    required: [patch]
                    properties:
                      patch: {type: string}
                      target:
                        type: object
                        properties:
                          annotationSelector: {type: string}
                          group: {type: string}
                          kind: {type: string}
                          labelSelector: {type: string}
                          name: {type: string}
                          namespace: {type: string}
                          version: {type: string}
${beta ? `                patchesStrategicMerge:
                  type: array
                  items: {type: object, x-kubernetes-preserve-unknown-fields: true}
` : ""}                path: {type: string}
                postBuild:
                  type: object
                  properties:
                    substitute: {type: object, additionalProperties: {type: string}}
                    substituteFrom:
                      type: array
                      items:
                        type: object
                        required: [kind, name]
                        properties:
                          kind: {type: string, enum: [Secret, ConfigMap]}
                          name: {type: string, maxLength: 253, minLength: 1, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'}
                          optional: {type: boolean, default: false}
                prune: {type: boolean}
                retryInterval: {type: string, pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$'}
                serviceAccountName: {type: string}
                sourceRef:
                  type: object
                  required: [kind, name]
                  properties:
                    apiVersion: {type: string}
                    kind: {type: string, enum: [OCIRepository, GitRepository, Bucket, ExternalArtifact]}
                    name: {type: string}
                    namespace: {type: string}
                suspend: {type: boolean}
                targetNamespace: {type: string, maxLength: 63, minLength: 1}
                timeout: {type: string, pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$'}
                wait: {type: boolean}`;
  const version = (name: string, beta: boolean): string => `
    - name: ${name}
      served: true
      storage: ${!beta}
      ${beta ? "deprecated: true" : ""}
      subresources: {status: {}}
      schema:
        openAPIV3Schema:
          type: object
          properties:
            apiVersion: {type: string}
            kind: {type: string}
            metadata: {type: object}
            spec:${spec(beta)}
            status: {type: object, x-kubernetes-preserve-unknown-fields: true}`;
  return parse(`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: kustomizations.kustomize.toolkit.fluxcd.io
spec:
  group: kustomize.toolkit.fluxcd.io
  names: {kind: Kustomization, listKind: KustomizationList, plural: kustomizations, shortNames: [ks], singular: kustomization}
  scope: Namespaced
  versions:${version("v1", false)}${version("v1beta2", true)}
`) as KubeObject;
}

const APPS = {
  apiVersion: "kustomize.toolkit.fluxcd.io/v1beta2",
  kind: "Kustomization",
  metadata: { name: "apps", namespace: "flux-system" },
  spec: {
    interval: "10m0s",
    path: "./apps/production",
    prune: true,
    sourceRef: { kind: "GitRepository", name: "flux-system" },
    postBuild: { substitute: { CLUSTER: "production", REPLICAS: "3" } },
    patchesStrategicMerge: [{ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 2 } }],
  },
};

describe("a Flux Kustomization-like CRD", () => {
  const beta = forVersion(compiled(fluxKustomizationCrd()), "v1beta2");

  it.each<{ name: string; change: (spec: Record<string, unknown>) => void; strict: Expected; lax: Expected }>([
    { name: "as written", change: () => {}, strict: "valid", lax: "valid" },
    { name: "free-form patches take anything", change: (spec) => (spec.patchesStrategicMerge = [{ any: { thing: [1] } }]), strict: "valid", lax: "valid" },
    { name: "a substitution value that YAML read as a number", change: (spec) => (spec.postBuild = { substitute: { REPLICAS: 3 } }), strict: "/spec/postBuild/substitute/REPLICAS", lax: "/spec/postBuild/substitute/REPLICAS" },
    { name: "substitude for substitute", change: (spec) => (spec.postBuild = { substitude: { A: "1" } }), strict: "/spec/postBuild/substitude", lax: "valid" },
    { name: "an interval Go cannot parse", change: (spec) => (spec.interval = "10 minutes"), strict: "/spec/interval", lax: "/spec/interval" },
    { name: "a source kind Flux does not have", change: (spec) => (spec.sourceRef = { kind: "HelmRepository", name: "x" }), strict: "/spec/sourceRef/kind", lax: "/spec/sourceRef/kind" },
    { name: "prune is required", change: (spec) => delete spec.prune, strict: "/spec/prune", lax: "/spec/prune" },
    { name: "force has a default, so null is fine", change: (spec) => (spec.force = null), strict: "valid", lax: "valid" },
  ])("$name", ({ change, strict, lax }) => {
    const object = structuredClone(APPS);
    change(object.spec);
    expectVerdict(beta.strict, object, strict);
    expectVerdict(beta.lax, object, lax);
  });
});

const GADGET_V1BETA1 = parse(`
apiVersion: apiextensions.k8s.io/v1beta1
kind: CustomResourceDefinition
metadata:
  name: gadgets.legacy.example.com
spec:
  group: legacy.example.com
  version: v1alpha1
  scope: Cluster
  names: {kind: Gadget, plural: gadgets}
  validation:
    openAPIV3Schema:
      properties:
        spec:
          required: [count]
          properties:
            count: {type: integer, minimum: 0}
            mode: {enum: [a, b]}
`) as KubeObject;

describe("an apiextensions.k8s.io/v1beta1 CRD that keeps unknown fields (its default)", () => {
  const [gadget] = compiled(GADGET_V1BETA1);
  const object = (spec: unknown, metadata: Record<string, unknown> = { name: "g" }): KubeObject => ({ apiVersion: "legacy.example.com/v1alpha1", kind: "Gadget", metadata, spec });

  it.each<{ name: string; object: KubeObject; expected: Expected }>([
    { name: "unknown fields are kept, in strict too", object: object({ count: 1, whatever: { x: 1 } }), expected: "valid" },
    { name: "types still hold", object: object({ count: -1 }), expected: "/spec/count" },
    { name: "an enum without type", object: object({ count: 1, mode: "c" }), expected: "/spec/mode" },
    { name: "no pruning, so no dropping of nulls either", object: object({ count: null }), expected: "/spec/count" },
    { name: "a cluster-scoped object's namespace is cleared, not checked", object: object({ count: 1 }, { name: "g", namespace: "Not_A_Label" }), expected: "valid" },
  ])("$name", ({ object, expected }) => {
    expectVerdict(gadget!.strict, object, expected);
    expectVerdict(gadget!.lax, object, expected);
  });

  it("reads the single version and the CRD-wide schema", () => {
    expect(schemasFromCrd(GADGET_V1BETA1).schemas.map(({ group, version, kind, scope, served, storage }) => ({ group, version, kind, scope, served, storage }))).toEqual([
      { group: "legacy.example.com", version: "v1alpha1", kind: "Gadget", scope: "Cluster", served: true, storage: true },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// CRDs the API server refuses.

function crdWithSchema(openAPIV3Schema: unknown, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "things.example.com" },
    spec: { group: "example.com", scope: "Namespaced", names: { kind: "Thing", plural: "things" }, versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema }, ...extra }] },
  };
}

const ROOT = "spec.versions[0].schema.openAPIV3Schema";
const specWith = (field: unknown): Record<string, unknown> => ({ type: "object", properties: { spec: { type: "object", properties: { field } } } });
const FIELD = `${ROOT}.properties.spec.properties.field`;

describe("schemasFromCrd: problems in CRDs the API server would refuse", () => {
  it.each<{ name: string; crd: KubeObject; message: RegExp; path?: string }>([
    { name: "a $ref", crd: crdWithSchema(specWith({ $ref: "#/definitions/x" })), message: /\$ref is not supported/, path: `${FIELD}.$ref` },
    { name: "type null", crd: crdWithSchema(specWith({ type: "null" })), message: /use nullable/, path: `${FIELD}.type` },
    { name: "a type JSON Schema does not have", crd: crdWithSchema(specWith({ type: "date" })), message: /"date" is not one of/, path: `${FIELD}.type` },
    { name: "a list of types", crd: crdWithSchema(specWith({ type: ["string", "null"] })), message: /must be a string/, path: `${FIELD}.type` },
    { name: "no type for a field (not structural)", crd: crdWithSchema(specWith({ maxLength: 3 })), message: /must not be empty for specified object fields/, path: `${FIELD}.type` },
    { name: "no type at the root", crd: crdWithSchema({ properties: { spec: { type: "object" } } }), message: /must not be empty at the root/, path: `${ROOT}.type` },
    { name: "a list without items", crd: crdWithSchema(specWith({ type: "array" })), message: /must be specified/, path: `${FIELD}.items` },
    { name: "items as a list of schemas", crd: crdWithSchema(specWith({ type: "array", items: [{ type: "string" }] })), message: /not an array/, path: `${FIELD}.items` },
    { name: "uniqueItems", crd: crdWithSchema(specWith({ type: "array", items: { type: "string" }, uniqueItems: true })), message: /quadratic/, path: `${FIELD}.uniqueItems` },
    { name: "properties and additionalProperties", crd: crdWithSchema(specWith({ type: "object", properties: { a: { type: "string" } }, additionalProperties: { type: "string" } })), message: /mutual exclusive/, path: `${FIELD}.additionalProperties` },
    { name: "additionalProperties at the root", crd: crdWithSchema({ type: "object", additionalProperties: { type: "string" } }), message: /must not be used at the root/, path: `${ROOT}.additionalProperties` },
    { name: "preserve-unknown-fields: false", crd: crdWithSchema(specWith({ type: "object", "x-kubernetes-preserve-unknown-fields": false })), message: /must be true or undefined/, path: `${FIELD}.x-kubernetes-preserve-unknown-fields` },
    { name: "a type inside anyOf", crd: crdWithSchema(specWith({ type: "string", anyOf: [{ type: "string", maxLength: 2 }, { minLength: 5 }] })), message: /must be empty to be structural/, path: `${FIELD}.anyOf[0].type` },
    { name: "a value validation naming a field the schema does not", crd: crdWithSchema({ type: "object", properties: { spec: { type: "object" } }, anyOf: [{ properties: { spec: { properties: { ghost: { maxLength: 2 } } } } }] }), message: /because it is defined in/, path: `${ROOT}.properties.spec.properties.ghost` },
    { name: "root metadata restricting more than name", crd: crdWithSchema({ type: "object", properties: { metadata: { type: "object", properties: { labels: { type: "object" } } } } }), message: /other than name and generateName/, path: `${ROOT}.properties.metadata` },
    { name: "a lookahead (RE2 has none)", crd: crdWithSchema(specWith({ type: "string", pattern: "^(?!kube-).*$" })), message: /valid regular expression/, path: `${FIELD}.pattern` },
    { name: "a backreference", crd: crdWithSchema(specWith({ type: "string", pattern: "^(a)\\1$" })), message: /backreferences/, path: `${FIELD}.pattern` },
    { name: "list-type map without keys", crd: crdWithSchema(specWith({ type: "array", "x-kubernetes-list-type": "map", items: { type: "object", properties: { name: { type: "string" } } } })), message: /must not be empty if x-kubernetes-list-type is map/, path: `${FIELD}.x-kubernetes-list-map-keys` },
    { name: "a list-map key that is no item property", crd: crdWithSchema(specWith({ type: "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["id"], items: { type: "object", properties: { name: { type: "string" } } } })), message: /names of item properties/, path: `${FIELD}.x-kubernetes-list-map-keys` },
    { name: "list-type on a string", crd: crdWithSchema(specWith({ type: "string", "x-kubernetes-list-type": "set" })), message: /must be array/, path: `${FIELD}.type` },
    { name: "an embedded resource with nothing in it", crd: crdWithSchema(specWith({ type: "object", "x-kubernetes-embedded-resource": true })), message: /must not be empty if x-kubernetes-embedded-resource/, path: `${FIELD}.properties` },
    { name: "int-or-string that also preserves unknown fields", crd: crdWithSchema(specWith({ "x-kubernetes-int-or-string": true, "x-kubernetes-preserve-unknown-fields": true })), message: /must be false if x-kubernetes-int-or-string/, path: `${FIELD}.x-kubernetes-preserve-unknown-fields` },
    { name: "a keyword of the wrong type", crd: crdWithSchema(specWith({ type: "string", maxLength: "8" })), message: /whole number/, path: `${FIELD}.maxLength` },
    { name: "a schema that is not an object", crd: crdWithSchema("type: object"), message: /must be an object/, path: ROOT },
    { name: "a v1 version without schema", crd: crdWithSchema(undefined), message: /has no schema/, path: ROOT },
    { name: "not a CRD", crd: { apiVersion: "v1", kind: "ConfigMap" }, message: /not a CustomResourceDefinition/ },
    { name: "no kind", crd: { ...crdWithSchema(specWith({ type: "string" })), spec: { group: "g", scope: "Namespaced", names: {}, versions: [] } }, message: /kind is missing/, path: "spec.names.kind" },
    { name: "a scope that is none", crd: { ...crdWithSchema(specWith({ type: "string" })), spec: { group: "g", scope: "Global", names: { kind: "K" }, versions: [] } }, message: /scope/, path: "spec.scope" },
  ])("$name", ({ crd, message, path: where }) => {
    const { schemas, problems } = schemasFromCrd(crd);
    expect(schemas).toEqual([]);
    expect(problems).toContainEqual(where === undefined ? { message: expect.stringMatching(message) } : { message: expect.stringMatching(message), path: where });
  });

  it.each<{ name: string; field: unknown }>([
    { name: "int-or-string written as anyOf", field: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] } },
    { name: "int-or-string written as allOf of anyOf", field: { "x-kubernetes-int-or-string": true, allOf: [{ anyOf: [{ type: "integer" }, { type: "string" }] }, { pattern: "^[0-9]+$" }] } },
    { name: "value validations that name known fields", field: { type: "object", properties: { a: { type: "string" }, b: { type: "string" } }, oneOf: [{ required: ["a"] }, { required: ["b"] }] } },
    { name: "a field that only preserves unknown fields, without type", field: { "x-kubernetes-preserve-unknown-fields": true } },
    { name: "an RE2 pattern with a POSIX class and \\z", field: { type: "string", pattern: "^[[:alnum:]]+\\z" } },
  ])("no problem: $name", ({ field }) => {
    const { schemas, problems } = schemasFromCrd(crdWithSchema(specWith(field)));
    expect(problems).toEqual([]);
    expect(schemas).toHaveLength(1);
  });

  it("a refused version costs only its own schema", () => {
    const crd = crdWithSchema(specWith({ type: "string" }));
    const spec = crd.spec as { versions: unknown[] };
    spec.versions.push({ name: "v2", served: true, storage: false, schema: { openAPIV3Schema: specWith({ $ref: "#/x" }) } });
    const { schemas, problems } = schemasFromCrd(crd);
    expect(schemas.map((schema) => schema.version)).toEqual(["v1"]);
    expect(problems.map((problem) => problem.path)).toContain("spec.versions[1].schema.openAPIV3Schema.properties.spec.properties.field.$ref");
    expect(problems.every((problem) => problem.path?.startsWith("spec.versions[1]."))).toBe(true);
  });

  it.each<{ name: string; crd: unknown }>([
    { name: "versions that are not a list", crd: { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", spec: { group: "g", scope: "Cluster", names: { kind: "K" }, versions: "v1" } } },
    { name: "schemas of the wrong shapes everywhere", crd: crdWithSchema({ type: "object", properties: { a: 5, b: { type: "object", properties: [1], required: "b", allOf: {} }, c: { type: "array", items: "x" } } }) },
    { name: "a spec that is a number", crd: { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", spec: 42 } },
  ])("never throws: $name", ({ crd }) => {
    const result = schemasFromCrd(crd as KubeObject);
    expect(result.schemas).toEqual([]);
    expect(result.problems.length).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Formats and patterns, one value at a time.

describe("formats the API server validates", () => {
  it.each<{ format: string; value: string; valid: boolean }>([
    { format: "date-time", value: "2024-05-01T12:30:00Z", valid: true },
    { format: "datetime", value: "2024-05-01t12:30:00.123z", valid: true },
    { format: "date-time", value: "2024-05-01 12:30:00Z", valid: false },
    { format: "date-time", value: "2024-05-01T24:00:00Z", valid: false },
    { format: "date-time", value: "2024-05-01T12:30:00", valid: false },
    { format: "date", value: "2000-02-29", valid: true },
    { format: "date", value: "1900-02-29", valid: false },
    { format: "duration", value: "1.5h", valid: true },
    { format: "duration", value: "-300ms", valid: true },
    { format: "duration", value: "2 weeks", valid: true },
    { format: "duration", value: "1y", valid: false },
    { format: "duration", value: "", valid: false },
    { format: "quantity", value: "500m", valid: true },
    { format: "quantity", value: "1e3", valid: true },
    { format: "quantity", value: "2Ki", valid: true },
    { format: "quantity", value: "2KiB", valid: false },
    { format: "quantity", value: "", valid: false },
    { format: "byte", value: "", valid: false },
    { format: "uuid", value: "6F9619FF-8B86-D011-B42D-00C04FC964FF", valid: true },
    { format: "uuid4", value: "6f9619ff-8b86-4011-b42d-00c04fc964ff", valid: true },
    { format: "uuid4", value: "6f9619ff-8b86-d011-b42d-00c04fc964ff", valid: false },
    { format: "k8s-short-name", value: "web-1", valid: true },
    { format: "k8s-short-name", value: "Web", valid: false },
    { format: "k8s-long-name", value: "a.b-c.d", valid: true },
    { format: "ipv4", value: "10.0.0.1", valid: true },
    { format: "ipv4", value: "10.0.0.01", valid: false },
    { format: "ipv6", value: "fd00::1", valid: true },
    { format: "ipv6", value: "10.0.0.1", valid: false },
    { format: "cidr", value: "10.0.0.0/8", valid: true },
    { format: "cidr", value: "10.0.0.0/33", valid: false },
    { format: "mac", value: "00:1a:2B:3c:4d:5e", valid: true },
    { format: "mac", value: "00:1a-2B:3c:4d:5e", valid: false },
    { format: "hostname", value: "web.example.com", valid: true },
    { format: "hostname", value: "-web.example.com", valid: false },
    { format: "hexcolor", value: "#ffF", valid: true },
    { format: "email", value: "not an email", valid: true },
  ])("$format: $value is valid: $valid", ({ format, value, valid }) => {
    const [schema] = compiled(crdWithSchema(specWith({ type: "string", format })));
    const object = { apiVersion: "example.com/v1", kind: "Thing", metadata: { name: "t" }, spec: { field: value } };
    expect(verdict(schema!.strict, object)).toEqual(valid ? true : ["/spec/field"]);
  });
});

describe("goPattern: RE2 for JavaScript", () => {
  it.each<{ pattern: string; expected: "invalid" | "unsupported" | { matches: string[]; rejects: string[] } }>([
    { pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", expected: { matches: ["web-1"], rejects: ["-web", "Web"] } },
    { pattern: "^[a-z\\-\\.]+$", expected: { matches: ["a-b.c"], rejects: ["a_b"] } },
    { pattern: "^\\#\\:\\@$", expected: { matches: ["#:@"], rejects: ["#:"] } },
    { pattern: "^[[:digit:][:upper:]]+$", expected: { matches: ["A1"], rejects: ["a1"] } },
    { pattern: "^\\pL+$", expected: { matches: ["héllo"], rejects: ["h3llo"] } },
    { pattern: "\\Aabc\\z", expected: { matches: ["abc"], rejects: ["abcd"] } },
    { pattern: "^(?P<major>\\d+)\\.(?<minor>\\d+)$", expected: { matches: ["1.2"], rejects: ["1.x"] } },
    { pattern: "^a{,2}$", expected: { matches: ["a{,2}"], rejects: ["aa"] } },
    { pattern: "^[]a]+$", expected: { matches: ["]a"], rejects: ["b"] } },
    { pattern: "^\\Q1.5*\\E$", expected: { matches: ["1.5*"], rejects: ["105"] } },
    { pattern: "^\\x41\\x{263a}\\101$", expected: { matches: ["A☺A"], rejects: ["AAA"] } },
    { pattern: "(?i)^abc$", expected: "unsupported" },
    { pattern: "a(?=b)", expected: "invalid" },
    { pattern: "a(?<!b)", expected: "invalid" },
    { pattern: "(a)\\1", expected: "invalid" },
    { pattern: "\\e", expected: "invalid" },
    { pattern: "[a-z", expected: "invalid" },
  ])("$pattern", ({ pattern, expected }) => {
    const result = goPattern(pattern);
    if (typeof expected === "string") {
      expect(Object.keys(result)).toEqual([expected]);
      return;
    }
    expect(result).toHaveProperty("source");
    const regex = new RegExp((result as { source: string }).source, "u");
    for (const text of expected.matches) expect(regex.test(text), text).toBe(true);
    for (const text of expected.rejects) expect(regex.test(text), text).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Real material beside the project: CRDs and their objects from the Kyverno CLI suites, and the Flux
// Kustomizations of the corpus repositories (the corpus holds no CRD of its own).

function yamlFiles(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: "utf8" })
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => path.join(directory, name));
}

function documents(file: string): KubeObject[] {
  try {
    return parseYaml(readFileSync(file, "utf8"), file)
      .documents.map((document) => document.value)
      .filter((value): value is KubeObject => typeof value === "object" && value !== null && !Array.isArray(value));
  } catch {
    return []; // templates and files that are not plain YAML
  }
}

const KYVERNO = path.join(SHARED, "conformance", "kyverno-cli");
const CORPUS = path.join(SHARED, "corpus");

describe.skipIf(!existsSync(KYVERNO))("real CRDs of ../shared/conformance/kyverno-cli and their objects (skipped: ../shared is absent)", () => {
  const files = existsSync(KYVERNO) ? yamlFiles(KYVERNO) : [];
  const crds = files.filter((file) => file.split(path.sep).includes("crds")).flatMap(documents).filter((doc) => doc.kind === "CustomResourceDefinition");
  const schemas = new Map<string, CompiledCrdSchema>();
  for (const crd of crds) for (const item of compiled(crd)) schemas.set(`${item.schema.group}/${item.schema.version}/${item.schema.kind}`, item);
  const objects = files.flatMap(documents).filter((doc) => schemas.has(`${doc.apiVersion}/${doc.kind}`));

  it("reads every CRD without problems, and finds their objects", () => {
    expect(crds.length).toBeGreaterThanOrEqual(3);
    expect([...schemas.keys()]).toEqual(expect.arrayContaining(["cloud.google.com/v1/ComputeClass", "example.com/v1/Widget"]));
    expect(objects.length).toBeGreaterThanOrEqual(4);
  });

  it("every object is valid in strict mode", () => {
    const failures = objects.flatMap((object) => {
      const result = verdict(schemas.get(`${object.apiVersion}/${object.kind}`)!.strict, object);
      return result === true ? [] : [{ name: (object.metadata as { name: string }).name, result }];
    });
    expect(failures).toEqual([]);
  });

  it("a misspelt field of a real object is refused strict and kept lax", () => {
    const computeClass = structuredClone(objects.find((object) => object.kind === "ComputeClass")!);
    (computeClass.spec as { priorities: Array<Record<string, unknown>> }).priorities[0] = { spott: true };
    const schema = schemas.get("cloud.google.com/v1/ComputeClass")!;
    expect(verdict(schema.strict, computeClass)).toEqual(["/spec/priorities/0/spott"]);
    expect(verdict(schema.lax, computeClass)).toBe(true);
  });
});

/** Files a kustomization.yaml applies as patches: partial objects, complete only once merged. */
function patchFiles(files: string[]): Set<string> {
  const patches = new Set<string>();
  for (const file of files.filter((name) => path.basename(name) === "kustomization.yaml")) {
    for (const kustomization of documents(file)) {
      const written = [...(Array.isArray(kustomization.patches) ? kustomization.patches : []), ...(Array.isArray(kustomization.patchesStrategicMerge) ? kustomization.patchesStrategicMerge : [])];
      for (const patch of written) {
        const relative = typeof patch === "string" ? patch : (patch as { path?: unknown }).path;
        if (typeof relative === "string") patches.add(path.resolve(path.dirname(file), relative));
      }
    }
  }
  return patches;
}

describe.skipIf(!existsSync(CORPUS))("Flux Kustomizations of ../shared/corpus against the Flux-like CRD (skipped: ../shared is absent)", () => {
  const all = compiled(fluxKustomizationCrd());
  const files = existsSync(CORPUS) ? yamlFiles(CORPUS) : [];
  const patches = patchFiles(files);
  const kustomizations = files
    .filter((file) => !patches.has(path.resolve(file)))
    .flatMap(documents)
    .filter((doc) => doc.kind === "Kustomization" && String(doc.apiVersion).startsWith("kustomize.toolkit.fluxcd.io/"));

  it("every Kustomization is valid in strict mode", () => {
    expect(kustomizations.length).toBeGreaterThanOrEqual(50);
    const failures = kustomizations.flatMap((object) => {
      const schema = forVersion(all, String(object.apiVersion).split("/")[1]!);
      const result = verdict(schema.strict, object);
      return result === true ? [] : [{ name: (object.metadata as { name: string }).name, result }];
    });
    expect(failures).toEqual([]);
  });

  it("the same Kustomization with a misspelt field is refused", () => {
    const object = structuredClone(kustomizations.find((doc) => doc.apiVersion === "kustomize.toolkit.fluxcd.io/v1")!);
    (object.spec as Record<string, unknown>).intervall = "5m";
    expect(verdict(forVersion(all, "v1").strict, object)).toEqual(["/spec/intervall"]);
  });
});
