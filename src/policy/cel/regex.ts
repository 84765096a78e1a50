// RE2 patterns (what Go's regexp and cel-go accept) run as JavaScript regular expressions, for the Kubernetes regex
// library (k8s.io/apiserver/pkg/cel/library/regex.go: find, findAll with Go's FindString / FindAllString rules).
// The common RE2 spellings JavaScript lacks are translated: leading flag groups such as (?i) and (?s), named groups
// (?P<name>...), \A and \z. Patterns beyond that use JavaScript's dialect.

import { backtrackingRisk } from "../../util/safe-regex.ts";

const cache = new Map<string, RegExp>();

/** A global regular expression for an RE2 pattern; throws "Illegal regex: ..." like the library does. */
export function compileRe2(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached) return cached;
  let source = pattern;
  const flags = new Set<string>(["g"]);
  const leading = /^\(\?([imsU]+)\)/.exec(source);
  if (leading) {
    for (const flag of leading[1]!) if (flag !== "U") flags.add(flag);
    source = source.slice(leading[0].length);
  }
  source = source.replace(/\(\?P</g, "(?<").replace(/\\A/g, "^").replace(/\\z/g, "(?![\\s\\S])");
  const risk = backtrackingRisk(pattern);
  if (risk) throw new Error(`Illegal regex: refused, ${risk}`);
  let compiled: RegExp;
  try {
    compiled = new RegExp(source, [...flags, "u"].join(""));
  } catch {
    try {
      compiled = new RegExp(source, [...flags].join(""));
    } catch (error) {
      throw new Error(`Illegal regex: ${(error as Error).message}`);
    }
  }
  if (cache.size > 500) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

/** regexp.FindAllString(s, n): successive non-overlapping matches; an empty match right after a match is skipped. */
export function findAll(text: string, pattern: string, limit = -1): string[] {
  const re = compileRe2(pattern);
  const max = limit < 0 ? text.length + 1 : limit;
  const out: string[] = [];
  let pos = 0;
  let prevEnd = -1;
  while (out.length < max && pos <= text.length) {
    re.lastIndex = pos;
    const match = re.exec(text);
    if (!match) break;
    const start = match.index;
    const end = start + match[0].length;
    let accept = true;
    if (end === pos) {
      if (start === prevEnd) accept = false;
      const code = text.codePointAt(pos);
      pos += code === undefined ? 1 : code > 0xffff ? 2 : 1;
    } else {
      pos = end;
    }
    prevEnd = end;
    if (accept) out.push(match[0]);
  }
  return out;
}

/** regexp.FindString: the first match, or "" when there is none. */
export function find(text: string, pattern: string): string {
  const re = compileRe2(pattern);
  re.lastIndex = 0;
  return re.exec(text)?.[0] ?? "";
}
