// Which tags an environment accepts: exactly one, a semver range, or a regular expression whose capture
// group extracts the part tags are ordered by (as Flux ImagePolicy's filterTags.extract does).
import semver from "semver";
import { UserError } from "../errors.ts";
import { backtrackingRisk } from "../util/safe-regex.ts";

export type TagPolicy =
  | { type: "exact"; tag: string }
  /** A semver range; `filter` first keeps the tags a pattern matches and takes the version from them. */
  | { type: "semver"; range: string; filter?: TagFilter }
  /**
   * A pattern, and what orders the tags it matches: `extract` (see TagFilter), else the first capture group, or
   * the whole tag. `order`: "numerical" or "alphabetical" (default: numerical when every extracted value is a
   * number); `descending`: the lowest is the latest (Flux's `order: desc`).
   */
  | { type: "regex"; pattern: string; extract?: string; order?: "numerical" | "alphabetical"; descending?: boolean };

/** Flux's filterTags: a pattern, and `extract` naming the part kept: "$1", "$name", "${name}", or a template. */
export interface TagFilter {
  pattern: string;
  extract?: string;
}

/** Does the policy accept this tag? */
export function acceptsTag(policy: TagPolicy, tag: string): boolean {
  return sortKey(policy, tag) !== undefined;
}

/** The highest of the tags the policy accepts, or undefined when it accepts none. */
export function latestTag(policy: TagPolicy, tags: readonly string[]): string | undefined {
  const accepted = tags.filter((tag) => acceptsTag(policy, tag));
  if (accepted.length === 0) return undefined;
  return accepted.reduce((best, tag) => (compareTags(policy, tag, best) > 0 ? tag : best));
}

/** Orders two accepted tags: negative when a is older than b. */
export function compareTags(policy: TagPolicy, a: string, b: string): number {
  const keyA = sortKey(policy, a);
  const keyB = sortKey(policy, b);
  if (keyA === undefined || keyB === undefined) throw new UserError(`tag "${keyA === undefined ? a : b}" is not accepted by ${describePolicy(policy)}`);
  switch (policy.type) {
    case "exact":
      return 0;
    case "semver":
      return semver.compare(keyA, keyB);
    case "regex": {
      const numerical = policy.order === "numerical" || (policy.order === undefined && isNumber(keyA) && isNumber(keyB));
      let order: number;
      if (numerical) {
        if (!isNumber(keyA) || !isNumber(keyB)) throw new UserError(`${describePolicy(policy)} orders numerically, but "${isNumber(keyA) ? keyB : keyA}" is not a number`);
        order = Math.sign(Number(keyA) - Number(keyB));
      } else {
        order = keyA < keyB ? -1 : keyA > keyB ? 1 : 0;
      }
      return policy.descending ? -order : order;
    }
  }
}

export function describePolicy(policy: TagPolicy): string {
  switch (policy.type) {
    case "exact":
      return `the exact tag "${policy.tag}"`;
    case "semver":
      return `the semver range "${policy.range}"${policy.filter ? ` of the tags matching /${policy.filter.pattern}/` : ""}`;
    case "regex":
      return `the pattern /${policy.pattern}/`;
  }
}

/** Refuses a policy that cannot work: an invalid range or pattern, or one that could backtrack for ever. */
export function checkPolicy(policy: TagPolicy): void {
  if (policy.type === "semver" && semver.validRange(policy.range) === null) throw new UserError(`"${policy.range}" is not a semver range`);
  if (policy.type === "regex") compile(policy.pattern);
  if (policy.type === "semver" && policy.filter) compile(policy.filter.pattern);
}

/** The value a tag is ordered by, or undefined when the policy does not accept the tag. */
function sortKey(policy: TagPolicy, tag: string): string | undefined {
  switch (policy.type) {
    case "exact":
      return tag === policy.tag ? tag : undefined;
    case "semver": {
      const kept = policy.filter ? extracted(policy.filter.pattern, policy.filter.extract ?? "$0", tag) : tag;
      if (kept === undefined) return undefined;
      // a leading "v" is accepted, as Flux does
      const version = semver.valid(kept.replace(/^v(?=\d)/, ""));
      if (version === null) return undefined;
      return semver.satisfies(version, policy.range, { includePrerelease: semver.prerelease(version) !== null }) ? version : undefined;
    }
    case "regex":
      return extracted(policy.pattern, policy.extract, tag);
  }
}

/** The part of a tag a pattern extracts, or undefined when the pattern does not match. */
function extracted(pattern: string, extract: string | undefined, tag: string): string | undefined {
  const match = compile(pattern).exec(tag);
  if (!match) return undefined;
  if (extract === undefined) return match[1] ?? match[0];
  return extract.replace(/\$(\d+|[A-Za-z_]\w*|\{(\w+)\})/g, (_whole, name: string, braced: string | undefined) => {
    const key = braced ?? name;
    return (/^\d+$/.test(key) ? match[Number(key)] : match.groups?.[key]) ?? "";
  });
}

const compiled = new Map<string, RegExp>();

function compile(pattern: string): RegExp {
  let regex = compiled.get(pattern);
  if (regex) return regex;
  // Go's named groups (?P<name>…) as JavaScript writes them
  const source = pattern.replace(/\(\?P</g, "(?<");
  try {
    regex = new RegExp(source);
  } catch (error) {
    throw new UserError(`invalid tag pattern /${pattern}/: ${(error as Error).message}`);
  }
  const risk = backtrackingRisk(source);
  if (risk !== undefined) throw new UserError(`tag pattern /${pattern}/ is refused: ${risk}`);
  compiled.set(pattern, regex);
  return regex;
}

function isNumber(value: string): boolean {
  return /^-?\d+(?:\.\d+)?$/.test(value);
}
