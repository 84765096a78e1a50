// Go's text/template, the part ApplicationSets use, with sprig v3 and Argo CD's own functions (normalize, slugify,
// toYaml, fromYaml, fromYamlArray), so that a goTemplate ApplicationSet expands here as the ApplicationSet controller
// expands it. Syntax or a function this engine does not have is an error naming it: a template renders as Go
// renders it, or not at all. Sources: Go's text/template (lex.go, parse.go, exec.go, funcs.go), sprig v3, and
// argo-cd applicationset/utils (utils.go, template_functions.go).
import { createHash } from "node:crypto";
import { Document, Scalar, parseAllDocuments, visit, type Tags } from "yaml";
import { MAX_ALIAS_COUNT } from "./yaml.ts";

// ---------------------------------------------------------------------------------------------------------------
// Values

/** Go's int64, which sprig's arithmetic returns: prints like an int, but a function that wants an int refuses it. */
export class GoInt64 {
  constructor(readonly value: bigint) {}
}

export type GoMap = { [key: string]: GoValue };
/**
 * A value as a template sees it. number is float64 (every JSON and YAML number), bigint is int, null is a nil
 * interface, undefined is Go's "no value" (a missing map key).
 */
export type GoValue = undefined | null | string | number | bigint | boolean | GoInt64 | GoValue[] | GoMap;

// Go distinguishes map[string]string from map[string]interface{} (index of a missing key gives "" or no value;
// sprig's dig refuses the former) and []string from []interface{}: remembered here, outside the values.
const stringMaps = new WeakSet<object>();
const stringSlices = new WeakSet<object>();
const intSlices = new WeakSet<object>();

/** Marks a map as Go's map[string]string (cluster labels, generator values). */
export function asStringMap<T extends GoMap>(map: T): T {
  stringMaps.add(map);
  return map;
}
/** Marks a list as Go's []string (path segments, splitList). */
export function asStringSlice(list: string[]): string[] {
  stringSlices.add(list);
  return list;
}
function asIntSlice(list: bigint[]): bigint[] {
  intSlices.add(list);
  return list;
}

export function isGoMap(value: unknown): value is GoMap {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof GoInt64);
}
/** A Go map or slice whose items are typed (string map, string or int slice): flatten treats it as one value. */
export function isTypedCollection(value: GoValue): boolean {
  return typeof value === "object" && value !== null && (stringMaps.has(value) || stringSlices.has(value) || intSlices.has(value));
}
function isGoInt(value: GoValue): value is bigint | GoInt64 {
  return typeof value === "bigint" || value instanceof GoInt64;
}
function intOf(value: bigint | GoInt64): bigint {
  return typeof value === "bigint" ? value : value.value;
}

/** Sets a key, also "__proto__", as an own property. */
export function setKey(map: GoMap, key: string, value: GoValue): void {
  if (key === "__proto__") Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}
function hasKey(map: GoMap, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(map, key);
}

/** Go's %T. */
export function goTypeName(value: GoValue): string {
  if (value === undefined || value === null) return "<nil>";
  switch (typeof value) {
    case "string":
      return "string";
    case "number":
      return "float64";
    case "bigint":
      return "int";
    case "boolean":
      return "bool";
  }
  if (value instanceof GoInt64) return "int64";
  if (Array.isArray(value)) return stringSlices.has(value) ? "[]string" : intSlices.has(value) ? "[]int" : "[]interface {}";
  return stringMaps.has(value) ? "map[string]string" : "map[string]interface {}";
}

/** reflect.Kind's name, as sprig's kindOf prints it. */
function kindName(value: GoValue): string {
  if (value === undefined || value === null) return "invalid";
  if (Array.isArray(value)) return "slice";
  if (isGoMap(value)) return "map";
  return goTypeName(value);
}

/** Copies a value, keeping what Go types the copy has. */
export function cloneGo<T extends GoValue>(value: T): T {
  if (Array.isArray(value)) {
    const copy = value.map((item) => cloneGo(item));
    if (stringSlices.has(value)) stringSlices.add(copy);
    if (intSlices.has(value)) intSlices.add(copy);
    return copy as T;
  }
  if (isGoMap(value)) {
    const copy: GoMap = {};
    for (const [key, item] of Object.entries(value)) setKey(copy, key, cloneGo(item));
    if (stringMaps.has(value)) stringMaps.add(copy);
    return copy as T;
  }
  return value;
}

/** Plain JSON-like data (parsed YAML or JSON) as template values: objects become maps, numbers float64. */
export function toGoValue(value: unknown): GoValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map((item) => toGoValue(item));
  if (value instanceof Uint8Array) return Buffer.from(value).toString("latin1");
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") {
    const map: GoMap = {};
    for (const [key, item] of Object.entries(value)) setKey(map, key, toGoValue(item));
    return map;
  }
  return String(value);
}

/** text/template's truth: false, 0, "", nil and empty collections are false. */
export function goTruth(value: GoValue): boolean {
  if (value === undefined || value === null) return false;
  switch (typeof value) {
    case "string":
      return value.length > 0;
    case "number":
      return value !== 0;
    case "bigint":
      return value !== 0n;
    case "boolean":
      return value;
  }
  if (value instanceof GoInt64) return value.value !== 0n;
  if (Array.isArray(value)) return value.length > 0;
  return Object.keys(value).length > 0;
}

/** reflect.DeepEqual: the same Go type and the same contents. */
function deepEqual(a: GoValue, b: GoValue): boolean {
  if ((a === undefined || a === null) && (b === undefined || b === null)) return true;
  if (goTypeName(a) !== goTypeName(b)) return false;
  if (isGoInt(a) && isGoInt(b)) return intOf(a) === intOf(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isGoMap(a) && isGoMap(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => hasKey(b, key) && deepEqual(a[key], b[key]));
  }
  return a === b;
}

/** sprig's empty. */
function isEmpty(value: GoValue): boolean {
  return !goTruth(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting as Go's fmt and encoding/json do

/** Go's %v of a float64: the shortest representation, with an exponent below 1e-4 and from 1e+06 on. */
export function formatGoFloat(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const [mantissa, exponentText] = value.toExponential().split("e") as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return String(value);
}

/** Go's fmt %v. */
export function sprintValue(value: GoValue): string {
  if (value === undefined || value === null) return "<nil>";
  switch (typeof value) {
    case "string":
      return value;
    case "number":
      return formatGoFloat(value);
    case "bigint":
      return value.toString();
    case "boolean":
      return String(value);
  }
  if (value instanceof GoInt64) return value.value.toString();
  if (Array.isArray(value)) return `[${value.map((item) => sprintValue(item)).join(" ")}]`;
  return `map[${sortedKeys(value)
    .map((key) => `${key}:${sprintValue(value[key])}`)
    .join(" ")}]`;
}

function sortedKeys(map: GoMap): string[] {
  return Object.keys(map).sort(compareBytes);
}
/** Go compares strings bytewise; for the strings of templates this is UTF-16 order except above the BMP. */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** fmt.Sprint: spaces between operands when neither is a string. */
function sprint(args: GoValue[]): string {
  let out = "";
  args.forEach((arg, i) => {
    const isString = typeof arg === "string";
    if (i > 0 && !isString && typeof args[i - 1] !== "string") out += " ";
    out += sprintValue(arg);
  });
  return out;
}

const GO_PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
/** strconv.Quote. */
export function goQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"' || char === "\\") out += `\\${char}`;
    else if (GO_PRINTABLE.test(char)) out += char;
    else {
      const short: Record<string, string> = { "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v" };
      if (short[char]) out += short[char];
      else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
      else if (code >= 0xd800 && code <= 0xdfff) out += "\\ufffd";
      else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, "0")}`;
      else out += `\\U${code.toString(16).padStart(8, "0")}`;
    }
  }
  return `${out}"`;
}

interface FormatFlags {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
}

/** fmt.Sprintf for the verbs templates use (v s d q t f F e E g G x X o b c); others are an error. */
function sprintf(format: string, args: GoValue[]): string {
  let out = "";
  let next = 0;
  const chars = [...format];
  for (let i = 0; i < chars.length; ) {
    const char = chars[i]!;
    if (char !== "%") {
      out += char;
      i++;
      continue;
    }
    i++;
    const flags: FormatFlags = { minus: false, plus: false, sharp: false, space: false, zero: false };
    for (; i < chars.length && "-+# 0".includes(chars[i]!); i++) {
      const flag = chars[i]!;
      if (flag === "-") flags.minus = true;
      else if (flag === "+") flags.plus = true;
      else if (flag === "#") flags.sharp = true;
      else if (flag === " ") flags.space = true;
      else flags.zero = true;
    }
    let width: number | undefined;
    let precision: number | undefined;
    for (; i < chars.length && /[0-9]/.test(chars[i]!); i++) width = (width ?? 0) * 10 + Number(chars[i]);
    if (chars[i] === ".") {
      i++;
      precision = 0;
      for (; i < chars.length && /[0-9]/.test(chars[i]!); i++) precision = precision * 10 + Number(chars[i]);
    }
    if (chars[i] === "*" || chars[i] === "[") throw new UnsupportedError(`printf: %${chars[i]} (argument widths and indexes) is not supported here`);
    if (i >= chars.length) {
      out += "%!(NOVERB)";
      break;
    }
    const verb = chars[i++]!;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (next >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += pad(formatArg(args[next++], verb, flags, precision), width, flags);
  }
  if (next < args.length) {
    out += `%!(EXTRA ${args
      .slice(next)
      .map((arg) => (arg === undefined || arg === null ? "<nil>" : `${goTypeName(arg)}=${sprintValue(arg)}`))
      .join(", ")})`;
  }
  return out;
}

function pad(text: string, width: number | undefined, flags: FormatFlags): string {
  const length = [...text].length;
  if (width === undefined || length >= width) return text;
  if (flags.minus) return text + " ".repeat(width - length);
  if (flags.zero && /^[+-]?[0-9]/.test(text)) {
    const sign = /^[+-]/.test(text) ? text[0]! : "";
    return sign + "0".repeat(width - length) + text.slice(sign.length);
  }
  return " ".repeat(width - length) + text;
}

function formatArg(arg: GoValue, verb: string, flags: FormatFlags, precision: number | undefined): string {
  const bad = () => (arg === undefined || arg === null ? `%!${verb}(<nil>)` : `%!${verb}(${goTypeName(arg)}=${sprintValue(arg)})`);
  if (arg === undefined || arg === null) return verb === "v" ? "<nil>" : bad();
  if (verb === "v" && flags.sharp) throw new UnsupportedError("printf: %#v is not supported here");
  if (Array.isArray(arg)) {
    if (verb === "q" || verb === "x" || verb === "X") throw new UnsupportedError(`printf: %${verb} of a list is not supported here`);
    return `[${arg.map((item) => formatArg(item, verb, flags, precision)).join(" ")}]`;
  }
  if (isGoMap(arg)) {
    return `map[${sortedKeys(arg)
      .map((key) => `${formatArg(key, verb, flags, precision)}:${formatArg(arg[key], verb, flags, precision)}`)
      .join(" ")}]`;
  }
  if (typeof arg === "boolean") return verb === "v" || verb === "t" ? String(arg) : bad();
  if (typeof arg === "string") {
    switch (verb) {
      case "v":
      case "s":
        return precision === undefined ? arg : [...arg].slice(0, precision).join("");
      case "q":
        return goQuote(arg);
      case "x":
      case "X": {
        const hex = Buffer.from(arg, "utf8").toString("hex");
        return verb === "X" ? hex.toUpperCase() : hex;
      }
      default:
        return bad();
    }
  }
  if (isGoInt(arg)) {
    const n = intOf(arg);
    const sign = n < 0n ? "-" : flags.plus ? "+" : flags.space ? " " : "";
    const abs = n < 0n ? -n : n;
    switch (verb) {
      case "v":
      case "d":
        return sign + abs.toString();
      case "b":
        return sign + abs.toString(2);
      case "o":
        return sign + (flags.sharp ? "0" : "") + abs.toString(8);
      case "x":
        return sign + (flags.sharp ? "0x" : "") + abs.toString(16);
      case "X":
        return sign + (flags.sharp ? "0X" : "") + abs.toString(16).toUpperCase();
      case "c":
        return String.fromCodePoint(Number(n));
      case "q":
        return `'${String.fromCodePoint(Number(n))}'`;
      default:
        return bad();
    }
  }
  if (typeof arg === "number") {
    const sign = arg < 0 || Object.is(arg, -0) ? "-" : flags.plus ? "+" : flags.space ? " " : "";
    const abs = Math.abs(arg);
    switch (verb) {
      case "v":
      case "g":
      case "G": {
        if (precision !== undefined) throw new UnsupportedError(`printf: %.${precision}${verb} is not supported here`);
        const text = formatGoFloat(abs);
        return sign + (verb === "G" ? text.toUpperCase() : text);
      }
      case "f":
      case "F":
        return sign + abs.toFixed(precision ?? 6);
      case "e":
      case "E": {
        const [mantissa, exponent] = abs.toExponential(precision ?? 6).split("e") as [string, string];
        const text = `${mantissa}e${exponent[0]}${exponent.slice(1).padStart(2, "0")}`;
        return sign + (verb === "E" ? text.toUpperCase() : text);
      }
      default:
        return bad();
    }
  }
  return bad();
}

/** encoding/json's Marshal (sorted keys; <, > and & escaped unless escapeHTML is false). */
export function goJson(value: GoValue, options: { escapeHTML: boolean; indent?: string } = { escapeHTML: true }): string {
  const indent = options.indent ?? "";
  const write = (item: GoValue, depth: number): string => {
    if (item === undefined || item === null) return "null";
    switch (typeof item) {
      case "string":
        return jsonString(item, options.escapeHTML);
      case "number":
        if (!Number.isFinite(item)) throw new FuncError(`json: unsupported value: ${formatGoFloat(item)}`);
        return Object.is(item, -0) ? "-0" : String(item);
      case "bigint":
        return item.toString();
      case "boolean":
        return String(item);
    }
    if (item instanceof GoInt64) return item.value.toString();
    const inner = indent ? `\n${indent.repeat(depth + 1)}` : "";
    const outer = indent ? `\n${indent.repeat(depth)}` : "";
    if (Array.isArray(item)) {
      if (item.length === 0) return "[]";
      return `[${item.map((element) => inner + write(element, depth + 1)).join(",")}${outer}]`;
    }
    const keys = sortedKeys(item);
    if (keys.length === 0) return "{}";
    const separator = indent ? ": " : ":";
    return `{${keys.map((key) => inner + jsonString(key, options.escapeHTML) + separator + write(item[key], depth + 1)).join(",")}${outer}}`;
  };
  return write(value, 0);
}

function jsonString(text: string, escapeHTML: boolean): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    const code = text.charCodeAt(i);
    if (char === '"' || char === "\\") out += `\\${char}`;
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (char === "\b") out += "\\b";
    else if (char === "\f") out += "\\f";
    else if (code < 0x20 || (escapeHTML && (char === "<" || char === ">" || char === "&")) || code === 0x2028 || code === 0x2029) {
      out += `\\u${code.toString(16).padStart(4, "0")}`;
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff) {
      out += char + text[++i]!;
    } else if (code >= 0xd800 && code <= 0xdfff) out += "\ufffd";
    else out += char;
  }
  return `${out}"`;
}

// ---------------------------------------------------------------------------------------------------------------
// Strings and paths as Go's strings and path packages handle them

const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const GO_SPACES_LEFT = new RegExp(`^${GO_SPACE.source}+`);
const GO_SPACES_RIGHT = new RegExp(`${GO_SPACE.source}+$`);
export function goTrimSpace(text: string): string {
  return text.replace(GO_SPACES_LEFT, "").replace(GO_SPACES_RIGHT, "");
}
function goTrim(text: string, cutset: string): string {
  const cut = new Set([...cutset]);
  const chars = [...text];
  let start = 0;
  let end = chars.length;
  while (start < end && cut.has(chars[start]!)) start++;
  while (end > start && cut.has(chars[end - 1]!)) end--;
  return chars.slice(start, end).join("");
}
/** Per rune, as unicode.ToLower/ToUpper: a rune with no single-rune mapping stays. */
function mapRunes(text: string, map: (char: string) => string): string {
  let out = "";
  for (const char of text) {
    const mapped = map(char);
    out += [...mapped].length === 1 ? mapped : char;
  }
  return out;
}
const goToLower = (text: string) => mapRunes(text, (char) => char.toLowerCase());
const goToUpper = (text: string) => mapRunes(text, (char) => char.toUpperCase());
/** strings.Title: the first letter of each word upper-cased. */
function goTitle(text: string): string {
  let previous = " ";
  let out = "";
  for (const char of text) {
    out += isTitleSeparator(previous) ? mapRunes(char, (c) => c.toUpperCase()) : char;
    previous = char;
  }
  return out;
}
function isTitleSeparator(char: string): boolean {
  const code = char.codePointAt(0)!;
  if (code <= 0x7f) return !/[0-9A-Za-z_]/.test(char);
  if (/[\p{L}\p{Nd}]/u.test(char)) return false;
  return GO_SPACE.test(char);
}
/** strings.Replace(s, old, new, -1); an empty old inserts new at every rune boundary. */
function goReplaceAll(text: string, old: string, replacement: string): string {
  if (old === "") return replacement + [...text].map((char) => char + replacement).join("");
  return text.split(old).join(replacement);
}
/** strings.Split; an empty separator splits into runes. */
function goSplit(text: string, separator: string, limit = -1): string[] {
  if (limit === 0) return [];
  if (separator === "") {
    const runes = [...text];
    return limit < 0 || runes.length <= limit ? runes : [...runes.slice(0, limit - 1), runes.slice(limit - 1).join("")];
  }
  const parts = text.split(separator);
  if (limit < 0 || parts.length <= limit) return parts;
  return [...parts.slice(0, limit - 1), parts.slice(limit - 1).join(separator)];
}

/** path.Clean. */
export function goPathClean(path: string): string {
  if (path === "") return ".";
  const rooted = path.startsWith("/");
  const n = path.length;
  const out: string[] = [];
  let r = 0;
  let dotdot = 0;
  if (rooted) {
    out.push("/");
    r = 1;
    dotdot = 1;
  }
  while (r < n) {
    if (path[r] === "/") r++;
    else if (path[r] === "." && (r + 1 === n || path[r + 1] === "/")) r++;
    else if (path[r] === "." && path[r + 1] === "." && (r + 2 === n || path[r + 2] === "/")) {
      r += 2;
      if (out.length > dotdot) {
        out.pop();
        while (out.length > dotdot && out[out.length - 1] !== "/") out.pop();
        if (out.length > dotdot && out[out.length - 1] === "/" && !(rooted && out.length === 1)) out.pop();
      } else if (!rooted) {
        if (out.length > 0) out.push("/");
        out.push(".", ".");
        dotdot = out.length;
      }
    } else {
      if ((rooted && out.length !== 1) || (!rooted && out.length !== 0)) out.push("/");
      for (; r < n && path[r] !== "/"; r++) out.push(path[r]!);
    }
  }
  return out.length === 0 ? "." : out.join("");
}
/** path.Base. */
export function goPathBase(path: string): string {
  if (path === "") return ".";
  let trimmed = path.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  trimmed = trimmed.slice(trimmed.lastIndexOf("/") + 1);
  return trimmed;
}
/** path.Dir. */
export function goPathDir(path: string): string {
  return goPathClean(path.slice(0, path.lastIndexOf("/") + 1));
}
function goPathExt(path: string): string {
  for (let i = path.length - 1; i >= 0 && path[i] !== "/"; i--) if (path[i] === ".") return path.slice(i);
  return "";
}

/** Argo CD's normalize (SanitizeName): lower case, [-a-z0-9.] only, at most 253 characters, no leading/trailing - or . */
export function sanitizeName(name: string): string {
  let sanitized = goToLower(name).replace(/[^-a-z0-9.]/gu, "-");
  if (sanitized.length > 253) sanitized = sanitized.slice(0, 253);
  return goTrim(sanitized, "-.");
}

/** Argo CD's slugify: normalize, then gosimple/slug with a maximum length and smart truncation. */
function slugify(args: GoValue[]): string {
  let maxLength = 50;
  let smartTruncate = true;
  let name = "";
  args.forEach((arg, i) => {
    if (i === args.length - 1) {
      if (typeof arg !== "string") throw new FuncError(`interface conversion: interface {} is ${goTypeName(arg)}, not string`);
      name = arg;
    } else if (i === 0) {
      if (typeof arg !== "bigint") throw new FuncError(`interface conversion: interface {} is ${goTypeName(arg)}, not int`);
      maxLength = Number(arg);
    } else if (i === 1) {
      if (typeof arg !== "boolean") throw new FuncError(`interface conversion: interface {} is ${goTypeName(arg)}, not bool`);
      smartTruncate = arg;
    }
  });
  // after normalize only [-a-z0-9.] is left, so slug's transliteration has nothing to do
  let slug = sanitizeName(name);
  if (!smartTruncate && slug.length >= maxLength) slug = slug.slice(0, maxLength);
  slug = goTrim(slug.replace(/[^a-zA-Z0-9_-]/g, "-").replace(/-+/g, "-"), "-_");
  if (maxLength > 0 && smartTruncate && slug.length > maxLength) {
    const cut = slug.lastIndexOf("-", maxLength);
    slug = cut >= 0 ? slug.slice(0, cut) : slug.slice(0, maxLength);
  }
  return slug;
}

// ---------------------------------------------------------------------------------------------------------------
// YAML as sigs.k8s.io/yaml reads and writes it (go-yaml v2: YAML 1.1, timestamps kept as strings)

const withoutTimestamps = (tags: Tags): Tags =>
  tags.filter((tag) => typeof tag !== "object" || (tag.tag !== "tag:yaml.org,2002:timestamp" && tag.format !== "TIME"));

/** The first document of a YAML (or JSON) text as Go reads it into interface{}; a syntax error is thrown. */
export function parseGoYaml(text: string): GoValue {
  const documents = parseAllDocuments(text, { version: "1.1", uniqueKeys: false, customTags: withoutTimestamps, prettyErrors: false });
  if (!Array.isArray(documents)) return null;
  const first = documents[0];
  if (!first) return null;
  const error = first.errors[0];
  if (error) throw new Error(error.message.split("\n")[0]);
  return toGoValue(first.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
}

// go-yaml v2 quotes (double) a string that would read back as something else
const YAML11_NOT_STRING =
  /^(?:~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0o[0-7_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*|[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?|[0-9][0-9_]*[eE][-+]?[0-9]+)|\d{4}-\d\d?-\d\d?(?:(?:[Tt]|[ \t]+)\d\d?:\d\d:\d\d(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d\d?(?::\d\d)?))?)?)$/;

/** Argo CD's toYaml: sigs.k8s.io/yaml.Marshal (keys sorted, lists not indented) without the final newline. */
export function toGoYaml(value: GoValue): string {
  const plain: unknown = JSON.parse(goJson(value, { escapeHTML: false }));
  const document = new Document(plain, { sortMapEntries: true, version: "1.1" });
  visit(document, {
    Scalar(_key, node) {
      if (typeof node.value === "string" && (node.value === "" || YAML11_NOT_STRING.test(node.value))) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  const text = document.toString({ indentSeq: false, singleQuote: true, blockQuote: "literal", lineWidth: 0, nullStr: "null" });
  return text.replace(/\n$/, "");
}

// ---------------------------------------------------------------------------------------------------------------
// Errors

/** A template that does not parse or does not execute; the message says why, as Go would. */
export class GoTemplateError extends Error {}
/** An error of a function call (text/template wraps it as "error calling NAME: ..."). */
class FuncError extends Error {}
/** Something Go would do that this engine does not: never swallowed, even where Go swallows errors. */
class UnsupportedError extends FuncError {}

// ---------------------------------------------------------------------------------------------------------------
// Lexer (text/template/parse/lex.go)

type TokenKind =
  | "text"
  | "left"
  | "right"
  | "space"
  | "identifier"
  | "keyword"
  | "field"
  | "variable"
  | "string"
  | "raw"
  | "char"
  | "charConstant"
  | "number"
  | "bool"
  | "nil"
  | "dot"
  | "pipe"
  | "lparen"
  | "rparen"
  | "declare"
  | "assign"
  | "eof";

interface Token {
  kind: TokenKind;
  value: string;
}

const KEYWORDS = new Set(["block", "break", "continue", "define", "else", "end", "if", "range", "template", "with"]);
const isSpace = (char: string | undefined) => char === " " || char === "\t" || char === "\r" || char === "\n";
const isAlphaNumeric = (char: string | undefined) => char !== undefined && /^[\p{L}\p{Nd}_]$/u.test(char);

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  function fail(message: string): never {
    throw new GoTemplateError(message);
  }
  let pos = 0;
  let trimText = false;
  for (;;) {
    const delim = input.indexOf("{{", pos);
    let text = delim < 0 ? input.slice(pos) : input.slice(pos, delim);
    const leftTrim = delim >= 0 && input[delim + 2] === "-" && isSpace(input[delim + 3]);
    if (trimText) text = text.replace(/^[ \t\r\n]+/, "");
    if (leftTrim) text = text.replace(/[ \t\r\n]+$/, "");
    if (text) tokens.push({ kind: "text", value: text });
    trimText = false;
    if (delim < 0) break;
    pos = delim + 2 + (leftTrim ? 2 : 0);
    if (input.startsWith("/*", pos)) {
      const end = input.indexOf("*/", pos + 2);
      if (end < 0) fail("unclosed comment");
      pos = end + 2;
      if (isSpace(input[pos]) && input.startsWith("-}}", pos + 1)) {
        pos += 4;
        trimText = true;
      } else if (input.startsWith("}}", pos)) pos += 2;
      else fail("comment ends before closing delimiter");
      continue;
    }
    tokens.push({ kind: "left", value: "{{" });
    let depth = 0;
    for (;;) {
      if (isSpace(input[pos]) && input.startsWith("-}}", pos + 1)) {
        if (depth > 0) fail("unclosed left paren");
        tokens.push({ kind: "right", value: "}}" });
        pos += 4;
        trimText = true;
        break;
      }
      if (input.startsWith("}}", pos)) {
        if (depth > 0) fail("unclosed left paren");
        tokens.push({ kind: "right", value: "}}" });
        pos += 2;
        break;
      }
      const char = input[pos];
      if (char === undefined) fail("unclosed action");
      const start = pos;
      const atTerminator = () => {
        const next = input[pos];
        return isSpace(next) || next === undefined || ".,|:()".includes(next) || input.startsWith("}}", pos);
      };
      if (isSpace(char)) {
        while (isSpace(input[pos]) && !(isSpace(input[pos]) && input.startsWith("-}}", pos + 1))) pos++;
        if (pos > start) tokens.push({ kind: "space", value: " " });
        continue;
      }
      if (char === "=") {
        pos++;
        tokens.push({ kind: "assign", value: "=" });
      } else if (char === ":") {
        if (input[pos + 1] !== "=") fail("expected :=");
        pos += 2;
        tokens.push({ kind: "declare", value: ":=" });
      } else if (char === "|") {
        pos++;
        tokens.push({ kind: "pipe", value: "|" });
      } else if (char === '"') {
        pos++;
        for (;;) {
          const c = input[pos++];
          if (c === "\\") {
            const escaped = input[pos++];
            if (escaped === undefined || escaped === "\n") fail("unterminated quoted string");
          } else if (c === undefined || c === "\n") fail("unterminated quoted string");
          else if (c === '"') break;
        }
        tokens.push({ kind: "string", value: input.slice(start, pos) });
      } else if (char === "`") {
        const end = input.indexOf("`", pos + 1);
        if (end < 0) fail("unterminated raw quoted string");
        pos = end + 1;
        tokens.push({ kind: "raw", value: input.slice(start, pos) });
      } else if (char === "'") {
        pos++;
        for (;;) {
          const c = input[pos++];
          if (c === "\\") {
            const escaped = input[pos++];
            if (escaped === undefined || escaped === "\n") fail("unterminated character constant");
          } else if (c === undefined || c === "\n") fail("unterminated character constant");
          else if (c === "'") break;
        }
        tokens.push({ kind: "charConstant", value: input.slice(start, pos) });
      } else if (char === "$" || (char === "." && !/[0-9]/.test(input[pos + 1] ?? ""))) {
        pos++;
        if (atTerminator()) tokens.push({ kind: char === "$" ? "variable" : "dot", value: char });
        else {
          while (isAlphaNumeric(input[pos])) pos++;
          if (!atTerminator()) fail(`bad character ${goQuote(input[pos] ?? "")}`);
          tokens.push({ kind: char === "$" ? "variable" : "field", value: input.slice(start, pos) });
        }
      } else if (char === "+" || char === "-" || char === "." || /[0-9]/.test(char)) {
        pos = scanNumber(input, pos);
        if (isAlphaNumeric(input[pos])) fail(`bad number syntax: ${goQuote(input.slice(start, pos + 1))}`);
        tokens.push({ kind: "number", value: input.slice(start, pos) });
      } else if (isAlphaNumeric(char)) {
        while (isAlphaNumeric(input[pos])) pos++;
        if (!atTerminator()) fail(`bad character ${goQuote(input[pos] ?? "")}`);
        const word = input.slice(start, pos);
        const kind: TokenKind = KEYWORDS.has(word) ? "keyword" : word === "true" || word === "false" ? "bool" : word === "nil" ? "nil" : "identifier";
        tokens.push({ kind, value: word });
      } else if (char === "(") {
        pos++;
        depth++;
        tokens.push({ kind: "lparen", value: "(" });
      } else if (char === ")") {
        pos++;
        depth--;
        if (depth < 0) fail("unexpected right paren");
        tokens.push({ kind: "rparen", value: ")" });
      } else if (char.charCodeAt(0) < 0x7f && char.charCodeAt(0) >= 0x20) {
        pos++;
        tokens.push({ kind: "char", value: char });
      } else fail(`unrecognized character in action: ${goQuote(char)}`);
    }
  }
  tokens.push({ kind: "eof", value: "" });
  return tokens;
}

function scanNumber(input: string, start: number): number {
  let pos = start;
  const accept = (valid: string) => {
    if (input[pos] !== undefined && valid.includes(input[pos]!)) {
      pos++;
      return true;
    }
    return false;
  };
  const acceptRun = (valid: string) => {
    while (accept(valid));
  };
  accept("+-");
  let digits = "0123456789_";
  if (accept("0")) {
    if (accept("xX")) digits = "0123456789abcdefABCDEF_";
    else if (accept("oO")) digits = "01234567_";
    else if (accept("bB")) digits = "01_";
  }
  acceptRun(digits);
  if (accept(".")) acceptRun(digits);
  if (digits.length === 11 && accept("eE")) {
    accept("+-");
    acceptRun("0123456789_");
  }
  if (digits.length === 23 && accept("pP")) {
    accept("+-");
    acceptRun("0123456789_");
  }
  accept("i");
  return pos;
}

/** strconv.Unquote for "..." and '...' literals. */
function unquote(literal: string): string {
  const quote = literal[0];
  const body = literal.slice(1, -1);
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char !== "\\") {
      out += char;
      continue;
    }
    const escape = body[++i];
    const simple: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\" };
    if (escape !== undefined && simple[escape] !== undefined) out += simple[escape];
    else if (escape === quote) out += escape;
    else if (escape === "x" || escape === "u" || escape === "U") {
      const length = escape === "x" ? 2 : escape === "u" ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + length);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== length) throw new GoTemplateError(`invalid syntax: ${literal}`);
      const code = parseInt(hex, 16);
      out += escape === "x" ? String.fromCharCode(code) : String.fromCodePoint(code);
      i += length;
    } else if (escape !== undefined && /[0-7]/.test(escape)) {
      const octal = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(octal)) throw new GoTemplateError(`invalid syntax: ${literal}`);
      out += String.fromCharCode(parseInt(octal, 8));
      i += 2;
    } else throw new GoTemplateError(`invalid syntax: ${literal}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Parser (text/template/parse/parse.go)

interface NumberNode {
  type: "number";
  text: string;
  isInt: boolean;
  int: bigint;
  isFloat: boolean;
  float: number;
}
type Operand =
  | { type: "field"; ident: string[]; text: string }
  | { type: "variable"; ident: string[]; text: string }
  | { type: "chain"; node: Operand; fields: string[]; text: string }
  | { type: "identifier"; name: string; text: string }
  | { type: "dot"; text: string }
  | { type: "nil"; text: string }
  | { type: "bool"; value: boolean; text: string }
  | (NumberNode & { text: string })
  | { type: "string"; value: string; text: string }
  | { type: "pipe"; pipe: Pipe; text: string };
interface Command {
  args: Operand[];
}
interface Pipe {
  decl: string[];
  isAssign: boolean;
  cmds: Command[];
}
interface ControlNode {
  type: "if" | "with" | "range";
  pipe: Pipe;
  list: TemplateNode[];
  elseList?: TemplateNode[];
}
type TemplateNode = { type: "text"; text: string } | { type: "action"; pipe: Pipe } | ControlNode | { type: "break" | "continue" };
type ListEnd = { type: "end" } | { type: "else" };

class Parser {
  private i = 0;
  private vars: string[] = ["$"];
  private rangeDepth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly hasFunction: (name: string) => void,
  ) {}

  parse(): TemplateNode[] {
    const root: TemplateNode[] = [];
    while (this.peek().kind !== "eof") {
      const node = this.textOrAction();
      if (node.type === "end" || node.type === "else") this.fail(`unexpected {{${node.type}}}`);
      root.push(node as TemplateNode);
    }
    return root;
  }

  private fail(message: string): never {
    throw new GoTemplateError(message);
  }
  private next(): Token {
    return this.tokens[this.i++] ?? { kind: "eof", value: "" };
  }
  private peek(): Token {
    return this.tokens[this.i] ?? { kind: "eof", value: "" };
  }
  private nextNonSpace(): Token {
    let token = this.next();
    while (token.kind === "space") token = this.next();
    return token;
  }
  private peekNonSpace(): Token {
    while (this.peek().kind === "space") this.i++;
    return this.peek();
  }
  private expect(kind: TokenKind, context: string): Token {
    const token = this.nextNonSpace();
    if (token.kind !== kind) this.unexpected(token, context);
    return token;
  }
  private unexpected(token: Token, context: string): never {
    if (token.kind === "eof") this.fail(`unexpected EOF in ${context}`);
    this.fail(`unexpected ${goQuote(token.value)} in ${context}`);
  }

  private textOrAction(): TemplateNode | ListEnd {
    const token = this.nextNonSpace();
    if (token.kind === "text") return { type: "text", text: token.value };
    if (token.kind === "left") return this.action();
    this.unexpected(token, "input");
  }

  private action(): TemplateNode | ListEnd {
    const token = this.nextNonSpace();
    if (token.kind === "keyword") {
      switch (token.value) {
        case "if":
        case "with":
        case "range":
          return this.control(token.value);
        case "else": {
          const peek = this.peekNonSpace();
          if (peek.kind === "keyword" && (peek.value === "if" || peek.value === "with")) return { type: "else" };
          this.expect("right", "else");
          return { type: "else" };
        }
        case "end":
          this.expect("right", "end");
          return { type: "end" };
        case "break":
        case "continue":
          this.expect("right", `{{${token.value}}}`);
          if (this.rangeDepth === 0) this.fail(`{{${token.value}}} outside {{range}}`);
          return { type: token.value };
        default:
          this.fail(`{{${token.value}}} is not supported by this expander (only single-field templates without define/template/block)`);
      }
    }
    this.i--;
    return { type: "action", pipe: this.pipeline("command", "right") };
  }

  private itemList(): { list: TemplateNode[]; end: ListEnd } {
    const list: TemplateNode[] = [];
    while (this.peekNonSpace().kind !== "eof") {
      const node = this.textOrAction();
      if (node.type === "end" || node.type === "else") return { list, end: node };
      list.push(node);
    }
    this.fail("unexpected EOF");
  }

  private control(context: "if" | "with" | "range"): TemplateNode {
    const saved = this.vars.length;
    const pipe = this.pipeline(context, "right");
    if (context === "range") this.rangeDepth++;
    const { list, end } = this.itemList();
    if (context === "range") this.rangeDepth--;
    let elseList: TemplateNode[] | undefined;
    if (end.type === "else") {
      const peek = this.peekNonSpace();
      if ((context === "if" || context === "with") && peek.kind === "keyword" && peek.value === context) {
        // {{else if x}} is {{else}}{{if x}}...{{end}}{{end}}: the inner control consumes the only {{end}}
        this.next();
        elseList = [this.control(context)];
      } else {
        const rest = this.itemList();
        if (rest.end.type !== "end") this.fail("expected end; found {{else}}");
        elseList = rest.list;
      }
    }
    this.vars.length = saved;
    return { type: context, pipe, list, ...(elseList ? { elseList } : {}) };
  }

  private pipeline(context: string, end: "right" | "rparen"): Pipe {
    const pipe: Pipe = { decl: [], isAssign: false, cmds: [] };
    for (;;) {
      const variable = this.peekNonSpace();
      if (variable.kind !== "variable") break;
      const saved = this.i;
      this.next();
      const next = this.peekNonSpace();
      if (next.kind === "assign" || next.kind === "declare") {
        pipe.isAssign = next.kind === "assign";
        this.nextNonSpace();
        pipe.decl.push(variable.value);
        this.vars.push(variable.value);
        break;
      }
      if (next.kind === "char" && next.value === ",") {
        this.nextNonSpace();
        pipe.decl.push(variable.value);
        this.vars.push(variable.value);
        if (context === "range" && pipe.decl.length < 2) {
          const after = this.peekNonSpace();
          if (after.kind === "variable" || after.kind === "right" || after.kind === "rparen") continue;
          this.fail("range can only initialize variables");
        }
        this.fail(`too many declarations in ${context}`);
      }
      this.i = saved;
      break;
    }
    for (;;) {
      const token = this.nextNonSpace();
      if (token.kind === end) {
        if (pipe.cmds.length === 0) this.fail(`missing value for ${context}`);
        pipe.cmds.slice(1).forEach((cmd, i) => {
          const first = cmd.args[0]!;
          if (["bool", "dot", "nil", "number", "string"].includes(first.type)) this.fail(`non executable command in pipeline stage ${i + 2}`);
        });
        return pipe;
      }
      if (["bool", "charConstant", "dot", "field", "identifier", "number", "nil", "raw", "string", "variable", "lparen"].includes(token.kind)) {
        this.i--;
        pipe.cmds.push(this.command());
      } else this.unexpected(token, context);
    }
  }

  private command(): Command {
    const cmd: Command = { args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const token = this.next();
      if (token.kind === "space") continue;
      if (token.kind === "right" || token.kind === "rparen") this.i--;
      else if (token.kind !== "pipe") this.unexpected(token, "operand");
      break;
    }
    if (cmd.args.length === 0) this.fail("empty command");
    return cmd;
  }

  private operand(): Operand | undefined {
    const node = this.term();
    if (!node || this.peek().kind !== "field") return node;
    const fields: string[] = [];
    while (this.peek().kind === "field") fields.push(this.next().value.slice(1));
    const text = node.text + fields.map((field) => `.${field}`).join("");
    switch (node.type) {
      case "field":
        return { type: "field", ident: [...node.ident, ...fields], text };
      case "variable":
        return { type: "variable", ident: [...node.ident, ...fields], text };
      case "bool":
      case "string":
      case "number":
      case "nil":
      case "dot":
        return this.fail(`unexpected . after term ${goQuote(node.text)}`);
      default:
        return { type: "chain", node, fields, text };
    }
  }

  private term(): Operand | undefined {
    const token = this.nextNonSpace();
    switch (token.kind) {
      case "identifier":
        this.hasFunction(token.value);
        return { type: "identifier", name: token.value, text: token.value };
      case "dot":
        return { type: "dot", text: "." };
      case "nil":
        return { type: "nil", text: "nil" };
      case "variable": {
        if (!this.vars.includes(token.value)) this.fail(`undefined variable ${goQuote(token.value)}`);
        return { type: "variable", ident: [token.value], text: token.value };
      }
      case "field":
        return { type: "field", ident: [token.value.slice(1)], text: token.value };
      case "bool":
        return { type: "bool", value: token.value === "true", text: token.value };
      case "number":
      case "charConstant":
        return { ...parseNumber(token), text: token.value };
      case "lparen": {
        const pipe = this.pipeline("parenthesized pipeline", "rparen");
        return { type: "pipe", pipe, text: "(...)" };
      }
      case "string":
        return { type: "string", value: unquote(token.value), text: token.value };
      case "raw":
        return { type: "string", value: token.value.slice(1, -1).replace(/\r/g, ""), text: token.value };
    }
    this.i--;
    return undefined;
  }
}

function parseNumber(token: Token): NumberNode {
  const text = token.value;
  const node: NumberNode = { type: "number", text, isInt: false, int: 0n, isFloat: false, float: 0 };
  if (token.kind === "charConstant") {
    const value = unquote(text);
    if ([...value].length !== 1) throw new GoTemplateError(`malformed character constant: ${text}`);
    const code = value.codePointAt(0)!;
    return { ...node, isInt: true, int: BigInt(code), isFloat: true, float: code };
  }
  if (text.endsWith("i")) throw new GoTemplateError(`complex number ${text} is not supported by this expander`);
  const int = parseGoInt(text);
  if (int !== undefined) {
    node.isInt = true;
    node.int = int;
    node.isFloat = true;
    node.float = Number(int);
    return node;
  }
  if (/^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(text)) {
    const float = Number(text);
    if (Number.isFinite(float)) {
      node.isFloat = true;
      node.float = float;
      if (Number.isInteger(float) && Math.abs(float) <= Number.MAX_SAFE_INTEGER) {
        node.isInt = true;
        node.int = BigInt(float);
      }
      return node;
    }
  }
  throw new GoTemplateError(`illegal number syntax: ${goQuote(text)}`);
}

/** strconv.ParseInt(text, 0, 64): sign, 0x/0o/0b prefixes, leading-0 octal, underscores only with a prefix. */
function parseGoInt(text: string): bigint | undefined {
  const match = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9]*)$/.exec(text);
  if (!match) return undefined;
  let digits = match[2]!;
  const prefixed = /^0[xXoObB]/.test(digits) || (digits.length > 1 && digits.startsWith("0"));
  if (digits.includes("_")) {
    if (!prefixed || /__|_$/.test(digits) || /^0[xXoObB]?_*$/.test(digits)) return undefined;
    if (!/^0[xXoObB]?(_?[0-9a-fA-F])+$/.test(digits)) return undefined;
    digits = digits.replace(/_/g, "");
  }
  let value: bigint;
  if (/^0[xX]/.test(digits)) value = BigInt(`0x${digits.slice(2)}`);
  else if (/^0[oO]/.test(digits)) value = BigInt(`0o${digits.slice(2)}`);
  else if (/^0[bB]/.test(digits)) value = BigInt(`0b${digits.slice(2)}`);
  else if (digits.length > 1 && digits.startsWith("0")) value = BigInt(`0o${digits.slice(1)}`);
  else value = BigInt(digits);
  if (match[1] === "-") value = -value;
  if (value > 0x7fffffffffffffffn || value < -0x8000000000000000n) return undefined;
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// Functions: Go's builtins, sprig v3 (GenericFuncMap without env, expandenv, getHostByName) and Argo CD's own

/**
 * How an argument is checked, as text/template checks it against the Go parameter type: "value" is a builtin's
 * reflect.Value (anything, even no value); "any" is interface{}; "dict" is map[string]interface{}.
 */
type ParamKind = "string" | "int" | "float" | "bool" | "any" | "value" | "dict";
interface GoFunc {
  params: ParamKind[];
  variadic?: ParamKind;
  call: (...args: GoValue[]) => GoValue;
}

const fn = (params: ParamKind[], call: (...args: GoValue[]) => GoValue, variadic?: ParamKind): GoFunc => ({
  params,
  call,
  ...(variadic ? { variadic } : {}),
});

const MAX_STRING = 10_000_000;
function limited(text: string): string {
  if (text.length > MAX_STRING) throw new FuncError(`result longer than ${MAX_STRING} characters`);
  return text;
}

/** spf13/cast's ToInt64 (failures are 0), as sprig's arithmetic uses it. */
function castToInt64(value: GoValue): bigint {
  if (value === undefined || value === null) return 0n;
  if (isGoInt(value)) return intOf(value);
  if (typeof value === "number") return Number.isFinite(value) ? BigInt(Math.trunc(value)) : 0n;
  if (typeof value === "boolean") return value ? 1n : 0n;
  if (typeof value === "string") return parseGoInt(trimZeroDecimal(value)) ?? 0n;
  return 0n;
}
function trimZeroDecimal(text: string): string {
  let foundZero = false;
  for (let i = text.length; i > 0; i--) {
    const char = text[i - 1];
    if (char === ".") {
      if (foundZero) return text.slice(0, i - 1);
    } else if (char === "0") foundZero = true;
    else return text;
  }
  return text;
}
/** spf13/cast's ToFloat64. */
function castToFloat64(value: GoValue): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === "number") return value;
  if (isGoInt(value)) return Number(intOf(value));
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") {
    const text = value.trim() === value ? value : "";
    if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return Number(text);
    if (/^[+-]?(?:inf|infinity)$/i.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
    if (/^nan$/i.test(text)) return NaN;
    return 0;
  }
  return 0;
}
/** sprig's strval. */
function strval(value: GoValue): string {
  return typeof value === "string" ? value : sprintValue(value);
}
/** sprig's strslice. */
function strslice(value: GoValue): string[] {
  if (Array.isArray(value)) return asStringSlice(value.filter((item) => item !== null && item !== undefined).map(strval));
  if (value === undefined || value === null) return asStringSlice([]);
  return asStringSlice([strval(value)]);
}
function requireList(value: GoValue, what: string): GoValue[] {
  if (!Array.isArray(value)) throw new FuncError(`Cannot ${what} on type ${goTypeName(value)}`);
  return value;
}
function toInt(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}
function repeatSpaces(count: bigint): string {
  if (count < 0n) throw new FuncError("strings: negative Repeat count");
  return limited(" ".repeat(Math.min(Number(count), MAX_STRING + 1)));
}
function int64(value: bigint): GoInt64 {
  return new GoInt64(BigInt.asIntN(64, value));
}

/** mergo.Merge into a map: missing or empty keys are filled (override: every key is taken); nested maps merge. */
export function mergeMaps(dst: GoMap, src: GoMap, override: boolean): GoMap {
  for (const [key, value] of Object.entries(src)) {
    const current = dst[key];
    if (isGoMap(value) && isGoMap(current) && !isEmpty(current)) {
      mergeMaps(current, value, override);
      continue;
    }
    if (Array.isArray(value) && current !== undefined && !isEmpty(current) && !override) continue;
    if (override || !hasKey(dst, key) || isEmpty(current)) setKey(dst, key, value);
  }
  return dst;
}

function dig(args: GoValue[]): GoValue {
  if (args.length < 3) throw new FuncError("dig needs at least three arguments");
  let dict: GoValue = args[args.length - 1];
  const fallback = args[args.length - 2];
  const keys = args.slice(0, -2).map((key) => {
    if (typeof key !== "string") throw new FuncError(`interface conversion: interface {} is ${goTypeName(key)}, not string`);
    return key;
  });
  for (let i = 0; ; i++) {
    if (!isGoMap(dict) || stringMaps.has(dict)) throw new FuncError(`interface conversion: interface {} is ${goTypeName(dict)}, not map[string]interface {}`);
    const key = keys[i]!;
    if (!hasKey(dict, key)) return fallback;
    if (i === keys.length - 1) return dict[key];
    dict = dict[key];
  }
}

// --- regular expressions: Go's RE2 syntax for the patterns templates use; what JavaScript would run differently is refused
function goRegExp(pattern: string): RegExp {
  let source = pattern;
  let flags = "g";
  const leading = /^\(\?([imsU]+)\)/.exec(source);
  if (leading) {
    if (leading[1]!.includes("U")) throw new UnsupportedError("regexp: the U flag is not supported here");
    flags += leading[1];
    source = source.slice(leading[0].length);
  }
  if (/\(\?[=!]|\(\?<[=!]/.test(source)) throw new FuncError(`error parsing regexp: invalid or unsupported Perl syntax in ${goQuote(pattern)}`);
  if (/\\[1-9]/.test(source)) throw new FuncError(`error parsing regexp: invalid escape sequence in ${goQuote(pattern)}`);
  if (/\(\?[a-zA-Z-]+[:)]|\\[QECzA]/.test(source)) throw new UnsupportedError(`regexp ${goQuote(pattern)}: this syntax is not supported here`);
  // nested repetition backtracks exponentially in JavaScript (Go's RE2 runs it in linear time)
  if (/\([^()]*[+*}][^()]*\)[+*{]/.test(source)) throw new UnsupportedError(`regexp ${goQuote(pattern)}: nested repetition is not supported here`);
  source = source
    .replace(/\(\?P</g, "(?<")
    .replace(/\[:(alpha|digit|alnum|space|upper|lower|xdigit|word|punct):\]/g, (_m, name: string) => POSIX_CLASSES[name]!);
  if (/\\[pP]/.test(source)) flags += "u";
  try {
    return new RegExp(source, flags);
  } catch (cause) {
    throw new FuncError(`error parsing regexp: ${(cause as Error).message}`);
  }
}
const POSIX_CLASSES: Record<string, string> = {
  alpha: "A-Za-z",
  digit: "0-9",
  alnum: "0-9A-Za-z",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  lower: "a-z",
  xdigit: "0-9A-Fa-f",
  word: "0-9A-Za-z_",
  punct: "!-\\/:-@\\[-`{-~",
};
/** Go's FindAll: successive matches; an empty match right after the previous match is skipped. */
function allMatches(re: RegExp, text: string, limit: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  let pos = 0;
  let previousEnd = -1;
  const n = limit < 0 ? text.length + 1 : limit;
  while (out.length < n && pos <= text.length) {
    re.lastIndex = pos;
    const match = re.exec(text);
    if (!match) break;
    const end = match.index + match[0].length;
    let accept = true;
    if (end === pos) {
      if (match.index === previousEnd) accept = false;
      pos += text.codePointAt(pos)! > 0xffff ? 2 : 1;
    } else pos = end;
    previousEnd = end;
    if (accept) out.push(match);
  }
  return out;
}
/** Go's ReplaceAllString: no replacement for an empty match right after the previous match. */
function replaceAllMatches(re: RegExp, text: string, replace: (match: RegExpExecArray) => string): string {
  let out = "";
  let lastEnd = 0;
  let search = 0;
  while (search <= text.length) {
    re.lastIndex = search;
    const match = re.exec(text);
    if (!match) break;
    const start = match.index;
    const end = start + match[0].length;
    out += text.slice(lastEnd, start);
    if (end > lastEnd || start === 0) out += replace(match);
    lastEnd = end;
    const width = search < text.length ? (text.codePointAt(search)! > 0xffff ? 2 : 1) : 1;
    search = search + width > end ? search + width : end;
  }
  return out + text.slice(lastEnd);
}
/** regexp.Expand: $1, ${1}, $name, ${name}, $$. */
function expandTemplate(template: string, match: RegExpExecArray): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const char = template[i]!;
    if (char !== "$") {
      out += char;
      continue;
    }
    if (template[i + 1] === "$") {
      out += "$";
      i++;
      continue;
    }
    const brace = template[i + 1] === "{";
    const nameMatch = /^[\p{L}\p{Nd}_]+/u.exec(template.slice(i + 1 + (brace ? 1 : 0)));
    if (!nameMatch || (brace && template[i + 2 + nameMatch[0].length] !== "}")) {
      out += "$";
      continue;
    }
    const name = nameMatch[0];
    i += name.length + (brace ? 2 : 0);
    const number = /^(0|[1-9][0-9]{0,7})$/.test(name) ? Number(name) : -1;
    if (number >= 0) out += match[number] ?? "";
    else out += match.groups?.[name] ?? "";
  }
  return out;
}
function regexSplit(re: RegExp, text: string, limit: number): string[] {
  if (limit === 0) return [];
  if (re.source !== "(?:)" && text === "") return [""];
  const parts: string[] = [];
  let begin = 0;
  let end = 0;
  for (const match of allMatches(re, text, limit)) {
    if (limit > 0 && parts.length === limit - 1) break;
    end = match.index;
    if (match.index + match[0].length !== 0) parts.push(text.slice(begin, end));
    begin = match.index + match[0].length;
  }
  if (end !== text.length) parts.push(text.slice(begin));
  return parts;
}

function adler32(text: string): bigint {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(text, "utf8")) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return BigInt(((b << 16) | a) >>> 0);
}
function base64Decode(text: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    const bad = text.search(/[^A-Za-z0-9+/=]/);
    return `illegal base64 data at input byte ${bad >= 0 ? bad : Math.max(0, text.length - (text.length % 4 || 4))}`;
  }
  return Buffer.from(text, "base64").toString("utf8");
}
function urlQueryEscape(text: string): string {
  return [...Buffer.from(text, "utf8")]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      if (/[A-Za-z0-9\-_.~]/.test(char)) return char;
      if (char === " ") return "+";
      return `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");
}

// --- Go's builtin comparison (funcs.go): ints with ints, floats with floats, strings with strings
type BasicKind = "bool" | "int" | "float" | "string" | "invalid";
function basicKind(value: GoValue): BasicKind {
  if (isGoInt(value)) return "int";
  switch (typeof value) {
    case "boolean":
      return "bool";
    case "number":
      return "float";
    case "string":
      return "string";
  }
  return "invalid";
}
const indirect = (value: GoValue): GoValue => (value === null ? undefined : value);
function goEq(first: GoValue, ...others: GoValue[]): boolean {
  const a = indirect(first);
  if (others.length === 0) throw new FuncError("missing argument for comparison");
  const k1 = basicKind(a);
  for (const other of others) {
    const b = indirect(other);
    const k2 = basicKind(b);
    let truth = false;
    if (k1 !== k2) {
      if (a !== undefined && b !== undefined) throw new FuncError("incompatible types for comparison");
    } else if (k1 === "int") truth = intOf(a as bigint) === intOf(b as bigint);
    else if (k1 !== "invalid") truth = a === b;
    else if (a === undefined || b === undefined) truth = a === b;
    else throw new FuncError(`non-comparable types ${goTypeName(a)} and ${goTypeName(b)}`);
    if (truth) return true;
  }
  return false;
}
function goLess(first: GoValue, second: GoValue): boolean {
  const a = indirect(first);
  const b = indirect(second);
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === "invalid" || k2 === "invalid") throw new FuncError("invalid type for comparison");
  if (k1 !== k2) throw new FuncError("incompatible types for comparison");
  if (k1 === "bool") throw new FuncError("invalid type for comparison");
  if (k1 === "int") return intOf(a as bigint) < intOf(b as bigint);
  return (a as number | string) < (b as number | string);
}

function goIndex(item: GoValue, ...indexes: GoValue[]): GoValue {
  let current = indirect(item);
  if (current === undefined) throw new FuncError("index of untyped nil");
  for (const rawIndex of indexes) {
    const index = indirect(rawIndex);
    if (current === null) throw new FuncError("index of nil pointer");
    if (Array.isArray(current) || typeof current === "string") {
      const length = typeof current === "string" ? Buffer.byteLength(current) : current.length;
      if (index === undefined) throw new FuncError("cannot index slice/array with nil");
      if (!isGoInt(index)) throw new FuncError(`cannot index slice/array with type ${goTypeName(index)}`);
      const x = intOf(index);
      if (x < 0n || x >= BigInt(length)) throw new FuncError(`index out of range: ${x}`);
      current = typeof current === "string" ? BigInt(Buffer.from(current, "utf8")[Number(x)]!) : (current[Number(x)] ?? null);
    } else if (isGoMap(current)) {
      if (index === undefined) throw new FuncError("value is nil; should be of type string");
      if (typeof index !== "string") throw new FuncError(`value has type ${goTypeName(index)}; should be string`);
      current = hasKey(current, index) ? (current[index] ?? null) : stringMaps.has(current) ? "" : null;
    } else throw new FuncError(`can't index item of type ${goTypeName(current)}`);
  }
  return current;
}

function goLen(item: GoValue): bigint {
  const value = indirect(item);
  if (typeof value === "string") return BigInt(Buffer.byteLength(value));
  if (Array.isArray(value)) return BigInt(value.length);
  if (isGoMap(value)) return BigInt(Object.keys(value).length);
  throw new FuncError(`len of type ${goTypeName(value)}`);
}

const FUNCTIONS: Record<string, GoFunc> = {
  // text/template builtins (and/or are evaluated lazily by the executor)
  and: fn(["value"], () => null, "value"),
  or: fn(["value"], () => null, "value"),
  not: fn(["value"], (v) => !goTruth(indirect(v))),
  eq: fn(["value"], (a, ...rest) => goEq(a, ...rest), "value"),
  ne: fn(["value", "value"], (a, b) => !goEq(a, b)),
  lt: fn(["value", "value"], (a, b) => goLess(a, b)),
  le: fn(["value", "value"], (a, b) => goLess(a, b) || goEq(a, b)),
  gt: fn(["value", "value"], (a, b) => !(goLess(a, b) || goEq(a, b))),
  ge: fn(["value", "value"], (a, b) => !goLess(a, b)),
  len: fn(["value"], (v) => goLen(v)),
  index: fn(["value"], (item, ...indexes) => goIndex(item, ...indexes), "value"),
  print: fn([], (...args) => sprint(args), "any"),
  println: fn([], (...args) => `${args.map((arg) => sprintValue(arg)).join(" ")}\n`, "any"),
  printf: fn(["string"], (format, ...args) => sprintf(format as string, args), "any"),
  urlquery: fn([], (...args) => urlQueryEscape(args.length === 1 && typeof args[0] === "string" ? args[0] : sprint(args)), "any"),

  // sprig: strings
  trim: fn(["string"], (s) => goTrimSpace(s as string)),
  trimAll: fn(["string", "string"], (cut, s) => goTrim(s as string, cut as string)),
  trimall: fn(["string", "string"], (cut, s) => goTrim(s as string, cut as string)),
  trimSuffix: fn(["string", "string"], (suffix, s) => ((s as string).endsWith(suffix as string) ? (s as string).slice(0, (s as string).length - (suffix as string).length) : s)),
  trimPrefix: fn(["string", "string"], (prefix, s) => ((s as string).startsWith(prefix as string) ? (s as string).slice((prefix as string).length) : s)),
  upper: fn(["string"], (s) => goToUpper(s as string)),
  lower: fn(["string"], (s) => goToLower(s as string)),
  title: fn(["string"], (s) => goTitle(s as string)),
  substr: fn(["int", "int", "string"], (start, end, s) => {
    const bytes = Buffer.from(s as string, "utf8");
    const from = Number(start);
    const to = Number(end);
    if (from < 0) {
      if (to < 0 || to > bytes.length) throw new FuncError(`runtime error: slice bounds out of range [:${to}] with length ${bytes.length}`);
      return bytes.subarray(0, to).toString("utf8");
    }
    if (to < 0 || to > bytes.length) {
      if (from > bytes.length) throw new FuncError(`runtime error: slice bounds out of range [${from}:${bytes.length}]`);
      return bytes.subarray(from).toString("utf8");
    }
    if (from > to) throw new FuncError(`runtime error: slice bounds out of range [${from}:${to}]`);
    return bytes.subarray(from, to).toString("utf8");
  }),
  trunc: fn(["int", "string"], (count, s) => {
    const bytes = Buffer.from(s as string, "utf8");
    const c = Number(count);
    if (c < 0 && bytes.length + c > 0) return bytes.subarray(bytes.length + c).toString("utf8");
    if (c >= 0 && bytes.length > c) return bytes.subarray(0, c).toString("utf8");
    return s;
  }),
  repeat: fn(["int", "string"], (count, s) => {
    if ((count as bigint) < 0n) throw new FuncError("strings: negative Repeat count");
    return limited((s as string).repeat(Math.min(Number(count), MAX_STRING + 1)));
  }),
  nospace: fn(["string"], (s) => (s as string).replace(new RegExp(GO_SPACE.source, "g"), "")),
  contains: fn(["string", "string"], (substr, s) => (s as string).includes(substr as string)),
  hasPrefix: fn(["string", "string"], (prefix, s) => (s as string).startsWith(prefix as string)),
  hasSuffix: fn(["string", "string"], (suffix, s) => (s as string).endsWith(suffix as string)),
  quote: fn([], (...args) => args.filter((arg) => arg !== null && arg !== undefined).map((arg) => goQuote(strval(arg))).join(" "), "any"),
  squote: fn([], (...args) => args.filter((arg) => arg !== null && arg !== undefined).map((arg) => `'${strval(arg)}'`).join(" "), "any"),
  cat: fn([], (...args) => args.filter((arg) => arg !== null && arg !== undefined).map((arg) => sprintValue(arg)).join(" "), "any"),
  indent: fn(["int", "string"], (spaces, s) => {
    const padding = repeatSpaces(spaces as bigint);
    return limited(padding + goReplaceAll(s as string, "\n", `\n${padding}`));
  }),
  nindent: fn(["int", "string"], (spaces, s) => {
    const padding = repeatSpaces(spaces as bigint);
    return limited(`\n${padding}${goReplaceAll(s as string, "\n", `\n${padding}`)}`);
  }),
  replace: fn(["string", "string", "string"], (old, replacement, s) => limited(goReplaceAll(s as string, old as string, replacement as string))),
  plural: fn(["string", "string", "int"], (one, many, count) => ((count as bigint) === 1n ? one : many)),
  sha1sum: fn(["string"], (s) => createHash("sha1").update(s as string, "utf8").digest("hex")),
  sha256sum: fn(["string"], (s) => createHash("sha256").update(s as string, "utf8").digest("hex")),
  adler32sum: fn(["string"], (s) => adler32(s as string).toString()),
  toString: fn(["any"], (v) => strval(v)),
  toStrings: fn(["any"], (v) => strslice(v)),
  split: fn(["string", "string"], (sep, s) => {
    const map: GoMap = {};
    goSplit(s as string, sep as string).forEach((part, i) => setKey(map, `_${i}`, part));
    return asStringMap(map);
  }),
  splitn: fn(["string", "int", "string"], (sep, n, s) => {
    const map: GoMap = {};
    goSplit(s as string, sep as string, Number(n)).forEach((part, i) => setKey(map, `_${i}`, part));
    return asStringMap(map);
  }),
  splitList: fn(["string", "string"], (sep, s) => asStringSlice(goSplit(s as string, sep as string))),
  join: fn(["string", "any"], (sep, list) => strslice(list).join(sep as string)),
  sortAlpha: fn(["any"], (list) => (Array.isArray(list) ? asStringSlice(strslice(list).sort(compareBytes)) : asStringSlice([strval(list)]))),

  // sprig: conversions and arithmetic (int64 results, as sprig returns them)
  atoi: fn(["string"], (s) => (/^[+-]?[0-9]+$/.test(s as string) ? toInt(BigInt(s as string)) : 0n)),
  int: fn(["any"], (v) => toInt(castToInt64(v))),
  int64: fn(["any"], (v) => int64(castToInt64(v))),
  float64: fn(["any"], (v) => castToFloat64(v)),
  toDecimal: fn(["any"], (v) => {
    const text = sprintValue(v);
    return int64(/^[+-]?[0-7]+$/.test(text) ? BigInt(`${text.startsWith("-") ? "-" : ""}0o${text.replace(/^[+-]/, "")}`) : 0n);
  }),
  add1: fn(["any"], (v) => int64(castToInt64(v) + 1n)),
  add: fn([], (...args) => int64(args.reduce<bigint>((sum, v) => sum + castToInt64(v), 0n)), "any"),
  sub: fn(["any", "any"], (a, b) => int64(castToInt64(a) - castToInt64(b))),
  mul: fn(["any"], (a, ...rest) => int64(rest.reduce<bigint>((product, v) => product * castToInt64(v), castToInt64(a))), "any"),
  div: fn(["any", "any"], (a, b) => {
    const divisor = castToInt64(b);
    if (divisor === 0n) throw new FuncError("runtime error: integer divide by zero");
    return int64(castToInt64(a) / divisor);
  }),
  mod: fn(["any", "any"], (a, b) => {
    const divisor = castToInt64(b);
    if (divisor === 0n) throw new FuncError("runtime error: integer divide by zero");
    return int64(castToInt64(a) % divisor);
  }),
  max: fn(["any"], (a, ...rest) => int64(rest.reduce<bigint>((m, v) => (castToInt64(v) > m ? castToInt64(v) : m), castToInt64(a))), "any"),
  biggest: fn(["any"], (a, ...rest) => int64(rest.reduce<bigint>((m, v) => (castToInt64(v) > m ? castToInt64(v) : m), castToInt64(a))), "any"),
  min: fn(["any"], (a, ...rest) => int64(rest.reduce<bigint>((m, v) => (castToInt64(v) < m ? castToInt64(v) : m), castToInt64(a))), "any"),
  floor: fn(["any"], (v) => Math.floor(castToFloat64(v))),
  ceil: fn(["any"], (v) => Math.ceil(castToFloat64(v))),
  round: fn(
    ["any", "int"],
    (v, places, ...options) => {
      const roundOn = options.length > 0 ? (options[0] as number) : 0.5;
      const pow = 10 ** Number(places);
      const digit = pow * castToFloat64(v);
      const fraction = digit - Math.trunc(digit);
      return (fraction >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
    },
    "float",
  ),
  until: fn(["int"], (count) => asIntSlice(untilStep(0n, count as bigint, (count as bigint) < 0n ? -1n : 1n))),
  untilStep: fn(["int", "int", "int"], (start, stop, step) => asIntSlice(untilStep(start as bigint, stop as bigint, step as bigint))),

  // sprig: defaults and flow
  default: fn(["any"], (fallback, ...given) => (given.length === 0 || isEmpty(given[0]) ? fallback : given[0]), "any"),
  empty: fn(["any"], (v) => isEmpty(v)),
  coalesce: fn([], (...args) => args.find((arg) => !isEmpty(arg)) ?? null, "any"),
  all: fn([], (...args) => args.every((arg) => !isEmpty(arg)), "any"),
  any: fn([], (...args) => args.some((arg) => !isEmpty(arg)), "any"),
  compact: fn(["any"], (list) => requireList(list, "compact").filter((item) => !isEmpty(item))),
  ternary: fn(["any", "any", "bool"], (yes, no, condition) => (condition ? yes : no)),
  fail: fn(["string"], (message) => {
    throw new FuncError(message as string);
  }),

  // sprig: JSON
  toJson: fn(["any"], (v) => tryOr(() => goJson(v), "")),
  mustToJson: fn(["any"], (v) => goJson(v)),
  toPrettyJson: fn(["any"], (v) => tryOr(() => goJson(v, { escapeHTML: true, indent: "  " }), "")),
  mustToPrettyJson: fn(["any"], (v) => goJson(v, { escapeHTML: true, indent: "  " })),
  toRawJson: fn(["any"], (v) => tryOr(() => goJson(v, { escapeHTML: false }), "")),
  mustToRawJson: fn(["any"], (v) => goJson(v, { escapeHTML: false })),
  fromJson: fn(["string"], (s) => tryOr(() => parseJson(s as string), null)),
  mustFromJson: fn(["string"], (s) => parseJson(s as string)),

  // sprig: lists
  list: fn([], (...args) => args.map((arg) => (arg === undefined ? null : arg)), "any"),
  first: fn(["any"], (list) => requireList(list, "find first").at(0) ?? null),
  mustFirst: fn(["any"], (list) => requireList(list, "find first").at(0) ?? null),
  last: fn(["any"], (list) => requireList(list, "find last").at(-1) ?? null),
  mustLast: fn(["any"], (list) => requireList(list, "find last").at(-1) ?? null),
  rest: fn(["any"], (list) => (requireList(list, "find rest").length === 0 ? null : (list as GoValue[]).slice(1))),
  initial: fn(["any"], (list) => (requireList(list, "find initial").length === 0 ? null : (list as GoValue[]).slice(0, -1))),
  append: fn(["any", "any"], (list, v) => [...requireList(list, "push"), v ?? null]),
  push: fn(["any", "any"], (list, v) => [...requireList(list, "push"), v ?? null]),
  prepend: fn(["any", "any"], (list, v) => [v ?? null, ...requireList(list, "prepend")]),
  reverse: fn(["any"], (list) => [...requireList(list, "find reverse")].reverse()),
  uniq: fn(["any"], (list) => requireList(list, "find uniq").filter((item, i, all) => all.findIndex((other) => deepEqual(other, item)) === i)),
  without: fn(["any"], (list, ...omit) => requireList(list, "find without").filter((item) => !omit.some((o) => deepEqual(o, item))), "any"),
  has: fn(["any", "any"], (needle, haystack) => {
    if (haystack === null || haystack === undefined) return false;
    return requireList(haystack, "find has").some((item) => deepEqual(item, needle));
  }),
  concat: fn(
    [],
    (...lists) =>
      lists.flatMap((list) => {
        if (!Array.isArray(list)) throw new FuncError(`Cannot concat type ${goTypeName(list)} as list`);
        return list;
      }),
    "any",
  ),
  slice: fn(
    ["any"],
    (list, ...indexes) => {
      const items = requireList(list, "slice");
      const start = indexes.length > 0 ? Number(castToInt64(indexes[0]!)) : 0;
      const end = indexes.length > 1 ? Number(castToInt64(indexes[1]!)) : items.length;
      if (start < 0 || end > items.length || start > end) throw new FuncError(`reflect: slice index out of range`);
      return items.slice(start, end);
    },
    "any",
  ),

  // sprig: dicts
  dict: fn(
    [],
    (...args) => {
      const map: GoMap = {};
      for (let i = 0; i < args.length; i += 2) setKey(map, strval(args[i]), i + 1 < args.length ? (args[i + 1] ?? null) : "");
      return map;
    },
    "any",
  ),
  get: fn(["dict", "string"], (d, key) => (d && hasKey(d as GoMap, key as string) ? ((d as GoMap)[key as string] ?? null) : "")),
  set: fn(["dict", "string", "any"], (d, key, v) => {
    if (!d) throw new FuncError("assignment to entry in nil map");
    setKey(d as GoMap, key as string, v ?? null);
    return d;
  }),
  unset: fn(["dict", "string"], (d, key) => {
    if (d) delete (d as GoMap)[key as string];
    return d;
  }),
  hasKey: fn(["dict", "string"], (d, key) => Boolean(d) && hasKey(d as GoMap, key as string)),
  pluck: fn(["string"], (key, ...dicts) => dicts.filter((d) => d && hasKey(d as GoMap, key as string)).map((d) => (d as GoMap)[key as string] ?? null), "dict"),
  keys: fn([], (...dicts) => asStringSlice(dicts.flatMap((d) => (d ? sortedKeys(d as GoMap) : []))), "dict"),
  values: fn(["dict"], (d) => (d ? sortedKeys(d as GoMap).map((key) => (d as GoMap)[key] ?? null) : [])),
  pick: fn(
    ["dict"],
    (d, ...keys) => {
      const map: GoMap = {};
      for (const key of keys) if (d && hasKey(d as GoMap, key as string)) setKey(map, key as string, (d as GoMap)[key as string]);
      return map;
    },
    "string",
  ),
  omit: fn(
    ["dict"],
    (d, ...keys) => {
      const map: GoMap = {};
      for (const [key, v] of Object.entries((d as GoMap | null) ?? {})) if (!keys.includes(key)) setKey(map, key, v);
      return map;
    },
    "string",
  ),
  dig: fn([], (...args) => dig(args), "any"),
  merge: fn(["dict"], (dst, ...srcs) => srcs.reduce<GoMap>((d, src) => (src ? mergeMaps(d, src as GoMap, false) : d), (dst as GoMap) ?? {}), "dict"),
  mergeOverwrite: fn(["dict"], (dst, ...srcs) => srcs.reduce<GoMap>((d, src) => (src ? mergeMaps(d, src as GoMap, true) : d), (dst as GoMap) ?? {}), "dict"),
  deepCopy: fn(["any"], (v) => cloneGo(v ?? null)),

  // sprig: paths, encodings, regular expressions, reflection
  base: fn(["string"], (s) => goPathBase(s as string)),
  dir: fn(["string"], (s) => goPathDir(s as string)),
  clean: fn(["string"], (s) => goPathClean(s as string)),
  ext: fn(["string"], (s) => goPathExt(s as string)),
  isAbs: fn(["string"], (s) => (s as string).startsWith("/")),
  b64enc: fn(["string"], (s) => Buffer.from(s as string, "utf8").toString("base64")),
  b64dec: fn(["string"], (s) => base64Decode(s as string)),
  regexMatch: fn(["string", "string"], (re, s) => tryOr(() => goRegExp(re as string).test(s as string), false)),
  mustRegexMatch: fn(["string", "string"], (re, s) => goRegExp(re as string).test(s as string)),
  regexFind: fn(["string", "string"], (re, s) => allMatches(goRegExp(re as string), s as string, 1)[0]?.[0] ?? ""),
  regexFindAll: fn(["string", "string", "int"], (re, s, n) => asStringSlice(allMatches(goRegExp(re as string), s as string, Number(n)).map((m) => m[0]))),
  regexReplaceAll: fn(["string", "string", "string"], (re, s, repl) => replaceAllMatches(goRegExp(re as string), s as string, (m) => expandTemplate(repl as string, m))),
  regexReplaceAllLiteral: fn(["string", "string", "string"], (re, s, repl) => replaceAllMatches(goRegExp(re as string), s as string, () => repl as string)),
  regexSplit: fn(["string", "string", "int"], (re, s, n) => asStringSlice(regexSplit(goRegExp(re as string), s as string, Number(n)))),
  regexQuoteMeta: fn(["string"], (s) => (s as string).replace(/[\\.+*?()|[\]{}^$]/g, "\\$&")),
  typeOf: fn(["any"], (v) => goTypeName(v)),
  typeIs: fn(["string", "any"], (target, v) => goTypeName(v) === target),
  typeIsLike: fn(["string", "any"], (target, v) => goTypeName(v) === target || `*${goTypeName(v)}` === target),
  kindOf: fn(["any"], (v) => kindName(v)),
  kindIs: fn(["string", "any"], (target, v) => kindName(v) === target),
  deepEqual: fn(["any", "any"], (a, b) => deepEqual(a, b)),

  // Argo CD
  normalize: fn(["string"], (s) => sanitizeName(s as string)),
  slugify: fn([], (...args) => slugify(args), "any"),
  toYaml: fn(["any"], (v) => toGoYaml(v)),
  fromYaml: fn(["string"], (s) => {
    const value = parseYamlFor(s as string, "fromYaml");
    if (value !== null && !isGoMap(value)) throw new FuncError(`error unmarshaling JSON: json: cannot unmarshal ${jsonKind(value)} into Go value of type map[string]interface {}`);
    return value ?? {};
  }),
  fromYamlArray: fn(["string"], (s) => {
    const value = parseYamlFor(s as string, "fromYamlArray");
    if (value !== null && !Array.isArray(value)) throw new FuncError(`error unmarshaling JSON: json: cannot unmarshal ${jsonKind(value)} into Go value of type []interface {}`);
    return value ?? [];
  }),
};

function untilStep(start: bigint, stop: bigint, step: bigint): bigint[] {
  const out: bigint[] = [];
  if (stop < start) {
    if (step >= 0n) return out;
    for (let i = start; i > stop; i += step) out.push(i);
    return out;
  }
  if (step <= 0n) return out;
  for (let i = start; i < stop; i += step) {
    out.push(i);
    if (out.length > 1_000_000) throw new FuncError("until: more than a million numbers");
  }
  return out;
}
function tryOr<T extends GoValue>(run: () => T, fallback: T): T {
  try {
    return run();
  } catch (cause) {
    if (cause instanceof UnsupportedError) throw cause;
    return fallback;
  }
}
function parseJson(text: string): GoValue {
  try {
    return toGoValue(JSON.parse(text));
  } catch (cause) {
    throw new FuncError((cause as Error).message);
  }
}
function parseYamlFor(text: string, name: string): GoValue {
  try {
    return parseGoYaml(text);
  } catch (cause) {
    throw new FuncError(`${name}: ${(cause as Error).message}`);
  }
}
function jsonKind(value: GoValue): string {
  if (Array.isArray(value)) return "array";
  if (isGoMap(value)) return "object";
  return typeof value === "string" ? "string" : typeof value === "boolean" ? "bool" : "number";
}

// the rest of sprig's GenericFuncMap: real functions, but not here (nondeterministic, crypto, or not yet written)
const SPRIG_NOT_SUPPORTED = new Set(
  (
    "hello ago date date_in_zone date_modify dateInZone dateModify duration durationRound htmlDate htmlDateInZone " +
    "must_date_modify mustDateModify mustToDate now toDate unixEpoch abbrev abbrevboth untitle initials randAlphaNum " +
    "randAlpha randAscii randNumeric swapcase shuffle snakecase camelcase kebabcase wrap wrapWith seq add1f addf subf " +
    "divf mulf maxf minf randInt mustCompact mustDeepCopy osBase osClean osDir osExt osIsAbs b32enc b32dec tuple " +
    "mustMerge mustMergeOverwrite mustAppend mustPush mustPrepend mustRest mustInitial mustReverse mustUniq " +
    "mustWithout mustHas mustSlice chunk mustChunk bcrypt htpasswd genPrivateKey derivePassword buildCustomCert genCA " +
    "genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey encryptAES decryptAES " +
    "randBytes uuidv4 semver semverCompare mustRegexFindAll mustRegexFind mustRegexReplaceAll " +
    "mustRegexReplaceAllLiteral mustRegexSplit urlParse urlJoin html js call tpl"
  ).split(" "),
);

function checkFunction(name: string): void {
  if (Object.prototype.hasOwnProperty.call(FUNCTIONS, name)) return;
  if (SPRIG_NOT_SUPPORTED.has(name)) throw new GoTemplateError(`function ${goQuote(name)} is not supported by this expander`);
  throw new GoTemplateError(`function ${goQuote(name)} not defined`);
}

// ---------------------------------------------------------------------------------------------------------------
// Executor (text/template/exec.go)

export type MissingKey = "invalid" | "zero" | "error";
const NO_FINAL = Symbol("no final argument");
type Final = GoValue | typeof NO_FINAL;
class BreakSignal {}
class ContinueSignal {}
const MAX_STEPS = 1_000_000;

class ExecError extends Error {}

class State {
  private readonly vars: Array<{ name: string; value: GoValue }>;
  private out = "";
  private steps = 0;

  constructor(
    private readonly missingKey: MissingKey,
    data: GoValue,
  ) {
    this.vars = [{ name: "$", value: data }];
  }

  run(nodes: TemplateNode[], dot: GoValue): string {
    this.walkList(dot, nodes);
    return this.out;
  }

  private fail(at: string, message: string): never {
    throw new ExecError(`at <${at}>: ${message}`);
  }

  private tick(): void {
    if (++this.steps > MAX_STEPS) throw new ExecError(`more than ${MAX_STEPS} steps: refusing a template this expensive`);
  }

  private walkList(dot: GoValue, nodes: TemplateNode[]): void {
    for (const node of nodes) this.walk(dot, node);
  }

  private walk(dot: GoValue, node: TemplateNode): void {
    this.tick();
    switch (node.type) {
      case "text":
        this.write(node.text);
        return;
      case "action": {
        const value = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.write(value === undefined ? "<no value>" : sprintValue(value));
        return;
      }
      case "if":
      case "with": {
        const mark = this.vars.length;
        const value = this.evalPipeline(dot, node.pipe);
        if (goTruth(value)) this.walkList(node.type === "with" ? value : dot, node.list);
        else if (node.elseList) this.walkList(dot, node.elseList);
        this.vars.length = mark;
        return;
      }
      case "range":
        this.walkRange(dot, node);
        return;
      case "break":
        throw new BreakSignal();
      case "continue":
        throw new ContinueSignal();
    }
  }

  private write(text: string): void {
    this.out += text;
    if (this.out.length > MAX_STRING) throw new ExecError(`output longer than ${MAX_STRING} characters`);
  }

  private walkRange(dot: GoValue, node: ControlNode): void {
    const mark = this.vars.length;
    const value = this.evalPipeline(dot, node.pipe);
    const iterations: Array<[GoValue, GoValue]> = [];
    if (Array.isArray(value)) value.forEach((item, i) => iterations.push([BigInt(i), item]));
    else if (isGoMap(value)) for (const key of sortedKeys(value)) iterations.push([key, value[key]]);
    else if (isGoInt(value)) for (let i = 0n; i < intOf(value); i++) iterations.push([i, i]);
    else if (value !== undefined && value !== null) this.fail("range", `range can't iterate over ${sprintValue(value)}`);
    const oneIteration = (key: GoValue, item: GoValue): boolean => {
      const iterationMark = this.vars.length;
      if (node.pipe.decl.length > 0) {
        const first = node.pipe.decl[0]!;
        if (node.pipe.isAssign) this.setVar(first, node.pipe.decl.length > 1 ? key : item);
        else this.vars.push({ name: first, value: node.pipe.decl.length > 1 ? key : item });
      }
      if (node.pipe.decl.length > 1) {
        const second = node.pipe.decl[1]!;
        if (node.pipe.isAssign) this.setVar(second, item);
        else this.vars.push({ name: second, value: item });
      }
      try {
        this.walkList(item, node.list);
      } catch (signal) {
        if (signal instanceof BreakSignal) return false;
        if (!(signal instanceof ContinueSignal)) throw signal;
      } finally {
        this.vars.length = iterationMark;
      }
      return true;
    };
    if (iterations.length === 0) {
      if (node.elseList) this.walkList(dot, node.elseList);
    } else {
      // the pipeline's declarations are per iteration, not of the range's own scope
      this.vars.length = mark;
      for (const [key, item] of iterations) if (!oneIteration(key, item)) break;
    }
    this.vars.length = mark;
  }

  private setVar(name: string, value: GoValue): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.fail(name, `undefined variable: ${name}`);
  }

  private varValue(name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    return this.fail(name, `undefined variable: ${name}`);
  }

  private evalPipeline(dot: GoValue, pipe: Pipe): GoValue {
    let value: Final = NO_FINAL;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // a nil interface{} becomes no value between commands, as reflect.ValueOf(nil) does
      if (value === null) value = undefined;
    }
    const result = value === NO_FINAL ? undefined : value;
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVar(name, result);
      else this.vars.push({ name, value: result });
    }
    return result;
  }

  private evalCommand(dot: GoValue, cmd: Command, final: Final): GoValue {
    this.tick();
    const first = cmd.args[0]!;
    switch (first.type) {
      case "field":
        return this.evalFieldChain(dot, dot, first.text, first.ident, cmd.args, final);
      case "chain":
        return this.evalChain(dot, first, cmd.args, final);
      case "identifier":
        return this.evalFunction(dot, first.name, cmd.args, final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first.pipe);
      case "variable":
        return this.evalVariable(dot, first, cmd.args, final);
    }
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case "bool":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        return this.fail("nil", "nil is not a command");
      case "number":
        return idealConstant(first);
      case "string":
        return first.value;
    }
  }

  private notAFunction(args: Operand[], final: Final): void {
    if (args.length > 1 || final !== NO_FINAL) this.fail(args[0]!.text, `can't give argument to non-function ${args[0]!.text}`);
  }

  private evalVariable(dot: GoValue, node: Extract<Operand, { type: "variable" }>, args: Operand[], final: Final): GoValue {
    const value = this.varValue(node.ident[0]!);
    if (node.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, node.text, node.ident.slice(1), args, final);
  }

  private evalChain(dot: GoValue, node: Extract<Operand, { type: "chain" }>, args: Operand[], final: Final): GoValue {
    if (node.node.type === "nil") this.fail(node.text, `indirection through explicit nil in ${node.text}`);
    const receiver = this.evalArg(dot, "value", node.node);
    return this.evalFieldChain(dot, receiver, node.text, node.fields, args, final);
  }

  private evalFieldChain(dot: GoValue, receiver: GoValue, text: string, ident: string[], args: Operand[], final: Final): GoValue {
    let value = receiver;
    ident.forEach((name, i) => {
      const last = i === ident.length - 1;
      value = this.evalField(text, name, last && (args.length > 1 || final !== NO_FINAL), value);
    });
    return value;
  }

  private evalField(at: string, name: string, hasArgs: boolean, receiver: GoValue): GoValue {
    if (receiver === undefined) {
      if (this.missingKey === "error") this.fail(at, `nil data; no entry for key ${goQuote(name)}`);
      return undefined;
    }
    if (receiver === null) this.fail(at, `nil pointer evaluating interface {}.${name}`);
    if (isGoMap(receiver)) {
      if (hasArgs) this.fail(at, `${name} is not a method but has arguments`);
      if (hasKey(receiver, name)) return receiver[name];
      switch (this.missingKey) {
        case "invalid":
          return undefined;
        case "zero":
          return stringMaps.has(receiver) ? "" : null;
        case "error":
          return this.fail(at, `map has no entry for key ${goQuote(name)}`);
      }
    }
    return this.fail(at, `can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  private evalFunction(dot: GoValue, name: string, args: Operand[], final: Final): GoValue {
    const func = FUNCTIONS[name]!;
    const argNodes = args.slice(1);
    const count = argNodes.length + (final === NO_FINAL ? 0 : 1);
    if (func.variadic !== undefined) {
      if (count < func.params.length) this.fail(name, `wrong number of args for ${name}: want at least ${func.params.length} got ${count}`);
    } else if (count !== func.params.length) this.fail(name, `wrong number of args for ${name}: want ${func.params.length} got ${count}`);
    const kindAt = (i: number): ParamKind => func.params[i] ?? func.variadic!;
    if (name === "and" || name === "or") {
      // short-circuit: the first false (and) or true (or) argument, else the last
      let value: GoValue = undefined;
      for (const node of argNodes) {
        value = indirect(this.evalArg(dot, "value", node));
        if (goTruth(value) === (name === "or")) return value;
      }
      return final === NO_FINAL ? value : final;
    }
    const values = argNodes.map((node, i) => this.evalArg(dot, kindAt(i), node));
    if (final !== NO_FINAL) values.push(this.validate(name, final, kindAt(count - 1)));
    try {
      return func.call(...values);
    } catch (cause) {
      if (cause instanceof FuncError || cause instanceof GoTemplateError) this.fail(name, `error calling ${name}: ${cause.message}`);
      throw cause;
    }
  }

  private evalArg(dot: GoValue, kind: ParamKind, node: Operand): GoValue {
    switch (node.type) {
      case "dot":
        return this.validate(node.text, dot, kind);
      case "nil":
        if (kind === "value") return undefined;
        if (kind === "any" || kind === "dict") return null;
        return this.fail("nil", `cannot assign nil to ${goKindName(kind)}`);
      case "field":
        return this.validate(node.text, this.evalFieldChain(dot, dot, node.text, node.ident, [node], NO_FINAL), kind);
      case "variable":
        return this.validate(node.text, this.evalVariable(dot, node, [node], NO_FINAL), kind);
      case "pipe":
        return this.validate(node.text, this.evalPipeline(dot, node.pipe), kind);
      case "identifier":
        return this.validate(node.text, this.evalFunction(dot, node.name, [node], NO_FINAL), kind);
      case "chain":
        return this.validate(node.text, this.evalChain(dot, node, [node], NO_FINAL), kind);
      case "bool":
        if (kind === "bool" || kind === "any" || kind === "value") return node.value;
        break;
      case "number":
        if (kind === "int") {
          if (!node.isInt) this.fail(node.text, `expected integer; found ${node.text}`);
          return node.int;
        }
        if (kind === "float") {
          if (!node.isFloat) this.fail(node.text, `expected float; found ${node.text}`);
          return node.float;
        }
        if (kind === "any" || kind === "value") return idealConstant(node);
        break;
      case "string":
        if (kind === "string" || kind === "any" || kind === "value") return node.value;
        break;
    }
    return this.fail(node.text, `expected ${goKindName(kind)}; found ${node.text}`);
  }

  /** text/template's validateType: what a Go parameter of this type accepts. */
  private validate(at: string, value: GoValue, kind: ParamKind): GoValue {
    if (kind === "value") return value;
    if (value === undefined) {
      if (kind === "any" || kind === "dict") return null;
      return this.fail(at, `invalid value; expected ${goKindName(kind)}`);
    }
    const ok =
      kind === "any" ||
      (kind === "string" && typeof value === "string") ||
      (kind === "int" && typeof value === "bigint") ||
      (kind === "float" && typeof value === "number") ||
      (kind === "bool" && typeof value === "boolean") ||
      (kind === "dict" && isGoMap(value) && !stringMaps.has(value));
    if (!ok) this.fail(at, `wrong type for value; expected ${goKindName(kind)}; got ${value === null ? "interface {}" : goTypeName(value)}`);
    return value;
  }
}

function goKindName(kind: ParamKind): string {
  switch (kind) {
    case "float":
      return "float64";
    case "any":
      return "interface {}";
    case "dict":
      return "map[string]interface {}";
    case "value":
      return "reflect.Value";
    default:
      return kind;
  }
}

/** A number literal where any type goes: an int unless it is written as a float. */
function idealConstant(node: NumberNode): GoValue {
  const hex = /^[+-]?0[xX]/.test(node.text);
  if (node.isFloat && !hex && !node.text.startsWith("'") && /[.eEpP]/.test(node.text)) return node.float;
  if (node.isInt) return node.int;
  return node.float;
}

// ---------------------------------------------------------------------------------------------------------------
// Public API

export interface GoTemplateOptions {
  missingKey: MissingKey;
}

/** goTemplateOptions as template.Option reads them; an unknown option is an error (Go panics on it). */
export function parseGoTemplateOptions(options: readonly string[]): GoTemplateOptions {
  let missingKey: MissingKey = "invalid";
  for (const option of options) {
    const match = /^missingkey=(default|invalid|zero|error)$/.exec(option);
    if (!match) throw new GoTemplateError(`unrecognized option: ${option}`);
    missingKey = match[1] === "default" ? "invalid" : (match[1] as MissingKey);
  }
  return { missingKey };
}

const parsed = new Map<string, TemplateNode[] | GoTemplateError>();

/** Parses a template (cached: ApplicationSets render the same strings for every parameter set). */
function parseTemplate(text: string): TemplateNode[] {
  let result = parsed.get(text);
  if (!result) {
    try {
      result = new Parser(lex(text), checkFunction).parse();
    } catch (cause) {
      if (!(cause instanceof GoTemplateError)) throw cause;
      result = cause;
    }
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(text, result);
  }
  if (result instanceof GoTemplateError) throw result;
  return result;
}

/**
 * Renders one string as Argo CD's Render.Replace does with goTemplate: parse with sprig, execute against the
 * parameters. Errors are GoTemplateErrors worded like Argo's ("failed to parse template ...").
 */
export function renderGoTemplate(text: string, data: GoValue, options: GoTemplateOptions): string {
  let nodes: TemplateNode[];
  try {
    nodes = parseTemplate(text);
  } catch (cause) {
    throw new GoTemplateError(`failed to parse template ${text}: ${(cause as Error).message}`);
  }
  try {
    return new State(options.missingKey, data).run(nodes, data);
  } catch (cause) {
    if (cause instanceof ExecError || cause instanceof GoTemplateError) throw new GoTemplateError(`failed to execute go template ${text}: ${cause.message}`);
    if (cause instanceof BreakSignal || cause instanceof ContinueSignal) throw new GoTemplateError(`failed to execute go template ${text}: break or continue outside range`);
    throw cause;
  }
}
