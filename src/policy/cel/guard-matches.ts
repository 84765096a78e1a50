// cel-js runs matches() with JavaScript's backtracking RegExp, and its standard overload cannot be replaced. A
// pattern computed at run time (from params, a ConfigMap, the object itself: all pull-request content) could
// backtrack catastrophically and hang the verifier, so every matches() pattern argument is wrapped in a guard
// function that refuses such a pattern before cel-js compiles it. A text rewrite, done only for running: the
// original expression is what is type-checked and quoted in errors.

export const GUARD_FUNCTION = "gvGuardedRegex";

/** The expression with each matches() pattern argument wrapped in the guard; the same text when it has none. */
export function guardMatchesPatterns(expression: string): string {
  if (!expression.includes("matches")) return expression;
  let out = "";
  let i = 0;
  while (i < expression.length) {
    const c = expression[i]!;
    if (c === '"' || c === "'") {
      const end = skipString(expression, i);
      out += expression.slice(i, end);
      i = end;
      continue;
    }
    const call = /^matches\s*\(/.exec(expression.slice(i));
    const startsWord = i === 0 || !/[\w]/.test(expression[i - 1]!);
    if (call && startsWord) {
      const method = /\.\s*$/.test(expression.slice(0, i));
      const open = i + call[0].length;
      const args = splitArguments(expression, open);
      if (!args) return expression; // unbalanced: leave it to the parser to report
      const wrapped = args.parts.map((part, index) => ((method ? index === 0 : index === 1) ? `${GUARD_FUNCTION}(${guardMatchesPatterns(part)})` : guardMatchesPatterns(part)));
      out += `${call[0]}${wrapped.join(",")})`;
      i = args.end + 1;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** The end (exclusive) of the string literal starting at `start`, raw, bytes and triple-quoted forms included. */
function skipString(text: string, start: number): number {
  const quote = text[start]!;
  const raw = start > 0 && /[rR]/.test(text[start - 1]!) && (start < 2 || !/\w/.test(text[start - 2]!));
  const triple = text.startsWith(quote.repeat(3), start);
  const delimiter = triple ? quote.repeat(3) : quote;
  let i = start + delimiter.length;
  while (i < text.length) {
    if (!raw && text[i] === "\\") {
      i += 2;
      continue;
    }
    if (text.startsWith(delimiter, i)) return i + delimiter.length;
    i++;
  }
  return text.length;
}

/** The top-level arguments of a call whose "(" ends just before `open`, and the index of its ")". */
function splitArguments(text: string, open: number): { parts: string[]; end: number } | undefined {
  const parts: string[] = [];
  let depth = 0;
  let from = open;
  let i = open;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      i = skipString(text, i);
      continue;
    }
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      if (depth === 0) {
        if (c !== ")") return undefined;
        parts.push(text.slice(from, i));
        return { parts, end: i };
      }
      depth--;
    } else if (c === "," && depth === 0) {
      parts.push(text.slice(from, i));
      from = i + 1;
    }
    i++;
  }
  return undefined;
}
