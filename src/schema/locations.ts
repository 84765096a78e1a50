// Schemas from kubeconform-compatible schema locations (its -schema-location values), tried in order, with a disk
// cache of downloads. Sources: yannh/kubeconform pkg/registry/registry.go (schemaPath: the template variables;
// New: "default", the suffix appended to a location not ending in "json", http vs local), pkg/loader/http.go (200 is
// a schema, 404 is "not there, try the next location", any other status is an error), pkg/loader/file.go (file://
// URLs, a missing file is "not there"), pkg/cache/ondisk.go (the cache key is the sha256 of the URL).
//
// Where this differs from kubeconform, on purpose: an unreachable location, an HTTP error or invalid JSON is a
// LocationProblem and the next location is tried (kubeconform stops at the first such error); an unreachable
// location is not asked again in this run; no retries (kubeconform retries twice); a relative path resolves against
// the given root, not the working directory; "v1.31.2" is accepted as well as kubeconform's "1.31.2"; cache files
// are named "<sha256>.json", invalid JSON is never cached, and a corrupt cache file is fetched again and overwritten.
import { createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { InternalError } from "../errors.ts";
import type { Files, Http, Logger } from "../ports.ts";

export type JsonSchema = Record<string, unknown>;

export interface LocationSettings {
  /** kubeconform's -schema-location values, tried in order. "default" is skipped here (the caller serves the embedded schemas). */
  locations: string[];
  /** "1.31", "v1.31.2" or "master" */
  kubernetesVersion: string;
  strict: boolean;
  /** absolute directory for downloaded schemas; no caching when undefined */
  cacheDir?: string;
  timeoutMs?: number; // default 30000
}

export type LocatedSchema =
  | { found: true; schema: JsonSchema; location: string } // location: the URL or file it came from
  | { found: false; tried: string[] }; // every location answered "not there" (404 / no file)

/** location: the schema location as configured; message: names the URL or file and says what happened */
export interface LocationProblem {
  location: string;
  message: string;
}

/** The data kubeconform's schemaPath hands the location template (field names as Go spells them). */
export interface TemplateVariables {
  /** "master", or the version with a "v" prefix ("v1.31.2"); not padded: "1.31" gives "v1.31" */
  NormalizedKubernetesVersion: string;
  /** "-strict" or "" */
  StrictSuffix: string;
  /** the kind, lower-cased */
  ResourceKind: string;
  /** the apiVersion after its last "/" ("apps/v1" → "v1") */
  ResourceAPIVersion: string;
  /** the apiVersion before its first "/": "apps" for "apps/v1", but "v1" for the core group's "v1" */
  Group: string;
  /** "-" + the group's first DNS label + "-" + the version ("-apps-v1", "-networking-v1"); "-v1" for core */
  KindSuffix: string;
}

/** kubeconform's "default" location. */
export const DEFAULT_SCHEMA_LOCATION =
  "https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json";
/** What kubeconform appends to a location that does not end in "json". */
export const DEFAULT_LOCATION_SUFFIX = "/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json";

const DEFAULT_TIMEOUT_MS = 30_000;
const VARIABLE_NAMES: readonly (keyof TemplateVariables)[] = [
  "NormalizedKubernetesVersion",
  "StrictSuffix",
  "ResourceKind",
  "ResourceAPIVersion",
  "Group",
  "KindSuffix",
];

// ---------------------------------------------------------------------------------------------------------------
// Templates

export class LocationTemplateError extends Error {}

/** registry.New: "default" is kubeconform's own location; a location not ending in "json" gets the default layout. */
export function locationTemplate(location: string): string {
  if (location === "default") return DEFAULT_SCHEMA_LOCATION;
  return location.endsWith("json") ? location : location + DEFAULT_LOCATION_SUFFIX;
}

/** kubeconform: "master" as is, anything else with a "v" prefix (one given "v" is not doubled); x.y becomes x.y.0. */
export function normalizeKubernetesVersion(version: string): string {
  if (version === "master") return version;
  const bare = version.replace(/^v/, "");
  // kubernetes-json-schema's directories are full releases (v1.31.0): a minor version names its first release,
  // where kubeconform would ask for "v1.31" and find nothing
  return `v${/^\d+\.\d+$/.test(bare) ? `${bare}.0` : bare}`;
}

/** registry.schemaPath's template data for one object. */
export function templateVariables(apiVersion: string, kind: string, kubernetesVersion: string, strict: boolean): TemplateVariables {
  const groupParts = apiVersion.split("/");
  const versionParts = groupParts[0]!.split(".");
  let kindSuffix = `-${versionParts[0]!.toLowerCase()}`;
  if (groupParts.length > 1) kindSuffix += `-${groupParts[1]!.toLowerCase()}`;
  return {
    NormalizedKubernetesVersion: normalizeKubernetesVersion(kubernetesVersion),
    StrictSuffix: strict ? "-strict" : "",
    ResourceKind: kind.toLowerCase(),
    ResourceAPIVersion: groupParts[groupParts.length - 1]!,
    Group: groupParts[0]!,
    KindSuffix: kindSuffix,
  };
}

/**
 * The file or URL a location names for one object: kubeconform's suffix rule (locationTemplate), then the Go
 * template. Go's syntax for what a location can use: `{{ .Field }}` with any spaces, tabs or newlines inside the
 * braces, trim markers `{{- ` and ` -}}`, and comments `{{/* … *\/}}`. Anything else (pipelines, functions, `if`)
 * or an unknown field is a LocationTemplateError.
 */
export function expandLocation(template: string, variables: TemplateVariables): string {
  return parseTemplate(locationTemplate(template))
    .map((part) => {
      if (typeof part === "string") return part;
      if (!(VARIABLE_NAMES as readonly string[]).includes(part.field)) {
        throw new LocationTemplateError(
          `{{ .${part.field} }} at offset ${part.offset}: can't evaluate field ${part.field} (the variables are ${VARIABLE_NAMES.join(", ")})`,
        );
      }
      return variables[part.field as keyof TemplateVariables];
    })
    .join("");
}

type TemplatePart = string | { field: string; offset: number };

const GO_SPACE = /[ \t\r\n]/;
const FIELD_ACTION = /^[ \t\r\n]*\.([\p{L}_][\p{L}\p{Nd}_]*)[ \t\r\n]*$/u;
const parsedTemplates = new Map<string, TemplatePart[]>();

function parseTemplate(template: string): TemplatePart[] {
  const cached = parsedTemplates.get(template);
  if (cached) return cached;
  const parts: TemplatePart[] = [];
  let trimNext = false;
  let position = 0;
  const pushText = (text: string, trimEnd: boolean) => {
    let value = trimNext ? text.replace(/^[ \t\r\n]+/, "") : text;
    if (trimEnd) value = value.replace(/[ \t\r\n]+$/, "");
    if (value) parts.push(value);
  };
  for (;;) {
    const open = template.indexOf("{{", position);
    if (open < 0) {
      pushText(template.slice(position), false);
      break;
    }
    let start = open + 2;
    const trimBefore = template[start] === "-" && GO_SPACE.test(template[start + 1] ?? "");
    pushText(template.slice(position, open), trimBefore);
    if (trimBefore) start += 2;
    if (template.startsWith("/*", start)) {
      // a comment: "*/" then the closing delimiter, optionally with its trim marker
      const end = template.indexOf("*/", start + 2);
      if (end < 0) throw new LocationTemplateError(`unclosed comment at offset ${open}`);
      const after = end + 2;
      if (template.startsWith("}}", after)) {
        trimNext = false;
        position = after + 2;
      } else if (GO_SPACE.test(template[after] ?? "") && template.startsWith("-}}", after + 1)) {
        trimNext = true;
        position = after + 4;
      } else {
        throw new LocationTemplateError(`comment ends before closing delimiter at offset ${open}`);
      }
      continue;
    }
    const close = template.indexOf("}}", start);
    if (close < 0) throw new LocationTemplateError(`unclosed action at offset ${open}`);
    let inner = template.slice(start, close);
    const trimAfter = inner.length >= 2 && inner.endsWith("-") && GO_SPACE.test(inner[inner.length - 2]!);
    if (trimAfter) inner = inner.slice(0, -1);
    const match = FIELD_ACTION.exec(inner);
    if (!match) {
      throw new LocationTemplateError(
        `unsupported template action ${JSON.stringify(template.slice(open, close + 2))} at offset ${open}: a location can use {{ .Field }} only`,
      );
    }
    parts.push({ field: match[1]!, offset: open });
    trimNext = trimAfter;
    position = close + 2;
  }
  parsedTemplates.set(template, parts);
  return parts;
}

// ---------------------------------------------------------------------------------------------------------------
// Lookups

interface Source {
  /** as configured */
  location: string;
  template: string;
  remote: boolean;
  disabled: boolean;
}

type Answer = { kind: "schema"; schema: JsonSchema; where: string } | { kind: "missing"; where: string } | { kind: "failed" };

const FAILED: Answer = { kind: "failed" };

export class SchemaLocations {
  /** problems met so far, each reported once per location (not once per object) */
  readonly problems: LocationProblem[] = [];

  private readonly sources: Source[] = [];
  private readonly answers = new Map<string, Promise<Answer>>();
  private readonly reported = new Set<string>();
  private readonly timeoutMs: number;
  private cacheReady: Promise<boolean> | undefined;

  constructor(
    private readonly settings: LocationSettings,
    private readonly ports: { files: Files; http: Http; logger: Logger },
    /** relative directory templates resolve against it */
    private readonly root?: string,
  ) {
    this.timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    for (const location of settings.locations) {
      if (location === "default") continue;
      const template = locationTemplate(location);
      const source: Source = { location, template, remote: template.startsWith("http"), disabled: false };
      try {
        // as kubeconform's registry.New does: refuse a template that does not expand
        expandLocation(template, templateVariables("v1", "Deployment", "master", true));
      } catch (error) {
        source.disabled = true;
        this.report(source, "template", `schema location ${location} is not a valid template: ${messageOf(error)} (skipped for this run)`);
      }
      this.sources.push(source);
    }
    if (settings.cacheDir !== undefined && !path.isAbsolute(settings.cacheDir)) {
      throw new InternalError(`the schema cache directory must be an absolute path, got ${JSON.stringify(settings.cacheDir)}`);
    }
  }

  /** True when no location other than "default" is configured: lookup would never find anything. */
  get empty(): boolean {
    return this.sources.length === 0;
  }

  async lookup(apiVersion: string, kind: string): Promise<LocatedSchema> {
    const variables = templateVariables(apiVersion, kind, this.settings.kubernetesVersion, this.settings.strict);
    const tried: string[] = [];
    for (const source of this.sources) {
      if (source.disabled) continue;
      const target = expandLocation(source.template, variables);
      const answer = source.remote ? await this.remember(`GET ${target}`, () => this.download(source, target)) : await this.readLocal(source, target);
      if (answer.kind === "schema") return { found: true, schema: answer.schema, location: answer.where };
      if (answer.kind === "missing") tried.push(answer.where);
    }
    return { found: false, tried };
  }

  private remember(key: string, produce: () => Promise<Answer>): Promise<Answer> {
    let answer = this.answers.get(key);
    if (!answer) {
      answer = produce();
      this.answers.set(key, answer);
    }
    return answer;
  }

  // --- HTTP ------------------------------------------------------------------------------------------------------

  private async download(source: Source, url: string): Promise<Answer> {
    const shown = displayUrl(url);
    const cacheFile = this.settings.cacheDir === undefined ? undefined : path.join(this.settings.cacheDir, `${sha256(url)}.json`);
    let writable = cacheFile !== undefined;
    if (cacheFile !== undefined) {
      const cached = await this.readCache(source, url, cacheFile);
      if (cached === "not-a-file") writable = false;
      else if (cached) return cached;
    }
    if (source.disabled) return FAILED; // another lookup found the host unreachable meanwhile

    let response: { status: number; body: string };
    try {
      this.ports.logger.debug(`downloading schema ${shown}`);
      response = await this.ports.http.get(url, { timeoutMs: this.timeoutMs });
    } catch (error) {
      if (!source.disabled) {
        source.disabled = true;
        const reason = messageOf(error).replace(/^GET \S+: /, "");
        this.report(source, "unreachable", `schema location ${shown} could not be reached: ${reason} (skipped for the rest of this run)`);
      }
      return FAILED;
    }
    if (response.status === 404) {
      this.ports.logger.debug(`no schema at ${shown} (HTTP 404)`);
      return { kind: "missing", where: shown };
    }
    if (response.status !== 200) {
      this.report(source, `http-${response.status}`, `schema location ${shown} answered HTTP ${response.status}: not used, the next location is tried`);
      return FAILED;
    }
    const parsed = parseSchema(response.body);
    if (typeof parsed === "string") {
      this.report(source, "invalid-json", `schema at ${shown} ${parsed}: not used, the next location is tried`);
      return FAILED;
    }
    if (cacheFile !== undefined && writable) await this.writeCache(source, cacheFile, response.body);
    this.ports.logger.debug(`using schema found at ${shown}`);
    return { kind: "schema", schema: parsed, where: shown };
  }

  /** The cached answer, undefined to download, or "not-a-file" to download and leave the path alone. */
  private async readCache(source: Source, url: string, file: string): Promise<Answer | "not-a-file" | undefined> {
    const { files } = this.ports;
    const shown = displayUrl(url);
    try {
      const info = await files.stat(file);
      if (!info) return undefined;
      if (info.type !== "file") {
        this.report(source, "cache-not-file", `schema cache path ${file} (for ${shown}) is a ${info.type}, not a file: not used or overwritten`);
        return "not-a-file";
      }
      const parsed = parseSchema(await files.readText(file));
      if (typeof parsed === "string") {
        this.report(source, "cache-corrupt", `corrupt cache file ${file} for ${shown} (${parsed.replace(/^is /, "")}): fetched again`);
        return undefined;
      }
      this.ports.logger.debug(`using cached schema ${file} for ${shown}`);
      return { kind: "schema", schema: parsed, where: shown };
    } catch (error) {
      this.report(source, "cache-read", `schema cache file ${file} for ${shown} could not be read: ${messageOf(error)}: fetched again`);
      return undefined;
    }
  }

  private async writeCache(source: Source, file: string, body: string): Promise<void> {
    const dir = this.settings.cacheDir!;
    this.cacheReady ??= this.ports.files.mkdirp(dir).then(
      () => true,
      (error: unknown) => {
        this.report(source, "cache-dir", `schema cache directory ${dir} could not be created: ${messageOf(error)} (schemas are not cached)`);
        return false;
      },
    );
    if (!(await this.cacheReady)) return;
    try {
      await this.ports.files.writeText(file, body);
    } catch (error) {
      this.report(source, "cache-write", `schema cache file ${file} could not be written: ${messageOf(error)}`);
    }
  }

  // --- files -----------------------------------------------------------------------------------------------------

  private async readLocal(source: Source, target: string): Promise<Answer> {
    let file: string;
    try {
      file = target.startsWith("file:") ? fileURLToPath(target) : target;
    } catch (error) {
      this.report(source, "file-url", `schema location ${target} is not a usable file URL: ${messageOf(error)}`);
      return FAILED;
    }
    if (!path.isAbsolute(file)) {
      if (this.root === undefined) {
        source.disabled = true;
        this.report(source, "relative", `schema location ${source.location} is a relative path, but no directory was given to resolve it against (skipped for this run)`);
        return FAILED;
      }
      file = path.resolve(this.root, file);
    }
    return this.remember(`FILE ${file}`, () => this.readFile(source, file));
  }

  private async readFile(source: Source, file: string): Promise<Answer> {
    const { files } = this.ports;
    try {
      // follow symlinks, as opening the file does
      const real = await files.realpath(file);
      const info = real === undefined ? undefined : await files.stat(real);
      if (!real || !info) {
        this.ports.logger.debug(`no schema file ${file}`);
        return { kind: "missing", where: file };
      }
      if (info.type !== "file") {
        this.report(source, "not-a-file", `schema location ${file} is a ${info.type}, not a file: not used, the next location is tried`);
        return FAILED;
      }
      const parsed = parseSchema(await files.readText(real));
      if (typeof parsed === "string") {
        this.report(source, "invalid-json", `schema file ${file} ${parsed}: not used, the next location is tried`);
        return FAILED;
      }
      this.ports.logger.debug(`using schema file ${file}`);
      return { kind: "schema", schema: parsed, where: file };
    } catch (error) {
      this.report(source, "file-error", `schema file ${file} could not be read: ${messageOf(error)}`);
      return FAILED;
    }
  }

  // --- problems --------------------------------------------------------------------------------------------------

  /**
   * One problem per location and kind of failure: the first one met is reported (its message names the URL or
   * file); later ones of the same kind at that location only go to the debug log. Messages never change once
   * reported, so a caller may read `problems` during the run and dedupe by message.
   */
  private report(source: Source, category: string, message: string): void {
    const key = `${source.location}\u0000${category}`;
    if (this.reported.has(key)) {
      this.ports.logger.debug(message);
      return;
    }
    this.reported.add(key);
    this.problems.push({ location: source.location, message });
    this.ports.logger.debug(message);
  }
}

/** The schema, or why the text is not one. Never quotes the text: it may be anything a location returned. */
function parseSchema(text: string): JsonSchema | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text.trim() === "" ? "is empty, not valid JSON" : `is not valid JSON (${text.length} characters)`;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `is valid JSON but not a JSON object (${value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`})`;
  }
  return value as JsonSchema;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The URL without a password, for messages. */
function displayUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, "$1***@");
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
