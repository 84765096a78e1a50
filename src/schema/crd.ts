// CustomResourceDefinitions to JSON Schemas that accept and reject custom resources as the API server does.
//
// The API server (k8s.io/apiextensions-apiserver with k8s.io/kube-openapi) does more than validate a custom resource
// against the CRD's OpenAPI schema: it first prunes unknown fields (strict field validation reports them instead),
// drops nulls of fields that are neither nullable nor defaulted, applies defaults, and checks the object's metadata
// and embedded resources by rules of its own. The schemas made here encode those steps too, for ajv (draft-07).
import { isIP } from "node:net";
import type { Ajv, ErrorObject, SchemaValidateFunction, ValidateFunction } from "ajv";
import type { KubeObject } from "../model.ts";
import { list, nonEmptyString, record } from "../util/values.ts";

/** The schemas for the custom resources of one version of a CRD. */
export interface CrdSchema {
  group: string;
  version: string;
  kind: string;
  /** "Namespaced" | "Cluster" */
  scope: string;
  /** strict: unknown fields rejected (structural schema, no preserve-unknown-fields above them) */
  strict: JsonSchema;
  lax: JsonSchema;
  /** A version that is not served is listed too, so a caller can say so rather than "no schema": the API server refuses its objects. */
  served: boolean;
  storage: boolean;
  deprecated?: { warning?: string };
}

export type JsonSchema = Record<string, unknown>;

export interface CrdProblem {
  message: string;
  /** dotted path inside the CRD, e.g. "spec.versions[1].schema.openAPIV3Schema.properties.spec" */
  path?: string;
}

/**
 * The JSON Schemas of a CRD's custom resources, one entry per version, and what the API server would refuse in the
 * CRD itself. A version whose schema the API server would refuse gets a problem and no entry (the cluster would never
 * hold the CRD, so any verdict on its objects would be made up); other versions are unaffected. Never throws.
 *
 * What the schemas check, as the API server does:
 * - apiVersion and kind of this version; metadata as ObjectMeta (name a DNS subdomain, namespace a DNS label for
 *   namespaced kinds, label and annotation keys and values, name or generateName present); `strict` also refuses
 *   metadata fields ObjectMeta does not have.
 * - every keyword of the OpenAPI schema: types, `nullable`, enum, required, patterns (RE2 written for JavaScript),
 *   lengths, bounds (OpenAPI's boolean exclusiveMinimum/Maximum), multipleOf, item and property counts, allOf /
 *   anyOf / oneOf / not, `x-kubernetes-int-or-string`, `x-kubernetes-embedded-resource` (apiVersion and kind
 *   required, metadata checked), `x-kubernetes-list-type` set (unique items) and map (unique keys, through the
 *   `listMapKeys` keyword), and the formats the API server validates that `addCrdVocabulary` implements.
 * - what happens before validation: a field with a default is never missing; a null in a field that is neither
 *   nullable nor defaulted is dropped (so it passes unless the field is required); `strict` refuses every field the
 *   API server would prune (an object schema without properties keeps nothing, `additionalProperties: true` keeps
 *   keys but empties their objects, `x-kubernetes-preserve-unknown-fields` keeps the unknown fields of its own level).
 *
 * A CRD that does not prune (v1beta1 unless `preserveUnknownFields: false`) keeps every field: its `strict` is its
 * `lax`. `format: int-or-string` is no format the API server knows (it strips it): `type: string` beside it still
 * refuses integers there, and here.
 *
 * Not checked here: `x-kubernetes-validations` (CEL rules are left out, not evaluated), formats outside
 * `addCrdVocabulary`, patterns JavaScript cannot run as RE2 does (flags like `(?i)`: the pattern is left out), the
 * status of a version with the status subresource (the API server drops it on create and update), the total size of
 * annotations, and defaults that are themselves invalid. The schemas need `addCrdVocabulary` on the ajv instance.
 */
export function schemasFromCrd(crd: KubeObject): { schemas: CrdSchema[]; problems: CrdProblem[] } {
  const problems: CrdProblem[] = [];
  try {
    return { schemas: readCrd(crd, problems), problems };
  } catch (error) {
    problems.push({ message: `could not read the CustomResourceDefinition: ${(error as Error).message}` });
    return { schemas: [], problems };
  }
}

export interface CompiledCrdSchema {
  schema: CrdSchema;
  strict: ValidateFunction;
  lax: ValidateFunction;
}

/** Compiles each schema's two variants on an ajv instance, after adding the formats and keyword they use. */
export function compileCrdSchemas(schemas: CrdSchema[], ajv: Ajv): CompiledCrdSchema[] {
  addCrdVocabulary(ajv);
  return schemas.map((schema) => ({ schema, strict: ajv.compile(schema.strict), lax: ajv.compile(schema.lax) }));
}

const V1 = "apiextensions.k8s.io/v1";
const V1BETA1 = "apiextensions.k8s.io/v1beta1";

interface VersionSource {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: { warning?: string };
  schema: unknown;
  schemaPath: string;
  statusSubresource: boolean;
}

function readCrd(crd: KubeObject, problems: CrdProblem[]): CrdSchema[] {
  if (crd.kind !== "CustomResourceDefinition" || (crd.apiVersion !== V1 && crd.apiVersion !== V1BETA1)) {
    problems.push({ message: `not a CustomResourceDefinition of ${V1} or ${V1BETA1}` });
    return [];
  }
  const v1 = crd.apiVersion === V1;
  const spec = record(crd.spec);
  const group = nonEmptyString(spec.group);
  const kind = nonEmptyString(record(spec.names).kind);
  const scope = spec.scope;
  if (!group) problems.push({ message: "the group is missing", path: "spec.group" });
  if (!kind) problems.push({ message: "the kind is missing", path: "spec.names.kind" });
  if (scope !== "Namespaced" && scope !== "Cluster") problems.push({ message: 'the scope must be "Namespaced" or "Cluster"', path: "spec.scope" });
  if (!group || !kind || (scope !== "Namespaced" && scope !== "Cluster")) return [];

  // v1beta1 kept unknown fields unless told otherwise; v1 prunes (its preserveUnknownFields exists only for old CRDs)
  const prunes = v1 ? spec.preserveUnknownFields !== true : spec.preserveUnknownFields === false;
  const schemas: CrdSchema[] = [];
  for (const source of versionSources(spec, v1, problems)) {
    const found: CrdProblem[] = [];
    if (source.schema === undefined) {
      if (v1 || prunes) {
        problems.push({ message: `version ${source.name} has no schema: the API server requires one`, path: source.schemaPath });
        continue;
      }
    } else {
      checkSchema(source.schema, source.schemaPath, "root", { structural: prunes, nested: false, resourceMeta: false }, found);
    }
    problems.push(...found);
    if (found.length > 0) continue;
    const root = source.schema === undefined ? { type: "object", "x-kubernetes-preserve-unknown-fields": true } : record(source.schema);
    const target = { group, version: source.name, kind, namespaced: scope === "Namespaced", statusSubresource: source.statusSubresource };
    schemas.push({
      group,
      version: source.name,
      kind,
      scope,
      strict: resourceSchema(root, target, { strict: prunes, prunes }),
      lax: resourceSchema(root, target, { strict: false, prunes }),
      served: source.served,
      storage: source.storage,
      ...(source.deprecated ? { deprecated: source.deprecated } : {}),
    });
  }
  return schemas;
}

/** The versions with their schemas; v1beta1's single `spec.version` and CRD-wide `spec.validation` included. */
function versionSources(spec: Record<string, unknown>, v1: boolean, problems: CrdProblem[]): VersionSource[] {
  const sharedSchema = v1 ? undefined : record(spec.validation).openAPIV3Schema;
  const sharedStatus = !v1 && record(spec.subresources).status !== undefined;
  const written = list(spec.versions);
  if (written.length === 0 && !v1 && nonEmptyString(spec.version)) {
    return [{ name: spec.version as string, served: true, storage: true, schema: sharedSchema, schemaPath: "spec.validation.openAPIV3Schema", statusSubresource: sharedStatus }];
  }
  if (written.length === 0) problems.push({ message: "the CRD lists no versions", path: "spec.versions" });
  const sources: VersionSource[] = [];
  written.forEach((item, index) => {
    const version = record(item);
    const name = nonEmptyString(version.name);
    if (!name) {
      problems.push({ message: "a version needs a name", path: `spec.versions[${index}].name` });
      return;
    }
    const own = record(version.schema).openAPIV3Schema;
    const status = version.subresources === undefined ? sharedStatus : record(version.subresources).status !== undefined;
    sources.push({
      name,
      served: version.served === true,
      storage: version.storage === true,
      ...(version.deprecated === true ? { deprecated: typeof version.deprecationWarning === "string" ? { warning: version.deprecationWarning } : {} } : {}),
      schema: own ?? sharedSchema,
      schemaPath: own === undefined && sharedSchema !== undefined ? "spec.validation.openAPIV3Schema" : `spec.versions[${index}].schema.openAPIV3Schema`,
      statusSubresource: status,
    });
  });
  return sources;
}

// ---------------------------------------------------------------------------------------------------------------
// What the API server refuses in a schema (apiextensions validation.go, and schema/validation.go for structural
// schemas). Only rules it is certain to apply are here: a problem costs the version its schemas.

type Level = "root" | "field" | "item";

interface CheckContext {
  /** Structural rules apply (v1, and v1beta1 CRDs that prune). */
  structural: boolean;
  /** Inside allOf / anyOf / oneOf / not: value validations only. */
  nested: boolean;
  /** Inside the metadata of the resource or of an embedded resource. */
  resourceMeta: boolean;
}

const OPENAPI_TYPES = new Set(["string", "number", "integer", "boolean", "array", "object"]);
const UNSUPPORTED = ["id", "additionalItems", "patternProperties", "definitions", "dependencies"];
const NUMBER_KEYWORDS = ["maximum", "minimum", "multipleOf"];
const COUNT_KEYWORDS = ["maxLength", "minLength", "maxItems", "minItems", "maxProperties", "minProperties"];
const BOOLEAN_KEYWORDS = ["exclusiveMaximum", "exclusiveMinimum", "uniqueItems", "nullable", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource", "x-kubernetes-int-or-string"];
/** What a value validation (inside allOf and the like) must not say, to keep the schema structural. */
const NOT_IN_NESTED = ["type", "additionalProperties", "default", "title", "description", "nullable", "externalDocs", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource", "x-kubernetes-int-or-string", "x-kubernetes-list-map-keys", "x-kubernetes-list-type", "x-kubernetes-map-type", "x-kubernetes-validations"];

function checkSchema(node: unknown, path: string, level: Level, context: CheckContext, problems: CrdProblem[], skipAnyOf = false): void {
  const problem = (message: string, at = path): void => void problems.push({ message, path: at });
  if (!isObject(node)) {
    problem("must be an object (a schema)");
    return;
  }
  const s = node;
  if (s.$ref !== undefined) problem("$ref is not supported", `${path}.$ref`);
  for (const key of UNSUPPORTED) if (s[key] !== undefined) problem(`${key} is not supported`, `${path}.${key}`);
  checkKeywordTypes(s, path, problem);
  if (s.type !== undefined) {
    if (typeof s.type !== "string") problem("must be a string", `${path}.type`);
    else if (s.type === "null") problem("type cannot be set to null, use nullable as an alternative", `${path}.type`);
    else if (!OPENAPI_TYPES.has(s.type)) problem(`"${s.type}" is not one of ${[...OPENAPI_TYPES].join(", ")}`, `${path}.type`);
  }
  if (s.uniqueItems === true) problem("uniqueItems cannot be set to true since the runtime complexity becomes quadratic", `${path}.uniqueItems`);
  if (s["x-kubernetes-preserve-unknown-fields"] === false) problem("must be true or undefined", `${path}.x-kubernetes-preserve-unknown-fields`);
  if (typeof s.pattern === "string") {
    const translated = goPattern(s.pattern);
    if ("invalid" in translated) problem(`must be a valid regular expression, but isn't: ${translated.invalid}`, `${path}.pattern`);
  }
  const properties = s.properties === undefined ? {} : s.properties;
  if (!isObject(properties)) problem("must be an object", `${path}.properties`);
  const props = isObject(properties) ? properties : {};
  if (s.additionalProperties !== undefined && Object.keys(props).length > 0 && (s.additionalProperties === false || isObject(s.additionalProperties))) {
    problem("additionalProperties and properties are mutual exclusive", `${path}.additionalProperties`);
  }
  if (Array.isArray(s.items)) problem("items must be a schema object and not an array", `${path}.items`);
  checkListAndMapTypes(s, path, problem);

  const rootLike = !context.nested && (level === "root" || s["x-kubernetes-embedded-resource"] === true);
  for (const [key, child] of Object.entries(props)) {
    const meta = rootLike && (key === "metadata" || key === "kind" || key === "apiVersion");
    checkSchema(child, `${path}.properties${pathKey(key)}`, "field", { ...context, resourceMeta: context.resourceMeta || meta }, problems);
  }
  if (isObject(s.additionalProperties) || typeof s.additionalProperties === "boolean") {
    if (isObject(s.additionalProperties)) checkSchema(s.additionalProperties, `${path}.additionalProperties`, "field", context, problems);
  } else if (s.additionalProperties !== undefined) problem("must be an object or a boolean", `${path}.additionalProperties`);
  if (isObject(s.items)) checkSchema(s.items, `${path}.items`, "item", context, problems);
  for (const junctor of ["allOf", "anyOf", "oneOf"] as const) {
    if (s[junctor] === undefined) continue;
    if (!Array.isArray(s[junctor])) {
      problem("must be a list", `${path}.${junctor}`);
      continue;
    }
    // anyOf: [{type: integer}, {type: string}], alone or first in allOf, is how int-or-string is written
    if (junctor === "anyOf" && (skipAnyOf || isIntOrStringPair(s.anyOf))) continue;
    (s[junctor] as unknown[]).forEach((child, index) => {
      const skip = junctor === "allOf" && index === 0 && isIntOrStringPair(record(child).anyOf);
      checkSchema(child, `${path}.${junctor}[${index}]`, level, { ...context, nested: true }, problems, skip);
    });
  }
  if (s.not !== undefined) checkSchema(s.not, `${path}.not`, level, { ...context, nested: true }, problems);
  if (context.resourceMeta && s["x-kubernetes-embedded-resource"] === true) problem("must not be used inside of resource meta", `${path}.x-kubernetes-embedded-resource`);

  if (context.structural) {
    if (context.nested) checkNested(s, path, problem);
    else checkStructural(s, path, level, problem);
  }
}

function checkKeywordTypes(s: Record<string, unknown>, path: string, problem: (message: string, at?: string) => void): void {
  for (const key of NUMBER_KEYWORDS) if (s[key] !== undefined && typeof s[key] !== "number") problem("must be a number", `${path}.${key}`);
  for (const key of COUNT_KEYWORDS) if (s[key] !== undefined && !(Number.isInteger(s[key]) && (s[key] as number) >= 0)) problem("must be a whole number", `${path}.${key}`);
  for (const key of BOOLEAN_KEYWORDS) if (s[key] !== undefined && typeof s[key] !== "boolean") problem("must be a boolean", `${path}.${key}`);
  if (s.pattern !== undefined && typeof s.pattern !== "string") problem("must be a string", `${path}.pattern`);
  if (s.format !== undefined && typeof s.format !== "string") problem("must be a string", `${path}.format`);
  if (s.enum !== undefined && !Array.isArray(s.enum)) problem("must be a list", `${path}.enum`);
  if (s.required !== undefined && !(Array.isArray(s.required) && s.required.every((item) => typeof item === "string"))) problem("must be a list of strings", `${path}.required`);
}

function checkListAndMapTypes(s: Record<string, unknown>, path: string, problem: (message: string, at?: string) => void): void {
  const listType = s["x-kubernetes-list-type"];
  const keys = s["x-kubernetes-list-map-keys"];
  if (listType !== undefined) {
    if (listType !== "atomic" && listType !== "set" && listType !== "map") problem('must be "atomic", "set" or "map"', `${path}.x-kubernetes-list-type`);
    if (s.type !== "array") problem("must be array if x-kubernetes-list-type is specified", `${path}.type`);
  }
  if (keys !== undefined && !(Array.isArray(keys) && keys.every((key) => typeof key === "string"))) problem("must be a list of strings", `${path}.x-kubernetes-list-map-keys`);
  const keyList = Array.isArray(keys) ? (keys as unknown[]).filter((key): key is string => typeof key === "string") : [];
  if (keyList.length > 0 && listType !== "map") problem("must be map if x-kubernetes-list-map-keys is non-empty", `${path}.x-kubernetes-list-type`);
  if (listType === "map") {
    const items = isObject(s.items) ? s.items : undefined;
    if (keyList.length === 0) problem("must not be empty if x-kubernetes-list-type is map", `${path}.x-kubernetes-list-map-keys`);
    if (!items) problem("must have a schema if x-kubernetes-list-type is map", `${path}.items`);
    else if (items.type !== "object") problem("must be object if parent array's x-kubernetes-list-type is map", `${path}.items.type`);
    else {
      const itemProperties = isObject(items.properties) ? items.properties : {};
      for (const key of keyList) {
        const keySchema = itemProperties[key];
        if (!isObject(keySchema)) problem("entries must all be names of item properties", `${path}.x-kubernetes-list-map-keys`);
        else if (keySchema.type === "array" || keySchema.type === "object") problem("must be a scalar type if parent array's x-kubernetes-list-type is map", `${path}.items.properties${pathKey(key)}.type`);
      }
      if (new Set(keyList).size !== keyList.length) problem("must not contain duplicate entries", `${path}.x-kubernetes-list-map-keys`);
    }
  }
  const mapType = s["x-kubernetes-map-type"];
  if (mapType !== undefined) {
    if (mapType !== "atomic" && mapType !== "granular") problem('must be "atomic" or "granular"', `${path}.x-kubernetes-map-type`);
    if (s.type !== "object") problem("must be object if x-kubernetes-map-type is specified", `${path}.type`);
  }
}

/** The structural-schema rules for a node outside value validations. */
function checkStructural(s: Record<string, unknown>, path: string, level: Level, problem: (message: string, at?: string) => void): void {
  const intOrString = s["x-kubernetes-int-or-string"] === true;
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  const embedded = s["x-kubernetes-embedded-resource"] === true;
  const props = isObject(s.properties) ? s.properties : {};
  if (s.type === "array" && s.items === undefined) problem("must be specified", `${path}.items`);
  if (s.additionalProperties !== undefined && level === "root") problem("must not be used at the root", `${path}.additionalProperties`);
  if (intOrString && preserve) problem("must be false if x-kubernetes-int-or-string is true", `${path}.x-kubernetes-preserve-unknown-fields`);
  if (intOrString && embedded) problem("must be false if x-kubernetes-int-or-string is true", `${path}.x-kubernetes-embedded-resource`);
  if (embedded && s.type !== "object") problem("must be object if x-kubernetes-embedded-resource is true", `${path}.type`);
  else if (s.type === undefined && !intOrString && !preserve) {
    const where = { root: "at the root", item: "for specified array items", field: "for specified object fields" }[level];
    problem(`must not be empty ${where}`, `${path}.type`);
  }
  if (embedded && s.additionalProperties !== undefined) problem("must not be used if x-kubernetes-embedded-resource is set", `${path}.additionalProperties`);
  if (level === "root" && s.type !== undefined && s.type !== "object") problem("must be object at the root", `${path}.type`);
  if (level === "root" || embedded) {
    for (const key of ["kind", "apiVersion"]) {
      const child = props[key];
      if (isObject(child) && child.type !== "string") problem("must be string", `${path}.properties.${key}.type`);
    }
  }
  const metadata = props.metadata;
  if (isObject(metadata) && (level === "root" || embedded)) {
    if (metadata.type !== "object") problem("must be object", `${path}.properties.metadata.type`);
    if (level === "root") checkRootMetadata(metadata, `${path}.properties.metadata`, problem);
  }
  if (embedded && !preserve && Object.keys(props).length === 0) problem("must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields", `${path}.properties`);
  // complete.go looks at the value validations of the root only
  if (level === "root") checkCompleteness(s, s, path, path, problem);
}

/** Root metadata may only restrict name and generateName: the API server checks the rest itself. */
function checkRootMetadata(metadata: Record<string, unknown>, path: string, problem: (message: string, at?: string) => void): void {
  const props = isObject(metadata.properties) ? Object.keys(metadata.properties) : [];
  const onlyNames = props.every((key) => key === "name" || key === "generateName");
  const others = Object.keys(metadata).filter((key) => key !== "type" && key !== "properties" && key !== "default");
  if (!onlyNames || others.length > 0) problem("must not specify anything other than name and generateName, but metadata is implicitly specified", path);
}

/** Inside value validations nothing structural may be said, except the two int-or-string idioms. */
function checkNested(s: Record<string, unknown>, path: string, problem: (message: string, at?: string) => void): void {
  const said = (value: unknown): boolean => value !== undefined && value !== false && value !== "" && !(Array.isArray(value) && value.length === 0);
  for (const key of NOT_IN_NESTED) if (said(s[key])) problem("must be empty to be structural", `${path}.${key}`);
  if (isObject(s.properties) && s.properties.metadata !== undefined) problem("must not be specified in a nested context", `${path}.properties.metadata`);
}

/** Every field a value validation names must also be specified outside value validations. */
function checkCompleteness(v: Record<string, unknown>, s: Record<string, unknown> | undefined, sPath: string, vPath: string, problem: (message: string, at?: string) => void): void {
  for (const junctor of ["allOf", "anyOf", "oneOf"] as const) {
    list(v[junctor]).forEach((child, index) => {
      if (isObject(child)) completeNested(child, s, sPath, `${vPath}.${junctor}[${index}]`, problem);
    });
  }
  if (isObject(v.not)) completeNested(v.not, s, sPath, `${vPath}.not`, problem);
}

function completeNested(v: Record<string, unknown>, s: Record<string, unknown> | undefined, sPath: string, vPath: string, problem: (message: string, at?: string) => void): void {
  if (!s) {
    problem(`must be specified because it is defined in ${vPath}`, sPath);
    return;
  }
  checkCompleteness(v, s, sPath, vPath, problem);
  if (isObject(v.items)) completeNested(v.items, isObject(s.items) ? s.items : undefined, `${sPath}.items`, `${vPath}.items`, problem);
  const sProps = isObject(s.properties) ? s.properties : {};
  for (const [key, child] of Object.entries(isObject(v.properties) ? v.properties : {})) {
    if (!isObject(child)) continue;
    const sChild = sProps[key];
    completeNested(child, isObject(sChild) ? sChild : undefined, `${sPath}.properties${pathKey(key)}`, `${vPath}.properties${pathKey(key)}`, problem);
  }
}

function isIntOrStringPair(value: unknown): boolean {
  if (!Array.isArray(value) || value.length !== 2) return false;
  const [first, second] = value as unknown[];
  const only = (item: unknown, type: string): boolean => isObject(item) && item.type === type && Object.keys(item).length === 1;
  return only(first, "integer") && only(second, "string");
}

// ---------------------------------------------------------------------------------------------------------------
// The conversion. Each CRD schema node becomes a draft-07 schema of the non-null values it admits; where a null may
// appear (a property, a map value, an item) the parent decides, as the API server does, whether null passes.

interface Target {
  group: string;
  version: string;
  kind: string;
  namespaced: boolean;
  statusSubresource: boolean;
}

interface Conversion {
  /** Close objects where the API server prunes (the strict variant of a CRD that prunes). */
  strict: boolean;
  /** The CRD prunes: non-nullable nulls are dropped and defaults applied before validation. */
  prunes: boolean;
}

interface Walk extends Conversion {
  /** The parent array kept unknown fields (x-kubernetes-preserve-unknown-fields): so does this item. */
  open: boolean;
  /** Inside allOf / anyOf / oneOf / not: the structural node at the same place, for nulls and defaults. */
  nested?: { sibling: Record<string, unknown> | undefined };
  /** Set when the schema refers to #/definitions/pruned. */
  usesPruned: { value: boolean };
}

const PRUNED_REF = { $ref: "#/definitions/pruned" };
/** What survives pruning without a schema: scalars, and objects and lists emptied of objects' fields. */
const PRUNED_DEFINITION = { additionalProperties: false, items: PRUNED_REF };

function resourceSchema(root: Record<string, unknown>, target: Target, conversion: Conversion): JsonSchema {
  const walk: Walk = { ...conversion, open: false, usesPruned: { value: false } };
  const schema = convert(root, walk, true);
  const properties = record(schema.properties);
  const written = record(root.properties);
  const metadata = objectMetaSchema({ root: true, namespaced: target.namespaced, strict: conversion.strict, restrictions: record(record(written.metadata).properties) });
  properties.apiVersion = withWritten({ const: `${target.group}/${target.version}` }, written.apiVersion, walk);
  properties.kind = withWritten({ const: target.kind }, written.kind, walk);
  properties.metadata = metadata;
  // with the status subresource the API server drops status on create and update: it is never validated
  if (target.statusSubresource && properties.status !== undefined) properties.status = {};
  schema.properties = properties;
  schema.type = "object";
  schema.required = unique([...list(schema.required).filter((key) => typeof key === "string"), "apiVersion", "kind", "metadata"]);
  if (walk.usesPruned.value) schema.definitions = { pruned: PRUNED_DEFINITION };
  return schema;
}

function convert(s: Record<string, unknown>, walk: Walk, resourceRoot = false): JsonSchema {
  const out: JsonSchema = {};
  const intOrString = s["x-kubernetes-int-or-string"] === true;
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  const embedded = s["x-kubernetes-embedded-resource"] === true;
  const nested = walk.nested;

  if (intOrString) out.type = ["integer", "string"];
  else if (typeof s.type === "string" && s.type !== "") out.type = s.type;
  const format = crdFormat(s);
  if (format) out.format = format;
  copyValueKeywords(s, out);

  const defaulted = walk.prunes ? defaultedProperties(nested ? nested.sibling : s) : new Set<string>();
  const required = list(s.required).filter((key): key is string => typeof key === "string" && !defaulted.has(key));
  if (required.length > 0) out.required = unique(required);

  // properties and map values
  const properties = record(s.properties);
  const convertedProperties: Record<string, JsonSchema> = {};
  for (const [key, raw] of Object.entries(properties)) {
    if (!isObject(raw)) continue;
    if ((resourceRoot || embedded) && !nested && (key === "apiVersion" || key === "kind" || key === "metadata")) continue;
    const sibling = nested ? siblingField(nested.sibling, key) : undefined;
    const child = convert(raw, { ...walk, open: false, ...(nested ? { nested: { sibling } } : {}) });
    const acceptsNull = nested ? siblingDropsNull(sibling, walk) || apiAcceptsNull(raw) : propertyAcceptsNull(raw, list(s.required).includes(key), walk);
    convertedProperties[key] = withNull(child, acceptsNull);
  }
  if (embedded && !nested) {
    Object.assign(convertedProperties, metaProperties(objectMetaSchema({ root: false, namespaced: true, strict: walk.strict }), properties, walk));
    out.required = unique([...list(out.required).filter((key): key is string => typeof key === "string"), "apiVersion", "kind"]);
  }
  if (Object.keys(convertedProperties).length > 0) out.properties = convertedProperties;

  const additional = s.additionalProperties;
  if (additional === false) out.additionalProperties = false;
  else if (isObject(additional)) {
    const sibling = nested ? siblingAdditional(nested.sibling) : undefined;
    const child = convert(additional, { ...walk, open: false, ...(nested ? { nested: { sibling } } : {}) });
    // a null map value is dropped (or defaulted) like a null field
    const acceptsNull = nested ? siblingDropsNull(sibling, walk) || apiAcceptsNull(additional) : (walk.prunes && additional.nullable !== true) || apiAcceptsNull(additional);
    out.additionalProperties = withNull(child, acceptsNull);
  } else if (additional === true && walk.strict && !nested) {
    walk.usesPruned.value = true;
    out.additionalProperties = PRUNED_REF;
  } else if (additional === undefined && walk.strict && !nested && !preserve && !walk.open && (s.type === "object" || s.type === undefined) && !intOrString) {
    // the API server prunes every field its schema does not name
    out.additionalProperties = false;
  }

  if (isObject(s.items)) {
    const sibling = nested ? record(nested.sibling).items : undefined;
    // a list under x-kubernetes-preserve-unknown-fields keeps its items' unknown fields (the pruner's skipPrune)
    const child = convert(s.items, { ...walk, open: preserve || walk.open, ...(nested ? { nested: { sibling: isObject(sibling) ? sibling : undefined } } : {}) });
    out.items = withNull(child, apiAcceptsNull(s.items));
  }
  const listType = s["x-kubernetes-list-type"];
  if (listType === "set") out.uniqueItems = true;
  if (listType === "map") {
    const keys = list(s["x-kubernetes-list-map-keys"]).filter((key): key is string => typeof key === "string");
    if (keys.length > 0) out.listMapKeys = keys;
  }

  // value validations: junctors see the value after pruning and defaulting, so they take this node as sibling
  const junctorWalk: Walk = { ...walk, open: false, nested: { sibling: nested ? nested.sibling : s } };
  for (const junctor of ["allOf", "anyOf", "oneOf"] as const) {
    const items = list(s[junctor]).filter(isObject);
    const kept = junctor === "anyOf" && intOrString && isIntOrStringPair(s.anyOf) ? [] : items;
    const converted = kept.map((item, index) => {
      const copy = junctor === "allOf" && index === 0 && intOrString && isIntOrStringPair(item.anyOf) ? { ...item, anyOf: undefined } : item;
      return convert(copy, junctorWalk);
    });
    if (converted.length > 0) out[junctor] = converted;
  }
  if (isObject(s.not)) out.not = convert(s.not, junctorWalk);
  return out;
}

function copyValueKeywords(s: Record<string, unknown>, out: JsonSchema): void {
  for (const key of ["maxLength", "minLength", "maxItems", "minItems", "maxProperties", "minProperties"]) {
    if (Number.isInteger(s[key]) && (s[key] as number) >= 0) out[key] = s[key];
  }
  // OpenAPI 3.0 says exclusiveMinimum: true beside minimum; draft-07 puts the bound in exclusiveMinimum
  for (const [bound, exclusive] of [["minimum", "exclusiveMinimum"], ["maximum", "exclusiveMaximum"]] as const) {
    if (typeof s[bound] !== "number") continue;
    if (s[exclusive] === true) out[exclusive] = s[bound];
    else out[bound] = s[bound];
  }
  if (typeof s.multipleOf === "number" && s.multipleOf > 0) out.multipleOf = s.multipleOf;
  if (Array.isArray(s.enum) && s.enum.length > 0) out.enum = s.enum;
  if (typeof s.pattern === "string") {
    const translated = goPattern(s.pattern);
    // a pattern JavaScript cannot run as RE2 would is left out rather than guessed at
    if ("source" in translated) out.pattern = translated.source;
  }
}

function defaultedProperties(s: Record<string, unknown> | undefined): Set<string> {
  const names = new Set<string>();
  for (const [key, child] of Object.entries(record(record(s).properties))) if (isObject(child) && child.default !== undefined) names.add(key);
  return names;
}

function siblingField(sibling: Record<string, unknown> | undefined, key: string): Record<string, unknown> | undefined {
  const field = record(record(sibling).properties)[key];
  return isObject(field) ? field : siblingAdditional(sibling);
}

function siblingAdditional(sibling: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const additional = record(sibling).additionalProperties;
  return isObject(additional) ? additional : undefined;
}

/** The structural field drops or defaults a null before value validations see it. */
function siblingDropsNull(sibling: Record<string, unknown> | undefined, walk: Walk): boolean {
  return walk.prunes && sibling !== undefined && sibling.nullable !== true;
}

/** kube-openapi on a null: only the type (unless nullable) and a non-empty enum can refuse it. */
function apiAcceptsNull(s: Record<string, unknown>): boolean {
  const typed = (typeof s.type === "string" && s.type !== "") || s["x-kubernetes-int-or-string"] === true;
  const enumerated = Array.isArray(s.enum) && s.enum.length > 0;
  return (!typed || s.nullable === true) && !enumerated;
}

/** A null property: dropped when not nullable (so only a required field without default fails), else validated. */
function propertyAcceptsNull(s: Record<string, unknown>, required: boolean, walk: Walk): boolean {
  if (walk.prunes && s.nullable !== true) return s.default !== undefined || !required;
  return apiAcceptsNull(s);
}

const NULL_BLIND = ["anyOf", "allOf", "oneOf", "not", "if", "const", "$ref", "enum"];

/** The schema with nulls accepted or refused, whatever the schema itself says of them. */
function withNull(schema: JsonSchema, accept: boolean): JsonSchema {
  const type = schema.type;
  const types = typeof type === "string" ? [type] : Array.isArray(type) ? (type as string[]) : undefined;
  const refusesNull = (types !== undefined && !types.includes("null")) || (Array.isArray(schema.enum) && !schema.enum.includes(null));
  const judgesNull = NULL_BLIND.some((key) => key in schema);
  if (accept) {
    if (!refusesNull && !judgesNull) return schema;
    if (types !== undefined && !judgesNull) return { ...schema, type: [...types, "null"] };
    return { if: { type: "null" }, else: schema };
  }
  // every keyword must hold, so a type or enum without null refuses it whatever else is said
  return refusesNull ? schema : { if: { type: "null" }, then: false, else: schema };
}

// ---------------------------------------------------------------------------------------------------------------
// Metadata, as ValidateObjectMeta and the embedded-resource checks of apiextensions see it.

const DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS_SUBDOMAIN = `${DNS_LABEL}(\\.${DNS_LABEL})*`;
const QUALIFIED_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
/** Label keys: an optional DNS subdomain prefix (253 at most), a name of 63 at most. */
const LABEL_KEY = { allOf: [{ pattern: `^(${DNS_SUBDOMAIN}/)?${QUALIFIED_NAME}$` }, { pattern: "^([^/]{1,253}/)?[^/]{1,63}$" }] };
/** Annotation keys are lower-cased before the same check, so their prefix may be upper case. */
const ANNOTATION_KEY = { allOf: [{ pattern: `^([A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*/)?${QUALIFIED_NAME}$` }, { pattern: "^([^/]{1,253}/)?[^/]{1,63}$" }] };
// Go's JSON decoding leaves a field alone on null, so ObjectMeta takes null for any field
const NULLABLE_STRING = { type: ["string", "null"] };
const NULLABLE_INTEGER = { type: ["integer", "null"] };

function objectMetaSchema(options: { root: boolean; namespaced: boolean; strict: boolean; restrictions?: Record<string, unknown> }): JsonSchema {
  const closed = options.strict ? { additionalProperties: false } : {};
  const restricted = (field: string, base: JsonSchema): JsonSchema => {
    const user = record(options.restrictions)[field];
    return isObject(user) ? { allOf: [base, convert(user, { strict: false, prunes: false, open: false, usesPruned: { value: false } })] } : base;
  };
  const name = options.root
    ? { type: "string", maxLength: 253, pattern: `^${DNS_SUBDOMAIN}$` }
    : { type: ["string", "null"], pattern: "^(?!\\.\\.?$)[^/%]*$" };
  const namespace = options.root && !options.namespaced
    ? NULLABLE_STRING // the API server clears the namespace of a cluster-scoped object
    : { type: ["string", "null"], maxLength: 63, pattern: `^(${DNS_LABEL})?$` };
  const schema: JsonSchema = {
    type: "object",
    properties: {
      name: restricted("name", name),
      generateName: restricted("generateName", NULLABLE_STRING),
      namespace,
      labels: { type: ["object", "null"], propertyNames: LABEL_KEY, additionalProperties: { type: ["string", "null"], maxLength: 63, pattern: `^(${QUALIFIED_NAME})?$` } },
      annotations: { type: ["object", "null"], propertyNames: ANNOTATION_KEY, additionalProperties: NULLABLE_STRING },
      finalizers: { type: ["array", "null"], items: { type: "string", ...LABEL_KEY } },
      ownerReferences: {
        type: ["array", "null"],
        items: {
          type: "object",
          required: ["apiVersion", "kind", "name", "uid"],
          properties: { apiVersion: { type: "string" }, kind: { type: "string" }, name: { type: "string" }, uid: { type: "string" }, controller: { type: ["boolean", "null"] }, blockOwnerDeletion: { type: ["boolean", "null"] } },
          ...closed,
        },
      },
      uid: NULLABLE_STRING,
      resourceVersion: NULLABLE_STRING,
      selfLink: NULLABLE_STRING,
      generation: NULLABLE_INTEGER,
      creationTimestamp: NULLABLE_STRING,
      deletionTimestamp: NULLABLE_STRING,
      deletionGracePeriodSeconds: NULLABLE_INTEGER,
      managedFields: { type: ["array", "null"], items: { type: "object" } },
    },
    ...closed,
  };
  if (options.root) schema.anyOf = [{ required: ["name"] }, { required: ["generateName"] }];
  return schema;
}

/** apiVersion, kind and metadata of a resource (or embedded resource) as the API server checks them, and as the CRD does. */
function metaProperties(metadata: JsonSchema, properties: Record<string, unknown>, walk: Walk): Record<string, JsonSchema> {
  return {
    // ParseGroupVersion refuses more than one slash; kind must be a DNS-1035 label in any case
    apiVersion: withWritten({ type: "string", minLength: 1, pattern: "^[^/]*(/[^/]*)?$" }, properties.apiVersion, walk),
    kind: withWritten({ type: "string", minLength: 1, maxLength: 63, pattern: "^[A-Za-z]([-A-Za-z0-9]*[A-Za-z0-9])?$" }, properties.kind, walk),
    metadata: withWritten(metadata, properties.metadata, walk),
  };
}

/** Our schema of a meta field, and the CRD's own (never pruning: the pruner leaves these fields alone). */
function withWritten(ours: JsonSchema, written: unknown, walk: Walk): JsonSchema {
  if (!isObject(written)) return ours;
  const theirs = convert(written, { ...walk, strict: false, open: false });
  return Object.keys(theirs).length === 0 || (Object.keys(theirs).length === 1 && theirs.type !== undefined) ? ours : { allOf: [ours, theirs] };
}

// ---------------------------------------------------------------------------------------------------------------
// Formats. The API server validates a string format only if it is on its list (apiextensions formats.go; names
// compared without dashes, so date-time is datetime) and the type is string or unset. Those below are implemented
// after kube-openapi's strfmt; the others on its list are not checked.

const FORMAT_PREFIX = "crd:";

const FORMATS: Record<string, (value: string) => boolean> = {
  datetime: isDateTime,
  date: isDate,
  duration: isDuration,
  quantity: (value) => /^[+-]?[0-9]*(\.[0-9]*)?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$/.test(value) && value !== "",
  byte: (value) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/.test(value),
  uuid: (value) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(value),
  uuid3: (value) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(value),
  uuid4: (value) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(value),
  uuid5: (value) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(value),
  k8sshortname: (value) => value.length <= 63 && new RegExp(`^${DNS_LABEL}$`).test(value),
  k8slongname: (value) => value.length <= 253 && new RegExp(`^${DNS_SUBDOMAIN}$`).test(value),
  ipv4: (value) => isIP(value) !== 0 && !value.includes("%") && value.includes("."),
  ipv6: (value) => isIP(value) !== 0 && !value.includes("%") && value.includes(":"),
  cidr: isCidr,
  mac: isMac,
  hexcolor: (value) => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(value),
  hostname: isHostname,
};

function crdFormat(s: Record<string, unknown>): string | undefined {
  if (typeof s.format !== "string" || (s.type !== undefined && s.type !== "string")) return undefined;
  const name = s.format.replaceAll("-", "");
  return name in FORMATS ? FORMAT_PREFIX + name : undefined;
}

/** strfmt.IsDateTime: a full-date, "t", then hh:mm:ss, optional fraction, "z" or an offset (case-insensitive). */
function isDateTime(value: string): boolean {
  const parts = value.toLowerCase().split("t");
  if (parts.length < 2 || !isDate(parts[0]!)) return false;
  const match = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/.exec(parts[1]!);
  return match !== null && match[1]! <= "23" && match[2]! <= "59" && match[3]! <= "59";
}

/** time.Parse("2006-01-02"): the day must exist in that month. */
function isDate(value: string): boolean {
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** strfmt.ParseDuration: Go's time.ParseDuration, or counts of units like "3 days" (Scala style). */
function isDuration(value: string): boolean {
  if (/^[-+]?(0|((\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/u.test(value)) return true;
  if (!/^[\t\n\f\r ]*(\d+[\t\n\f\r ]*[A-Za-zµ]+[\t\n\f\r ]*)+$/u.test(value)) return false;
  const units = [["ns", "nano"], ["us", "µs", "micro"], ["ms", "milli"], ["s", "sec"], ["m", "min"], ["h", "hr", "hour"], ["d", "day"], ["w", "wk", "week"]];
  return [...value.matchAll(/\d+[\t\n\f\r ]*([A-Za-zµ]+)/gu)].some((match) => {
    const unit = match[1]!.toLowerCase();
    return units.some((variants) => variants.some((variant, index) => variant === unit || (index === variants.length - 1 && unit.startsWith(variant))));
  });
}

function isCidr(value: string): boolean {
  const slash = value.lastIndexOf("/");
  if (slash < 0) return false;
  const [address, prefix] = [value.slice(0, slash), value.slice(slash + 1)];
  const family = address.includes("%") ? 0 : isIP(address);
  return family !== 0 && /^[0-9]+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** net.ParseMAC: 6, 8 or 20 octets, separated by one of ":" or "-", or dotted groups of four hex digits. */
function isMac(value: string): boolean {
  const octets = (count: number): RegExp => new RegExp(`^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\\1[0-9a-fA-F]{2}){${count - 2}}$`);
  const dotted = (count: number): RegExp => new RegExp(`^[0-9a-fA-F]{4}(\\.[0-9a-fA-F]{4}){${count / 2 - 1}}$`);
  return [6, 8, 20].some((count) => octets(count).test(value) || dotted(count).test(value));
}

const HOSTNAME = /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z0-9\p{S}\p{L}])(-?[a-zA-Z0-9\p{S}\p{L}]){1,62})$/u;

function isHostname(value: string): boolean {
  return HOSTNAME.test(value) && value.length <= 255 && value.split(".").every((label) => label.length <= 63);
}

/**
 * Adds to ajv the formats the schemas name (as "crd:<name>") and the `listMapKeys` keyword (no two items of a list
 * with the same values of those keys, x-kubernetes-list-type: map). Adding twice is harmless.
 */
export function addCrdVocabulary(ajv: Ajv): Ajv {
  if (ajv.getKeyword("listMapKeys")) return ajv;
  for (const [name, validate] of Object.entries(FORMATS)) ajv.addFormat(FORMAT_PREFIX + name, { type: "string", validate });
  const validateKeys: SchemaValidateFunction = (keys: string[], data: unknown, _parent, context) => {
    const errors: ErrorObject[] = [];
    const seen = new Set<string>();
    list(data).forEach((item, index) => {
      const entry = record(item);
      const identity = JSON.stringify(keys.map((key) => (key in entry ? entry[key] : { unspecified: true })));
      if (seen.has(identity)) {
        const key = Object.fromEntries(keys.filter((name) => name in entry).map((name) => [name, entry[name]]));
        errors.push({ keyword: "listMapKeys", instancePath: `${context?.instancePath ?? ""}/${index}`, schemaPath: "#/listMapKeys", params: { key }, message: `must not repeat the key ${JSON.stringify(key)}` });
      }
      seen.add(identity);
    });
    validateKeys.errors = errors;
    return errors.length === 0;
  };
  ajv.addKeyword({ keyword: "listMapKeys", type: "array", schemaType: "array", errors: true, validate: validateKeys });
  return ajv;
}

// ---------------------------------------------------------------------------------------------------------------
// Go's RE2 syntax for JavaScript's `u` regular expressions (ajv compiles patterns with the u flag).

type Translated = { source: string } | { unsupported: string } | { invalid: string };

const JS_SYNTAX = new Set([..."^$\\.*+?()[]{}|/"]);
const POSIX_CLASSES: Record<string, string> = {
  alnum: "0-9A-Za-z", alpha: "A-Za-z", ascii: "\\x00-\\x7F", blank: "\\t ", cntrl: "\\x00-\\x1F\\x7F", digit: "0-9",
  graph: "!-~", lower: "a-z", print: " -~", punct: "!-\\/:-@\\[-`{-~", space: "\\t\\n\\v\\f\\r ", upper: "A-Z", word: "0-9A-Za-z_", xdigit: "0-9A-Fa-f",
};

/** RE2 to JavaScript; `invalid` when Go's regexp would refuse it too (lookarounds, backreferences, bad escapes). */
export function goPattern(pattern: string): Translated {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const escaped = goEscape(pattern, i, inClass);
      if (!("source" in escaped)) return escaped;
      out += escaped.source;
      i = escaped.end;
    } else if (inClass) {
      if (c === "]") inClass = false;
      if (c === "[" && pattern[i + 1] === ":") {
        const end = pattern.indexOf(":]", i + 2);
        const name = end < 0 ? undefined : pattern.slice(i + 2, end);
        if (name === undefined || !(name in POSIX_CLASSES)) return { unsupported: `character class [:${name ?? ""}` };
        out += POSIX_CLASSES[name];
        i = end + 1;
      } else out += c;
    } else if (c === "[") {
      inClass = true;
      out += "[";
      if (pattern[i + 1] === "^") out += pattern[++i];
      // a "]" right after "[" or "[^" is a literal in RE2 and the end of an empty class in JavaScript
      if (pattern[i + 1] === "]") {
        out += "\\]";
        i++;
      }
    } else if (c === "(" && pattern[i + 1] === "?") {
      const rest = pattern.slice(i + 2);
      if (/^(=|!|<=|<!)/.test(rest)) return { invalid: "lookaround assertions are not supported by RE2" };
      // (?:…) stays; named groups (?P<name>…) and (?<name>…) become (?<name>…); flags like (?i) have no equivalent here
      const group = /^(:|P<|<(?=[A-Za-z_]))/.exec(rest);
      if (!group) return { unsupported: "regular expression flags" };
      out += group[1] === ":" ? "(?:" : "(?<";
      i += 1 + group[1]!.length;
    } else if (c === "{") {
      const quantifier = /^\{\d+(,\d*)?\}/.exec(pattern.slice(i));
      // RE2 reads a brace that is no repetition as a literal; JavaScript's u mode refuses it
      if (quantifier && out !== "") {
        out += quantifier[0];
        i += quantifier[0].length - 1;
      } else out += "\\{";
    } else if (c === "}" || c === "]") out += `\\${c}`;
    else out += c;
  }
  if (inClass) return { invalid: "missing closing ]" };
  try {
    new RegExp(out, "u");
  } catch (error) {
    return { unsupported: (error as Error).message };
  }
  return { source: out };
}

function goEscape(pattern: string, at: number, inClass: boolean): { source: string; end: number } | { unsupported: string } | { invalid: string } {
  const n = pattern[at + 1];
  if (n === undefined) return { invalid: "trailing backslash" };
  if ("dDsSwWtnrfv".includes(n)) return { source: `\\${n}`, end: at + 1 };
  if (n === "a") return { source: "\\x07", end: at + 1 };
  if ((n === "b" || n === "B") && !inClass) return { source: `\\${n}`, end: at + 1 };
  if (n === "A" && !inClass) return { source: "^", end: at + 1 };
  if (n === "z" && !inClass) return { source: "$", end: at + 1 };
  if (n === "p" || n === "P") {
    const braced = /^\{(\^?)([A-Za-z_]+)\}/.exec(pattern.slice(at + 2));
    const single = /^[A-Za-z]/.exec(pattern.slice(at + 2));
    const negated = (n === "P") !== (braced?.[1] === "^");
    const name = braced ? braced[2]! : single?.[0];
    if (!name) return { invalid: "invalid character class range" };
    const property = name.length <= 2 || name === "Any" ? name : `Script=${name}`;
    return { source: `\\${negated ? "P" : "p"}{${property}}`, end: at + 1 + (braced ? braced[0].length : 1) };
  }
  if (n === "x") {
    const braced = /^\{([0-9A-Fa-f]+)\}/.exec(pattern.slice(at + 2));
    if (braced) return { source: `\\u{${braced[1]}}`, end: at + 1 + braced[0].length };
    const pair = /^[0-9A-Fa-f]{2}/.exec(pattern.slice(at + 2));
    return pair ? { source: `\\x${pair[0]}`, end: at + 3 } : { invalid: "invalid escape sequence \\x" };
  }
  if (n === "Q") {
    const end = pattern.indexOf("\\E", at + 2);
    const literal = pattern.slice(at + 2, end < 0 ? undefined : end);
    return { source: [...literal].map((c) => literalChar(c, inClass)).join(""), end: end < 0 ? pattern.length - 1 : end + 1 };
  }
  if (/[0-7]/.test(n)) {
    const octal = /^[0-7]{1,3}/.exec(pattern.slice(at + 1))![0];
    // a lone non-zero digit is a backreference, which RE2 does not have
    if (n !== "0" && octal.length === 1) return { invalid: "backreferences are not supported by RE2" };
    return { source: `\\u{${parseInt(octal, 8).toString(16)}}`, end: at + octal.length };
  }
  if (n === "8" || n === "9") return { invalid: "backreferences are not supported by RE2" };
  if (/[A-Za-z]/.test(n) || n.charCodeAt(0) >= 0x80) return { invalid: `invalid escape sequence \\${n}` };
  return { source: literalChar(n, inClass), end: at + 1 };
}

/** One character as a literal in a JavaScript u-mode expression. */
function literalChar(c: string, inClass = false): string {
  if (JS_SYNTAX.has(c) || (inClass && c === "-")) return `\\${c}`;
  if (/[A-Za-z0-9]/.test(c) || c.charCodeAt(0) >= 0x80 || c === " ") return c;
  return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
}

// ---------------------------------------------------------------------------------------------------------------

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/** ".name" for plain keys, '["a.b"]' for keys a dotted path would misread. */
function pathKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
