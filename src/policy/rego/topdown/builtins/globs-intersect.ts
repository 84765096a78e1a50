// regex.globs_match: whether two regexp-style globs (yashtewari/glob-intersection's syntax: `.`, `[...]` classes with
// ranges, `+` and `*` on the preceding token, `\` escapes) match a common string. Decided on the product of the two
// globs' automata, in time proportional to the product of their lengths.

import { builtinError } from "./operands.js";

type Token = { kind: "char"; rune: number; star: boolean } | { kind: "dot"; star: boolean } | { kind: "set"; runes: Set<number>; star: boolean };

function invalid(input: string, pos: number, message: string): Error {
  return builtinError("regex.globs_match", `input:${input}, pos:${pos}, ${message}: the input provided is invalid`);
}

/** Tokens, a `+` expanded to the token followed by its starred copy. */
function tokenize(input: string): Token[] {
  const runes = [...input].map((c) => c.codePointAt(0)!);
  const out: Token[] = [];
  let i = 0;
  const next = (): { r: number; escaped: boolean } => {
    const r = runes[i]!;
    if (r === 0x5c) {
      if (i === runes.length - 1) throw invalid(input, i, "input ends with a \\ (escape) character");
      i += 2;
      return { r: runes[i - 1]!, escaped: true };
    }
    i++;
    return { r, escaped: false };
  };
  while (i < runes.length) {
    const { r, escaped } = next();
    const c = String.fromCodePoint(r);
    if (!escaped && (c === "+" || c === "*")) {
      const prev = out[out.length - 1];
      if (prev === undefined || prev.star) throw invalid(input, i, `flag '${c}' must be preceded by a non-flag`);
      if (c === "*") prev.star = true;
      else out.push({ ...prev, star: true });
      continue;
    }
    if (!escaped && c === ".") {
      out.push({ kind: "dot", star: false });
      continue;
    }
    if (!escaped && c === "]") throw invalid(input, i, "set-close ']' with no preceding '['");
    if (!escaped && c === "[") {
      const set = new Set<number>();
      let prev: number | undefined;
      let complete = false;
      while (i < runes.length) {
        const t = next();
        if (!t.escaped && t.r === 0x5d) {
          complete = true;
          break;
        }
        if (!t.escaped && t.r === 0x2d) {
          if (prev === undefined) throw invalid(input, i, "range character '-' must be preceded by a Unicode character");
          if (i >= runes.length) throw invalid(input, i, "range character '-' must be followed by a Unicode character");
          const end = next();
          if (!end.escaped && (end.r === 0x5d || end.r === 0x2d)) throw invalid(input, i, "range character '-' cannot be followed by a special symbol");
          if (end.r < prev) throw invalid(input, i, `range is out of order: '${String.fromCodePoint(end.r)}' comes before '${String.fromCodePoint(prev)}' in Unicode`);
          if (end.r - prev > 0x10000) throw invalid(input, i, "range too large");
          for (let x = prev; x <= end.r; x++) set.add(x);
          prev = undefined;
          continue;
        }
        set.add(t.r);
        prev = t.r;
      }
      if (!complete) throw invalid(input, i, "found [ without matching ]");
      out.push({ kind: "set", runes: set, star: false });
      continue;
    }
    out.push({ kind: "char", rune: r, star: false });
  }
  return out;
}

function overlaps(a: Token, b: Token): boolean {
  if (a.kind === "dot") return b.kind !== "set" || b.runes.size > 0;
  if (b.kind === "dot") return overlaps(b, a);
  if (a.kind === "char") return b.kind === "char" ? a.rune === b.rune : b.runes.has(a.rune);
  if (b.kind === "char") return a.runes.has(b.rune);
  const [small, large] = a.runes.size <= b.runes.size ? [a.runes, b.runes] : [b.runes, a.runes];
  for (const r of small) if (large.has(r)) return true;
  return false;
}

export function globsMatch(lhs: string, rhs: string): boolean {
  const g1 = tokenize(lhs);
  const g2 = tokenize(rhs);
  const w = g2.length + 1;
  const seen = new Uint8Array((g1.length + 1) * w);
  const stack: Array<[number, number]> = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    if (seen[i * w + j]) continue;
    seen[i * w + j] = 1;
    if (i === g1.length && j === g2.length) return true;
    const t1 = g1[i];
    const t2 = g2[j];
    if (t1?.star) stack.push([i + 1, j]);
    if (t2?.star) stack.push([i, j + 1]);
    if (t1 && t2 && overlaps(t1, t2)) stack.push([t1.star ? i : i + 1, t2.star ? j : j + 1]);
  }
  return false;
}
