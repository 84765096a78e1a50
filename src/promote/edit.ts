// Byte-exact edits of YAML text: a scalar's characters replaced in its own quoting style, a key or a kustomize
// `images:` entry inserted in the file's own indentation and line endings, and the result re-parsed and checked.
// Every character outside an edit stays as it was: comments, quotes, indentation, key order, blank lines, markers.
import { isMap, isScalar, isSeq, type Node } from "yaml";
import { UserError } from "../errors.ts";
import { nodeAt, parseYaml } from "../util/yaml.ts";
import type { PathStep, ScalarSource, YamlSource } from "./yaml-source.ts";

/** Replace text[start, end) with `text`; an insertion has start === end. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** After the edits, the string at `path` of document `document` must be `value`. */
export interface ValueCheck {
  document: number;
  path: PathStep[];
  value: string;
  /** Where the edit was made, for the error (1-based). */
  line: number;
}

export interface KustomizeImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** The edit that writes `value` where `scalar` is, in the scalar's quoting style (quoting a plain one if it must). */
export function replaceScalar(text: string, scalar: ScalarSource, value: string): TextEdit {
  const where = `${scalar.file}:${scalar.line}`;
  if (scalar.style === "block") throw new UserError(`${where}: the value is a block scalar (| or >); change it by hand`, { file: scalar.file, line: scalar.line });
  if (/[\r\n]/.test(text.slice(scalar.start, scalar.end)) && scalar.style === "plain") {
    throw new UserError(`${where}: the value spans several lines; change it by hand`, { file: scalar.file, line: scalar.line });
  }
  let written: string;
  if (scalar.style === "single" && !/[\x00-\x1f\x7f]/.test(value)) written = singleQuoted(value);
  else if (scalar.style === "single" || scalar.style === "double") written = doubleQuoted(value);
  else written = needsQuotes(value, scalar.flow) ? doubleQuoted(value) : value;
  // an empty plain value ("tag:", "tag: # comment") has no characters: keep spaces around it
  if (scalar.start === scalar.end && text[scalar.start - 1] === ":") written = ` ${written}`;
  if (scalar.start === scalar.end && text[scalar.end] === "#") written = `${written} `;
  return { start: scalar.start, end: scalar.end, text: written };
}

/** A scalar as a new key's value: plain when YAML reads it back as the same string, else double-quoted. */
export function scalarFor(value: string, flow: boolean): string {
  return needsQuotes(value, flow) ? doubleQuoted(value) : value;
}

const YAML11_SPECIAL = new Set(["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "~", "null", "Null", "NULL", "=", "<<"]);
const NUMBER_LIKE = [
  /^[-+]?(0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)$/, // integers, YAML 1.1 and 1.2
  /^[-+]?(\.[0-9_]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$/, // floats
  /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/, // YAML 1.1 base 60
  /^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/,
  /^\d{4}-\d\d?-\d\d?(?:(?:[Tt]|[ \t]+)\d\d?:\d\d:\d\d(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d\d?(?::\d\d)?))?)?$/, // timestamps
];

/**
 * Would a plain scalar be read as something else than this string — by YAML 1.2 (our parser) or YAML 1.1 (the
 * go-yaml of kubectl and Helm: yes/no/on/off, 0777, base 60) — or not be a plain scalar at all?
 */
export function needsQuotes(value: string, flow: boolean): boolean {
  if (value === "" || value.trim() !== value) return true;
  if (YAML11_SPECIAL.has(value) || NUMBER_LIKE.some((pattern) => pattern.test(value))) return true;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(value)) return true;
  if (/[\x00-\x1f\x7f]|: |:$| #/.test(value)) return true;
  return flow && /[,[\]{}]/.test(value);
}

function singleQuoted(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function doubleQuoted(value: string): string {
  const escaped = value.replace(/[\\"\x00-\x1f\x7f]/g, (char) => {
    switch (char) {
      case "\\":
        return "\\\\";
      case '"':
        return '\\"';
      case "\n":
        return "\\n";
      case "\t":
        return "\\t";
      case "\r":
        return "\\r";
      default:
        return `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`;
    }
  });
  return `"${escaped}"`;
}

/** The file's line ending: CRLF when its first line ends so. */
export function lineEnding(text: string): string {
  const newline = text.indexOf("\n");
  return newline > 0 && text[newline - 1] === "\r" ? "\r\n" : "\n";
}

/** Offset of the end of the line holding `offset` (before its line ending). */
function endOfLine(text: string, offset: number): number {
  let end = text.indexOf("\n", offset);
  if (end < 0) end = text.length;
  return end > 0 && text[end - 1] === "\r" ? end - 1 : end;
}

/** The last offset of a node's own characters (its last scalar), not the comments or blank lines after it. */
function contentEnd(source: YamlSource, node: Node): number {
  let end = node.range?.[0] ?? 0;
  const visit = (current: unknown) => {
    if (isScalar(current)) end = Math.max(end, source.scalar(current as Node)?.end ?? end);
    else if (isMap(current)) for (const pair of current.items) {
      visit(pair.key);
      visit(pair.value);
    }
    else if (isSeq(current)) for (const item of current.items) visit(item);
  };
  visit(node);
  return end;
}

/**
 * Adds `key: value` to the map at `path` (a kustomize images entry missing newTag or digest): a new line after
 * the map's last line at its keys' indentation, or ", key: value" before a flow map's closing brace.
 */
export function addMapKey(source: YamlSource, document: number, path: PathStep[], key: string, value: string): { edit: TextEdit; check: ValueCheck } {
  const doc = source.documents[document]!.doc;
  const map = nodeAt(doc, path);
  if (!isMap(map) || map.items.length === 0) throw new UserError(`${source.file}: no map at ${path.join(".")} to add ${key} to`, { file: source.file });
  const line = source.lineOf(map.range![0]).line;
  const check = { document, path: [...path, key], value, line };
  if (map.flow) {
    const close = source.text.lastIndexOf("}", map.range![1]);
    return { edit: { start: close, end: close, text: `, ${key}: ${scalarFor(value, true)}` }, check };
  }
  const firstKey = map.items[0]!.key as Node;
  const column = source.lineOf(firstKey.range![0]).column - 1;
  const at = endOfLine(source.text, contentEnd(source, map));
  return { edit: { start: at, end: at, text: `${lineEnding(source.text)}${" ".repeat(column)}${key}: ${scalarFor(value, false)}` }, check };
}

/**
 * Adds `images:` entries to a kustomization file: after the last entry in its indentation, inside a flow list,
 * or as a new `images:` key at the end of the document in the style the file's other lists use.
 */
export function addKustomizeImages(source: YamlSource, entries: readonly KustomizeImageEntry[]): { edit: TextEdit; checks: ValueCheck[] } {
  const file = source.file;
  const document = source.documents[0];
  const root = document?.doc.contents;
  if (!document || (root && !isMap(root)) || (isMap(root) && root.flow)) {
    throw new UserError(`${file}: the kustomization is not a block map; add the images entry by hand`, { file, line: 1 });
  }
  const eol = lineEnding(source.text);
  const fieldsOf = (entry: KustomizeImageEntry) => (["name", "newName", "newTag", "digest"] as const).filter((field) => entry[field] !== undefined);
  const pair = isMap(root) ? root.items.find((item) => isScalar(item.key) && item.key.value === "images") : undefined;
  const images = pair?.value;
  const count = isSeq(images) ? images.items.length : 0;
  const checksAt = (line: number) =>
    entries.flatMap((entry, index) => fieldsOf(entry).map((field) => ({ document: 0, path: ["images", count + index, field], value: entry[field]!, line })));
  const keyColumn = isMap(root) && root.items[0] ? source.lineOf((root.items[0].key as Node).range![0]).column - 1 : 0;
  const block = (dashColumn: number, keyOffset: number) => entries.map((entry) => listItem(entry, fieldsOf(entry), dashColumn, keyOffset, eol)).join(eol);

  if (isSeq(images) && images.flow) {
    const close = source.text.lastIndexOf("]", images.range![1]);
    const items = entries.map((entry) => `{${fieldsOf(entry).map((field) => `${field}: ${scalarFor(entry[field]!, true)}`).join(", ")}}`);
    return { edit: { start: close, end: close, text: `${count > 0 ? ", " : ""}${items.join(", ")}` }, checks: checksAt(source.lineOf(close).line) };
  }
  if (isSeq(images) && count > 0) {
    const first = images.items[0] as Node;
    const firstStart = first.range![0];
    const lineStart = source.text.lastIndexOf("\n", firstStart - 1) + 1;
    const dash = source.text.indexOf("-", lineStart);
    const keyOffset = isMap(first) ? firstStart - dash : 2;
    const at = endOfLine(source.text, contentEnd(source, images.items[count - 1] as Node));
    return { edit: { start: at, end: at, text: eol + block(dash - lineStart, keyOffset) }, checks: checksAt(source.lineOf(at).line + 1) };
  }
  const dashColumn = keyColumn + sequenceIndent(source);
  if (pair && (images === null || (isScalar(images) && images.value === null))) {
    // "images:" with no value: the entries go on the lines after the key
    const at = endOfLine(source.text, (pair.key as Node).range![1]);
    return { edit: { start: at, end: at, text: eol + block(dashColumn, 2) }, checks: checksAt(source.lineOf(at).line + 1) };
  }
  if (pair) throw new UserError(`${file}: images is not a list; add the entry by hand`, { file, line: source.lineOf((pair.key as Node).range![0]).line });
  // a new "images:" key at the end of the document (before a "..." marker or a following document)
  const rest = source.text.slice(document.doc.range[1]);
  const atEnd = /^(?:\s|#[^\n]*)*$/.test(rest) ? source.text.length : endOfLine(source.text, root ? contentEnd(source, root) : 0);
  const before = source.text.slice(0, atEnd);
  const lead = before === "" || before.endsWith("\n") ? "" : eol;
  const text = `${lead}${" ".repeat(keyColumn)}images:${eol}${block(dashColumn, 2)}${atEnd === source.text.length ? eol : ""}`;
  return { edit: { start: atEnd, end: atEnd, text }, checks: checksAt(source.lineOf(atEnd).line + (lead ? 1 : 0)) };
}

function listItem(entry: KustomizeImageEntry, fields: ReadonlyArray<keyof KustomizeImageEntry>, dashColumn: number, keyOffset: number, eol: string): string {
  return fields
    .map((field, index) => `${" ".repeat(index === 0 ? dashColumn : dashColumn + keyOffset)}${index === 0 ? `-${" ".repeat(keyOffset - 1)}` : ""}${field}: ${scalarFor(entry[field]!, false)}`)
    .join(eol);
}

/** How far the file indents a block list under its key ("resources:\n  - a" is 2), 0 when it has none. */
function sequenceIndent(source: YamlSource): number {
  const root = source.documents[0]?.doc.contents;
  if (!isMap(root)) return 0;
  for (const pair of root.items) {
    if (!isSeq(pair.value) || pair.value.flow || pair.value.items.length === 0) continue;
    const keyColumn = source.lineOf((pair.key as Node).range![0]).column;
    const itemStart = (pair.value.items[0] as Node).range![0];
    const lineStart = source.text.lastIndexOf("\n", itemStart - 1) + 1;
    const dash = source.text.indexOf("-", lineStart);
    return Math.max(0, dash - lineStart - (keyColumn - 1));
  }
  return 0;
}

/** Applies non-overlapping edits (in any order) to a text. */
export function applyTextEdits(text: string, edits: readonly TextEdit[], file: string): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.start < sorted[i - 1]!.end) throw new UserError(`${file}: two edits overlap at offset ${sorted[i]!.start}`, { file });
  }
  let result = "";
  let at = 0;
  for (const edit of sorted) {
    result += text.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return result + text.slice(at);
}

/**
 * Re-parses the edited text and checks every value: a string equal to the expected one at its path. The error
 * names the file and the line of the edit; nothing is written after one.
 */
export function verifyValues(file: string, text: string, checks: readonly ValueCheck[]): void {
  let parsed;
  try {
    parsed = parseYaml(text, file);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UserError(`${file}: the edit would make the file invalid (${message}); nothing was written`, { file, ...(error instanceof UserError ? { line: error.location?.line } : {}) });
  }
  for (const check of checks) {
    const doc = parsed.documents[check.document]?.doc;
    const node = doc ? nodeAt(doc, check.path) : undefined;
    const actual = isScalar(node) ? node.value : undefined;
    if (actual !== check.value) {
      const found = actual === undefined ? "nothing" : JSON.stringify(actual);
      throw new UserError(`${file}:${check.line}: after the edit, ${check.path.join(".")} reads back as ${found} instead of "${check.value}"; nothing was written`, { file, line: check.line });
    }
  }
}
