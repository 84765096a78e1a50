// The embedded schemas of the built-in kinds (generated at build time from kubernetes-models and client-node's
// model metadata): what they must say about well-known fields, and that every kind compiles, strict and lax.
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import generated from "../../schemas/kubernetes/definitions.json" with { type: "json" };
import { addBuiltinSchemas, builtinDefinition, builtinRef, BUILTIN_KUBERNETES_VERSION, embeddedCrdDefinition } from "../../src/schema/builtin.ts";
import { addCrdVocabulary } from "../../src/schema/crd.ts";

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; items?: Schema; additionalProperties?: Schema; required?: string[] };
const definitions = (generated as unknown as { definitions: Record<string, Schema> }).definitions;

/** Follows properties (and items of arrays, values of maps, $refs) from a definition. */
function fieldOf(definition: string, path: string[]): Schema {
  let schema: Schema = definitions[definition]!;
  for (const step of path) {
    while (typeof schema.$ref === "string") schema = definitions[(schema.$ref as string).split("/").pop()!]!;
    if (step === "[]") schema = schema.items!;
    else if (step === "{}") schema = schema.additionalProperties!;
    else schema = schema.properties![step]!;
    expect(schema, `${definition}.${path.join(".")}`).toBeDefined();
  }
  while (typeof schema.$ref === "string") schema = definitions[(schema.$ref as string).split("/").pop()!]!;
  return schema;
}

describe("embedded schemas: well-known fields", () => {
  it.each([
    { name: "replicas is an int32", definition: "IoK8sApiAppsV1DeploymentSpec", path: ["replicas"], expected: { type: "integer", format: "int32" } },
    { name: "imagePullPolicy is an enum", definition: "IoK8sApiCoreV1Container", path: ["imagePullPolicy"], expected: { type: "string", enum: ["Always", "IfNotPresent", "Never"] } },
    { name: "Service type is an enum", definition: "IoK8sApiCoreV1ServiceSpec", path: ["type"], expected: { type: "string", enum: ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"] } },
    { name: "targetPort is int-or-string", definition: "IoK8sApiCoreV1ServicePort", path: ["targetPort"], expected: { type: ["string", "integer"], format: "int-or-string" } },
    { name: "resource limits are quantities", definition: "IoK8sApiCoreV1ResourceRequirements", path: ["limits", "{}"], expected: { type: ["string", "number"], format: "quantity" } },
    { name: "Secret data is base64", definition: "IoK8sApiCoreV1Secret", path: ["data", "{}"], expected: { type: "string", format: "byte" } },
    { name: "creationTimestamp is a date-time", definition: "IoK8sApimachineryPkgApisMetaV1ObjectMeta", path: ["creationTimestamp"], expected: { type: "string", format: "date-time" } },
    { name: "activeDeadlineSeconds is an int64", definition: "IoK8sApiCoreV1PodSpec", path: ["activeDeadlineSeconds"], expected: { type: "integer", format: "int64" } },
    { name: "an interface's bases are flattened in (Gateway API CommonRouteSpec)", definition: "IoK8sSigsGatewayApiApisV1HTTPRouteSpec", path: ["parentRefs", "[]", "name"], expected: { type: "string" } },
    { name: "a CRD's enum values are any JSON", definition: "IoK8sApiextensionsApiserverPkgApisApiextensionsV1JSONSchemaProps", path: ["enum", "[]"], expected: {} },
  ])("$name", ({ definition, path, expected }) => {
    expect(fieldOf(definition, path)).toEqual(expected);
  });

  it.each([
    { definition: "IoK8sApiCoreV1PodSpec", required: ["containers"] },
    { definition: "IoK8sApiAppsV1DeploymentSpec", required: ["selector", "template"] },
    { definition: "IoK8sApiCoreV1Container", required: ["name"] },
    { definition: "IoK8sApiCoreV1ContainerPort", required: ["containerPort"] },
  ])("$definition requires $required", ({ definition, required }) => {
    expect(definitions[definition]!.required).toEqual(required);
  });

  it("maps apiVersion and kind to definitions, old APIs included", () => {
    expect(builtinDefinition("apps/v1", "Deployment")).toBe("IoK8sApiAppsV1Deployment");
    expect(builtinDefinition("v1", "ConfigMap")).toBe("IoK8sApiCoreV1ConfigMap");
    expect(builtinDefinition("extensions/v1beta1", "Ingress")).toBe("IoK8sApiExtensionsV1beta1Ingress");
    expect(builtinDefinition("apps/v1", "Deploymnet")).toBeUndefined();
    expect(builtinDefinition("example.com/v1", "Widget")).toBeUndefined();
    expect(BUILTIN_KUBERNETES_VERSION).toBe("1.36");
    // well-known CRDs are served by the opt-in location embedded-crds only
    expect(builtinDefinition("helm.toolkit.fluxcd.io/v2", "HelmRelease")).toBeUndefined();
    expect(embeddedCrdDefinition("helm.toolkit.fluxcd.io/v2", "HelmRelease")).toMatchObject({ definition: "ComGithubFluxcdHelmControllerApiV2HelmRelease", source: expect.stringMatching(/^@kubernetes-models\/flux-cd /) });
    expect(embeddedCrdDefinition("apps/v1", "Deployment")).toBeUndefined();
  });
});

describe("embedded schemas: every kind compiles, strict and lax", () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addCrdVocabulary(ajv);
  addBuiltinSchemas(ajv);
  const kinds = Object.entries((generated as unknown as { kinds: Record<string, string> }).kinds);
  it(`${kinds.length} kinds`, () => {
    expect(kinds.length).toBeGreaterThan(400);
    for (const [, definition] of kinds) {
      expect(() => ajv.compile(builtinRef(definition, true)), definition).not.toThrow();
      expect(() => ajv.compile(builtinRef(definition, false)), definition).not.toThrow();
    }
  });

  it("strict refuses an unknown field where lax accepts it; int32 bounds hold", () => {
    const strict = ajv.compile(builtinRef("IoK8sApiCoreV1ServicePort", true));
    const lax = ajv.compile(builtinRef("IoK8sApiCoreV1ServicePort", false));
    expect(strict({ port: 80, prot: "TCP" })).toBe(false);
    expect(lax({ port: 80, prot: "TCP" })).toBe(true);
    expect(lax({ port: 2 ** 31 })).toBe(false);
    expect(lax({ port: 80, targetPort: "http" })).toBe(true);
    expect(lax({ port: 80, targetPort: 8.5 })).toBe(false);
  });
});
