// json.*, yaml.*, base64*, hex.*, urlquery.* (topdown/encoding.go). Strings are Go strings: bytes that are not valid
// UTF-8 (from a decoded payload) become U+FFFD one byte at a time, as Go's range over a string sees them.

import type { Builtin } from "./types.js";
import { builtinError, fn, obj, operandTypeError, str, typeError } from "./operands.js";
import { RegoObject, RegoSet, fromJSON, normalizeNumber, toJSON, typeName } from "../../value.js";
import type { Value } from "../../value.js";
import { YAMLParseError, parseDocument, stringify as yamlStringify } from "yaml";

// ---------------------------------------------------------------------------------------------------------------
// bytes and Go strings

export function utf8Bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Bytes as a Go string seen rune by rune: each byte of an invalid sequence is one U+FFFD. */
export function goStringFromBytes(b: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      out += String.fromCharCode(c);
      i++;
      continue;
    }
    let need = 0;
    let cp = 0;
    let min = 0;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      cp = c & 0x1f;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      cp = c & 0x0f;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      cp = c & 0x07;
      min = 0x10000;
    }
    let ok = need > 0;
    for (let k = 1; ok && k <= need; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (d & 0x3f);
    }
    if (ok && cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) {
      out += String.fromCodePoint(cp);
      i += need + 1;
    } else {
      out += "\ufffd";
      i++;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON as Go's encoding/json writes it

function quoteJson(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      out += s[i]! + s[i + 1]!;
      i++;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      out += "\\ufffd";
      continue;
    }
    switch (c) {
      case 0x22:
        out += '\\"';
        continue;
      case 0x5c:
        out += "\\\\";
        continue;
      case 0x0a:
        out += "\\n";
        continue;
      case 0x0d:
        out += "\\r";
        continue;
      case 0x09:
        out += "\\t";
        continue;
      case 0x08:
        out += "\\b";
        continue;
      case 0x0c:
        out += "\\f";
        continue;
      case 0x3c:
      case 0x3e:
      case 0x26:
      case 0x2028:
      case 0x2029:
        out += "\\u" + c.toString(16).padStart(4, "0");
        continue;
    }
    out += c < 0x20 ? "\\u" + c.toString(16).padStart(4, "0") : s[i]!;
  }
  return out + '"';
}

function jsonNumber(n: number | bigint): string {
  if (typeof n === "bigint") return n.toString();
  if (!Number.isFinite(n)) throw builtinError("json.marshal", `json: unsupported value: ${n}`);
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString();
  return String(n);
}

function keyText(k: Value): string {
  return typeof k === "string" ? k : JSON.stringify(toJSON(k), (_key, x: unknown) => (typeof x === "bigint" ? Number(x) : x));
}

/** Go's json.Marshal (indent undefined) or json.MarshalIndent with a prefix on every line. */
export function goJson(v: Value, indent?: string, prefix = ""): string {
  const nl = (depth: number): string => (indent === undefined ? "" : "\n" + prefix + indent.repeat(depth));
  const colon = indent === undefined ? ":" : ": ";
  const rec = (x: Value, depth: number): string => {
    if (x === null) return "null";
    switch (typeof x) {
      case "boolean":
        return x ? "true" : "false";
      case "number":
      case "bigint":
        return jsonNumber(x);
      case "string":
        return quoteJson(x);
    }
    const items: readonly Value[] | undefined = Array.isArray(x) ? (x as readonly Value[]) : x instanceof RegoSet ? x.sorted() : undefined;
    if (items) {
      if (items.length === 0) return "[]";
      return "[" + items.map((y) => nl(depth + 1) + rec(y, depth + 1)).join(",") + nl(depth) + "]";
    }
    const o = x as RegoObject;
    if (o.size === 0) return "{}";
    const entries = [...o.entries()].map(([k, y]) => [keyText(k), y] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return "{" + entries.map(([k, y]) => nl(depth + 1) + quoteJson(k) + colon + rec(y, depth + 1)).join(",") + nl(depth) + "}";
  };
  return prefix + rec(v, 0);
}

/** JSON text to a value, integers beyond 2^53 exact. */
export function parseJson(name: string, text: string): Value {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, function (_key: string, value: unknown, context?: { source?: string }) {
      if (typeof value === "number" && !Number.isSafeInteger(value) && context?.source && /^-?\d+$/.test(context.source)) return BigInt(context.source);
      return value;
    } as (key: string, value: unknown) => unknown);
  } catch (error) {
    throw builtinError(name, (error as Error).message);
  }
  return fromJSON(parsed);
}

function marshalWithOptions(args: readonly Value[]): string {
  const name = "json.marshal_with_options";
  const opts = obj(name, args, 1);
  let pretty: boolean | undefined;
  let indent: string | undefined;
  let prefix: string | undefined;
  for (const [k, v] of opts.entries()) {
    switch (k) {
      case "pretty":
        if (typeof v !== "boolean") throw typeError(name, `operand 2 "pretty" must be boolean but got ${typeName(v)}`);
        pretty = v;
        break;
      case "indent":
        if (typeof v !== "string") throw typeError(name, `operand 2 "indent" must be string but got ${typeName(v)}`);
        indent = v;
        break;
      case "prefix":
        if (typeof v !== "string") throw typeError(name, `operand 2 "prefix" must be string but got ${typeName(v)}`);
        prefix = v;
        break;
      default:
        throw typeError(name, `object contained unknown key ${typeof k === "string" ? JSON.stringify(k) : keyText(k)}`);
    }
  }
  if (pretty === undefined) pretty = indent !== undefined || prefix !== undefined;
  if (!pretty) return goJson(args[0]!);
  return goJson(args[0]!, indent ?? "\t", prefix ?? "");
}

// ---------------------------------------------------------------------------------------------------------------
// YAML (sigs.k8s.io/yaml: YAML 1.1 through JSON)

function parseYaml(name: string, text: string): Value {
  // go-yaml v2 keeps timestamps and sexagesimal numbers as strings when decoding into interface{}
  const doc = parseDocument(text, {
    version: "1.1",
    intAsBigInt: true,
    uniqueKeys: false,
    prettyErrors: false,
    customTags: (tags) => tags.filter((t) => typeof t === "string" || (t.tag !== "tag:yaml.org,2002:timestamp" && t.format !== "TIME")),
  });
  const error = doc.errors[0];
  if (error) {
    const line = error instanceof YAMLParseError && error.linePos ? error.linePos[0].line : 1;
    throw builtinError(name, `yaml: line ${line}: did not find expected node content (${error.message})`);
  }
  const js: unknown = doc.toJS({ maxAliasCount: 100 });
  return fromJSON(bigToNumber(js));
}

function bigToNumber(x: unknown): unknown {
  if (typeof x === "bigint") return normalizeNumber(x);
  if (typeof x === "number" && !Number.isFinite(x)) throw builtinError("yaml.unmarshal", `json: unsupported value: ${x > 0 ? "+Inf" : x < 0 ? "-Inf" : "NaN"}`);
  if (Array.isArray(x)) return x.map(bigToNumber);
  if (x instanceof Map) return Object.fromEntries([...x.entries()].map(([k, v]) => [String(k), bigToNumber(v)]));
  if (x instanceof Date) return x.toISOString();
  if (x !== null && typeof x === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = bigToNumber(v);
    return out;
  }
  return x;
}

// ---------------------------------------------------------------------------------------------------------------
// base64, hex, urlquery

const STD = /^[A-Za-z0-9+/]*$/;
const URL = /^[A-Za-z0-9_-]*$/;

/** Go's base64 decoding, strict about the alphabet and the padding. */
function base64Decode(name: string, s: string, url: boolean, padded: boolean): Uint8Array {
  const alphabet = url ? URL : STD;
  // Go's decoder skips line breaks
  s = s.replace(/[\r\n]/g, "");
  let body = s;
  if (padded) {
    if (s.length % 4 !== 0) throw builtinError(name, `illegal base64 data at input byte ${s.length - (s.length % 4)}`);
    body = s.replace(/={1,2}$/, "");
  }
  if (!alphabet.test(body)) {
    const bad = [...body].findIndex((c) => !alphabet.test(c));
    throw builtinError(name, `illegal base64 data at input byte ${bad}`);
  }
  if (body.length % 4 === 1) throw builtinError(name, `illegal base64 data at input byte ${body.length - 1}`);
  return Buffer.from(body, url ? "base64url" : "base64");
}

function base64Encode(s: string, url: boolean, pad: boolean): string {
  let out = Buffer.from(utf8Bytes(s)).toString(url ? "base64url" : "base64");
  if (url && pad) out = out.padEnd(Math.ceil(out.length / 4) * 4, "=");
  if (!pad) out = out.replace(/=+$/, "");
  return out;
}

/** Go's url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = "";
  for (const b of utf8Bytes(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** Go's url.QueryUnescape. */
export function queryUnescape(name: string, s: string): string {
  const bytes: number[] = [];
  const src = utf8Bytes(s);
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b === 0x25) {
      const hex = String.fromCharCode(src[i + 1] ?? 0, src[i + 2] ?? 0);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        const bad = new TextDecoder().decode(src.slice(i, Math.min(i + 3, src.length)));
        throw builtinError(name, `invalid URL escape ${JSON.stringify(bad)}`);
      }
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (b === 0x2b) bytes.push(0x20);
    else bytes.push(b);
  }
  return goStringFromBytes(Uint8Array.from(bytes));
}

function encodeObject(args: readonly Value[]): string {
  const name = "urlquery.encode_object";
  const o = obj(name, args, 0);
  const parts: string[] = [];
  const keys = [...o.entries()].map(([k, v]) => {
    if (typeof k !== "string") throw typeError(name, `operand 1 must be object with string keys but got ${typeName(k)} key`);
    return [k, v] as const;
  });
  keys.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [k, v] of keys) {
    const values: readonly Value[] = typeof v === "string" ? [v] : Array.isArray(v) ? (v as readonly Value[]) : v instanceof RegoSet ? v.sorted() : [];
    if (!(typeof v === "string" || Array.isArray(v) || v instanceof RegoSet)) throw operandTypeError(name, 1, v, "string", "array", "set");
    for (const x of values) {
      if (typeof x !== "string") throw typeError(name, `operand 1 must be object of strings or arrays of strings but got ${typeName(x)}`);
      parts.push(`${queryEscape(k)}=${queryEscape(x)}`);
    }
  }
  return parts.join("&");
}

function decodeObject(args: readonly Value[]): Value {
  const name = "urlquery.decode_object";
  const s = str(name, args, 0);
  const grouped = new Map<string, string[]>();
  for (const part of s.split("&")) {
    if (part === "") continue;
    if (part.includes(";")) throw builtinError(name, "invalid semicolon separator in query");
    const eq = part.indexOf("=");
    const key = queryUnescape(name, eq < 0 ? part : part.slice(0, eq));
    const value = queryUnescape(name, eq < 0 ? "" : part.slice(eq + 1));
    if (!grouped.has(key)) grouped.set(key, []);
    grouped.get(key)!.push(value);
  }
  return RegoObject.of([...grouped.entries()].map(([k, v]) => [k, v] as const));
}

function hexDecode(s: string): string {
  const bad = [...s].findIndex((c) => !/[0-9A-Fa-f]/.test(c));
  if (bad >= 0) {
    const c = [...s][bad]!;
    throw builtinError("hex.decode", `encoding/hex: invalid byte: U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} ${goRuneQuote(c)}`);
  }
  if (s.length % 2 === 1) throw builtinError("hex.decode", "encoding/hex: odd length hex string");
  return goStringFromBytes(Buffer.from(s, "hex"));
}

function goRuneQuote(c: string): string {
  return c === "'" ? "'\\''" : `'${c}'`;
}

export const ENCODING_BUILTINS: readonly Builtin[] = [
  fn("json.marshal", 1, (args) => goJson(args[0]!)),
  fn("json.marshal_with_options", 2, marshalWithOptions),
  fn("json.unmarshal", 1, (args) => parseJson("json.unmarshal", str("json.unmarshal", args, 0))),
  fn("json.is_valid", 1, (args) => {
    const s = args[0]!;
    if (typeof s !== "string") return false;
    try {
      JSON.parse(s);
      return true;
    } catch {
      return false;
    }
  }),
  fn("yaml.marshal", 1, (args) => yamlStringify(toJSON(args[0]!), { indentSeq: false, lineWidth: 0, version: "1.1" })),
  fn("yaml.unmarshal", 1, (args) => parseYaml("yaml.unmarshal", str("yaml.unmarshal", args, 0))),
  fn("yaml.is_valid", 1, (args) => {
    const s = args[0]!;
    if (typeof s !== "string") return false;
    try {
      parseYaml("yaml.is_valid", s);
      return true;
    } catch {
      return false;
    }
  }),
  fn("base64.encode", 1, (args) => base64Encode(str("base64.encode", args, 0), false, true)),
  fn("base64.decode", 1, (args) => goStringFromBytes(base64Decode("base64.decode", str("base64.decode", args, 0), false, true))),
  fn("base64.is_valid", 1, (args) => {
    try {
      base64Decode("base64.is_valid", str("base64.is_valid", args, 0), false, true);
      return true;
    } catch {
      return false;
    }
  }),
  fn("base64url.encode", 1, (args) => base64Encode(str("base64url.encode", args, 0), true, true)),
  fn("base64url.encode_no_pad", 1, (args) => base64Encode(str("base64url.encode_no_pad", args, 0), true, false)),
  fn("base64url.decode", 1, (args) => {
    const s = str("base64url.decode", args, 0);
    return goStringFromBytes(base64Decode("base64url.decode", s, true, s.length % 4 === 0));
  }),
  fn("hex.encode", 1, (args) => Buffer.from(utf8Bytes(str("hex.encode", args, 0))).toString("hex")),
  fn("hex.decode", 1, (args) => hexDecode(str("hex.decode", args, 0))),
  fn("urlquery.encode", 1, (args) => queryEscape(str("urlquery.encode", args, 0))),
  fn("urlquery.decode", 1, (args) => queryUnescape("urlquery.decode", str("urlquery.decode", args, 0))),
  fn("urlquery.encode_object", 1, encodeObject),
  fn("urlquery.decode_object", 1, decodeObject),
];
