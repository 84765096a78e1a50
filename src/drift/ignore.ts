// Fields the configuration says drift must not look at: JSON Pointers (RFC 6901) on objects chosen by globs.
import { groupOf, type KubeObject, type ObjectId } from "../model.ts";

export interface DriftIgnoreRule {
  /** API group ("" for the core group); a glob where `*` matches any run of characters. Absent: any. */
  group?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  /** RFC 6901 pointers to the values to leave out, e.g. "/spec/replicas", "/metadata/annotations/foo~1bar". */
  jsonPointers: string[];
}

type Fields = Record<string, unknown>;
type Target = { container: Fields; key: string } | { container: unknown[]; index: number };

/**
 * Problems with the rules, one message each (empty when all are valid): a pointer must start with "/" and
 * may escape only "~0" and "~1"; the globs must be strings. Config loading reports them as its own errors.
 */
export function validateIgnoreRules(rules: readonly DriftIgnoreRule[]): string[] {
  const messages: string[] = [];
  rules.forEach((rule, ruleIndex) => {
    const at = `ignore[${ruleIndex}]`;
    for (const field of ["group", "kind", "namespace", "name"] as const) {
      if (rule[field] !== undefined && typeof rule[field] !== "string") messages.push(`${at}.${field}: must be a string`);
    }
    if (!Array.isArray(rule.jsonPointers) || rule.jsonPointers.length === 0) {
      messages.push(`${at}.jsonPointers: must be a non-empty list of JSON Pointers`);
      return;
    }
    rule.jsonPointers.forEach((pointer, index) => {
      const problem = pointerProblem(pointer);
      if (problem) messages.push(`${at}.jsonPointers[${index}]: ${JSON.stringify(pointer)} ${problem}`);
    });
  });
  return messages;
}

/**
 * A copy of `object` without the values the rules matching it point to. `id` identifies the object when
 * given (a Manifest's id, with its namespace filled in); otherwise it is read from the object. Pointers
 * that lead nowhere, or are invalid, change nothing. Several array elements of one list can be removed at once.
 */
export function applyIgnoreRules(object: KubeObject, rules: readonly DriftIgnoreRule[], id: ObjectId = idOf(object)): KubeObject {
  const pointers = rules.filter((rule) => ruleMatches(rule, id)).flatMap((rule) => (Array.isArray(rule.jsonPointers) ? rule.jsonPointers : []));
  if (pointers.length === 0) return object;
  const copy = structuredClone(object);
  // resolved first, removed after: removing an element must not shift what a later pointer means
  const targets = pointers.map((pointer) => resolve(copy, pointer)).filter((target): target is Target => target !== undefined);
  const indices = new Map<unknown[], Set<number>>();
  for (const target of targets) {
    if ("key" in target) delete target.container[target.key];
    else indices.set(target.container, (indices.get(target.container) ?? new Set()).add(target.index));
  }
  for (const [array, remove] of indices) {
    for (const index of [...remove].sort((a, b) => b - a)) array.splice(index, 1);
  }
  return copy;
}

function ruleMatches(rule: DriftIgnoreRule, id: ObjectId): boolean {
  return globMatches(rule.group, id.group) && globMatches(rule.kind, id.kind) && globMatches(rule.namespace, id.namespace) && globMatches(rule.name, id.name);
}

function globMatches(glob: string | undefined, value: string): boolean {
  if (glob === undefined) return true;
  if (typeof glob !== "string") return false;
  if (!glob.includes("*")) return glob === value;
  const pattern = glob
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${pattern}$`, "s").test(value);
}

function idOf(object: KubeObject): ObjectId {
  const metadata = (object.metadata ?? {}) as Fields;
  const { group, version } = groupOf(typeof object.apiVersion === "string" ? object.apiVersion : "");
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  return { group, version, kind: text(object.kind), namespace: text(metadata.namespace), name: text(metadata.name) };
}

function pointerProblem(pointer: unknown): string | undefined {
  if (typeof pointer !== "string") return "must be a string";
  if (pointer === "") return 'points at the whole object: a pointer must start with "/" and name a field';
  if (!pointer.startsWith("/")) return 'must start with "/" (RFC 6901), e.g. "/spec/replicas"';
  if (/~(?![01])/.test(pointer)) return 'has a "~" not followed by 0 or 1 (write "~0" for "~" and "~1" for "/")';
  return undefined;
}

/** The container and key or index a valid pointer names, when every step exists. */
function resolve(root: unknown, pointer: string): Target | undefined {
  if (pointerProblem(pointer)) return undefined;
  const tokens = pointer
    .slice(1)
    .split("/")
    .map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));
  let current = root;
  for (const [position, token] of tokens.entries()) {
    const last = position === tokens.length - 1;
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
      const index = Number(token);
      if (index >= current.length) return undefined;
      if (last) return { container: current, index };
      current = current[index];
    } else if (current !== null && typeof current === "object") {
      const fields = current as Fields;
      if (!Object.hasOwn(fields, token)) return undefined;
      if (last) return { container: fields, key: token };
      current = fields[token];
    } else {
      return undefined;
    }
  }
  return undefined;
}
