// semver.is_valid and semver.compare (topdown/semver.go): Semantic Versioning 2.0.0, no "v" prefix, build metadata
// ignored in comparisons.

import type { Builtin } from "./types.js";
import { builtinError, fn, str } from "./operands.js";

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

interface Version {
  core: [bigint, bigint, bigint];
  pre: string[];
}

export function parseSemver(s: string): Version | undefined {
  const m = SEMVER.exec(s);
  if (!m) return undefined;
  return { core: [BigInt(m[1]!), BigInt(m[2]!), BigInt(m[3]!)], pre: m[4] ? m[4].split(".") : [] };
}

function cmp<T>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareSemver(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    const c = cmp(a.core[i]!, b.core[i]!);
    if (c !== 0) return c;
  }
  if (a.pre.length === 0 || b.pre.length === 0) return cmp(b.pre.length, a.pre.length) === 0 ? 0 : a.pre.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i]!;
    const y = b.pre[i]!;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    let c: number;
    if (xn && yn) c = cmp(BigInt(x), BigInt(y));
    else if (xn) c = -1;
    else if (yn) c = 1;
    else c = cmp(x, y);
    if (c !== 0) return c;
  }
  return cmp(a.pre.length, b.pre.length);
}

function operand(args: readonly string[], i: number): Version {
  const v = parseSemver(args[i]!);
  if (!v) throw builtinError("semver.compare", `operand ${i + 1}: string ${JSON.stringify(args[i])} is not a valid SemVer`);
  return v;
}

export const SEMVER_BUILTINS: readonly Builtin[] = [
  fn("semver.is_valid", 1, (args) => typeof args[0] === "string" && parseSemver(args[0]) !== undefined),
  fn("semver.compare", 2, (args) => {
    const a = str("semver.compare", args, 0);
    const b = str("semver.compare", args, 1);
    return compareSemver(operand([a, b], 0), operand([a, b], 1));
  }),
];
