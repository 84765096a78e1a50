// Validates rendered objects against their JSON Schemas, as the API server would accept them:
// the CRDs of the environment (and of paths the config names), then the schema locations in order ("default" being
// the embedded schemas of the built-in kinds); plus removed and deprecated apiVersions and the checks schemas cannot
// express (checks.ts). Each finding names the object, the path inside it and, through `locate`, a file and line.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { groupOf, type Finding, type Manifest, type SourceLocation } from "../model.ts";
import { addBuiltinSchemas, builtinDefinition, builtinKindsOf, builtinRef, BUILTIN_KUBERNETES_VERSION, embeddedCrdDefinition } from "./builtin.ts";
import { at, checkObjects } from "./checks.ts";
import { addCrdVocabulary, schemasFromCrd, type CrdSchema, type JsonSchema } from "./crd.ts";
import { checkApiVersion, checkEcosystemApiVersion } from "./deprecations.ts";
import type { LocatedSchema, LocationProblem } from "./locations.ts";

export interface ValidationSettings {
  /** Kubernetes version the cluster runs: picks removed and deprecated APIs, and schemas from versioned locations. */
  kubernetesVersion: string;
  /** Refuse fields the schema does not have (the API server's strict field validation). */
  strict: boolean;
  /** kubeconform's -schema-location list; "default" is the embedded schemas. */
  locations: string[];
  /** true: objects without a schema are counted in a notice; false: each kind without one is an error. */
  ignoreMissingSchemas: boolean;
  /** Kinds not validated at all: "Kind" or "group/version/Kind" ("v1/Kind" for the core group). */
  skipKinds: string[];
}

export const DEFAULT_VALIDATION: ValidationSettings = {
  kubernetesVersion: BUILTIN_KUBERNETES_VERSION,
  strict: true,
  locations: ["default"],
  ignoreMissingSchemas: true,
  skipKinds: [],
};

/** Where schemas outside the embedded set and the CRDs come from (src/schema/locations.ts). */
export interface SchemaSource {
  lookup(apiVersion: string, kind: string): Promise<LocatedSchema>;
  readonly problems: LocationProblem[];
}

export interface ValidateOptions {
  locate?: Locate;
  /** Flux substitutes the environment: placeholders stand where numbers and enums will be. */
  placeholders?: boolean;
  environment?: string;
}

/** The file and line of a value inside an object; undefined when it cannot be known. */
export type Locate = (manifest: Manifest, path: Array<string | number>) => SourceLocation | undefined;

/** The schema location of the embedded schemas of well-known CRDs (opt-in: they may lag the projects' releases). */
export const EMBEDDED_CRDS = "embedded-crds";

interface Compiled {
  validate: ValidateFunction;
  /** a schema that may describe an older release than the cluster runs: its findings are warnings */
  lagging?: boolean;
  /** built-in kinds take nulls as absent (Go's JSON decoding); CRD schemas say for themselves */
  dropNulls: boolean;
  from: string;
}

type Resolution = Compiled | { missing: string[] } | { unknownKind: string[] };

/**
 * One per run: compiled schemas are shared by every environment and revision (a CRD that several environments
 * carry is compiled once).
 */
export class SchemaValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, Promise<Resolution>>();
  private readonly crdCompiled = new Map<string, Array<{ schema: CrdSchema; validate: ValidateFunction }>>();
  private readonly sharedCrds: CrdSchema[] = [];
  private readonly reportedLocations = new Set<string>();

  constructor(
    readonly settings: ValidationSettings,
    private readonly locations?: SchemaSource,
  ) {
    this.ajv = new Ajv({ allErrors: true, strict: false, verbose: true, validateFormats: true });
    addCrdVocabulary(this.ajv);
    addBuiltinSchemas(this.ajv);
  }

  /** CRDs every environment's objects may use (paths the config names). Returns the CRDs' own problems. */
  addSharedCrds(manifests: Manifest[], locate?: Locate): Finding[] {
    const findings: Finding[] = [];
    for (const manifest of manifests) {
      if (!isCrd(manifest)) continue;
      const { schemas, problems } = schemasFromCrd(manifest.object);
      this.sharedCrds.push(...schemas);
      findings.push(...problems.map((problem) => crdProblem(manifest, problem, locate)));
    }
    return findings;
  }

  /**
   * Every finding for one environment's objects: schema violations, missing schemas, removed or deprecated APIs,
   * name / label / quantity checks, duplicates. `placeholders`: the environment is substituted by Flux, so a
   * `${VAR}` (or a masked Secret variable) where a number or an enum is expected is the puller's to replace, not an error.
   */
  async validate(manifests: Manifest[], options: ValidateOptions = {}): Promise<Finding[]> {
    return (await this.validateDetailed(manifests, options)).findings;
  }

  /** The findings, and for each object the schema it was checked against ("skipped", "missing" or "unknown kind" when none). */
  async validateDetailed(manifests: Manifest[], options: ValidateOptions = {}): Promise<{ findings: Finding[]; schemaOf: Map<Manifest, string> }> {
    const findings: Finding[] = [];
    const schemaOf = new Map<Manifest, string>();
    const locate = options.locate ?? (() => undefined);
    const crds: CrdSchema[] = [...this.sharedCrds];
    for (const manifest of manifests) {
      if (!isCrd(manifest)) continue;
      const { schemas, problems } = schemasFromCrd(manifest.object);
      crds.push(...schemas);
      findings.push(...problems.map((problem) => crdProblem(manifest, problem, locate)));
    }
    const missing = new Map<string, number>();
    for (const manifest of manifests) {
      const apiVersion = String(manifest.object.apiVersion);
      const kind = manifest.id.kind;
      if (this.skipped(apiVersion, kind)) {
        schemaOf.set(manifest, "skipped");
        continue;
      }
      const apiFindings = this.apiVersionFindings(manifest, locate);
      findings.push(...apiFindings);
      // the API server no longer serves a removed API: its old schema has nothing to add to "use X instead"
      if (apiFindings.some((finding) => finding.ruleId === "api-removed")) {
        schemaOf.set(manifest, "removed API");
        continue;
      }
      const resolution = this.crdFor(crds, apiVersion, kind) ?? (await this.resolve(apiVersion, kind));
      if ("missing" in resolution) {
        schemaOf.set(manifest, "missing");
        missing.set(`${apiVersion} ${kind}`, (missing.get(`${apiVersion} ${kind}`) ?? 0) + 1);
        continue;
      }
      if ("unknownKind" in resolution) {
        schemaOf.set(manifest, "unknown kind");
        const known = resolution.unknownKind;
        findings.push({
          ruleId: "kind-unknown",
          severity: "error",
          message: `${apiVersion} has no kind ${kind}` + (known.length ? ` (${kind} exists in ${known.join(", ")})` : ""),
          object: manifest.id,
          path: "kind",
          ...located(locate(manifest, ["kind"])),
        });
        continue;
      }
      schemaOf.set(manifest, resolution.from);
      const object = resolution.dropNulls && hasNull(manifest.object) ? withoutNulls(manifest.object) : manifest.object;
      if (resolution.validate(object)) continue;
      for (const error of relevantErrors(resolution.validate.errors ?? [])) {
        if (options.placeholders && isPlaceholderError(error)) continue;
        const finding = schemaFinding(manifest, error, locate);
        findings.push(
          resolution.lagging
            ? { ...finding, severity: "warning", message: `${finding.message} (by the ${resolution.from} schema, which may lag the project's latest release: add the CRD to schemas.crdPaths for an exact check)` }
            : finding,
        );
      }
    }
    const checks = checkObjects(manifests);
    // a quantity the checks word as the API server does replaces the schema's own report of it
    const checked = new Set(checks.map((finding) => `${finding.object.kind}/${finding.object.namespace}/${finding.object.name}#${finding.path}`));
    const deduped = findings.filter(
      (finding) => !(finding.ruleId === "schema-format" && finding.object && checked.has(`${finding.object.kind}/${finding.object.namespace}/${finding.object.name}#${finding.path}`)),
    );
    const byId = new Map(manifests.map((manifest) => [manifest.id, manifest]));
    for (const check of checks) {
      const manifest = byId.get(check.object);
      deduped.push({ ...check, ...(manifest ? located(locate(manifest, parsePath(check.path))) : {}) });
    }
    // no repository file is known (a Helm chart's template, say): the rendered position is the next best thing
    for (const [index, finding] of deduped.entries()) {
      const manifest = finding.object && !finding.location ? byId.get(finding.object) : undefined;
      if (manifest) deduped[index] = { ...finding, message: `${finding.message} (rendered output: document ${manifest.rendered.index + 1}, line ${manifest.rendered.line})` };
    }
    if (missing.size > 0) deduped.push(...this.missingFindings(missing));
    return { findings: options.environment ? deduped.map((finding) => ({ ...finding, environment: options.environment! })) : deduped, schemaOf };
  }

  /** Schema locations that could not be used (unreachable, broken), each once per run: they belong to no environment. */
  locationFindings(): Finding[] {
    const findings: Finding[] = [];
    for (const problem of this.locations?.problems ?? []) {
      const key = `${problem.location}\n${problem.message}`;
      if (this.reportedLocations.has(key)) continue;
      this.reportedLocations.add(key);
      findings.push({ ruleId: "schema-location", severity: "warning", message: problem.message });
    }
    return findings;
  }

  private skipped(apiVersion: string, kind: string): boolean {
    return this.settings.skipKinds.some((entry) => entry === kind || entry === `${apiVersion}/${kind}`);
  }

  private apiVersionFindings(manifest: Manifest, locate: Locate): Finding[] {
    const apiVersion = String(manifest.object.apiVersion);
    const version = this.settings.kubernetesVersion === "master" ? BUILTIN_KUBERNETES_VERSION : this.settings.kubernetesVersion;
    const check = checkApiVersion(apiVersion, manifest.id.kind, version) ?? checkEcosystemApiVersion(apiVersion, manifest.id.kind);
    if (!check) return [];
    return [
      {
        ruleId: check.status === "removed" ? "api-removed" : "api-deprecated",
        severity: check.status === "removed" ? "error" : "warning",
        message: check.message,
        object: manifest.id,
        path: "apiVersion",
        ...located(locate(manifest, ["apiVersion"])),
      },
    ];
  }

  private missingFindings(missing: Map<string, number>): Finding[] {
    const kinds = [...missing.entries()].map(([kind, count]) => `${kind}${count > 1 ? ` (${count})` : ""}`);
    const total = [...missing.values()].reduce((a, b) => a + b, 0);
    if (this.settings.ignoreMissingSchemas) {
      return [
        {
          ruleId: "schema-missing",
          severity: "notice",
          message: `${total} object${total === 1 ? "" : "s"} not validated, no schema found: ${kinds.join(", ")} (add their CRDs to schemas.crdPaths, or a schema location)`,
        },
      ];
    }
    return [...missing.entries()].map(([kind, count]) => ({
      ruleId: "schema-missing",
      severity: "error" as const,
      message: `no schema for ${kind} (${count} object${count === 1 ? "" : "s"}; schemas.ignoreMissingSchemas is false)`,
    }));
  }

  private crdFor(crds: CrdSchema[], apiVersion: string, kind: string): Compiled | undefined {
    const { group, version } = groupOf(apiVersion);
    const schema = crds.find((candidate) => candidate.group === group && candidate.version === version && candidate.kind === kind);
    if (!schema) return undefined;
    const key = JSON.stringify(this.settings.strict ? schema.strict : schema.lax);
    let compiled = this.crdCompiled.get(key);
    if (!compiled) this.crdCompiled.set(key, (compiled = []));
    let entry = compiled.find((candidate) => candidate.schema === schema);
    if (!entry) {
      entry = { schema, validate: this.ajv.compile(this.settings.strict ? schema.strict : schema.lax) };
      compiled.push(entry);
    }
    return { validate: entry.validate, dropNulls: false, from: `CustomResourceDefinition ${kind}` };
  }

  private resolve(apiVersion: string, kind: string): Promise<Resolution> {
    const key = `${apiVersion}/${kind}`;
    let resolution = this.compiled.get(key);
    if (!resolution) this.compiled.set(key, (resolution = this.lookup(apiVersion, kind)));
    return resolution;
  }

  private async lookup(apiVersion: string, kind: string): Promise<Resolution> {
    const tried: string[] = [];
    const strict = this.settings.strict;
    let external: LocatedSchema | undefined;
    // in the order the settings list them; the downloaded locations are asked together, in their own order
    for (const location of this.settings.locations) {
      if (location === "default") {
        const definition = builtinDefinition(apiVersion, kind);
        if (definition) return { validate: this.ajv.compile(builtinRef(definition, strict)), dropNulls: true, from: "embedded" };
        tried.push("embedded");
      } else if (location === EMBEDDED_CRDS) {
        const embedded = embeddedCrdDefinition(apiVersion, kind);
        if (embedded) return { validate: this.ajv.compile(builtinRef(embedded.definition, strict)), dropNulls: true, from: `embedded CRD (${embedded.source})`, lagging: true };
        tried.push(EMBEDDED_CRDS);
      } else if (!external && this.locations) {
        external = await this.locations.lookup(apiVersion, kind);
        if (!external.found) {
          tried.push(...external.tried);
          continue;
        }
        try {
          return { validate: this.ajv.compile(prepareExternal(external.schema)), dropNulls: true, from: external.location };
        } catch (error) {
          this.locations.problems.push({ location: external.location, message: `schema ${external.location} does not compile: ${(error as Error).message}` });
        }
      }
    }
    // a kind the built-in group does not have is a typo, not a missing schema
    const { group } = groupOf(apiVersion);
    if (isBuiltinGroup(group)) return { unknownKind: builtinKindsOf(kind).filter((candidate) => candidate !== apiVersion) };
    return { missing: tried };
  }
}

function isCrd(manifest: Manifest): boolean {
  return manifest.id.group === "apiextensions.k8s.io" && manifest.id.kind === "CustomResourceDefinition";
}

function crdProblem(manifest: Manifest, problem: { message: string; path?: string }, locate?: Locate): Finding {
  return {
    ruleId: "crd-invalid",
    severity: "error",
    message: `CustomResourceDefinition ${manifest.id.name}: ${problem.message}`,
    object: manifest.id,
    ...(problem.path ? { path: problem.path } : {}),
    ...located(locate?.(manifest, problem.path ? parsePath(problem.path) : [])),
  };
}

const BUILTIN_GROUPS = new Set(
  ["", "apps", "batch", "autoscaling", "policy", "extensions", "networking.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io", "scheduling.k8s.io",
    "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "node.k8s.io", "certificates.k8s.io", "admissionregistration.k8s.io",
    "apiextensions.k8s.io", "apiregistration.k8s.io", "flowcontrol.apiserver.k8s.io", "resource.k8s.io", "authentication.k8s.io", "authorization.k8s.io"],
);

function isBuiltinGroup(group: string): boolean {
  return BUILTIN_GROUPS.has(group);
}

/** Schemas downloaded from a location are kubeconform's (openapi2jsonschema): draft-04 ids are not ajv's. */
function prepareExternal(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, id: _id, $id: _dollarId, ...rest } = schema;
  return rest;
}

function hasNull(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== "object") return false;
  for (const item of Array.isArray(value) ? value : Object.values(value)) if (hasNull(item)) return true;
  return false;
}

/** Go's JSON decoding gives an absent field and a null one the same meaning for built-in kinds. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== null) out[key] = withoutNulls(item);
  return out;
}

/** An anyOf/oneOf is reported once, not with every branch that failed. */
function relevantErrors(errors: ErrorObject[]): ErrorObject[] {
  const combinators = errors.filter((error) => error.keyword === "anyOf" || error.keyword === "oneOf").map((error) => error.schemaPath + "/");
  return errors.filter((error) => error.keyword !== "if" && !combinators.some((prefix) => error.schemaPath.startsWith(prefix)));
}

const PLACEHOLDER = /\$\{[^}]*\}|<secret:[^>]*>/;

function isPlaceholderError(error: ErrorObject): boolean {
  return typeof error.data === "string" && PLACEHOLDER.test(error.data) && ["type", "enum", "format", "pattern", "minimum", "maximum", "minLength", "maxLength"].includes(error.keyword);
}

function pointerSegments(pointer: string): Array<string | number> {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"))
    .map((segment) => (/^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : segment));
}

/** The dotted path of checks.ts back to segments: a.b[0]["x.y"] → ["a", "b", 0, "x.y"]. */
export function parsePath(path: string): Array<string | number> {
  const segments: Array<string | number> = [];
  const pattern = /([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (const match of path.matchAll(pattern)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(JSON.parse(match[3]!) as string);
  }
  return segments;
}

export function dottedPath(segments: Array<string | number>): string {
  return segments.reduce<string>((path, segment) => at(path, segment), "");
}

function schemaFinding(manifest: Manifest, error: ErrorObject, locate: Locate): Finding {
  const segments = pointerSegments(error.instancePath);
  const params = error.params as Record<string, unknown>;
  let ruleId = "schema-invalid";
  let message: string;
  let target = segments;
  const value = describeValue(error.data);
  switch (error.keyword) {
    case "additionalProperties": {
      const field = String(params.additionalProperty);
      target = [...segments, field];
      ruleId = "schema-unknown-field";
      const known = Object.keys((error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
      const suggestion = closest(field, known);
      message = `unknown field "${field}"` + (suggestion ? `: did you mean "${suggestion}"?` : "");
      break;
    }
    case "required": {
      const field = String(params.missingProperty);
      target = [...segments, field];
      ruleId = "schema-required";
      message = `required field "${field}" is missing`;
      break;
    }
    case "type":
      ruleId = "schema-type";
      message = `must be ${String(params.type).replace(",null", "").replaceAll(",", " or ")}, not ${value}`;
      break;
    case "enum":
      ruleId = "schema-enum";
      message = `must be one of ${(params.allowedValues as unknown[]).map((allowed) => JSON.stringify(allowed)).join(", ")}, not ${value}`;
      break;
    case "const":
      ruleId = "schema-enum";
      message = `must be ${JSON.stringify(params.allowedValue)}, not ${value}`;
      break;
    case "format":
      ruleId = "schema-format";
      message = `${value} is not a valid ${String(params.format).replace(/^(crd|k8s):/, "").replace("datetime", "date-time (RFC 3339)")}`;
      break;
    default:
      message = `${error.message ?? "is invalid"}` + (value && error.keyword !== "anyOf" && error.keyword !== "oneOf" ? ` (${value})` : "");
  }
  const path = dottedPath(target);
  // a missing field is reported where it should be: "spec: required field "selector" is missing"
  const shown = error.keyword === "required" ? dottedPath(segments) : path;
  return {
    ruleId,
    severity: "error",
    message: shown ? `${shown}: ${message}` : message,
    object: manifest.id,
    ...(path ? { path } : {}),
    ...located(locate(manifest, target)),
  };
}

function describeValue(data: unknown): string {
  if (data === undefined) return "";
  if (data === null) return "null";
  if (Array.isArray(data)) return "a list";
  if (typeof data === "object") return "an object";
  const text = JSON.stringify(data);
  return text.length > 60 ? `${text.slice(0, 57)}…"` : text;
}

function located(location: SourceLocation | undefined): { location?: SourceLocation } {
  return location ? { location } : {};
}

/** The known field nearest to a misspelt one (edit distance at most a third of its length), for "did you mean". */
function closest(field: string, known: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(field.toLowerCase(), name.toLowerCase());
    if (distance <= Math.max(1, Math.floor(name.length / 3)) && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

export type { JsonSchema };
