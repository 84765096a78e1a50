// Kyverno's `{{ }}` variables: the context a rule sees (pkg/engine/context, pkg/engine/policycontext as the CLI builds
// it) and substitution in policy fragments (pkg/engine/variables/vars.go, pkg/engine/jsonutils/traverse.go,
// pkg/utils/jsonpointer), with the `$(...)` references SubstituteAll resolves first.
//
// Substitution, as Kyverno does it:
// - every `{{ expr }}` in a string (map values, list items and map keys) is a JMESPath query over the context;
//   a string that is exactly one variable takes the variable's value and type (object, number, null...); anywhere
//   else the value is spliced in, strings as they are and other values as Go's encoding/json writes them ("null");
// - inner variables are substituted first (`{{ a.{{ b }} }}`), then the string is scanned again;
// - `\{{ x }}` is not substituted and loses its backslash; `{{@}}` is the value at the same path in the resource;
// - for a DELETE, `request.object` in a variable reads `request.oldObject`;
// - a variable whose path does not exist is an error ("failed to resolve ... Unknown key"), as it is in Kyverno's
//   rule bodies, deny conditions and (since 1.9) preconditions; `{ allowMissing: true }` makes it the empty string
//   instead (what Kyverno's preconditions did before, and a way to render messages). Per place, Kyverno does:
//   validate pattern/anyPattern/deny and mutate bodies: error → the rule errors; preconditions: error → the rule
//   errors; the validation message: error → the message becomes "variables substitution error"; a variable
//   context entry: a failing jmesPath with a default takes the default, a value that evaluates to null is an error
//   (see evaluateVariableEntry); a foreach list that does not resolve: error.
import { imageInfo, JmespathError, JmespathNotFoundError, marshalGoJson, searchJmespath } from "./jmespath.ts";

/** A variable that cannot be substituted; names the variable, where it is, and why. */
export class VariableError extends Error {
  override name = "VariableError";
  readonly variable: string;
  readonly path: string;
  /** not-found: a path that does not exist; invalid: an expression that does not compile; failed: anything else */
  readonly reason: "not-found" | "invalid" | "failed";
  constructor(message: string, variable: string, path: string, reason: "not-found" | "invalid" | "failed") {
    super(message);
    this.variable = variable;
    this.path = path;
    this.reason = reason;
  }
}

/** Kyverno's context for one resource and operation. */
export interface KyvernoContextInput {
  object: unknown;
  oldObject?: unknown;
  operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  /** request.namespace; the object's metadata.namespace by default, "" without one */
  namespace?: string;
  /** request.userInfo (username, uid, groups, extra); serviceAccountName/Namespace come from its username */
  userInfo?: unknown;
  /** kept for namespaceSelector matching; Kyverno's JSON context does not hold them */
  namespaceLabels?: Record<string, string>;
  /** further data merged into the context (maps merge, other values replace): request.roles, CLI values... */
  extra?: Record<string, unknown>;
  /** the clock of time_now() and friends; the system clock by default */
  now?: () => Date;
}

const DERIVED = Symbol("derived");

interface ContextState {
  data: Record<string, unknown>;
  namespaceLabels: Record<string, string>;
  imagesError: string | undefined;
  now: (() => Date) | undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** mergeMaps: maps merge key by key, anything else replaces; nothing shared is modified. */
function merge(target: unknown, source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(source)) {
    out[key] = isObject(value) && isObject(out[key]) ? merge(out[key], value) : value;
  }
  return out;
}

/** Kyverno's context for one resource and operation. */
export class KyvernoContext {
  readonly data: Record<string, unknown>;
  readonly namespaceLabels: Record<string, string>;
  private readonly imagesError: string | undefined;
  private readonly now: (() => Date) | undefined;

  constructor(input: KyvernoContextInput);
  constructor(input: KyvernoContextInput | { [DERIVED]: ContextState }) {
    if (DERIVED in input) {
      const state = input[DERIVED];
      this.data = state.data;
      this.namespaceLabels = state.namespaceLabels;
      this.imagesError = state.imagesError;
      this.now = state.now;
      return;
    }
    const deleting = input.operation === "DELETE";
    const resource = deleting ? (input.oldObject ?? input.object) : input.object;
    const request: Record<string, unknown> = {};
    if (deleting) request.oldObject = resource;
    else {
      request.object = input.object;
      if (input.oldObject !== undefined) request.oldObject = input.oldObject;
    }
    const metadata = isObject(resource) && isObject(resource.metadata) ? resource.metadata : {};
    request.namespace = input.namespace ?? (typeof metadata.namespace === "string" ? metadata.namespace : "");
    request.userInfo = input.userInfo ?? {};
    request.operation = input.operation;
    const username = isObject(input.userInfo) && typeof input.userInfo.username === "string" ? input.userInfo.username : "";
    let data: Record<string, unknown> = { request, ...serviceAccount(username) };
    let imagesError: string | undefined;
    try {
      const images = imagesOf(resource);
      if (Object.keys(images).length > 0) data.images = images;
    } catch (error) {
      imagesError = (error as Error).message;
    }
    if (input.extra) data = merge(data, input.extra);
    this.data = data;
    this.namespaceLabels = input.namespaceLabels ?? {};
    this.imagesError = imagesError;
    this.now = input.now;
  }

  private derive(data: Record<string, unknown>): KyvernoContext {
    return new KyvernoContext({ [DERIVED]: { data, namespaceLabels: this.namespaceLabels, imagesError: this.imagesError, now: this.now } } as unknown as KyvernoContextInput);
  }

  /** request.operation */
  get operation(): string {
    const request = this.data.request;
    return isObject(request) && typeof request.operation === "string" ? request.operation : "";
  }

  /** adds a top-level entry (context entries, element, elementIndex…); returns a child context that shadows it */
  with(name: string, value: unknown): KyvernoContext {
    return this.derive({ ...this.data, [name]: value });
  }

  /** A CLI value: a dotted key ("request.object.metadata.name", `"a.b".c` quoted) merged into the context. */
  withVariable(key: string, value: unknown): KyvernoContext {
    const fields = splitDotted(key);
    let nested: unknown = value;
    for (const field of [...fields].reverse()) nested = { [field]: nested };
    return this.derive(merge(this.data, nested as Record<string, unknown>));
  }

  /** A foreach element: element, elementN, elementIndex and elementIndexN (N the nesting level, from 0). */
  withElement(element: unknown, index: number, nesting = 0): KyvernoContext {
    return this.derive({ ...this.data, element, [`element${nesting}`]: element, elementIndex: index, [`elementIndex${nesting}`]: index });
  }

  /** JMESPath over the context data (Kyverno's context.Query); throws JmespathError. */
  query(expression: string): unknown {
    const query = expression.trim();
    if (query === "") throw new JmespathError("invalid query (nil)");
    if (this.imagesError !== undefined && query.includes("images")) throw new JmespathError(`failed to load images: ${this.imagesError}`);
    return searchJmespath(query, this.data, this.now ? { now: this.now } : {});
  }
}

/** AddServiceAccount: "system:serviceaccount:<namespace>:<name>" to serviceAccountName and serviceAccountNamespace. */
function serviceAccount(username: string): { serviceAccountName: string; serviceAccountNamespace: string } {
  const prefix = "system:serviceaccount:";
  const rest = username.length <= prefix.length ? "" : username.slice(prefix.length);
  const groups = rest.split(":");
  return groups.length >= 2 ? { serviceAccountName: groups[1]!, serviceAccountNamespace: groups[0]! } : { serviceAccountName: "", serviceAccountNamespace: "" };
}

/** A dotted key read as a CSV record with '.' separators (AddVariable). */
function splitDotted(key: string): string[] {
  const fields: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < key.length; i++) {
    const c = key[i]!;
    if (quoted) {
      if (c === '"' && key[i + 1] === '"') {
        current += '"';
        i++;
      } else if (c === '"') quoted = false;
      else current += c;
    } else if (c === '"' && current === "") quoted = true;
    else if (c === ".") {
      fields.push(current);
      current = "";
    } else current += c;
  }
  fields.push(current);
  return fields;
}

// ---------------------------------------------------------------------------------------------------------------
// images

const POD_PATHS: Record<string, string[]> = {
  Pod: ["spec"],
  DaemonSet: ["spec", "template", "spec"],
  Deployment: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  ReplicationController: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

/** The images map Kyverno builds from a Pod, a Pod controller or a CronJob (containers, initContainers, ephemeralContainers). */
export function imagesOf(object: unknown): Record<string, Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, Record<string, unknown>>> = {};
  if (!isObject(object) || typeof object.kind !== "string") return out;
  const base = POD_PATHS[object.kind];
  if (!base) return out;
  for (const kind of ["initContainers", "containers", "ephemeralContainers"]) {
    const infos: Record<string, Record<string, unknown>> = {};
    extractImages(object, [], [...base, kind, "*"], infos);
    if (Object.keys(infos).length > 0) out[kind] = infos;
  }
  return out;
}

/** pkg/utils/api/image.go extract(): walks fields ("*" for every item), then reads name and image. */
function extractImages(node: unknown, path: string[], fields: string[], infos: Record<string, Record<string, unknown>>): void {
  if (node === null || node === undefined) return;
  if (fields[0] === "*") {
    if (Array.isArray(node)) node.forEach((item, i) => extractImages(item, [...path, String(i)], fields.slice(1), infos));
    else if (isObject(node)) for (const [key, item] of Object.entries(node)) extractImages(item, [...path, key], fields.slice(1), infos);
    else throw new Error("invalid type");
    return;
  }
  if (!isObject(node)) throw new Error("invalid image config");
  if (fields.length > 0) {
    extractImages(node[fields[0]!], [...path, fields[0]!], fields.slice(1), infos);
    return;
  }
  const pointer = `/${path.join("/")}/image`;
  if (typeof node.name !== "string") throw new Error("invalid key");
  const image = node.image;
  if (typeof image !== "string" || image.trim() === "") return;
  let info;
  try {
    info = imageInfo(image);
  } catch (error) {
    throw new Error(`invalid image '${image}' (${(error as Error).message})`);
  }
  const entry: Record<string, unknown> = {};
  if (info.registry) entry.registry = info.registry;
  entry.name = info.name;
  entry.path = info.path;
  if (info.tag) entry.tag = info.tag;
  if (info.digest) entry.digest = info.digest;
  entry.reference = info.reference;
  entry.referenceWithTag = info.referenceWithTag;
  entry.jsonPointer = pointer;
  infos[node.name] = entry;
}

// ---------------------------------------------------------------------------------------------------------------
// substitution

export interface SubstituteOptions {
  /** a variable whose path does not exist becomes "" instead of an error (Kyverno < 1.9 preconditions) */
  allowMissing?: boolean;
  /**
   * The JSON pointer of `value` inside the rule ("/validate/pattern", "/validate/foreach/0/pattern"), used in error
   * messages and by `{{@}}`, which Kyverno resolves by dropping the first two elements after any "foreach".
   * Without it, `{{@}}` takes the value's root as the resource's root.
   */
  path?: string;
  /** resolve `$(./../path)` references first, as SubstituteAll does (default true) */
  references?: boolean;
}

const VARIABLES = /(^|[^\\])(\{\{(?:\{[^{}]*\}|[^{}])*\}\})/gu;
const ESCAPED_VARIABLES = /\\\{\{(\{[^{}]*\}|[^{}])*\}\}/gu;
const VARIABLE_AT_START = /^\{\{(\{[^{}]*\}|[^{}])*\}\}/u;
const REFERENCES = /^\$\(.[^ ]*\)|[^\\]\$\(.[^ ]*\)/gu;
const ESCAPED_REFERENCES = /\\\$\(.[^ ]*\)/gu;

/** True when a string holds a variable Kyverno would substitute. */
export function hasVariables(value: string): boolean {
  return [...value.matchAll(VARIABLES)].length > 0;
}

/** Replaces every {{ }} in a policy fragment (strings in maps and lists, keys too where Kyverno does), as Kyverno does. */
export function substituteVariables(value: unknown, context: KyvernoContext, options: SubstituteOptions = {}): unknown {
  const base = options.path ?? "";
  let document = value;
  if (options.references !== false) document = traverse(document, base, (element, path) => (typeof element === "string" ? substituteReferences(element, path, value, base) : element));
  const deleting = context.operation === "DELETE";
  return traverse(document, base, (element, path) => (typeof element === "string" ? substituteString(element, path, context, options, deleting) : element));
}

/** How many times a substituted value may itself bring variables (Kyverno has no limit and loops). */
const MAX_NESTED_SUBSTITUTIONS = 64;
/** How many passes over one string (each pass substitutes the variables it finds, inner ones first). */
const MAX_PASSES = 1000;

/** jsonutils.Traversal with OnlyForLeafsAndKeys: the action sees leaves and keys; what it returns is traversed too. */
function traverse(element: unknown, path: string, action: (element: unknown, path: string) => unknown, nested = 0): unknown {
  const leaf = !Array.isArray(element) && !isObject(element);
  const acted = leaf ? action(element, path) : element;
  if (leaf && (Array.isArray(acted) || isObject(acted))) {
    nested++;
    if (nested > MAX_NESTED_SUBSTITUTIONS) throw new VariableError(`variables at path ${path} keep bringing variables (more than ${MAX_NESTED_SUBSTITUTIONS} levels)`, String(element), path, "failed");
  }
  if (Array.isArray(acted)) return acted.map((item, i) => traverse(item, `${path}/${i}`, action, nested));
  if (isObject(acted)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(acted)) {
      const renamed = traverse(key, path, action, nested);
      let newKey = key;
      if (renamed !== null && renamed !== undefined) {
        if (typeof renamed !== "string") throw new VariableError(`expected string after substituting variables in key "${key}"`, key, path, "failed");
        newKey = renamed;
      }
      out[newKey] = traverse(child, `${path}/${key.replaceAll("/", "\\/")}`, action, nested);
    }
    return out;
  }
  return acted;
}

function firstRune(s: string): string {
  return String.fromCodePoint(s.codePointAt(0)!);
}

function replaceBracesAndTrimSpaces(v: string): string {
  return v.replaceAll("{{", "").replaceAll("}}", "").trim();
}

/** substituteVariablesIfAny on one string. */
function substituteString(input: string, path: string, context: KyvernoContext, options: SubstituteOptions, deleting: boolean): unknown {
  let value = input;
  let vars = matches(value, VARIABLES);
  let passes = 0;
  while (vars.length > 0) {
    if (++passes > MAX_PASSES) throw new VariableError(`variables at path ${path} keep bringing variables (more than ${MAX_PASSES} passes)`, input, path, "failed");
    const originalPattern = value;
    for (const found of vars) {
      const initial = VARIABLE_AT_START.test(found);
      const prefix = initial ? "" : firstRune(found);
      const v = found.slice(prefix.length);
      let variable = replaceBracesAndTrimSpaces(v);
      if (variable === "@") variable = currentPathVariable(context, path, options);
      if (deleting) variable = variable.replaceAll("request.object", "request.oldObject");
      const substituted = resolve(context, variable, path, options);
      if (originalPattern === v) return substituted;
      value = replaceFirst(originalPattern, prefix + v, prefix + (typeof substituted === "string" ? substituted : marshalGoJson(substituted)));
    }
    vars = matches(value, VARIABLES);
  }
  for (const escaped of matches(value, ESCAPED_VARIABLES)) value = value.replaceAll(escaped, escaped.slice(1));
  return value;
}

function matches(value: string, pattern: RegExp): string[] {
  return [...value.matchAll(pattern)].map((match) => match[0]);
}

function replaceFirst(text: string, search: string, replacement: string): string {
  const at = text.indexOf(search);
  return at < 0 ? text : text.slice(0, at) + replacement + text.slice(at + search.length);
}

function resolve(context: KyvernoContext, variable: string, path: string, options: SubstituteOptions): unknown {
  try {
    return context.query(variable);
  } catch (error) {
    if (error instanceof JmespathNotFoundError) {
      if (options.allowMissing) return "";
      throw new VariableError(`failed to resolve ${variable} at path ${path}: JMESPath query failed: ${error.message}`, variable, path, "not-found");
    }
    const message = (error as Error).message;
    if (error instanceof JmespathError && message.startsWith("invalid JMESPath expression")) {
      throw new VariableError(`failed to resolve ${variable} at path ${path}: incorrect query ${variable}: ${message.replace(/^invalid JMESPath expression "(?:[^"\\]|\\.)*": /, "")}`, variable, path, "invalid");
    }
    throw new VariableError(`failed to resolve ${variable} at path ${path}: JMESPath query failed: ${message}`, variable, path, "failed");
  }
}

/** `{{@}}`: the value at the same place in the resource (the mutate target when there is one). */
function currentPathVariable(context: KyvernoContext, path: string, options: SubstituteOptions): string {
  let prefix = ["target"];
  try {
    context.query("target");
  } catch {
    prefix = ["request", "object"];
  }
  let pointer = parsePointerPath(path);
  if (options.path !== undefined) {
    pointer = pointer.slice(pointer.indexOf("foreach") + 1);
    pointer = 2 > pointer.length - 1 ? [] : pointer.slice(2);
  }
  return pointerToJmespath([...prefix, ...pointer]);
}

/** jsonpointer.ParsePath: '/'-separated, backslash escapes, double-quoted segments. */
function parsePointerPath(raw: string): string[] {
  const out: string[] = [];
  let current = "";
  let escaped = false;
  let quoted = false;
  let quoteStart = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (escaped) {
      current += c;
      escaped = false;
    } else if (c === "\\") escaped = true;
    else if (c === '"') {
      if (quoted) {
        try {
          current += JSON.parse(raw.slice(quoteStart, i + 1)) as string;
        } catch {
          // keep what was read
        }
      } else quoteStart = i;
      quoted = !quoted;
    } else if (c === "/" && !quoted) {
      if (current !== "") out.push(current);
      current = "";
    } else if (!quoted) current += c;
  }
  if (current !== "") out.push(current);
  return out;
}

/** Pointer.JMESPath(): indices in brackets, identifiers bare, anything else quoted. */
function pointerToJmespath(pointer: string[]): string {
  let out = "";
  for (const component of pointer) {
    if (/^\d+$/.test(component)) {
      out += `[${component}]`;
      continue;
    }
    if (out.length > 0) out += ".";
    if (/^[(A-Za-z_][)0-9A-Za-z_]*$/.test(component)) out += component;
    else out += JSON.stringify(component).replaceAll("/", "\\/");
  }
  return out;
}

// $(...) references ----------------------------------------------------------------------------------------------

const ANCHOR = /^(?:\(|=\(|\^\(|\+\(|X\(|<\()(.+)\)$/;

function removeAnchorsFromPath(path: string): string {
  const components = path.split("/");
  if (components[0] === "") components.shift();
  const joined = joinPath(components.map((component) => ANCHOR.exec(component)?.[1] ?? component));
  return path.startsWith("/") ? `/${joined.replace(/^\/+/, "")}` : joined;
}

/** path.Join of elements (empty ones skipped), cleaned. */
function joinPath(parts: string[]): string {
  const joined = parts.filter((part) => part !== "").join("/");
  return joined === "" ? "" : cleanPosixPath(joined);
}

function cleanPosixPath(path: string): string {
  const rooted = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const joined = out.join("/");
  return rooted ? `/${joined}` : joined === "" ? "." : joined;
}

function referenceOperator(path: string): string {
  if (path.length < 2) return "";
  for (const op of [">=", "<=", ">", "<", "!"]) if (path.startsWith(op)) return op;
  return "";
}

function valueAtReference(document: unknown, path: string, base: string): unknown {
  let found: unknown;
  traverse(document, base, (element, elementPath) => {
    if (removeAnchorsFromPath(elementPath) === path) found = element;
    return element;
  });
  return found;
}

/** substituteReferencesIfAny on one string. */
function substituteReferences(input: string, path: string, document: unknown, base: string): string {
  let value = input;
  for (const found of matches(value, REFERENCES)) {
    const initial = found.startsWith("$(");
    const prefix = initial ? "" : firstRune(found);
    const reference = found.slice(prefix.length);
    let target = reference.replace(/^[$()]+|[$()]+$/g, "");
    const operator = referenceOperator(target);
    target = target.slice(operator.length);
    if (target.length === 0) throw new VariableError(`failed to resolve ${reference} at path ${path}: expected path, found empty reference`, reference, path, "failed");
    const absolute = target.startsWith("/") ? cleanPosixPath(target) : cleanPosixPath(`${path}/${target}`);
    let resolved = valueAtReference(document, absolute, base);
    if (operator !== "" && resolved !== undefined && resolved !== null) {
      if (typeof resolved === "number") resolved = operator + resolved.toFixed(6);
      else if (typeof resolved === "string") resolved = operator + resolved;
      else throw new VariableError(`incorrect expression: operator ${operator} does not match with value ${marshalGoJson(resolved)}`, reference, path, "failed");
    }
    if (resolved === undefined || resolved === null) throw new VariableError(`got nil resolved variable ${reference} at path ${path}`, reference, path, "not-found");
    if (typeof resolved !== "string") throw new VariableError(`NotResolvedReferenceErr,reference ${reference} not resolved at path ${path}`, reference, path, "failed");
    value = replaceFirst(value, found, prefix + resolved);
  }
  for (const escaped of matches(value, ESCAPED_REFERENCES)) value = value.replaceAll(escaped, escaped.slice(1));
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// context entries

/** A `variable` context entry (loaders/variable.go): value and/or jmesPath, with an optional default. */
export interface VariableEntry {
  value?: unknown;
  jmesPath?: string;
  default?: unknown;
}

/** The value a `variable` context entry takes, as Kyverno's variable loader computes it; throws VariableError. */
export function evaluateVariableEntry(name: string, variable: VariableEntry, context: KyvernoContext): unknown {
  let path = "";
  if (variable.jmesPath) {
    const substituted = substituteVariables(variable.jmesPath, context);
    if (typeof substituted !== "string") throw new VariableError(`jmespath value must be a string ${name} ${variable.jmesPath}`, name, "", "invalid");
    path = substituted;
  }
  let defaultValue: unknown = null;
  if (variable.default !== undefined && variable.default !== null) defaultValue = substituteVariables(variable.default, context);
  let output: unknown = defaultValue;
  if (variable.value !== undefined && variable.value !== null) {
    const value = substituteVariables(variable.value, context);
    if (path !== "") {
      try {
        output = searchJmespath(path, value);
      } catch (error) {
        if (defaultValue === null) throw new VariableError(`failed to apply jmespath ${path} to variable ${marshalGoJson(value)}: ${(error as Error).message}`, name, "", "failed");
      }
    } else output = value;
  } else if (path !== "") {
    try {
      const found = context.query(path);
      if (found !== null && found !== undefined) output = found;
    } catch (error) {
      if (defaultValue === null) {
        const reason = error instanceof JmespathNotFoundError ? "not-found" : "failed";
        throw new VariableError(`failed to apply jmespath ${path} to variable null: ${(error as Error).message}`, name, "", reason);
      }
    }
  }
  if (output === null || output === undefined) throw new VariableError(`failed to add context entry for variable ${name} since it evaluated to nil`, name, "", "not-found");
  return output;
}

