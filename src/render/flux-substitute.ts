// Flux kustomize-controller's postBuild variable substitution, reproduced as Flux runs it: fluxcd/pkg
// kustomize/kustomize_varsub.go (SubstituteVariables) serialises each built object to YAML (sigs.k8s.io/yaml,
// i.e. go-yaml v2), runs fluxcd/pkg/envsubst over that text, and parses the result back (go-yaml v2, YAML 1.1).
// The envsubst parser and its string functions are ported statement by statement, over UTF-8 bytes as Go sees
// them; the serialiser picks plain, quoted or block style by go-yaml v2's rules, because the style decides what a
// substituted value turns into ("3" unquoted becomes an integer, a '"' inside a quoted string breaks it).
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments } from "yaml";
import type { Document } from "yaml";
import type { KubeObject } from "../model.ts";

export const SUBSTITUTE_ANNOTATION = "kustomize.toolkit.fluxcd.io/substitute";

/** Flux's own check of variable names (kustomize_varsub.go varsubRegex); [:alpha:] is ASCII in Go's RE2. */
export const VARIABLE_NAME_PATTERN = "^[_[:alpha:]][_[:alpha:][:digit:]]*$";
const VARIABLE_NAME = /^[_A-Za-z][_A-Za-z0-9]*$/;

/** A ${...} whose variable has no value and no default: Flux (non-strict) substitutes the empty string. */
export interface UnresolvedVariable {
  name: string;
  /** The placeholder as written, e.g. "${CLUSTER_NAME}" */
  written: string;
}

export interface SubstitutionResult {
  text: string;
  /** Each distinct placeholder once, in the order Flux evaluates them (nested defaults included). */
  unresolved: UnresolvedVariable[];
}

export interface SubstituteOptions {
  /** Flux's StrictPostBuildSubstitutions feature gate: a variable without value or default is an error. */
  strict?: boolean;
}

export interface SubstituteObjectOptions extends SubstituteOptions {
  /**
   * Substitute even when there are no variables (fluxcd/pkg SubstituteWithAlways). Without it Flux leaves the
   * object alone when the Kustomization defines no variable at all, defaults included.
   */
  always?: boolean;
}

type Vars = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

/** Syntax errors of envsubst, invalid variable names, strict-mode misses and YAML broken by a substituted value. */
export class SubstitutionError extends Error {
  override readonly name = "SubstitutionError";
  constructor(
    message: string,
    /** The variables involved, when known (names only: values may come from Secrets). */
    readonly variables: string[] = [],
  ) {
    super(message);
  }
}

/** Validates variable names as Flux does; returns the invalid names. */
export function invalidVariableNames(names: Iterable<string>): string[] {
  const invalid: string[] = [];
  for (const name of names) if (!VARIABLE_NAME.test(name)) invalid.push(name);
  return invalid;
}

/**
 * envsubst over a text, as Flux runs it: `${var}` and its bash-like forms are replaced, bare `$var` is not,
 * `$$` becomes `$` (so `$${var}` is a literal `${var}`). Every variable name in `vars` is validated first, as
 * Flux does before substituting.
 */
export function substituteText(text: string, vars: Vars, options: SubstituteOptions = {}): SubstitutionResult {
  const table = variableTable(vars, false);
  checkNames(table);
  if (!text.includes("$")) return { text, unresolved: [] };
  const run = envsubst(toBytes(text), table, options.strict === true);
  return { text: fromBytes(run.output) ?? lenientText(run.output), unresolved: run.unresolved };
}

/** The object carries `kustomize.toolkit.fluxcd.io/substitute: disabled` as a label or an annotation. */
export function isSubstitutionDisabled(object: KubeObject): boolean {
  const metadata = object.metadata;
  if (!isRecord(metadata)) return false;
  return ownValue(metadata.labels, SUBSTITUTE_ANNOTATION) === "disabled" || ownValue(metadata.annotations, SUBSTITUTE_ANNOTATION) === "disabled";
}

/**
 * SubstituteVariables for one built object. Returns the object itself (same reference) when substitution is
 * disabled for it, when there are no variables (unless `always`), or when nothing in its YAML text changes.
 * Values lose their "\n" characters, as Flux's LoadVariables strips them.
 */
export function substituteObject(
  object: KubeObject,
  vars: Vars,
  options: SubstituteObjectOptions = {},
): { object: KubeObject; unresolved: UnresolvedVariable[] } {
  if (isSubstitutionDisabled(object)) return { object, unresolved: [] };
  const table = variableTable(vars, true);
  if (table.size === 0 && !options.always) return { object, unresolved: [] };
  checkNames(table);
  if (!containsDollar(object)) return { object, unresolved: [] };
  const before = toBytes(emitYaml(object));
  const run = envsubst(before, table, options.strict === true);
  if (run.output === before) return { object, unresolved: run.unresolved };
  const text = fromBytes(run.output);
  if (text === undefined) {
    throw new SubstitutionError(
      "after substitution the object is not valid UTF-8 (a substring function cut a multi-byte character)",
      allNames(run.placeholders),
    );
  }
  return { object: readBack(text, run.placeholders), unresolved: run.unresolved };
}

// ---------------------------------------------------------------------------------------------------------------
// Variables

function isReadonlyMap(vars: Vars): vars is ReadonlyMap<string, string> {
  return vars instanceof Map || (typeof (vars as { get?: unknown }).get === "function" && typeof (vars as { entries?: unknown }).entries === "function");
}

function variableTable(vars: Vars, stripNewlines: boolean): Map<string, string> {
  const entries: Iterable<[string, string]> = isReadonlyMap(vars) ? vars.entries() : Object.entries(vars);
  const table = new Map<string, string>();
  for (const [name, value] of entries) {
    const text = String(value);
    table.set(name, stripNewlines ? text.replaceAll("\n", "") : text);
  }
  return table;
}

function checkNames(table: ReadonlyMap<string, string>): void {
  const invalid = invalidVariableNames(table.keys());
  if (invalid.length === 0) return;
  const list = invalid.map((name) => `'${name}'`).join(", ");
  throw new SubstitutionError(`${list} var name${invalid.length > 1 ? "s are" : " is"} invalid, must match '${VARIABLE_NAME_PATTERN}'`, invalid);
}

// ---------------------------------------------------------------------------------------------------------------
// Byte strings: UTF-8 held one byte per char code, so indexes and lengths are Go's.

const NON_ASCII = /[\u0080-\uffff]/;
const utf8Encoder = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const lenientUtf8 = new TextDecoder("utf-8");
const RUNE_ERROR = 0xfffd;

function toBytes(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  const bytes = utf8Encoder.encode(text);
  let out = "";
  for (let i = 0; i < bytes.length; i += 0x4000) out += String.fromCharCode(...bytes.subarray(i, i + 0x4000));
  return out;
}

function byteArray(bytes: string): Uint8Array {
  const array = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) array[i] = bytes.charCodeAt(i);
  return array;
}

/** The text, or undefined when the bytes are not valid UTF-8. */
function fromBytes(bytes: string): string | undefined {
  if (!NON_ASCII.test(bytes)) return bytes;
  try {
    return strictUtf8.decode(byteArray(bytes));
  } catch {
    return undefined;
  }
}

function lenientText(bytes: string): string {
  return NON_ASCII.test(bytes) ? lenientUtf8.decode(byteArray(bytes)) : bytes;
}

/** Go's utf8.DecodeRuneInString: [rune, width]; an invalid sequence is [RuneError, 1], the end [RuneError, 0]. */
function decodeRune(s: string, i: number): [number, number] {
  const n = s.length - i;
  if (n < 1) return [RUNE_ERROR, 0];
  const b0 = s.charCodeAt(i);
  if (b0 < 0x80) return [b0, 1];
  let size: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) size = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    size = 3;
    if (b0 === 0xe0) lo = 0xa0;
    else if (b0 === 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    size = 4;
    if (b0 === 0xf0) lo = 0x90;
    else if (b0 === 0xf4) hi = 0x8f;
  } else return [RUNE_ERROR, 1];
  if (n < size) return [RUNE_ERROR, 1];
  const b1 = s.charCodeAt(i + 1);
  if (b1 < lo || b1 > hi) return [RUNE_ERROR, 1];
  if (size === 2) return [((b0 & 0x1f) << 6) | (b1 & 0x3f), 2];
  const b2 = s.charCodeAt(i + 2);
  if (b2 < 0x80 || b2 > 0xbf) return [RUNE_ERROR, 1];
  if (size === 3) return [((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f), 3];
  const b3 = s.charCodeAt(i + 3);
  if (b3 < 0x80 || b3 > 0xbf) return [RUNE_ERROR, 1];
  return [((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f), 4];
}

function encodeRune(rune: number): string {
  return toBytes(String.fromCodePoint(rune));
}

/** Go's []rune(s): invalid bytes become U+FFFD. */
function runesOf(s: string): number[] {
  const runes: number[] = [];
  for (let i = 0; i < s.length; ) {
    const [rune, width] = decodeRune(s, i);
    runes.push(rune);
    i += width;
  }
  return runes;
}

// ---------------------------------------------------------------------------------------------------------------
// envsubst parser: fluxcd/pkg/envsubst/parse (scan.go, parse.go), kept bug for bug.

type EnvNode = { kind: "text"; value: string } | FuncNode;
interface FuncNode {
  kind: "func";
  param: string;
  op: string;
  args: EnvNode[];
  /** Byte range of the whole ${...} in the text. */
  start: number;
  end: number;
}

type Accept = (rune: number, index: number) => boolean;

const EOF = 0; // Go's scanner returns rune(0) at the end, so a NUL byte ends the text too
const TOKEN_ILLEGAL = 0;
const TOKEN_EOF = 1;
const TOKEN_IDENT = 2;
const TOKEN_LBRACK = 3;
const TOKEN_RBRACK = 4;
const SCAN_IDENT = 1;
const SCAN_LBRACK = 2;
const SCAN_RBRACK = 4;
const SCAN_ESCAPE = 8;
const ESCAPE_DOLLAR = 1;
const ESCAPE_BACKSLASH = 2;
const ESCAPE_ALL = ESCAPE_DOLLAR | ESCAPE_BACKSLASH;
/** Go recurses without limit; a repository should not be able to overflow our stack. */
const MAX_NESTING = 200;

const CH = (c: string) => c.charCodeAt(0);
const DOLLAR = CH("$");
const LBRACE = CH("{");
const RBRACE = CH("}");
const BACKSLASH = CH("\\");
const SLASH = CH("/");

const acceptRune: Accept = () => true;
const acceptIdent: Accept = (r) => r === 0x5f || isLetter(r) || isDigit(r);
const acceptColon: Accept = (r) => r === CH(":");
const acceptOneHash: Accept = (r, i) => r === CH("#") && i === 1;
const acceptNotClosing: Accept = (r) => r !== RBRACE;
const acceptHashFunc: Accept = (r, i) => r === CH("#") && i < 3;
const acceptPercentFunc: Accept = (r, i) => r === CH("%") && i < 3;
const acceptDefaultFunc: Accept = (r, i) =>
  (i === 1 && r === CH(":")) || (i === 2 && (r === CH("=") || r === CH("-") || r === CH("?") || r === CH("+")));
const acceptReplaceFunc: Accept = (r, i) => (i === 1 && r === SLASH) || (i === 2 && (r === SLASH || r === CH("#") || r === CH("%")));
const acceptOneEqual: Accept = (r, i) => i === 1 && r === CH("=");
const acceptOneColon: Accept = (r, i) => i === 1 && r === CH(":");
const rejectColonClose: Accept = (r) => r !== CH(":") && r !== RBRACE;
const acceptSlash: Accept = (r) => r === SLASH;
const acceptNotSlash: Accept = (r) => r !== SLASH;
const acceptCasingFunc: Accept = (r, i) => (r === CH(",") || r === CH("^")) && i < 3;

// Go's unicode.IsLetter / unicode.IsDigit
const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;
function isLetter(r: number): boolean {
  if (r < 0x80) return (r >= 0x41 && r <= 0x5a) || (r >= 0x61 && r <= 0x7a);
  return LETTER.test(String.fromCodePoint(r));
}
function isDigit(r: number): boolean {
  if (r < 0x80) return r >= 0x30 && r <= 0x39;
  return DIGIT.test(String.fromCodePoint(r));
}

// Go's error texts (parse.go), which Flux prints after "variable substitution failed: "
const ERR_BAD_SUBSTITUTION = "bad substitution";
const ERR_MISSING_CLOSING_BRACE = "missing closing brace";
const ERR_PARSE_VARIABLE_NAME = "unable to parse variable name";
const ERR_PARSE_FUNC_SUBSTITUTION = "unable to parse substitution within function";
const ERR_PARSE_DEFAULT_FUNCTION = "unable to parse default function";

class EnvsubstParser {
  private pos = 0;
  private start = 0;
  private width = 0;
  private mode = 0;
  private escapes = 0;
  private accept: Accept = acceptRune;
  /** Bytes Go's skip() deleted from the current token (it mutates its buffer; we remember instead). */
  private skipped: number[] = [];
  private depth = 0;
  private outermost = -1;

  /** Without NUL bytes (which end Go's scan), plain text can be scanned by searching for "$". */
  private readonly fastText: boolean;

  constructor(private readonly buf: string) {
    this.fastText = !buf.includes("\u0000");
  }

  /** parseAny, as a loop: Go's right recursion is one frame per token. */
  parse(): EnvNode[] {
    const nodes: EnvNode[] = [];
    for (;;) {
      if (this.fastText && !this.buf.startsWith("${", this.pos)) {
        if (this.pos >= this.buf.length) return nodes;
        nodes.push({ kind: "text", value: this.scanText() });
        continue;
      }
      this.accept = acceptRune;
      this.mode = SCAN_IDENT | SCAN_LBRACK | SCAN_ESCAPE;
      this.escapes = ESCAPE_DOLLAR;
      switch (this.scan()) {
        case TOKEN_IDENT:
          nodes.push({ kind: "text", value: this.token() });
          break;
        case TOKEN_EOF:
          return nodes;
        case TOKEN_LBRACK:
          this.outermost = this.start;
          nodes.push(this.parseFunc(this.start));
          this.outermost = -1;
          break;
        default:
          this.fail(ERR_BAD_SUBSTITUTION);
      }
    }
  }

  private parseFunc(start: number): FuncNode {
    if (++this.depth > MAX_NESTING) this.fail(`more than ${MAX_NESTING} nested substitutions`);
    try {
      return this.parseFuncBody(start);
    } finally {
      this.depth--;
    }
  }

  private parseFuncBody(start: number): FuncNode {
    this.escapes = ESCAPE_ALL;
    if (this.peek() === CH("#")) return this.parseLenFunc(start);
    this.accept = acceptIdent;
    this.mode = SCAN_IDENT;
    if (this.scan() !== TOKEN_IDENT) this.fail(ERR_PARSE_VARIABLE_NAME);
    const name = this.token();
    switch (this.peek()) {
      case CH(":"):
        return this.parseDefaultOrSubstr(name, start);
      case CH("="):
        return this.parseDefaultFunc(name, start);
      case CH(","):
      case CH("^"):
        return this.parseCasingFunc(name, start);
      case SLASH:
        return this.parseReplaceFunc(name, start);
      case CH("#"):
        return this.parseRemoveFunc(name, acceptHashFunc, start);
      case CH("%"):
        return this.parseRemoveFunc(name, acceptPercentFunc, start);
    }
    this.accept = acceptIdent;
    this.mode = SCAN_RBRACK;
    if (this.scan() !== TOKEN_RBRACK) this.fail(ERR_MISSING_CLOSING_BRACE);
    return this.node(name, "", [], start);
  }

  private parseParam(accept: Accept, mode: number): EnvNode {
    this.accept = accept;
    this.mode = mode | SCAN_LBRACK;
    switch (this.scan()) {
      case TOKEN_LBRACK:
        return this.parseFunc(this.start);
      case TOKEN_IDENT:
      case TOKEN_RBRACK:
        return { kind: "text", value: this.token() };
      default:
        return this.fail(ERR_PARSE_FUNC_SUBSTITUTION);
    }
  }

  private parseDefaultOrSubstr(name: string, start: number): FuncNode {
    // Go reads ':', peeks, then unreads by the width of the peeked rune (a multi-byte rune moves back too far)
    this.read();
    const r = this.peek();
    this.unread();
    if (r === CH("=") || r === CH("-") || r === CH("?") || r === CH("+")) return this.parseDefaultFunc(name, start);
    return this.parseSubstrFunc(name, start);
  }

  private parseSubstrFunc(name: string, start: number): FuncNode {
    this.accept = acceptOneColon;
    this.mode = SCAN_IDENT;
    if (this.scan() !== TOKEN_IDENT) this.fail(ERR_BAD_SUBSTITUTION);
    const op = this.token();
    const args = [this.parseParam(rejectColonClose, SCAN_IDENT)];
    this.accept = acceptColon;
    this.mode = SCAN_IDENT | SCAN_RBRACK;
    const token = this.scan();
    if (token === TOKEN_RBRACK) return this.node(name, op, args, start);
    if (token !== TOKEN_IDENT) this.fail(ERR_BAD_SUBSTITUTION);
    args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    this.consumeRbrack();
    return this.node(name, op, args, start);
  }

  private parseRemoveFunc(name: string, accept: Accept, start: number): FuncNode {
    this.accept = accept;
    this.mode = SCAN_IDENT;
    if (this.scan() !== TOKEN_IDENT) this.fail(ERR_BAD_SUBSTITUTION);
    const op = this.token();
    const args = [this.parseParam(acceptNotClosing, SCAN_IDENT)];
    this.consumeRbrack();
    return this.node(name, op, args, start);
  }

  private parseReplaceFunc(name: string, start: number): FuncNode {
    this.accept = acceptReplaceFunc;
    this.mode = SCAN_IDENT;
    if (this.scan() !== TOKEN_IDENT) this.fail(ERR_BAD_SUBSTITUTION);
    const op = this.token();
    const args: EnvNode[] = [];
    if (this.peek() === SLASH) args.push({ kind: "text", value: "" });
    else args.push(this.parseParam(acceptNotSlash, SCAN_IDENT | SCAN_ESCAPE));
    this.accept = acceptSlash;
    this.mode = SCAN_IDENT;
    if (this.scan() !== TOKEN_IDENT) this.fail(ERR_BAD_SUBSTITUTION);
    if (this.peek() !== RBRACE) args.push(this.parseParam(acceptNotClosing, SCAN_IDENT | SCAN_ESCAPE));
    this.consumeRbrack();
    return this.node(name, op, args, start);
  }

  private parseDefaultFunc(name: string, start: number): FuncNode {
    this.accept = this.peek() === CH("=") ? acceptOneEqual : acceptDefaultFunc;
    this.mode = SCAN_IDENT;
    if (this.scan() !== TOKEN_IDENT) this.fail(ERR_PARSE_DEFAULT_FUNCTION);
    const op = this.token();
    const args: EnvNode[] = [];
    while (this.peek() !== RBRACE) args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    this.consumeRbrack();
    return this.node(name, op, args, start);
  }

  private parseCasingFunc(name: string, start: number): FuncNode {
    this.accept = acceptCasingFunc;
    this.mode = SCAN_IDENT;
    if (this.scan() !== TOKEN_IDENT) this.fail(ERR_BAD_SUBSTITUTION);
    const op = this.token();
    this.consumeRbrack();
    return this.node(name, op, [], start);
  }

  private parseLenFunc(start: number): FuncNode {
    this.accept = acceptOneHash;
    this.mode = SCAN_IDENT;
    if (this.scan() !== TOKEN_IDENT) this.fail(ERR_BAD_SUBSTITUTION);
    const op = this.token();
    this.accept = acceptIdent;
    this.mode = SCAN_IDENT;
    if (this.scan() !== TOKEN_IDENT) this.fail(ERR_BAD_SUBSTITUTION);
    const name = this.token();
    this.consumeRbrack();
    return this.node(name, op, [], start);
  }

  private consumeRbrack(): void {
    this.mode = SCAN_RBRACK;
    if (this.scan() !== TOKEN_RBRACK) this.fail(ERR_BAD_SUBSTITUTION);
  }

  private node(param: string, op: string, args: EnvNode[], start: number): FuncNode {
    return { kind: "func", param, op, args, start, end: this.pos };
  }

  private fail(reason: string): never {
    const from = this.outermost >= 0 ? this.outermost : this.start;
    const near = lenientText(this.buf.slice(from, Math.min(this.pos, from + 40)));
    throw new SubstitutionError(`variable substitution failed: ${reason} (at "${near}")`);
  }

  /**
   * What scan() returns for text in parseAny mode: everything up to the next "${" or the end, with "$$" read
   * as an escaped "$" (the second one is taken literally, so "$${" is text).
   */
  private scanText(): string {
    let text = "";
    let from = this.pos;
    let at = this.pos;
    for (;;) {
      const dollar = this.buf.indexOf("$", at);
      if (dollar < 0) {
        this.pos = this.buf.length;
        return text + this.buf.slice(from);
      }
      const next = this.buf.charCodeAt(dollar + 1);
      if (next === LBRACE) {
        this.pos = dollar;
        return text + this.buf.slice(from, dollar);
      }
      if (next === DOLLAR) {
        text += this.buf.slice(from, dollar);
        from = dollar + 1;
        at = dollar + 2;
      } else {
        at = dollar + 1;
      }
    }
  }

  // scanner (scan.go)

  private read(): number {
    if (this.pos >= this.buf.length) {
      this.width = 0;
      return EOF;
    }
    const byte = this.buf.charCodeAt(this.pos);
    if (byte < 0x80) {
      this.width = 1;
      this.pos += 1;
      return byte;
    }
    const [rune, width] = decodeRune(this.buf, this.pos);
    this.width = width;
    this.pos += width;
    return rune;
  }

  private unread(): void {
    this.pos -= this.width;
  }

  private peek(): number {
    const rune = this.read();
    this.unread();
    return rune;
  }

  /** Go deletes the escape character and steps over the escaped one, which is always a single byte. */
  private skip(): void {
    this.skipped.push(this.pos - 1);
    this.pos += 1;
  }

  /** The text of the last token, without skipped escape characters. */
  private token(): string {
    if (this.skipped.length === 0) return this.buf.slice(this.start, this.pos);
    let text = "";
    let from = this.start;
    for (const index of this.skipped) {
      text += this.buf.slice(from, index);
      from = index + 1;
    }
    return text + this.buf.slice(from, this.pos);
  }

  /** Go's pos-start, measured in its buffer after the deletions. */
  private offset(): number {
    return this.pos - this.start - this.skipped.length;
  }

  private scan(): number {
    this.start = this.pos;
    this.skipped = [];
    const r = this.read();
    if (r === EOF) return TOKEN_EOF;
    if (this.scanLbrack(r)) return TOKEN_LBRACK;
    if (this.scanRbrack(r)) return TOKEN_RBRACK;
    if (this.scanIdent(r)) return TOKEN_IDENT;
    return TOKEN_ILLEGAL;
  }

  private scanIdent(first: number): boolean {
    if ((this.mode & SCAN_IDENT) === 0) return false;
    if (this.scanEscaped(first)) this.skip();
    else if (!this.accept(first, this.offset())) return false;
    for (;;) {
      const r = this.read();
      if (r === EOF) {
        this.unread();
        break;
      }
      if (this.scanLbrack(r)) {
        this.unread();
        this.unread();
        break;
      }
      if (this.scanEscaped(r)) {
        this.skip();
        continue;
      }
      if (!this.accept(r, this.offset())) {
        this.unread();
        break;
      }
    }
    return true;
  }

  private scanLbrack(r: number): boolean {
    if ((this.mode & SCAN_LBRACK) === 0) return false;
    if (r === DOLLAR) {
      if (this.read() === LBRACE) return true;
      this.unread();
    }
    return false;
  }

  private scanRbrack(r: number): boolean {
    return (this.mode & SCAN_RBRACK) !== 0 && r === RBRACE;
  }

  private scanEscaped(r: number): boolean {
    if ((this.mode & SCAN_ESCAPE) === 0) return false;
    if (r === DOLLAR && (this.escapes & ESCAPE_DOLLAR) !== 0 && this.peek() === DOLLAR) return true;
    if (r === BACKSLASH && (this.escapes & ESCAPE_BACKSLASH) !== 0) {
      const next = this.peek();
      return next === SLASH || next === BACKSLASH;
    }
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// envsubst evaluation: fluxcd/pkg/envsubst template.go and funcs.go.

/** Operators that supply their own value when the variable is unset (template.go isDefaultOp). */
const DEFAULT_OPS = new Set(["-", "+", "=", "?", ":-", ":+", ":=", ":?"]);

interface Placeholder {
  /** The variables of one top-level ${...}, nested ones included. */
  names: string[];
  /** 1-based line of the substituted text it was written to. */
  line: number;
}

interface EnvsubstRun {
  output: string;
  unresolved: UnresolvedVariable[];
  placeholders: Placeholder[];
}

function envsubst(text: string, vars: ReadonlyMap<string, string>, strict: boolean): EnvsubstRun {
  const nodes = new EnvsubstParser(text).parse();
  const unresolved: UnresolvedVariable[] = [];
  const seen = new Set<string>();
  const encoded = new Map<string, string>();
  const placeholders: Placeholder[] = [];

  const lookup = (param: string): string | undefined => {
    const name = lenientText(param);
    let value = encoded.get(name);
    if (value === undefined) {
      const raw = vars.get(name);
      if (raw === undefined) return undefined;
      value = toBytes(raw);
      encoded.set(name, value);
    }
    return value;
  };

  const evaluate = (node: FuncNode, names: string[]): string => {
    // Go evaluates every argument before looking at the variable, so an unused default still counts
    const args = node.args.map((arg) => (arg.kind === "text" ? arg.value : evaluate(arg, names)));
    const name = lenientText(node.param);
    names.push(name);
    const value = lookup(node.param);
    if (value === undefined && !DEFAULT_OPS.has(node.op)) {
      const written = lenientText(text.slice(node.start, node.end));
      if (strict) throw new SubstitutionError(`variable not set (strict mode): "${name}" in ${written}`, [name]);
      const key = `${name}\u0000${written}`;
      if (!seen.has(key)) {
        seen.add(key);
        unresolved.push({ name, written });
      }
    }
    return substitutionFunction(node.op, args.length)(value ?? "", args);
  };

  let output = "";
  let line = 1;
  for (const node of nodes) {
    if (node.kind === "text") {
      output += node.value;
      line += countNewlines(node.value);
      continue;
    }
    const names: string[] = [];
    const value = evaluate(node, names);
    placeholders.push({ names, line });
    output += value;
    line += countNewlines(value);
  }
  return { output, unresolved, placeholders };
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) count++;
  return count;
}

type SubstitutionFunction = (value: string, args: string[]) => string;

/** template.go lookupFunc: anything unknown (e.g. ",^") is toDefault. */
function substitutionFunction(op: string, argCount: number): SubstitutionFunction {
  switch (op) {
    case ",":
      return (s) => mapFirstRune(s, lowerRune);
    case ",,":
      return (s) => mapRunes(s, lowerRune);
    case "^":
      return (s) => mapFirstRune(s, upperRune);
    case "^^":
      return (s) => mapRunes(s, upperRune);
    case "#":
      return argCount === 0 ? (s) => String(s.length) : (s, args) => (args.length ? trimShortest(s, args[0]!) : s);
    case "##":
      return (s, args) => (args.length ? trimLongest(s, args[0]!) : s);
    case "%":
      return (s, args) => (args.length ? reverseRunes(trimShortest(reverseRunes(s), reverseRunes(args[0]!))) : s);
    case "%%":
      return (s, args) => (args.length ? reverseRunes(trimLongest(reverseRunes(s), reverseRunes(args[0]!))) : s);
    case ":":
      return substring;
    case "/#":
      return (s, args) => (args.length === 2 && s.startsWith(args[0]!) ? goReplace(s, args[0]!, args[1]!, 1) : s);
    case "/%":
      return (s, args) => (args.length === 2 && s.endsWith(args[0]!) ? s.slice(0, s.length - args[0]!.length) + args[1]! : s);
    case "/":
      return (s, args) => (args.length === 0 ? s : goReplace(s, args[0]!, args[1] ?? "", 1));
    case "//":
      return (s, args) => (args.length === 0 ? s : goReplace(s, args[0]!, args[1] ?? "", -1));
    default:
      return (s, args) => (s.length === 0 && args.length > 0 ? args.join("") : s);
  }
}

/** Go's unicode.ToLower: a simple one-rune mapping; where JavaScript maps to several characters, the rune stays. */
function lowerRune(rune: number): number {
  if (rune === 0x130) return 0x69; // İ: Go has a simple mapping, JavaScript adds a combining dot
  const lower = String.fromCodePoint(rune).toLowerCase();
  const mapped = lower.codePointAt(0)!;
  return lower.length === String.fromCodePoint(mapped).length ? mapped : rune;
}

function upperRune(rune: number): number {
  const upper = String.fromCodePoint(rune).toUpperCase();
  const mapped = upper.codePointAt(0)!;
  return upper.length === String.fromCodePoint(mapped).length ? mapped : rune;
}

/** strings.ToUpper / ToLower: every rune mapped, invalid bytes become U+FFFD. */
function mapRunes(s: string, map: (rune: number) => number): string {
  return runesOf(s)
    .map((rune) => encodeRune(map(rune)))
    .join("");
}

function mapFirstRune(s: string, map: (rune: number) => number): string {
  if (s === "") return s;
  const [rune, width] = decodeRune(s, 0);
  return encodeRune(map(rune)) + s.slice(width);
}

function reverseRunes(s: string): string {
  return runesOf(s)
    .reverse()
    .map(encodeRune)
    .join("");
}

/** strconv.Atoi: optional sign and decimal digits within int64. */
function atoi(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  if (value > INT64_MAX || value < INT64_MIN) return undefined;
  return Number(value);
}

/** funcs.go toSubstr, on byte offsets. */
function substring(s: string, args: string[]): string {
  if (args.length === 0) return s;
  let pos = atoi(args[0]!);
  if (pos === undefined) return s;
  if (pos < 0) pos = Math.max(0, s.length + pos);
  if (args.length === 1) return pos < s.length ? s.slice(pos) : "";
  const length = atoi(args[1]!);
  if (length === undefined) return s;
  if (length < 0) {
    const end = s.length + length;
    return end < pos ? "" : s.slice(pos, end);
  }
  if (pos + length >= s.length) return pos < s.length ? s.slice(pos) : "";
  return s.slice(pos, pos + length);
}

/** strings.Replace; an empty `old` matches at the start and after every UTF-8 sequence. */
function goReplace(s: string, old: string, replacement: string, n: number): string {
  if (old === replacement || n === 0) return s;
  if (old === "") {
    const count = runesOf(s).length + 1;
    const limit = n < 0 || count < n ? count : n;
    let out = "";
    let start = 0;
    for (let i = 0; i < limit; i++) {
      let j = start;
      if (i > 0) j += decodeRune(s, start)[1];
      out += s.slice(start, j) + replacement;
      start = j;
    }
    return out + s.slice(start);
  }
  if (n < 0) return s.split(old).join(replacement);
  const at = s.indexOf(old);
  return at < 0 ? s : s.slice(0, at) + replacement + s.slice(at + old.length);
}

/** funcs.go trimShortest: the last (shortest) matching prefix, never the empty one; a bad pattern leaves s. */
function trimShortest(s: string, pattern: string): string {
  let shortest = "";
  for (let i = 0; i < s.length; i++) {
    const prefix = s.slice(0, s.length - i);
    const match = globMatch(pattern, prefix);
    if (match === undefined) return s;
    if (match) shortest = prefix;
  }
  return shortest === "" ? s : s.slice(shortest.length);
}

function trimLongest(s: string, pattern: string): string {
  for (let i = 0; i < s.length; i++) {
    const prefix = s.slice(0, s.length - i);
    const match = globMatch(pattern, prefix);
    if (match === undefined) return s;
    if (match) return s.slice(prefix.length);
  }
  return s;
}

/**
 * drone/envsubst path.Match, which fluxcd/pkg/envsubst forked: Go's path.Match except that '*' and '?' also
 * match '/', and a star commits to the first position where the rest of the chunk matches. Undefined for a bad
 * pattern.
 */
function globMatch(pattern: string, name: string): boolean | undefined {
  pattern: while (pattern.length > 0) {
    const [star, chunk, rest] = scanChunk(pattern);
    pattern = rest;
    if (star && chunk === "") return true;
    const here = matchChunk(chunk, name);
    if (here === undefined) return undefined;
    if (here !== false && (here.length === 0 || pattern.length > 0)) {
      name = here;
      continue;
    }
    if (star) {
      for (let i = 0; i < name.length; i++) {
        const later = matchChunk(chunk, name.slice(i + 1));
        if (later === undefined) return undefined;
        if (later !== false) {
          if (pattern.length === 0 && later.length > 0) continue;
          name = later;
          continue pattern;
        }
      }
    }
    return false;
  }
  return name.length === 0;
}

function scanChunk(pattern: string): [boolean, string, string] {
  let star = false;
  while (pattern.length > 0 && pattern[0] === "*") {
    pattern = pattern.slice(1);
    star = true;
  }
  let inRange = false;
  let i = 0;
  scan: for (; i < pattern.length; i++) {
    switch (pattern[i]) {
      case "\\":
        if (i + 1 < pattern.length) i++;
        break;
      case "[":
        inRange = true;
        break;
      case "]":
        inRange = false;
        break;
      case "*":
        if (!inRange) break scan;
    }
  }
  return [star, pattern.slice(0, i), pattern.slice(i)];
}

/** The rest of s after chunk matched its beginning; false when it does not; undefined for a bad pattern. */
function matchChunk(chunk: string, s: string): string | false | undefined {
  while (chunk.length > 0) {
    if (s.length === 0) return false;
    switch (chunk[0]) {
      case "[": {
        const [r, n] = decodeRune(s, 0);
        s = s.slice(n);
        chunk = chunk.slice(1);
        let negated = false;
        if (chunk.length > 0 && chunk[0] === "^") {
          negated = true;
          chunk = chunk.slice(1);
        }
        let match = false;
        let ranges = 0;
        for (;;) {
          if (chunk.length > 0 && chunk[0] === "]" && ranges > 0) {
            chunk = chunk.slice(1);
            break;
          }
          const low = classChar(chunk);
          if (low === undefined) return undefined;
          let high = low;
          if (low.rest[0] === "-") {
            high = classChar(low.rest.slice(1)) ?? { rune: -1, rest: "" };
            if (high.rune < 0) return undefined;
          }
          chunk = high.rest;
          if (low.rune <= r && r <= high.rune) match = true;
          ranges++;
        }
        if (match === negated) return false;
        break;
      }
      case "?":
        s = s.slice(decodeRune(s, 0)[1]);
        chunk = chunk.slice(1);
        break;
      default:
        if (chunk[0] === "\\") {
          // an escaped byte is compared literally
          chunk = chunk.slice(1);
          if (chunk.length === 0) return undefined;
        }
        if (chunk[0] !== s[0]) return false;
        s = s.slice(1);
        chunk = chunk.slice(1);
    }
  }
  return s;
}

/** getEsc: a possibly escaped character of a class; undefined for a bad pattern. */
function classChar(chunk: string): { rune: number; rest: string } | undefined {
  if (chunk.length === 0 || chunk[0] === "-" || chunk[0] === "]") return undefined;
  if (chunk[0] === "\\") {
    chunk = chunk.slice(1);
    if (chunk.length === 0) return undefined;
  }
  const [rune, width] = decodeRune(chunk, 0);
  if (rune === RUNE_ERROR && width === 1) return undefined;
  const rest = chunk.slice(width);
  if (rest.length === 0) return undefined;
  return { rune, rest };
}

// ---------------------------------------------------------------------------------------------------------------
// YAML 1.1 scalar resolution: go-yaml v2 resolve.go, used both to choose how a string is written and to read
// plain scalars back.

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

type Resolved =
  | { kind: "str" }
  | { kind: "null" }
  | { kind: "bool"; value: boolean }
  | { kind: "int"; value: bigint; fitsInt64: boolean; big: boolean }
  | { kind: "float"; value: number }
  | { kind: "merge" };

const RESOLVE_MAP = new Map<string, Resolved>();
for (const word of ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]) RESOLVE_MAP.set(word, { kind: "bool", value: true });
for (const word of ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]) RESOLVE_MAP.set(word, { kind: "bool", value: false });
for (const word of ["", "~", "null", "Null", "NULL"]) RESOLVE_MAP.set(word, { kind: "null" });
for (const word of [".nan", ".NaN", ".NAN"]) RESOLVE_MAP.set(word, { kind: "float", value: NaN });
for (const word of [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"]) RESOLVE_MAP.set(word, { kind: "float", value: Infinity });
for (const word of ["-.inf", "-.Inf", "-.INF"]) RESOLVE_MAP.set(word, { kind: "float", value: -Infinity });
RESOLVE_MAP.set("<<", { kind: "merge" });

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const STR: Resolved = { kind: "str" };

/**
 * The type an untagged plain scalar has in go-yaml v2. Timestamps are left out: decoded into interface{} they
 * stay strings, and none of them parses as a number.
 */
function resolvePlain(text: string): Resolved {
  const first = text.length === 0 ? "" : text[0]!;
  const hint = text.length === 0 ? "N" : "+-".includes(first) ? "S" : first >= "0" && first <= "9" ? "D" : "yYnNtTfFoO~".includes(first) ? "M" : first === "." ? "." : "";
  if (hint === "") return STR;
  const known = RESOLVE_MAP.get(text);
  if (known) return known;
  if (hint === ".") return DOT_FLOAT.test(text) ? finiteFloat(text) : STR;
  if (hint !== "D" && hint !== "S") return STR;
  const plain = text.replaceAll("_", "");
  const signed = parseGoInt(plain, true);
  if (signed.value !== undefined) return { kind: "int", value: signed.value, fitsInt64: true, big: false };
  const unsigned = parseGoInt(plain, false);
  if (unsigned.value !== undefined) return { kind: "int", value: unsigned.value, fitsInt64: false, big: false };
  if (YAML_STYLE_FLOAT.test(plain)) {
    const float = finiteFloat(plain);
    if (float.kind === "float") return float;
  }
  if (plain.startsWith("0b")) {
    const binary = parseDigits(plain.slice(2), 2);
    if (binary !== undefined && binary <= INT64_MAX) return { kind: "int", value: binary, fitsInt64: true, big: false };
    if (binary !== undefined && binary <= UINT64_MAX) return { kind: "int", value: binary, fitsInt64: false, big: false };
  } else if (plain.startsWith("-0b")) {
    const binary = parseDigits(plain.slice(3), 2);
    if (binary !== undefined && -binary >= INT64_MIN) return { kind: "int", value: -binary, fitsInt64: true, big: false };
  }
  // sigs.k8s.io/yaml's go-yaml v2 fork keeps integers beyond 64 bits as big.Int
  if (unsigned.range) {
    const big = parseGoInt(plain, true, true);
    if (big.value !== undefined) return { kind: "int", value: big.value, fitsInt64: false, big: true };
  }
  return STR;
}

/** strconv.ParseFloat of a decimal literal: an overflow is an error, so the scalar stays a string. */
function finiteFloat(text: string): Resolved {
  const value = Number(text);
  return Number.isFinite(value) ? { kind: "float", value } : STR;
}

/** strconv.ParseInt / ParseUint with base 0 (0x, 0o, 0b, leading-0 octal), or big.Int SetString(s, 0). */
function parseGoInt(text: string, signed: boolean, unbounded = false): { value?: bigint; range?: boolean } {
  let i = 0;
  let negative = false;
  if (signed && (text[0] === "+" || text[0] === "-")) {
    negative = text[0] === "-";
    i = 1;
  }
  let base = 10;
  if (text[i] === "0" && i + 1 < text.length) {
    const prefix = text[i + 1]!.toLowerCase();
    if (prefix === "x") [base, i] = [16, i + 2];
    else if (prefix === "b") [base, i] = [2, i + 2];
    else if (prefix === "o") [base, i] = [8, i + 2];
    else [base, i] = [8, i + 1];
  }
  const magnitude = parseDigits(text.slice(i), base);
  if (magnitude === undefined) return {};
  const value = negative ? -magnitude : magnitude;
  if (unbounded) return { value };
  if (signed ? value > INT64_MAX || value < INT64_MIN : value > UINT64_MAX) return { range: true };
  return { value };
}

function parseDigits(digits: string, base: number): bigint | undefined {
  if (digits.length === 0) return undefined;
  const valid = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) return undefined;
  const prefix = base === 16 ? "0x" : base === 8 ? "0o" : base === 2 ? "0b" : "";
  return BigInt(prefix + digits);
}

function isBase60Float(text: string): boolean {
  const first = text[0];
  if (first === undefined || !(first === "+" || first === "-" || (first >= "0" && first <= "9")) || !text.includes(":")) return false;
  return BASE60_FLOAT.test(text);
}

// ---------------------------------------------------------------------------------------------------------------
// Writing the object as go-yaml v2's Marshal does (kustomize Resource.AsYAML is sigs.k8s.io/yaml JSONToYAML).
// Layout follows v2 (2-space indent, sequences not indented under a key); line folding at 80 columns is not
// reproduced, because folding only changes where whitespace sits, not what a placeholder is next to.

function isPrintable(cp: number): boolean {
  return cp === 0x0a || (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff);
}

function isBreak(cp: number): boolean {
  return cp === 0x0a || cp === 0x0d || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
}

type Style = "plain" | "single" | "double" | "literal";

/** yaml_emitter_analyze_scalar, for block context (go-yaml v2 never writes a string in a flow collection). */
function analyze(value: string): { blockPlain: boolean; singleQuoted: boolean; block: boolean; multiline: boolean } {
  if (value.length === 0) return { blockPlain: true, singleQuoted: true, block: false, multiline: false };
  let indicators = value.startsWith("---") || value.startsWith("...");
  let special = false;
  let lineBreaks = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWhitespace = true;
  let previousSpace = false;
  let previousBreak = false;
  const chars = Array.from(value);
  chars.forEach((ch, i) => {
    const cp = ch.codePointAt(0)!;
    const next = chars[i + 1];
    const followedByWhitespace = next === undefined || next === " " || next === "\t";
    const last = i === chars.length - 1;
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(ch)) indicators = true;
      else if ((ch === "?" || ch === ":" || ch === "-") && followedByWhitespace) indicators = true;
    } else if ((ch === ":" && followedByWhitespace) || (ch === "#" && precededByWhitespace)) {
      indicators = true;
    }
    if (!isPrintable(cp)) special = true;
    if (ch === " ") {
      if (i === 0) leadingSpace = true;
      if (last) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(cp)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (last) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = ch === " " || ch === "\t" || isBreak(cp) || cp === 0;
  });
  return {
    blockPlain: !(leadingSpace || leadingBreak || trailingSpace || trailingBreak || breakSpace || spaceBreak || special || lineBreaks || indicators),
    singleQuoted: !(breakSpace || spaceBreak || special),
    block: !(trailingSpace || spaceBreak || special),
    multiline: lineBreaks,
  };
}

/** encode.go stringv, then yaml_emitter_select_scalar_style. */
function stringStyle(value: string): Style {
  const canUsePlain = resolvePlain(value).kind === "str" && !isBase60Float(value);
  let style: Style = value.includes("\n") ? "literal" : canUsePlain ? "plain" : "double";
  const facts = analyze(value);
  if (style === "plain" && !facts.blockPlain) style = "single";
  if (style === "single" && !facts.singleQuoted) style = "double";
  if (style === "literal" && !facts.block) style = "double";
  // NEL, LS and PS are line breaks to YAML 1.1 but not to our 1.2 reader: only double quotes keep them intact
  if (style !== "double" && /[\u0085\u2028\u2029]/.test(value)) style = "double";
  return style;
}

const ESCAPES: Record<number, string> = {
  0x00: "0",
  0x07: "a",
  0x08: "b",
  0x09: "t",
  0x0a: "n",
  0x0b: "v",
  0x0c: "f",
  0x0d: "r",
  0x1b: "e",
  0x22: '"',
  0x5c: "\\",
  0x85: "N",
  0xa0: "_",
  0x2028: "L",
  0x2029: "P",
};

/** yaml_emitter_write_double_quoted_scalar; its BOM test looks at the start of the value, so a leading BOM escapes every character. */
function doubleQuoted(value: string): string {
  const escapeAll = value.startsWith("\ufeff");
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (!escapeAll && isPrintable(cp) && !isBreak(cp) && ch !== '"' && ch !== "\\") {
      out += ch;
      continue;
    }
    const short = ESCAPES[cp];
    if (short !== undefined) out += `\\${short}`;
    else if (cp <= 0xff) out += `\\x${cp.toString(16).toUpperCase().padStart(2, "0")}`;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).toUpperCase().padStart(4, "0")}`;
    else out += `\\U${cp.toString(16).toUpperCase().padStart(8, "0")}`;
  }
  return `${out}"`;
}

/** The lines of a scalar: the first goes after "key: " or "- ", the others (a block's body) are indented already. */
function scalarLines(value: unknown, contentIndent: number): string[] {
  if (value === null || value === undefined) return ["null"];
  if (typeof value === "boolean") return [value ? "true" : "false"];
  if (typeof value === "bigint") return [value.toString()];
  if (typeof value === "number") return [formatNumber(value)];
  const text = typeof value === "string" ? value : String(value);
  switch (stringStyle(text)) {
    case "plain":
      return [text];
    case "single":
      return [`'${text.replaceAll("'", "''")}'`];
    case "double":
      return [doubleQuoted(text)];
    case "literal": {
      const indentHint = text[0] === " " || text[0] === "\n" ? "2" : "";
      const chomp = !text.endsWith("\n") ? "-" : text.length === 1 || text.endsWith("\n\n") ? "+" : "";
      const body = (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n");
      const pad = " ".repeat(contentIndent);
      return [`|${indentHint}${chomp}`, ...body.map((line) => (line === "" ? "" : pad + line))];
    }
  }
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return ".nan";
  if (value === Infinity) return ".inf";
  if (value === -Infinity) return "-.inf";
  if (Number.isInteger(value) && Math.abs(value) < 2 ** 64) return BigInt(value).toString();
  return String(value);
}

function isCollection(value: unknown): value is object {
  return typeof value === "object" && value !== null && (Array.isArray(value) ? value.length > 0 : Object.keys(value).length > 0);
}

function emptyCollection(value: unknown): string | undefined {
  if (Array.isArray(value) && value.length === 0) return "[]";
  if (isRecord(value) && Object.keys(value).length === 0) return "{}";
  return undefined;
}

function emitYaml(object: KubeObject): string {
  const lines: string[] = [];
  emitBlock(object, 0, lines);
  return `${lines.join("\n")}\n`;
}

/** A non-empty mapping or sequence, its first line at `indent`. */
function emitBlock(value: object, indent: number, lines: string[]): void {
  const pad = " ".repeat(indent);
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isCollection(item)) {
        const first = lines.length;
        emitBlock(item, indent + 2, lines);
        lines[first] = `${pad}- ${lines[first]!.slice(indent + 2)}`;
      } else {
        const empty = emptyCollection(item);
        const [head, ...body] = empty === undefined ? scalarLines(item, indent + 2) : [empty];
        lines.push(`${pad}- ${head}`, ...body);
      }
    }
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    let prefix: string;
    if (key.includes("\n") || toBytes(key).length > 128) {
      // not a simple key for go-yaml: an explicit "? key" entry
      const [head, ...body] = scalarLines(key, indent + 2);
      lines.push(`${pad}? ${head}`, ...body);
      prefix = `${pad}:`;
    } else {
      prefix = `${pad}${scalarLines(key, indent + 2)[0]}:`;
    }
    if (isCollection(item)) {
      lines.push(prefix);
      emitBlock(item, Array.isArray(item) ? indent : indent + 2, lines);
    } else {
      const empty = emptyCollection(item);
      const [head, ...body] = empty === undefined ? scalarLines(item, indent + 2) : [empty];
      lines.push(`${prefix} ${head}`, ...body);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the substituted text back as sigs.k8s.io/yaml YAMLToJSON does (go-yaml v2 into interface{}, then JSON).

const MAX_ALIASES = 100;

function readBack(text: string, placeholders: Placeholder[]): KubeObject {
  const documents = parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false });
  const doc = documents[0];
  if (!doc) throw new SubstitutionError("after substitution the object is empty", allNames(placeholders));
  const error = doc.errors[0];
  if (error) {
    const line = 1 + countNewlines(text.slice(0, error.pos[0]));
    const near = placeholders.filter((placeholder) => placeholder.line === line || placeholder.line === line - 1);
    const names = unique((near.length > 0 ? near : placeholders).flatMap((placeholder) => placeholder.names));
    throw new SubstitutionError(
      `after substituting ${names.map((name) => `\${${name}}`).join(", ")} the object is no longer valid YAML: ${error.message.split("\n")[0]}`,
      names,
    );
  }
  const state = { doc, aliases: 0, placeholders };
  const value = toJson(doc.contents, state);
  if (!isRecord(value)) throw new SubstitutionError("after substitution the object is no longer a YAML map", allNames(placeholders));
  return value;
}

interface ReadState {
  doc: Document.Parsed;
  aliases: number;
  placeholders: Placeholder[];
}

function toJson(node: unknown, state: ReadState): unknown {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) {
    const target = node.resolve(state.doc);
    if (++state.aliases > MAX_ALIASES || !target) {
      throw new SubstitutionError(`after substitution the object has an unknown or excessive alias *${node.source}`, allNames(state.placeholders));
    }
    return toJson(target, state);
  }
  if (isScalar(node)) return scalarToJson(node, state);
  if (isSeq(node)) return node.items.map((item) => toJson(item, state));
  if (isMap(node) || isPair(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of isMap(node) ? node.items : [node]) {
      const key = keyToJson(pair.key, state);
      const value = toJson(pair.value, state);
      // later duplicates win, as in go-yaml v2; a "__proto__" key stays data
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return null;
}

interface ScalarNode {
  value: unknown;
  type?: string;
  tag?: string;
  source?: string;
}

function scalarToJson(node: ScalarNode, state: ReadState): unknown {
  if (node.tag !== undefined || node.type !== "PLAIN") {
    const value = node.value;
    if (value === null || typeof value === "string" || typeof value === "boolean") return value;
    if (typeof value === "number") return finiteJson(value, state);
    if (typeof value === "bigint") return Number(value);
    return String(value);
  }
  const resolved = resolvePlain(node.source ?? "");
  switch (resolved.kind) {
    case "null":
      return null;
    case "bool":
      return resolved.value;
    case "int":
      return Number(resolved.value);
    case "float":
      return finiteJson(resolved.value, state);
    case "merge":
      return "<<";
    case "str":
      return node.source ?? "";
  }
}

/** encoding/json refuses NaN and infinities, so Flux fails on them. */
function finiteJson(value: number, state: ReadState): number {
  if (Number.isFinite(value)) return value;
  const text = Number.isNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
  throw new SubstitutionError(`after substitution a value is not representable in JSON: json: unsupported value: ${text}`, allNames(state.placeholders));
}

/** convertToJSONableObject's map keys: strings stay, bools and numbers are formatted, anything else fails. */
function keyToJson(node: unknown, state: ReadState): string {
  const fail = (what: string): never => {
    throw new SubstitutionError(`after substitution a map key is not a string: unsupported map key of type: ${what}`, allNames(state.placeholders));
  };
  if (isAlias(node)) {
    const target = node.resolve(state.doc);
    if (++state.aliases > MAX_ALIASES || !target) return fail("alias");
    return keyToJson(target, state);
  }
  if (!isScalar(node)) return node === null || node === undefined ? fail("<nil>") : fail("collection");
  const scalar = node as ScalarNode;
  if (scalar.tag === undefined && scalar.type === "PLAIN") {
    const resolved = resolvePlain(scalar.source ?? "");
    switch (resolved.kind) {
      case "str":
        return scalar.source ?? "";
      case "bool":
        return resolved.value ? "true" : "false";
      case "null":
        return fail("<nil>");
      case "int":
        return resolved.fitsInt64 ? resolved.value.toString() : fail(resolved.big ? "*big.Int" : "uint64");
      case "float":
        return formatFloat32(resolved.value);
      case "merge":
        throw new SubstitutionError("after substitution the object has a merge key (<<), which is not supported", allNames(state.placeholders));
    }
  }
  const value = scalarToJson(scalar, state);
  if (value === null) return fail("<nil>");
  return typeof value === "string" ? value : String(value);
}

/** strconv.FormatFloat(f, 'g', -1, 32): the shortest float32 digits, exponent form below 1e-4 and from 1e+06. */
function formatFloat32(value: number): string {
  const f = Math.fround(value);
  if (Number.isNaN(f)) return ".nan";
  if (!Number.isFinite(f)) return f > 0 ? ".inf" : "-.inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  let digits = "";
  let exponent = 0;
  for (let precision = 1; precision <= 9; precision++) {
    const candidate = f.toExponential(precision - 1);
    if (Math.fround(Number(candidate)) === f || precision === 9) {
      const [mantissa, exp] = candidate.split("e");
      digits = mantissa!.replace("-", "").replace(".", "");
      exponent = Number(exp);
      break;
    }
  }
  const sign = f < 0 ? "-" : "";
  if (exponent < -4 || exponent >= 6) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const expSign = exponent < 0 ? "-" : "+";
    return `${sign}${mantissa}e${expSign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}${fraction ? `.${fraction}` : ""}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function ownValue(map: unknown, key: string): unknown {
  return isRecord(map) && Object.hasOwn(map, key) ? map[key] : undefined;
}

function containsDollar(value: unknown): boolean {
  if (typeof value === "string") return value.includes("$");
  if (Array.isArray(value)) return value.some(containsDollar);
  if (isRecord(value)) return Object.entries(value).some(([key, item]) => key.includes("$") || containsDollar(item));
  return false;
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}

function allNames(placeholders: Placeholder[]): string[] {
  return unique(placeholders.flatMap((placeholder) => placeholder.names));
}
