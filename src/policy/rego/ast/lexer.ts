// Rego's tokens (OPA's ast/internal/scanner): identifiers, numbers, strings (quoted, raw and template), operators.
// Newlines are not tokens: each token records whether a newline came before it, because a newline separates the
// expressions of a body the way `;` does.

import { RegoSyntaxError } from "./errors.js";

export type TokenKind = "ident" | "number" | "string" | "template" | "op" | "eof";

export interface TemplatePart {
  /** Literal text, escapes already applied. */
  readonly text?: string;
  /** The source of an embedded expression and where it starts. */
  readonly expr?: string;
  readonly line?: number;
  readonly column?: number;
}

export interface Token {
  readonly kind: TokenKind;
  /** Identifier name, operator text, the decoded string, or the number's source text. */
  readonly text: string;
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  readonly end: number;
  /** A newline (or the start of input) came between the previous token and this one. */
  readonly newlineBefore: boolean;
  /** Whitespace or a comment came right before this token. */
  readonly spaceBefore: boolean;
  readonly parts?: readonly TemplatePart[];
}

const OPERATORS = [":=", "==", "!=", "<=", ">=", "<", ">", "=", "+", "-", "*", "/", "%", "&", "|", ".", ",", ";", ":", "(", ")", "[", "]", "{", "}"];

const isIdentStart = (c: string): boolean => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
const isIdentChar = (c: string): boolean => isIdentStart(c) || (c >= "0" && c <= "9");
const isDigit = (c: string): boolean => c >= "0" && c <= "9";

export interface Comment {
  readonly line: number;
  /** The text after `#`. */
  readonly text: string;
}

/** Tokens of a source; comments go to `comments` when given (METADATA annotations are comments). */
export function tokenize(text: string, file: string, startLine = 1, startColumn = 1, comments?: Comment[]): Token[] {
  const tokens: Token[] = [];
  // a byte order mark (files saved by some editors) is not a token
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = startLine;
  let lineStart = -(startColumn - 1);
  let newlineBefore = true;
  let spaceBefore = true;
  const fail = (message: string, at = i): never => {
    throw new RegoSyntaxError(file, line, at - lineStart + 1, message);
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      i++;
      line++;
      lineStart = i;
      newlineBefore = true;
      spaceBefore = true;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      spaceBefore = true;
      continue;
    }
    if (c === "#") {
      const from = i + 1;
      while (i < text.length && text[i] !== "\n") i++;
      comments?.push({ line, text: text.slice(from, i) });
      spaceBefore = true;
      continue;
    }
    const start = i;
    const column = i - lineStart + 1;
    const startLineNo = line;
    const push = (kind: TokenKind, tokenText: string, parts?: TemplatePart[]): void => {
      tokens.push({ kind, text: tokenText, line: startLineNo, column, offset: start, end: i, newlineBefore, spaceBefore, ...(parts ? { parts } : {}) });
      newlineBefore = false;
      spaceBefore = false;
    };
    if (isIdentStart(c)) {
      while (i < text.length && isIdentChar(text[i]!)) i++;
      push("ident", text.slice(start, i));
      continue;
    }
    if (isDigit(c) || (c === "." && isDigit(text[i + 1] ?? ""))) {
      while (i < text.length && isDigit(text[i]!)) i++;
      if (text[i] === "." && isDigit(text[i + 1] ?? "")) {
        i++;
        while (i < text.length && isDigit(text[i]!)) i++;
      }
      if ((text[i] === "e" || text[i] === "E") && (isDigit(text[i + 1] ?? "") || ((text[i + 1] === "+" || text[i + 1] === "-") && isDigit(text[i + 2] ?? "")))) {
        i += 2;
        while (i < text.length && isDigit(text[i]!)) i++;
      }
      if (i < text.length && isIdentStart(text[i]!)) fail("illegal number format", i);
      push("number", text.slice(start, i));
      continue;
    }
    if (c === '"') {
      i++;
      push("string", readQuoted(() => fail("non-terminated string", start)));
      continue;
    }
    if (c === "`") {
      const close = text.indexOf("`", i + 1);
      if (close < 0) fail("non-terminated string", start);
      const raw = text.slice(i + 1, close);
      for (const ch of raw) if (ch === "\n") { line++; }
      if (raw.includes("\n")) lineStart = start + 1 + raw.lastIndexOf("\n") + 1;
      i = close + 1;
      push("string", raw);
      continue;
    }
    if (c === "$" && (text[i + 1] === '"' || text[i + 1] === "`")) {
      const raw = text[i + 1] === "`";
      i += 2;
      push("template", "", readTemplate(raw));
      continue;
    }
    const op = OPERATORS.find((candidate) => text.startsWith(candidate, i));
    if (!op) fail(`illegal token '${c}'`);
    i += op!.length;
    push("op", op!);
  }
  tokens.push({ kind: "eof", text: "", line, column: i - lineStart + 1, offset: i, end: i, newlineBefore: true, spaceBefore: true });
  return tokens;

  /** A JSON-style quoted string after its opening quote; leaves i after the closing quote. */
  function readQuoted(unterminated: () => never): string {
    let out = "";
    while (true) {
      if (i >= text.length || text[i] === "\n") unterminated();
      const ch = text[i]!;
      if (ch === '"') {
        i++;
        return out;
      }
      if (ch === "\\") {
        const [decoded, length] = readEscape(i);
        out += decoded;
        i += length;
        continue;
      }
      out += ch;
      i++;
    }
  }

  function readEscape(at: number): [string, number] {
    const e = text[at + 1];
    switch (e) {
      case '"': return ['"', 2];
      case "\\": return ["\\", 2];
      case "/": return ["/", 2];
      case "b": return ["\b", 2];
      case "f": return ["\f", 2];
      case "n": return ["\n", 2];
      case "r": return ["\r", 2];
      case "t": return ["\t", 2];
      case "u": {
        const hex = text.slice(at + 2, at + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("illegal unicode escape", at);
        const code = parseInt(hex, 16);
        // a surrogate pair written as two escapes
        if (code >= 0xd800 && code < 0xdc00 && text[at + 6] === "\\" && text[at + 7] === "u") {
          const low = text.slice(at + 8, at + 12);
          if (/^[0-9a-fA-F]{4}$/.test(low)) return [String.fromCharCode(code, parseInt(low, 16)), 12];
        }
        return [String.fromCharCode(code), 6];
      }
      default:
        return fail("illegal escape sequence", at);
    }
  }

  /** A template string ($"…" or $`…`) after its opening quote: literal text and `{expression}` parts. */
  function readTemplate(raw: boolean): TemplatePart[] {
    const parts: TemplatePart[] = [];
    let literal = "";
    const close = raw ? "`" : '"';
    while (true) {
      if (i >= text.length || (!raw && text[i] === "\n")) fail("non-terminated string");
      const ch = text[i]!;
      if (ch === close) {
        i++;
        if (literal) parts.push({ text: literal });
        return parts;
      }
      if (ch === "\\" && text[i + 1] === "{") {
        literal += "{";
        i += 2;
        continue;
      }
      if (!raw && ch === "\\") {
        const [decoded, length] = readEscape(i);
        literal += decoded;
        i += length;
        continue;
      }
      if (ch === "{") {
        if (literal) parts.push({ text: literal });
        literal = "";
        const exprLine = line;
        const exprColumn = i + 1 - lineStart + 1;
        const exprStart = i + 1;
        i = skipBalanced(i);
        parts.push({ expr: text.slice(exprStart, i - 1), line: exprLine, column: exprColumn });
        continue;
      }
      if (ch === "\n") {
        line++;
        lineStart = i + 1;
      }
      literal += ch;
      i++;
    }
  }

  /** From an opening brace to just after its matching brace, stepping over strings and nested templates. */
  function skipBalanced(open: number): number {
    let depth = 0;
    let j = open;
    while (j < text.length) {
      const ch = text[j]!;
      if (ch === "{") depth++;
      else if (ch === "}") {
        depth--;
        if (depth === 0) return j + 1;
      } else if (ch === '"') {
        j++;
        while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      } else if (ch === "`") {
        j = text.indexOf("`", j + 1);
        if (j < 0) break;
      } else if (ch === "\n") {
        line++;
        lineStart = j + 1;
      }
      j++;
    }
    return fail("non-terminated template expression", open);
  }
}
