// Go (RE2) regular expressions on JavaScript's RegExp: the syntax translated (flags, \\Q…\\E, POSIX classes, \\x
// escapes, named groups), what RE2 refuses refused too (lookaround, backreferences), and patterns that could
// backtrack catastrophically on JavaScript's engine refused (`backtrackingRisk`). Compiled expressions are cached.
// Used by Kyverno's JMESPath functions and Rego's regex builtins.

import { backtrackingRisk } from "./safe-regex.ts";

/** A pattern Go's regexp.Compile would refuse, or one refused here as too risky; the message is Go's wording. */
export class GoRegexpError extends Error {
  override name = "GoRegexpError";
}

const REGEX_CACHE = new Map<string, RegExp>();

const POSIX_CLASSES: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\x0B\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

/** Compiles a Go (RE2) regular expression; syntax RE2 refuses (lookaround, backreferences) is refused too. */
export function goRegexp(pattern: string, global = false): RegExp {
  const key = `${global ? "g" : "-"}${pattern}`;
  const cached = REGEX_CACHE.get(key);
  if (cached) {
    cached.lastIndex = 0;
    return cached;
  }
  let source: string;
  let flags: string;
  try {
    ({ source, flags } = translateGoRegexp(pattern));
  } catch (error) {
    const message = (error as Error).message;
    // Go names the offending fragment when there is one, else the whole pattern
    throw new GoRegexpError(`error parsing regexp: ${message}${message.includes("`") ? "" : `: \`${pattern}\``}`);
  }
  const risk = backtrackingRisk(pattern);
  if (risk) throw new GoRegexpError(`error parsing regexp: refused, ${risk}`);
  let re: RegExp;
  try {
    re = new RegExp(source, flags + (global ? "g" : ""));
  } catch (error) {
    throw new GoRegexpError(`error parsing regexp: ${goWording((error as Error).message)}: \`${pattern}\``);
  }
  if (REGEX_CACHE.size > 1024) REGEX_CACHE.clear();
  REGEX_CACHE.set(key, re);
  return re;
}

/**
 * A Go \\p{…} class as JavaScript writes it: general categories (L, Lu, …) and Any as they are, scripts (Greek,
 * Latin, Han, …) as Script=…; \\p{^…} is the negation.
 */
function unicodeClass(negated: boolean, name: string): string {
  if (name.startsWith("^")) {
    negated = !negated;
    name = name.slice(1);
  }
  if (!/^[A-Za-z_]+$/.test(name)) throw new Error(`invalid character class range: \`\\p{${name}}\``);
  const property = /^[A-Z][a-z]?$/.test(name) || name === "Any" ? name : `Script=${name}`;
  return `\\${negated ? "P" : "p"}{${property}}`;
}

/** JavaScript's RegExp syntax errors in Go's regexp/syntax words. */
const GO_WORDING: Array<[RegExp, string]> = [
  [/Unterminated character class/, "missing closing ]"],
  [/Unterminated group/, "missing closing )"],
  [/Unmatched '\)'/, "unexpected )"],
  [/Nothing to repeat/, "missing argument to repetition operator"],
  [/numbers out of order in \{\} quantifier/, "invalid repeat count"],
  [/Range out of order in character class/, "invalid character class range"],
  [/Invalid escape|\\ at end of pattern/, "invalid escape sequence"],
  [/Invalid capture group name|Duplicate capture group name/, "invalid named capture"],
];

function goWording(message: string): string {
  for (const [js, go] of GO_WORDING) if (js.test(message)) return go;
  return message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, "").replace(/^Invalid regular expression: /, "");
}

const SYNTAX_CHARS = new Set([..."^$\\.*+?()[]{}|/"]);

function escapeForUnicodeRegexp(c: string): string {
  if (SYNTAX_CHARS.has(c)) return `\\${c}`;
  const code = c.codePointAt(0)!;
  return code < 0x80 && !/[A-Za-z0-9]/.test(c) ? `\\x${code.toString(16).padStart(2, "0")}` : c;
}

function translateGoRegexp(pattern: string): { source: string; flags: string } {
  let flags = "u";
  let i = 0;
  const leading = /^\(\?([imsU]+)\)/.exec(pattern);
  if (leading) {
    for (const f of leading[1]!) {
      if (f === "U") throw new Error("invalid or unsupported Perl syntax: `(?U`");
      if (!flags.includes(f)) flags += f;
    }
    i = leading[0].length;
  }
  let out = "";
  let inClass = false;
  // flags set in the middle of a group, `(?i)`, become modifier groups `(?i:...)` closed where the group ends
  const pending: string[][] = [[]];
  const closePending = (): string => ")".repeat(pending[pending.length - 1]!.length);
  const chars = [...pattern];
  // re-index over code points
  let idx = [...pattern.slice(0, i)].length;
  const peek = (k = 0): string | undefined => chars[idx + k];
  while (idx < chars.length) {
    const c = chars[idx]!;
    if (c === "\\") {
      const next = peek(1);
      if (next === undefined) throw new Error("trailing backslash at end of expression");
      if (next === "Q") {
        // \Q...\E: literal text
        let end = chars.indexOf("\\", idx + 2);
        while (end >= 0 && chars[end + 1] !== "E") end = chars.indexOf("\\", end + 1);
        const literal = chars.slice(idx + 2, end < 0 ? chars.length : end);
        out += literal.map(escapeForUnicodeRegexp).join("");
        idx = end < 0 ? chars.length : end + 2;
        continue;
      }
      if (/[1-9]/.test(next)) throw new Error(`invalid escape sequence: \`\\${next}\``);
      if (next === "z") {
        out += "(?![\\s\\S])";
        idx += 2;
        continue;
      }
      if (next === "A") {
        out += "(?<![\\s\\S])";
        idx += 2;
        continue;
      }
      if (next === "s" || next === "S") {
        const set = "\\t\\n\\f\\r ";
        out += inClass ? (next === "s" ? set : "") : next === "s" ? `[${set}]` : `[^${set}]`;
        if (inClass && next === "S") throw new Error("\\S inside a character class is not supported");
        idx += 2;
        continue;
      }
      if (next === "a") {
        out += "\\x07";
        idx += 2;
        continue;
      }
      if (next === "x" && peek(2) === "{") {
        const close = chars.indexOf("}", idx + 3);
        const hex = close < 0 ? "" : chars.slice(idx + 3, close).join("");
        if (!/^[0-9A-Fa-f]{1,8}$/.test(hex) || Number.parseInt(hex, 16) > 0x10ffff) throw new Error(`invalid escape sequence: \`\\x{${hex}\``);
        out += escapeForUnicodeRegexp(String.fromCodePoint(Number.parseInt(hex, 16)));
        idx = close + 1;
        continue;
      }
      if (next === "x") {
        // \xHH: exactly two hex digits
        const hex = (peek(2) ?? "") + (peek(3) ?? "");
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new Error(`invalid escape sequence: \`\\x${hex}\``);
        const ch = String.fromCodePoint(Number.parseInt(hex, 16));
        out += inClass && ch === "-" ? "\\-" : escapeForUnicodeRegexp(ch);
        idx += 4;
        continue;
      }
      if (next === "p" || next === "P") {
        let name: string;
        if (peek(2) === "{") {
          const close = chars.indexOf("}", idx + 3);
          if (close < 0) throw new Error(`invalid character class range: \`${chars.slice(idx).join("")}\``);
          name = chars.slice(idx + 3, close).join("");
          idx = close + 1;
        } else {
          name = peek(2) ?? "";
          idx += 3;
        }
        out += unicodeClass(next === "P", name);
        continue;
      }
      if (/[dDwWbBtnrfv]/.test(next)) {
        out += `\\${next}`;
        idx += 2;
        continue;
      }
      if (next === "0" && !/[0-7]/.test(peek(2) ?? "")) {
        out += "\\x00";
        idx += 2;
        continue;
      }
      if (/[A-Za-z0-9]/.test(next)) throw new Error(`invalid escape sequence: \`\\${next}\``);
      out += inClass && next === "-" ? "\\-" : escapeForUnicodeRegexp(next);
      idx += 2;
      continue;
    }
    if (inClass) {
      if (c === "[" && peek(1) === ":") {
        if (peek(2) === "^" && /^\[:\^[a-z]+:\]/.test(chars.slice(idx).join(""))) throw new Error("negated POSIX classes ([[:^name:]]) are not supported here");
        const posix = /^\[:([a-z]+):\]/.exec(chars.slice(idx).join(""));
        if (posix && POSIX_CLASSES[posix[1]!]) {
          out += POSIX_CLASSES[posix[1]!];
          idx += posix[0].length;
          continue;
        }
      }
      if (c === "]") inClass = false;
      out += c === "]" || c === "-" || c === "^" ? c : escapeForUnicodeRegexp(c);
      idx++;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += "[";
      idx++;
      if (peek() === "^") {
        out += "^";
        idx++;
      }
      if (peek() === "]") {
        // a leading ] is a literal in RE2
        out += "\\]";
        idx++;
      }
      continue;
    }
    if (c === "(" && peek(1) === "?") {
      const rest = chars.slice(idx, idx + 4).join("");
      if (rest.startsWith("(?=") || rest.startsWith("(?!") || rest.startsWith("(?<=") || rest.startsWith("(?<!")) {
        throw new Error(`invalid or unsupported Perl syntax: \`${rest.slice(0, rest.startsWith("(?<") ? 4 : 3)}\``);
      }
      if (rest.startsWith("(?P<")) {
        pending.push([]);
        out += "(?<";
        idx += 4;
        continue;
      }
      const flagGroup = /^\(\?([imsU]*)(?:-([imsU]*))?\)/.exec(chars.slice(idx).join(""));
      if (flagGroup && (flagGroup[1] || flagGroup[2])) {
        if (flagGroup[0].includes("U")) throw new Error("invalid or unsupported Perl syntax: `(?U`");
        const modifier = `(?${flagGroup[1] ?? ""}${flagGroup[2] ? `-${flagGroup[2]}` : ""}:`;
        pending[pending.length - 1]!.push(modifier);
        out += modifier;
        idx += flagGroup[0].length;
        continue;
      }
      pending.push([]);
      out += "(?";
      idx += 2;
      continue;
    }
    if (c === "(") {
      pending.push([]);
      out += "(";
      idx++;
      continue;
    }
    if (c === ")") {
      out += closePending();
      if (pending.length > 1) pending.pop();
      out += ")";
      idx++;
      continue;
    }
    if (c === "|") {
      // the flags also hold in the alternatives that follow
      const modifiers = pending[pending.length - 1]!;
      out += `${closePending()}|${modifiers.join("")}`;
      idx++;
      continue;
    }
    if (c === "{") {
      const rest = chars.slice(idx).join("");
      const repeat = /^\{(\d+)(,(\d*))?\}/.exec(rest);
      if (repeat && idx > 0) {
        if (Number(repeat[1]) > 1000 || (repeat[3] && Number(repeat[3]) > 1000)) throw new Error(`invalid repeat count: \`${repeat[0]}\``);
        out += repeat[0];
        idx += repeat[0].length;
        continue;
      }
      out += "\\{";
      idx++;
      continue;
    }
    if (c === "}" || c === "]") {
      out += `\\${c}`;
      idx++;
      continue;
    }
    out += c === "/" ? "\\/" : c;
    idx++;
  }
  out += closePending();
  return { source: out, flags };
}

/** Regexp.Expand of a replacement template: $1, ${1}, $name, ${name}, $$; an unknown name is empty. */
export function expandTemplate(template: string, match: RegExpExecArray): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== "$") {
      out += c;
      continue;
    }
    const rest = template.slice(i + 1);
    if (rest.startsWith("$")) {
      out += "$";
      i++;
      continue;
    }
    const braced = /^\{([A-Za-z0-9_]+)\}/.exec(rest);
    const bare = /^[A-Za-z0-9_]+/.exec(rest);
    const name = braced ? braced[1]! : bare ? bare[0] : undefined;
    if (name === undefined) {
      out += "$";
      continue;
    }
    i += braced ? braced[0].length : name.length;
    if (/^\d+$/.test(name)) out += match[Number(name)] ?? "";
    else out += match.groups?.[name] ?? "";
  }
  return out;
}

/** Regexp.ReplaceAll / ReplaceAllLiteral with Go's handling of empty matches. */
export function goReplaceAll(re: RegExp, src: string, repl: string, literal: boolean): string {
  let out = "";
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    re.lastIndex = searchPos;
    const match = re.exec(src);
    if (!match) break;
    const start = match.index;
    const end = start + match[0].length;
    out += src.slice(lastMatchEnd, start);
    if (end > lastMatchEnd || start === 0) out += literal ? repl : expandTemplate(repl, match);
    lastMatchEnd = end;
    const width = searchPos < src.length ? ((src.codePointAt(searchPos) ?? 0) > 0xffff ? 2 : 1) : 0;
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + src.slice(lastMatchEnd);
}
