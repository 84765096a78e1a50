// Generates schemas/kubernetes/definitions.json: JSON Schemas of the built-in Kubernetes kinds, for validation
// offline. Run by `npm run build`; `--check` fails when the committed file differs from a fresh generation.
//
// Sources (both npm packages, read as data at build time only):
// - kubernetes-models (+ @kubernetes-models/apimachinery): its TypeScript declarations carry, for every OpenAPI
//   definition, the property list, which properties are required (not optional), the types, enums (string literal
//   unions, restored from Kubernetes' own `+enum` markers) and int-or-string / quantity aliases. It merges the
//   OpenAPI specs of the latest Kubernetes release and of older ones, so removed APIs still have schemas.
// - @kubernetes/client-node: its model metadata (`attributeTypeMap`) carries each property's OpenAPI format, which
//   the declarations lose: int32 / int64 (integers, not any number), date-time, byte (base64).
//
// The output is plain JSON Schema draft-07 with `$ref`s to "#/definitions/<name>"; strict (unknown fields refused)
// and lax variants, and nulls, are derived from it at run time (src/schema/builtin.ts).
import { createRequire } from "node:module";
import { readdir, readFile, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const output = path.join(root, "schemas", "kubernetes", "definitions.json");
const require = createRequire(import.meta.url);

/**
 * Well-known CRDs, from kubernetes-models' third-party packages (generated from each project's CRDs): their custom
 * resources are validated offline too. CRDs found in the repository take precedence.
 */
const ECOSYSTEM = ["@kubernetes-models/flux-cd", "@kubernetes-models/cert-manager", "@kubernetes-models/external-secrets", "@kubernetes-models/prometheus-operator", "@kubernetes-models/gateway-api"];

/** The Kubernetes release kubernetes-models 5.x describes (its changelog: "Update to Kubernetes v1.36.0"). */
const KUBERNETES_VERSION = "1.36";
const MODELS_MAJOR = 5;

function packageDir(name) {
  return path.dirname(require.resolve(`${name}/package.json`));
}

async function walk(dir) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "_schemas" && entry.name !== "node_modules") found.push(...(await walk(full)));
    } else if (entry.name.endsWith(".d.ts") && entry.name !== "index.d.ts") found.push(full);
  }
  return found.sort();
}

/** Global (exported) name of each interface and alias: IContainer → IoK8sApiCoreV1Container. */
function exportNames(source) {
  const names = new Map();
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement) || !statement.exportClause || !ts.isNamedExports(statement.exportClause)) continue;
    for (const element of statement.exportClause.elements) {
      const local = (element.propertyName ?? element.name).text;
      const exported = element.name.text;
      // the generated declarations export each interface twice: IContainer as IIoK8sApiCoreV1Container
      if (/^I[A-Z]/.test(exported) && /^I[A-Z]/.test(local) && exported !== local) names.set(local, exported.slice(1));
    }
  }
  return names;
}

const problems = [];

function typeToSchema(node, context) {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { type: "string" };
    case ts.SyntaxKind.NumberKeyword:
      return { type: "number" };
    case ts.SyntaxKind.BooleanKeyword:
      return { type: "boolean" };
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
    case ts.SyntaxKind.ObjectKeyword:
      return {};
    case ts.SyntaxKind.LiteralType:
      if (ts.isStringLiteral(node.literal)) return { type: "string", enum: [node.literal.text] };
      break;
    case ts.SyntaxKind.ParenthesizedType:
      return typeToSchema(node.type, context);
    case ts.SyntaxKind.ArrayType:
      return { type: "array", items: typeToSchema(node.elementType, context) };
    case ts.SyntaxKind.UnionType: {
      const members = node.types;
      if (members.every((member) => ts.isLiteralTypeNode(member) && ts.isStringLiteral(member.literal))) {
        return { type: "string", enum: members.map((member) => member.literal.text).sort() };
      }
      if (members.every((member) => ts.isLiteralTypeNode(member) && ts.isNumericLiteral(member.literal))) {
        return { type: "integer", enum: members.map((member) => Number(member.literal.text)).sort((a, b) => a - b) };
      }
      const kinds = new Set(members.map((member) => member.kind));
      if (kinds.size === 2 && kinds.has(ts.SyntaxKind.StringKeyword) && kinds.has(ts.SyntaxKind.NumberKeyword)) return { type: ["string", "number"] };
      break;
    }
    case ts.SyntaxKind.TypeLiteral: {
      if (node.members.length === 0) return { type: "object" };
      const index = node.members.find(ts.isIndexSignatureDeclaration);
      if (index && node.members.length === 1) return { type: "object", additionalProperties: typeToSchema(index.type, context) };
      if (!index) return objectSchema(node.members, context);
      break;
    }
    case ts.SyntaxKind.TypeReference: {
      const name = node.typeName.getText(context.source);
      if (name === "Array" && node.typeArguments?.length === 1) return { type: "array", items: typeToSchema(node.typeArguments[0], context) };
      if (name === "Record" && node.typeArguments?.length === 2) return { type: "object", additionalProperties: typeToSchema(node.typeArguments[1], context) };
      // a local name, or one imported under its global name (checked to exist once everything is read)
      const global = context.names.get(name) ?? (/^I[A-Z]/.test(name) ? name.slice(1) : undefined);
      if (global) return { $ref: `#/definitions/${global}` };
      break;
    }
  }
  problems.push(`${context.file}: ${context.where}: unhandled type "${node.getText(context.source)}"`);
  return {};
}

/** Property signatures to an object schema: optional members (`?:`) are the ones not required. */
function objectSchema(members, context) {
  const properties = {};
  const required = [];
  const owner = context.where.split(".")[0];
  for (const member of members) {
    if (!ts.isPropertySignature(member) || !member.type) continue;
    const name = ts.isStringLiteral(member.name) ? member.name.text : member.name.getText(context.source);
    context.where = `${owner}.${name}`;
    properties[name] = typeToSchema(member.type, context);
    if (!member.questionToken) required.push(name);
  }
  context.where = owner;
  // an interface without members is a definition without properties: a free-form object
  const schema = Object.keys(properties).length ? { type: "object", properties } : { type: "object" };
  if (required.length) schema.required = required.sort();
  return schema;
}

/** Interfaces that extend others: their names, and the definitions they extend. */
const extensions = new Map();

/** Copies the fields (and required fields) of extended definitions into those that extend them. */
function flattenExtensions(definitions) {
  const flatten = (name, seen = new Set()) => {
    const definition = definitions[name];
    const bases = extensions.get(name);
    if (!definition || !bases || seen.has(name)) return definition;
    seen.add(name);
    extensions.delete(name);
    for (const base of bases) {
      const parent = flatten(base, seen);
      if (!parent) {
        problems.push(`${name}: extends ${base}, which no package declares`);
        continue;
      }
      definition.properties = { ...parent.properties, ...definition.properties };
      const required = [...new Set([...(parent.required ?? []), ...(definition.required ?? [])])].sort();
      if (required.length) definition.required = required;
      if (!Object.keys(definition.properties).length) delete definition.properties;
    }
    return definition;
  };
  for (const name of [...extensions.keys()]) flatten(name);
}

async function readDeclarations(dirs) {
  const definitions = {};
  const kinds = {};
  for (const dir of dirs) {
    for (const file of await walk(dir)) {
      const text = await readFile(file, "utf8");
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
      const names = exportNames(source);
      const context = { source, names, file: path.relative(root, file), where: "" };
      for (const statement of source.statements) {
        if (ts.isInterfaceDeclaration(statement)) {
          const global = names.get(statement.name.text);
          if (!global) continue;
          context.where = global;
          const schema = objectSchema(statement.members, context);
          const properties = schema.properties ?? {};
          definitions[global] = schema;
          // `interface IHTTPRouteSpec extends ICommonRouteSpec`: the bases' fields are flattened in once all is read
          const bases = (statement.heritageClauses ?? []).flatMap((clause) => clause.types.map((type) => type.expression.getText(source)));
          const known = bases.map((base) => names.get(base) ?? (/^I[A-Z]/.test(base) ? base.slice(1) : undefined)).filter((base) => base && base !== "TypeMeta");
          if (known.length) extensions.set(global, known);
          const apiVersion = properties.apiVersion?.enum?.[0];
          const kind = properties.kind?.enum?.[0];
          if (apiVersion && kind && properties.apiVersion.enum.length === 1) kinds[`${apiVersion}/${kind}`] = global;
        } else if (ts.isTypeAliasDeclaration(statement)) {
          const global = names.get(statement.name.text);
          if (!global || definitions[global]) continue;
          context.where = global;
          definitions[global] = typeToSchema(statement.type, context);
        }
      }
    }
  }
  return { definitions, kinds };
}

/** client-node's attribute metadata per model class name: property → { type, format }. */
async function clientModels() {
  const clientNode = await import("@kubernetes/client-node");
  const models = new Map();
  for (const [name, value] of Object.entries(clientNode)) {
    if (typeof value !== "function" || !Array.isArray(value.attributeTypeMap)) continue;
    models.set(name, new Map(value.attributeTypeMap.map((attribute) => [attribute.baseName, attribute])));
  }
  return models;
}

/** IoK8sApiCoreV1Event → ["V1Event", "CoreV1Event"]: the names openapi-generator gives the same definition. */
function clientNames(definition) {
  const match = /^(.*?)([A-Z][a-z0-9]*)(V[0-9]+(?:alpha[0-9]+|beta[0-9]+)?)([A-Z].*)$/.exec(definition);
  if (!match) return [];
  const [, , group, version, kind] = match;
  return [`${version}${kind}`, `${group}${version}${kind}`];
}

/** Replaces `number` by integer where the OpenAPI format says so, and adds date-time / byte formats. */
function applyFormats(definitions, models) {
  let matched = 0;
  let fallback = 0;
  const unmatched = [];
  const byKind = new Map();
  for (const [name, attributes] of models) {
    const kind = /^(?:[A-Z][a-z0-9]*)?V[0-9]+(?:alpha[0-9]+|beta[0-9]+)?([A-Z].*)$/.exec(name)?.[1];
    if (kind) byKind.set(kind, [...(byKind.get(kind) ?? []), attributes]);
  }
  for (const [name, definition] of Object.entries(definitions)) {
    if (!definition.properties) continue;
    // the model of the same name (client-node's release may lack the newest fields), else the same kind in another
    // version: an API removed before client-node's release keeps its fields' formats in the newer versions
    const named = clientNames(name).map((candidate) => models.get(candidate)).find(Boolean);
    const kind = clientNames(name)[0]?.replace(/^V[0-9]+(?:alpha[0-9]+|beta[0-9]+)?/, "");
    const sameKind = byKind.get(kind) ?? [];
    const attributes = new Map([...sameKind.flatMap((model) => [...model]).reverse(), ...(named ?? [])]);
    if (named) matched++;
    else if (sameKind.length) fallback++;
    else if (needsFormats(definition)) unmatched.push(name);
    for (const [key, schema] of Object.entries(definition.properties)) format(schema, attributes.get(key));
  }
  return { matched, fallback, unmatched };
}

function needsFormats(definition) {
  return JSON.stringify(definition).includes('"number"');
}

function format(schema, attribute) {
  const target = schema.type === "array" ? schema.items : schema.type === "object" && schema.additionalProperties ? schema.additionalProperties : schema;
  if (!target || !attribute) return;
  if (target.type === "number" && (attribute.format === "int32" || attribute.format === "int64")) {
    target.type = "integer";
    target.format = attribute.format;
  } else if (target.type === "string" && (attribute.format === "date-time" || attribute.format === "byte")) {
    target.format = attribute.format;
  }
}

async function generate() {
  const models = packageDir("kubernetes-models");
  const modelsVersion = JSON.parse(await readFile(path.join(models, "package.json"), "utf8")).version;
  if (Number(modelsVersion.split(".")[0]) !== MODELS_MAJOR) {
    throw new Error(`kubernetes-models ${modelsVersion}: KUBERNETES_VERSION was set for ${MODELS_MAJOR}.x; check its changelog and update both`);
  }
  const apimachinery = packageDir("@kubernetes-models/apimachinery");
  const { definitions, kinds } = await readDeclarations([apimachinery, models]);
  const formats = applyFormats(definitions, await clientModels());
  const kindSources = {};
  for (const name of ECOSYSTEM) {
    const dir = packageDir(name);
    const version = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8")).version;
    const found = await readDeclarations([dir]);
    for (const [key, value] of Object.entries(found.definitions)) definitions[key] ??= value;
    for (const [key, value] of Object.entries(found.kinds)) {
      if (kinds[key]) continue;
      kinds[key] = value;
      kindSources[key] = `${name} ${version}`;
    }
  }
  // named aliases whose meaning is more than their TypeScript type
  definitions.IoK8sApimachineryPkgApiResourceQuantity = { type: ["string", "number"], format: "quantity" };
  definitions.IoK8sApimachineryPkgUtilIntstrIntOrString = { type: ["string", "integer"], format: "int-or-string" };
  for (const time of ["IoK8sApimachineryPkgApisMetaV1Time", "IoK8sApimachineryPkgApisMetaV1MicroTime"]) {
    definitions[time] = { type: "string", format: "date-time" };
  }
  // the CRD schema's own JSON values (default, enum, example) are any JSON; its "or" types are a schema or else
  for (const version of ["V1", "V1beta1"]) {
    const prefix = `IoK8sApiextensionsApiserverPkgApisApiextensions${version}`;
    definitions[`${prefix}JSON`] = {};
    definitions[`${prefix}JSONSchemaPropsOrArray`] = { type: ["object", "array"] };
    definitions[`${prefix}JSONSchemaPropsOrBool`] = { type: ["object", "boolean"] };
    definitions[`${prefix}JSONSchemaPropsOrStringArray`] = { type: ["object", "array"] };
  }
  flattenExtensions(definitions);
  for (const [name, definition] of Object.entries(definitions)) {
    for (const match of JSON.stringify(definition).matchAll(/"#\/definitions\/([^"]+)"/g)) {
      if (!definitions[match[1]]) problems.push(`${name}: refers to ${match[1]}, which no package declares`);
    }
  }
  const clientVersion = JSON.parse(await readFile(path.join(packageDir("@kubernetes/client-node"), "package.json"), "utf8")).version;
  const sorted = Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => (a < b ? -1 : 1)));
  const document = {
    kubernetesVersion: KUBERNETES_VERSION,
    generatedFrom: `kubernetes-models ${modelsVersion}, @kubernetes/client-node ${clientVersion} (formats)`,
    kinds: Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => (a < b ? -1 : 1))),
    /** kinds that are custom resources of well-known projects: the package their schema comes from */
    kindSources: Object.fromEntries(Object.entries(kindSources).sort(([a], [b]) => (a < b ? -1 : 1))),
    definitions: sorted,
  };
  return { text: JSON.stringify(document) + "\n", formats, count: Object.keys(sorted).length, kinds: Object.keys(kinds).length, ecosystem: Object.keys(kindSources).length };
}

const check = process.argv.includes("--check");
const { text, formats, count, kinds, ecosystem } = await generate();
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
if (check) {
  const committed = await readFile(output, "utf8").catch(() => "");
  if (committed !== text) {
    console.error(`${path.relative(root, output)} is out of date: run "npm run build" and commit it`);
    process.exitCode = 1;
  } else console.log(`${path.relative(root, output)} matches its sources`);
} else {
  await mkdir(path.dirname(output), { recursive: true });
  await writeFile(output, text);
  console.log(
    `${path.relative(root, output)}: ${count} definitions, ${kinds} kinds (Kubernetes ${KUBERNETES_VERSION}; ${ecosystem} of well-known CRDs); formats: ${formats.matched} models matched, ${formats.fallback} by kind` +
      (formats.unmatched.length ? `, none for ${formats.unmatched.join(", ")}` : ""),
  );
}
