// Kyverno's JMESPath: the expression language of `{{ }}` variables, preconditions, deny conditions, foreach lists
// and context entries, with every custom function Kyverno adds.
//
// Parsing is @jmespath-community/jmespath's (`compile`, with legacy backtick literals as go-jmespath has them).
// Evaluation is our own tree walk over that AST, because Kyverno's semantics differ from the library's in ways a
// policy can observe (ported from kyverno/kyverno pkg/engine/jmespath/interpreter.go and kyverno/go-jmespath):
// - a field missing from an object raises "Unknown key" (JmespathNotFoundError) along a plain path
//   (`request.object.spec.duration`), which is how Kyverno tells a missing variable from a null one; the error is
//   swallowed (the value becomes null) inside function arguments, comparisons, projections, filters, pipes,
//   multi-selects, `!`, and on either side of `||` (so `{{ a.b || 'default' }}` defaults);
// - ordering comparisons (`<`, `>=`...) only compare numbers, anything else gives null;
// - only go-jmespath's built-in functions exist (no `lower`, `find_first`... of the community spec), with Kyverno's
//   `sum`, `items`, `replace`, `split`, `trim` in place of the community ones;
// - syntax go-jmespath does not have (arithmetic operators, `$`, `let`, `?:`) is refused when compiling.
// Function semantics are ports of pkg/engine/jmespath/{functions,arithmetic,time,utils,error,typecheck}.go, with the
// Go library behaviour they depend on (time layouts and durations, Kubernetes quantities, blang/semver ranges, RE2
// regular expressions and replacement templates, distribution/reference image names, path.Clean, encoding/json,
// crypto/x509's JSON form). Nothing here reaches a cluster or the network: is_external_url of a host name (which
// Kyverno resolves with DNS) is an error that says so. Results alias the input data: do not modify them.
import { goRegexp, goReplaceAll } from "../../util/go-regexp.ts";
import { createHash } from "node:crypto";
import { compile } from "@jmespath-community/jmespath";
import { isScalar, parseAllDocuments, visit } from "yaml";
import { wildcardMatch } from "./wildcard.ts";
import { RFC3339, civil, durationString, formatRfc3339, fromNs, parseDuration, parseGoTime, timeAdd, timeNs, timeSub, type GoTime } from "../../util/go-time.ts";

/** An expression that does not compile, or that fails while evaluating; the message is worded as Kyverno's. */
export class JmespathError extends Error {
  override name = "JmespathError";
}

/** A field missing from an object along a path: Kyverno's `Unknown key "x" in path` (a missing variable). */
export class JmespathNotFoundError extends JmespathError {
  override name = "JmespathNotFoundError";
  readonly key: string;
  constructor(key: string) {
    super(`Unknown key "${key}" in path`);
    this.key = key;
  }
}

export interface JmespathOptions {
  /** The clock of time_now, time_now_utc and time_since with an empty end; the system clock by default. */
  now?: () => Date;
  /** The random source of random(), in [0, 1); Math.random by default. */
  random?: () => number;
}

/** Evaluates a Kyverno JMESPath expression against data; Kyverno's custom functions are available. Throws JmespathError (compile or runtime) with Kyverno-like wording. */
export function searchJmespath(expression: string, data: unknown, options: JmespathOptions = {}): unknown {
  const node = compiled(expression);
  const env: Env = { root: data, now: options.now ?? (() => new Date()), random: options.random ?? Math.random, scopes: [] };
  let result: unknown;
  try {
    result = evaluate(node, data, env);
  } catch (error) {
    throw asJmespathError(error);
  }
  if (result instanceof ExprRef) throw new JmespathError(`invalid JMESPath expression ${JSON.stringify(expression)}: an expression reference (&) is only an argument of a function`);
  return result;
}

/** Checks an expression compiles (for "bad input" findings before evaluation). */
export function compileJmespath(expression: string): { ok: true } | { ok: false; error: string } {
  try {
    compiled(expression);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** The names of the functions an expression may call: go-jmespath's built-ins and Kyverno's. */
export function jmespathFunctionNames(): string[] {
  return [...FUNCTIONS.keys()].sort();
}

// ---------------------------------------------------------------------------------------------------------------
// AST (the shapes @jmespath-community/jmespath's compile returns)

type Node =
  | { type: "Field"; name: string }
  | { type: "Literal"; value: unknown }
  | { type: "Index"; value: number }
  | { type: "Slice"; start: number | null; stop: number | null; step: number | null }
  | { type: "FilterProjection"; left: Node; right: Node; condition: Node }
  | { type: "Comparator"; name: "GT" | "LT" | "GTE" | "LTE" | "NE" | "EQ"; left: Node; right: Node }
  | { type: "KeyValuePair"; name: string; value: Node }
  | { type: "MultiSelectHash"; children: Array<{ name: string; value: Node }> }
  | { type: "MultiSelectList"; children: Node[] }
  | { type: "Function"; name: string; children: Node[] }
  | { type: "Identity" | "Current" | "Root" }
  | { type: "ExpressionReference" | "Flatten" | "NotExpression"; child: Node }
  | { type: "AndExpression" | "IndexExpression" | "OrExpression" | "Pipe" | "Projection" | "Subexpression" | "ValueProjection"; left: Node; right: Node }
  | { type: "Arithmetic" | "Unary" | "LetExpression" | "Variable" | "Ternary" | "Binding" };

interface Env {
  root: unknown;
  now: () => Date;
  random: () => number;
  scopes: Array<Map<string, unknown>>;
}

class ExprRef {
  constructor(readonly node: Node) {}
}

const UNSUPPORTED_SYNTAX: Record<string, string> = {
  Arithmetic: "arithmetic operators (use add(), subtract(), multiply(), divide(), modulo())",
  Unary: "unary + and -",
  Root: "the root reference $",
  LetExpression: "let expressions",
  Variable: "variables ($name)",
  Ternary: "the ?: operator",
  Binding: "let expressions",
};

const CACHE = new Map<string, Node>();
const CACHE_LIMIT = 4096;

function compiled(expression: string): Node {
  const cached = CACHE.get(expression);
  if (cached) return cached;
  let node: Node;
  try {
    node = compile(expression, { enable_legacy_literals: true }) as unknown as Node;
  } catch (error) {
    throw new JmespathError(`invalid JMESPath expression ${JSON.stringify(expression)}: ${(error as Error).message}`);
  }
  checkNode(node, expression);
  if (CACHE.size >= CACHE_LIMIT) CACHE.clear();
  CACHE.set(expression, node);
  return node;
}

/** Refuses syntax go-jmespath does not parse, and calls of functions Kyverno does not have. */
function checkNode(node: unknown, expression: string): void {
  if (!node || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const child of node) checkNode(child, expression);
    return;
  }
  const typed = node as Record<string, unknown>;
  if (typeof typed.type === "string") {
    const unsupported = UNSUPPORTED_SYNTAX[typed.type];
    if (unsupported) throw new JmespathError(`invalid JMESPath expression ${JSON.stringify(expression)}: Kyverno's JMESPath does not support ${unsupported}`);
    if (typed.type === "Function" && typeof typed.name === "string" && !FUNCTIONS.has(typed.name)) {
      throw new JmespathError(`invalid JMESPath expression ${JSON.stringify(expression)}: unknown function: ${typed.name}()`);
    }
    if (typed.type === "Literal") return;
  }
  for (const [key, value] of Object.entries(typed)) if (key !== "type" && key !== "name") checkNode(value, expression);
}

function asJmespathError(error: unknown): JmespathError {
  if (error instanceof JmespathError) return error;
  if (error instanceof RangeError && /call stack/i.test(error.message)) return new JmespathError("JMESPath evaluation is nested too deeply");
  return new JmespathError((error as Error)?.message ?? String(error));
}

// ---------------------------------------------------------------------------------------------------------------
// evaluation

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof ExprRef);
}

/** JMESPath falsiness: null, false, "", [], {}. */
export function isFalsy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.keys(value).length === 0;
  return false;
}

/** reflect.DeepEqual over JSON values, as go-jmespath's == compares. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}

/** Evaluates, a missing key giving null (the places Kyverno's interpreter swallows NotFoundError). */
function soft(node: Node, value: unknown, env: Env): unknown {
  try {
    return evaluate(node, value, env);
  } catch (error) {
    if (error instanceof JmespathNotFoundError) return null;
    throw error;
  }
}

function evaluate(node: Node, value: unknown, env: Env): unknown {
  switch (node.type) {
    case "Field": {
      if (isObject(value)) {
        if (!Object.hasOwn(value, node.name)) throw new JmespathNotFoundError(node.name);
        return value[node.name] ?? null;
      }
      return null;
    }
    case "Subexpression":
    case "IndexExpression": {
      const left = evaluate(node.left, value, env);
      if (left === null || left === undefined) return null;
      return evaluate(node.right, left, env);
    }
    case "Index": {
      if (!Array.isArray(value)) return null;
      const index = node.value < 0 ? node.value + value.length : node.value;
      return index >= 0 && index < value.length ? (value[index] ?? null) : null;
    }
    case "Slice": {
      if (Array.isArray(value)) return slice(value, node);
      if (typeof value === "string") return slice([...value], node).join("");
      return null;
    }
    case "Projection": {
      // a projection over a slice of a string is the sliced string
      const allowString = node.left.type === "IndexExpression" && node.left.right.type === "Slice";
      const left = soft(node.left, value, env);
      if (!Array.isArray(left)) return allowString && typeof left === "string" ? left : null;
      const collected: unknown[] = [];
      for (const element of left) {
        const current = soft(node.right, element, env);
        if (current !== null && current !== undefined) collected.push(current);
      }
      return collected;
    }
    case "FilterProjection": {
      let left: unknown;
      try {
        left = evaluate(node.left, value, env);
      } catch {
        return null;
      }
      if (!Array.isArray(left)) return null;
      const collected: unknown[] = [];
      for (const element of left) {
        if (isFalsy(soft(node.condition, element, env))) continue;
        const current = soft(node.right, element, env);
        if (current !== null && current !== undefined) collected.push(current);
      }
      return collected;
    }
    case "Flatten": {
      let left: unknown;
      try {
        left = evaluate(node.child, value, env);
      } catch {
        return null;
      }
      if (!Array.isArray(left)) return null;
      const flattened: unknown[] = [];
      for (const element of left) {
        if (Array.isArray(element)) flattened.push(...element);
        else flattened.push(element);
      }
      return flattened;
    }
    case "ValueProjection": {
      let left: unknown;
      try {
        left = evaluate(node.left, value, env);
      } catch {
        return null;
      }
      if (!isObject(left)) return null;
      const collected: unknown[] = [];
      for (const element of Object.values(left)) {
        const current = soft(node.right, element, env);
        if (current !== null && current !== undefined) collected.push(current);
      }
      return collected;
    }
    case "Identity":
    case "Current":
      return value;
    case "Root":
      return env.root;
    case "Literal":
      // compiled expressions are cached: a caller must not be able to change a literal through a result
      return node.value !== null && typeof node.value === "object" ? structuredClone(node.value) : node.value;
    case "MultiSelectHash": {
      if (value === null || value === undefined) return null;
      const collected: Record<string, unknown> = {};
      for (const child of node.children) collected[child.name] = soft(child.value, value, env);
      return collected;
    }
    case "KeyValuePair":
      return evaluate(node.value, value, env);
    case "MultiSelectList": {
      if (value === null || value === undefined) return null;
      return node.children.map((child) => soft(child, value, env));
    }
    case "OrExpression": {
      const left = soft(node.left, value, env);
      return isFalsy(left) ? soft(node.right, value, env) : left;
    }
    case "AndExpression": {
      const left = soft(node.left, value, env);
      return isFalsy(left) ? left : evaluate(node.right, value, env);
    }
    case "NotExpression":
      return isFalsy(soft(node.child, value, env));
    case "Pipe":
      return soft(node.right, soft(node.left, value, env), env);
    case "Comparator": {
      const left = soft(node.left, value, env);
      const right = soft(node.right, value, env);
      if (node.name === "EQ") return deepEqual(left, right);
      if (node.name === "NE") return !deepEqual(left, right);
      if (typeof left !== "number" || typeof right !== "number") return null;
      switch (node.name) {
        case "GT":
          return left > right;
        case "GTE":
          return left >= right;
        case "LT":
          return left < right;
        case "LTE":
          return left <= right;
      }
      return null;
    }
    case "ExpressionReference":
      return new ExprRef(node.child);
    case "Function":
      return callFunction(node.name, node.children.map((child) => soft(child, value, env)), env);
    default:
      throw new JmespathError(`unsupported JMESPath syntax: ${node.type}`);
  }
}

function slice(items: unknown[], node: { start: number | null; stop: number | null; step: number | null }): unknown[] {
  const length = items.length;
  const step = node.step ?? 1;
  if (step === 0) throw new JmespathError("Invalid slice, step cannot be 0");
  const cap = (actual: number): number => {
    if (actual < 0) {
      actual += length;
      if (actual < 0) actual = step < 0 ? -1 : 0;
    } else if (actual >= length) actual = step < 0 ? length - 1 : length;
    return actual;
  };
  const start = node.start === null ? (step < 0 ? length - 1 : 0) : cap(node.start);
  const stop = node.stop === null ? (step < 0 ? -1 : length) : cap(node.stop);
  const out: unknown[] = [];
  if (step > 0) for (let i = start; i < stop; i += step) out.push(items[i]);
  else for (let i = start; i > stop; i += step) out.push(items[i]);
  return out;
}

function applyRef(ref: ExprRef, value: unknown, env: Env): unknown {
  return soft(ref.node, value, env);
}

// ---------------------------------------------------------------------------------------------------------------
// function table

type ArgType = "number" | "string" | "array" | "object" | "any" | "expref" | "array[number]" | "array[string]";

interface FunctionDef {
  /** null: no argument is checked (go-jmespath's functions declared without arguments, like time_now) */
  args: ArgType[][] | null;
  variadic?: boolean;
  fn: (args: unknown[], env: Env) => unknown;
}

const FUNCTIONS = new Map<string, FunctionDef>();

function def(name: string, args: ArgType[][] | null, fn: (args: unknown[], env: Env) => unknown, variadic = false): void {
  FUNCTIONS.set(name, { args, fn, variadic });
}

function typeName(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  if (value instanceof ExprRef) return "expression";
  if (typeof value === "object") return "object";
  return typeof value;
}

/** The type names of Kyverno's argument type errors (typecheck.go): booleans are "bool". */
function argumentTypeName(value: unknown): string {
  return typeof value === "boolean" ? "bool" : typeName(value);
}

function matchesType(value: unknown, type: ArgType): boolean {
  switch (type) {
    case "any":
      return true;
    case "number":
      return typeof value === "number";
    case "string":
      return typeof value === "string";
    case "array":
      return Array.isArray(value);
    case "object":
      return isObject(value);
    case "expref":
      return value instanceof ExprRef;
    case "array[number]":
      return Array.isArray(value) && value.every((item) => typeof item === "number");
    case "array[string]":
      return Array.isArray(value) && value.every((item) => typeof item === "string");
  }
}

function callFunction(name: string, args: unknown[], env: Env): unknown {
  const fn = FUNCTIONS.get(name);
  if (!fn) throw new JmespathError(`unknown function: ${name}()`);
  if (fn.args && fn.args.length > 0) {
    if (fn.variadic) {
      if (args.length < fn.args.length) throw new JmespathError(`JMESPath function '${name}': expected at least ${fn.args.length} arguments, got ${args.length}`);
    } else {
      if (args.length !== fn.args.length) throw new JmespathError(`JMESPath function '${name}': expected ${fn.args.length} arguments, got ${args.length}`);
      fn.args.forEach((types, i) => {
        if (!types.some((type) => matchesType(args[i], type))) {
          throw new JmespathError(`JMESPath function '${name}': argument #${i + 1} is not of type ${types.join(" or ")} (got ${argumentTypeName(args[i])})`);
        }
      });
    }
  }
  return fn.fn(args, env);
}

function fnError(name: string, message: string): JmespathError {
  return new JmespathError(`JMESPath function '${name}': ${message}`);
}

function str(name: string, args: unknown[], index: number): string {
  const value = args[index];
  if (typeof value !== "string") throw fnError(name, `argument #${index + 1} is not of type string`);
  return value;
}

/** Kyverno's ifaceToString: numbers as float32 in 'f' format, booleans as true/false. */
function ifaceToString(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return formatFloat32(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  return undefined;
}

/** intNumber: a float that must hold an integer. */
function intNumber(value: number): number {
  if (!Number.isFinite(value) || Math.trunc(value) !== value) throw new Error(`expected an integer number but got: ${formatGoG(value)}`);
  return value;
}

// go-jmespath's built-in functions -------------------------------------------------------------------------------

def("abs", [["number"]], ([n]) => Math.abs(n as number));
def("avg", [["array[number]"]], ([items]) => {
  const list = items as number[];
  return list.length === 0 ? null : list.reduce((sum, n) => sum + n, 0) / list.length;
});
def("ceil", [["number"]], ([n]) => Math.ceil(n as number));
def("floor", [["number"]], ([n]) => Math.floor(n as number));
def("contains", [["array", "string"], ["any"]], ([subject, search]) => {
  if (typeof subject === "string") return typeof search === "string" ? subject.includes(search) : false;
  return (subject as unknown[]).some((item) => deepEqual(item, search));
});
def("ends_with", [["string"], ["string"]], ([s, suffix]) => (s as string).endsWith(suffix as string));
def("starts_with", [["string"], ["string"]], ([s, prefix]) => (s as string).startsWith(prefix as string));
def("join", [["string"], ["array[string]"]], ([sep, items]) => (items as string[]).join(sep as string));
def("keys", [["object"]], ([obj]) => Object.keys(obj as object));
def("values", [["object"]], ([obj]) => Object.values(obj as object));
def("length", [["string", "array", "object"]], ([subject]) => {
  if (typeof subject === "string") return [...subject].length;
  if (Array.isArray(subject)) return subject.length;
  return Object.keys(subject as object).length;
});
def("map", [["expref"], ["array"]], ([ref, items], env) => (items as unknown[]).map((item) => applyRef(ref as ExprRef, item, env)));
def("max", [["array[number]", "array[string]"]], ([items]) => extreme(items as unknown[], 1));
def("min", [["array[number]", "array[string]"]], ([items]) => extreme(items as unknown[], -1));
def("max_by", [["array"], ["expref"]], ([items, ref], env) => extremeBy("max_by", items as unknown[], ref as ExprRef, env, 1));
def("min_by", [["array"], ["expref"]], ([items, ref], env) => extremeBy("min_by", items as unknown[], ref as ExprRef, env, -1));
def(
  "merge",
  [["object"]],
  (args) => {
    const out: Record<string, unknown> = {};
    for (const [i, arg] of args.entries()) {
      if (!isObject(arg)) throw fnError("merge", `argument #${i + 1} is not of type object`);
      Object.assign(out, arg);
    }
    return out;
  },
  true,
);
def(
  "not_null",
  [["any"]],
  (args) => args.find((arg) => arg !== null && arg !== undefined) ?? null,
  true,
);
def("reverse", [["array", "string"]], ([subject]) => (typeof subject === "string" ? [...subject].reverse().join("") : [...(subject as unknown[])].reverse()));
def("sort", [["array[string]", "array[number]"]], ([items]) => [...(items as unknown[])].sort(compareScalars));
def("sort_by", [["array"], ["expref"]], ([items, ref], env) => {
  const list = items as unknown[];
  if (list.length <= 1) return list;
  const keyed = list.map((item) => ({ item, key: applyRef(ref as ExprRef, item, env) }));
  const kind = typeof keyed[0]!.key;
  if (kind !== "number" && kind !== "string") throw new JmespathError("invalid type, must be number of string");
  if (keyed.some((entry) => typeof entry.key !== kind)) throw new JmespathError("error in sort_by comparison");
  return keyed.sort((a, b) => compareScalars(a.key, b.key)).map((entry) => entry.item);
});
def("to_array", [["any"]], ([value]) => (Array.isArray(value) ? value : [value]));
def("to_string", [["any"]], ([value]) => (typeof value === "string" ? value : marshalGoJson(value)));
def("to_number", [["any"]], ([value]) => {
  if (typeof value === "number") return value;
  if (typeof value === "string") return parseGoFloat(value);
  return null;
});
def("type", [["any"]], ([value]) => typeName(value));

function compareScalars(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return compareBytes(String(a), String(b));
}

function extreme(items: unknown[], sign: 1 | -1): unknown {
  if (items.length === 0) return null;
  let best = items[0];
  for (const item of items.slice(1)) if (compareScalars(item, best) * sign > 0) best = item;
  return best;
}

function extremeBy(name: string, items: unknown[], ref: ExprRef, env: Env, sign: 1 | -1): unknown {
  if (items.length === 0) return null;
  const keys = items.map((item) => applyRef(ref, item, env));
  const kind = typeof keys[0];
  if ((kind !== "number" && kind !== "string") || keys.some((key) => typeof key !== kind)) throw new JmespathError(`${name}: invalid type, must be number of string`);
  let best = 0;
  for (let i = 1; i < items.length; i++) if (compareScalars(keys[i], keys[best]) * sign > 0) best = i;
  return items[best];
}

// Kyverno's functions (functions.go) ------------------------------------------------------------------------------

def("compare", [["string"], ["string"]], ([a, b]) => Math.sign(compareBytes(a as string, b as string)));
def("equal_fold", [["string"], ["string"]], ([a, b]) => foldCase(a as string) === foldCase(b as string));
def("replace", [["string"], ["string"], ["string"], ["number"]], ([s, from, to, n]) => goReplace(s as string, from as string, to as string, Math.trunc(n as number)));
def("replace_all", [["string"], ["string"], ["string"]], ([s, from, to]) => goReplace(s as string, from as string, to as string, -1));
def("to_upper", [["string"]], ([s]) => mapRunes(s as string, (c) => c.toUpperCase()));
def("to_lower", [["string"]], ([s]) => mapRunes(s as string, (c) => c.toLowerCase()));
def("trim", [["string"], ["string"]], ([s, cutset]) => goTrim(s as string, cutset as string));
def("trim_prefix", [["string"], ["string"]], ([s, prefix]) => ((s as string).startsWith(prefix as string) ? (s as string).slice((prefix as string).length) : s));
def("split", [["string"], ["string"]], ([s, sep]) => (sep === "" ? [...(s as string)] : (s as string).split(sep as string)));
def("regex_replace_all", [["string"], ["string", "number"], ["string", "number"]], (args) => regexReplace("regex_replace_all", args, false));
def("regex_replace_all_literal", [["string"], ["string", "number"], ["string", "number"]], (args) => regexReplace("regex_replace_all_literal", args, true));
def("regex_match", [["string"], ["string", "number"]], (args) => {
  const pattern = str("regex_match", args, 0);
  const src = ifaceToString(args[1]);
  if (src === undefined) throw fnError("regex_match", "argument #2 is not of type String or Real");
  return goRegexp(pattern).test(src);
});
def("pattern_match", [["string"], ["string", "number"]], (args) => {
  const pattern = str("regex_match", args, 0);
  const src = ifaceToString(args[1]);
  if (src === undefined) throw fnError("regex_match", "argument #2 is not of type String or Real");
  return wildcardMatch(pattern, src);
});
def("label_match", [["object"], ["object"]], ([labels, against]) => {
  const target = against as Record<string, unknown>;
  return Object.entries(labels as Record<string, unknown>).every(([key, value]) => Object.hasOwn(target, key) && deepEqual(target[key], value));
});
def("to_boolean", [["string"]], ([s]) => {
  const lower = (s as string).toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  throw fnError("to_boolean", `lowercase argument must be 'true' or 'false' (provided: '${s as string}')`);
});
def("add", [["any"], ["any"]], (args) => arithmetic("add", args[0], args[1]));
def("subtract", [["any"], ["any"]], (args) => arithmetic("subtract", args[0], args[1]));
def("multiply", [["any"], ["any"]], (args) => arithmetic("multiply", args[0], args[1]));
def("divide", [["any"], ["any"]], (args) => arithmetic("divide", args[0], args[1]));
def("modulo", [["any"], ["any"]], (args) => arithmetic("modulo", args[0], args[1]));
def("sum", [["array"]], ([items]) => {
  const list = items as unknown[];
  if (list.length === 0) throw fnError("sum", "at least one element in the array is required");
  let result = list[0];
  for (const item of list.slice(1)) result = arithmetic("sum", result, item);
  return result;
});
def("round", [["number"], ["number"]], ([value, digits]) => {
  let places: number;
  try {
    places = intNumber(digits as number);
  } catch {
    throw fnError("round", "Non-integer argument(s) passed for round off");
  }
  if (places < 0) throw fnError("round", "argument #2 is out of bounds (it must not be negative)");
  const shift = 10 ** places;
  return goRound((value as number) * shift) / shift;
});
def("base64_decode", [["string"]], ([s]) => base64Decode(s as string));
def("base64_encode", [["string"]], ([s]) => Buffer.from(s as string, "utf8").toString("base64"));
def("path_canonicalize", [["string"]], ([s]) => (s === "" ? "" : cleanPath(s as string)));
def("truncate", [["string"], ["number"]], ([s, length]) => {
  const n = Math.max(0, Math.trunc(length as number));
  const runes = [...(s as string)];
  return runes.length <= n ? s : runes.slice(0, n).join("");
});
def("semver_compare", [["string"], ["string"]], ([version, range]) => {
  let parsed: SemVer;
  try {
    parsed = parseSemver(version as string);
  } catch {
    parsed = { major: 0n, minor: 0n, patch: 0n, pre: [] };
  }
  let matcher: (v: SemVer) => boolean;
  try {
    matcher = parseSemverRange(range as string);
  } catch (error) {
    throw fnError("semver_compare", (error as Error).message);
  }
  return matcher(parsed);
});
def("parse_json", [["string"]], ([s]) => {
  try {
    return JSON.parse(s as string) as unknown;
  } catch (error) {
    throw fnError("parse_json", (error as Error).message);
  }
});
def("parse_yaml", [["string"]], ([s]) => parseYamlValue(s as string));
def("lookup", [["object", "array"], ["string", "number"]], ([collection, key]) => {
  if (Array.isArray(collection)) {
    if (typeof key !== "number") throw fnError("lookup", "argument #2 is not of type Number");
    let index: number;
    try {
      index = intNumber(key);
    } catch (error) {
      throw fnError("lookup", `argument #2: ${(error as Error).message}`);
    }
    return index < 0 || index > collection.length - 1 ? null : (collection[index] ?? null);
  }
  if (typeof key !== "string") throw fnError("lookup", "argument #2 is not of type String");
  return (collection as Record<string, unknown>)[key] ?? null;
});
def("items", [["object", "array"], ["string"], ["string"]], ([collection, keyName, valueName]) => {
  const k = keyName as string;
  const v = valueName as string;
  if (Array.isArray(collection)) return collection.map((value, index) => ({ [k]: index, [v]: value }));
  const obj = collection as Record<string, unknown>;
  return Object.keys(obj)
    .sort(compareBytes)
    .map((key) => ({ [k]: key, [v]: obj[key] }));
});
def("object_from_lists", [["array"], ["array"]], ([keys, values]) => {
  const out: Record<string, unknown> = {};
  const list = values as unknown[];
  (keys as unknown[]).forEach((rawKey, i) => {
    const key = ifaceToString(rawKey);
    if (key === undefined) throw fnError("object_from_lists", "argument #1 is not of type StringArray");
    out[key] = i < list.length ? list[i] : null;
  });
  return out;
});
def("random", [["string"]], ([pattern], env) => {
  if (pattern === "") throw new JmespathError("no pattern provided");
  return generateFromRegex(pattern as string, env.random);
});
def("x509_decode", [["string"]], ([pem]) => x509Decode(pem as string));
def("sha256", [["string"]], ([s]) => createHash("sha256").update(s as string, "utf8").digest("hex"));
def("sha1", [["string"]], ([s]) => createHash("sha1").update(s as string, "utf8").digest("hex"));
def("md5", [["string"]], ([s]) => createHash("md5").update(s as string, "utf8").digest("hex"));
def("is_external_url", [["string"]], ([url]) => isExternalUrl(url as string));
def("image_normalize", [["string"]], ([image]) => {
  try {
    return imageInfo(image as string).reference;
  } catch (error) {
    throw fnError("image_normalize", (error as Error).message);
  }
});

// time.go
def("time_since", [["string"], ["string"], ["string"]], ([layout, from, to], env) => {
  const parse = (value: string): GoTime => (layout === "" ? parseGoTime(RFC3339, value) : parseGoTime(layout as string, value));
  const start = parse(from as string);
  const end = to === "" ? timeFromDate(env.now()) : parse(to as string);
  return durationString(timeSub(end, start));
});
def("time_now", null, (_args, env) => formatRfc3339(timeFromDate(env.now())));
def("time_now_utc", null, (_args, env) => formatRfc3339(timeFromDate(env.now())));
def("time_to_cron", [["string"]], ([value]) => {
  const t = timeArg(value as string);
  const c = civil(t);
  return `${c.minute} ${c.hour} ${c.day} ${c.month} ${c.weekday}`;
});
def("time_add", [["string"], ["string"]], ([value, duration]) => formatRfc3339(timeAdd(timeArg(value as string), durationArg(duration as string))));
def("time_parse", [["string"], ["string"]], ([layout, value]) => {
  if (/^[+-]?\d+$/.test(layout as string)) {
    // an integer layout means "epoch seconds"
    if (!/^[+-]?\d+$/.test(value as string)) throw new JmespathError(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
    return formatRfc3339({ unix: BigInt(value as string), nsec: 0, offset: 0 });
  }
  return formatRfc3339(parseGoTime(layout as string, value as string));
});
def("time_utc", [["string"]], ([value]) => formatRfc3339({ ...timeArg(value as string), offset: 0 }));
def("time_diff", [["string"], ["string"]], ([a, b]) => durationString(timeSub(timeArg(b as string), timeArg(a as string))));
def("time_before", [["string"], ["string"]], ([a, b]) => timeNs(timeArg(a as string)) < timeNs(timeArg(b as string)));
def("time_after", [["string"], ["string"]], ([a, b]) => timeNs(timeArg(a as string)) > timeNs(timeArg(b as string)));
def("time_between", [["string"], ["string"], ["string"]], ([t, start, end]) => {
  const at = timeNs(timeArg(t as string));
  return at > timeNs(timeArg(start as string)) && at < timeNs(timeArg(end as string));
});
def("time_truncate", [["string"], ["string"]], ([value, duration]) => formatRfc3339(timeTruncate(timeArg(value as string), durationArg(duration as string))));

function timeArg(value: string): GoTime {
  return parseGoTime(RFC3339, value);
}

function durationArg(value: string): bigint {
  return parseDuration(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Go strings, numbers and encoding/json

/** strings.Compare: byte-wise over UTF-8. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function foldCase(s: string): string {
  return mapRunes(s, (c) => c.toLowerCase()).normalize("NFC");
}

/** Per-rune case mapping, keeping runes whose mapping is not a single rune (Go's unicode.ToUpper). */
function mapRunes(s: string, map: (c: string) => string): string {
  let out = "";
  for (const c of s) {
    const mapped = map(c);
    out += [...mapped].length === 1 ? mapped : c;
  }
  return out;
}

/** strings.Replace(s, old, new, n): n < 0 replaces all; an empty old inserts before each rune. */
function goReplace(s: string, from: string, to: string, n: number): string {
  if (n === 0 || from === to) return s;
  if (from === "") {
    const runes = [...s];
    let out = "";
    let done = 0;
    for (let i = 0; i <= runes.length; i++) {
      if (n < 0 || done < n) {
        out += to;
        done++;
      }
      if (i < runes.length) out += runes[i];
    }
    return out;
  }
  if (n < 0) return s.split(from).join(to);
  let out = "";
  let rest = s;
  for (let i = 0; i < n; i++) {
    const at = rest.indexOf(from);
    if (at < 0) break;
    out += rest.slice(0, at) + to;
    rest = rest.slice(at + from.length);
  }
  return out + rest;
}

/** strings.Trim: drops leading and trailing runes found in cutset. */
function goTrim(s: string, cutset: string): string {
  const cut = new Set([...cutset]);
  const runes = [...s];
  let start = 0;
  let end = runes.length;
  while (start < end && cut.has(runes[start]!)) start++;
  while (end > start && cut.has(runes[end - 1]!)) end--;
  return runes.slice(start, end).join("");
}

/** math.Round: half away from zero. */
function goRound(x: number): number {
  if (!Number.isFinite(x)) return x;
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** strconv.ParseFloat(s, 64), null when it does not parse (to_number). */
function parseGoFloat(s: string): number | null {
  const text = s.replace(/_/g, (match, offset: number) => (/^[+-]?0[xXbBoO]/.test(s) && offset > 0 ? "" : match));
  if (/^[+-]?(inf|infinity)$/i.test(text)) return null; // not representable in JSON; Kyverno would fail to encode it
  if (/^[+-]?nan$/i.test(text)) return null;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (/^[+-]?0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+$/.test(text)) {
    const match = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(text)!;
    const mantissa = parseInt(match[2]! + match[3]! || "0", 16) / 16 ** match[3]!.length;
    return (match[1] === "-" ? -1 : 1) * mantissa * 2 ** Number(match[4]);
  }
  return null;
}

/** strconv.FormatFloat(f, 'f', -1, 32): the shortest float32 digits, without an exponent. */
export function formatFloat32(value: number): string {
  const f = Math.fround(value);
  if (Number.isNaN(f)) return "NaN";
  if (!Number.isFinite(f)) return f > 0 ? "+Inf" : "-Inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  let digits = f.toPrecision(9);
  for (let p = 1; p <= 9; p++) {
    const candidate = f.toPrecision(p);
    if (Math.fround(Number(candidate)) === f) {
      digits = candidate;
      break;
    }
  }
  return plainDecimal(digits);
}

/** A number's decimal digits without an exponent ("1.5e+3" → "1500"), trailing fraction zeros dropped. */
function plainDecimal(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d*))?(?:e([+-]?\d+))?$/.exec(text);
  if (!match) return text;
  const sign = match[1]!;
  let digits = match[2]! + (match[3] ?? "");
  let point = match[2]!.length + Number(match[4] ?? 0);
  if (point <= 0) {
    digits = "0".repeat(1 - point) + digits;
    point = 1;
  }
  if (point > digits.length) digits += "0".repeat(point - digits.length);
  let integer = digits.slice(0, point).replace(/^0+(?=\d)/, "");
  const fraction = digits.slice(point).replace(/0+$/, "");
  if (integer === "") integer = "0";
  return sign + integer + (fraction ? `.${fraction}` : "");
}

/** fmt's %g / %v of a float64: shortest digits, an exponent when it is < -4 or >= 6 (as strconv 'g', -1). */
export function formatGoG(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const shortest = value.toExponential(); // the shortest round-trip digits
  const [mantissa, e] = shortest.split("e") as [string, string];
  const exponent = Number(e);
  if (exponent < -4 || exponent >= 6) {
    const abs = Math.abs(exponent);
    return `${mantissa}e${exponent < 0 ? "-" : "+"}${abs < 10 ? `0${abs}` : abs}`;
  }
  return plainDecimal(shortest);
}

/** encoding/json.Marshal of a JSON value: sorted keys, HTML-safe escapes, Go number formatting. */
export function marshalGoJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new JmespathError(`json: unsupported value: ${formatGoG(value)}`);
    return JSON.stringify(value);
  }
  if (typeof value === "string") return quoteGoJson(value);
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map(marshalGoJson).join(",")}]`;
  if (value instanceof ExprRef) throw new JmespathError("json: unsupported type: expression reference");
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compareBytes(a, b));
    return `{${entries.map(([k, v]) => `${quoteGoJson(k)}:${marshalGoJson(v)}`).join(",")}}`;
  }
  return quoteGoJson(String(value));
}

function quoteGoJson(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** base64.StdEncoding.DecodeString: padding required, \r and \n ignored. */
function base64Decode(input: string): string {
  const s = input.replace(/[\r\n]/g, "");
  const bad = /[^A-Za-z0-9+/=]/.exec(s);
  if (bad) throw new JmespathError(`illegal base64 data at input byte ${bad.index}`);
  if (s.length % 4 !== 0 || /=[^=]/.test(s) || /={3,}$/.test(s)) {
    const at = s.indexOf("=") >= 0 ? s.indexOf("=") : s.length - (s.length % 4);
    throw new JmespathError(`illegal base64 data at input byte ${at}`);
  }
  return Buffer.from(s, "base64").toString("utf8");
}

/** path.Clean (Linux filepath.Join of one element). */
export function cleanPath(path: string): string {
  if (path === "") return ".";
  const rooted = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const joined = out.join("/");
  if (rooted) return `/${joined}`;
  return joined === "" ? "." : joined;
}

/** sigs.k8s.io/yaml.YAMLToJSON then json.Unmarshal: YAML 1.1 scalars, first document, keys as strings. */
function parseYamlValue(text: string): unknown {
  const docs = parseAllDocuments(text, {
    version: "1.1",
    customTags: (tags) => tags.filter((tag) => typeof tag === "object" && tag.tag !== "tag:yaml.org,2002:timestamp" && tag.tag !== "tag:yaml.org,2002:binary"),
  });
  const list = Array.isArray(docs) ? docs : [docs];
  const first = list[0];
  if (!first) return null;
  if (first.errors.length > 0) throw fnError("parse_yaml", first.errors[0]!.message.split("\n")[0]!);
  if (!text.endsWith("\n")) {
    // a clipped block scalar ending the input has no final line break (go-yaml); the yaml package adds one
    visit(first, {
      Scalar(_key, node) {
        const end = node.range?.[1];
        if (isScalar(node) && (node.type === "BLOCK_FOLDED" || node.type === "BLOCK_LITERAL") && end !== undefined && end >= text.length && typeof node.value === "string") {
          node.value = node.value.replace(/\n$/, "");
        }
      },
    });
  }
  const value = first.toJS({ maxAliasCount: 100 }) as unknown;
  return toJsonValue(value);
}

function toJsonValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "number" && !Number.isFinite(value)) throw fnError("parse_yaml", `json: unsupported value: ${formatGoG(value)}`);
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = toJsonValue(v);
    return out;
  }
  if (value instanceof Set) return [...value].map(toJsonValue);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonValue(v);
    return out;
  }
  return value;
}

export { wildcardMatch };

/** is_external_url: a URL whose host is an IP address is external unless loopback or private; a host name would need a DNS lookup, which is not done here. */
function isExternalUrl(url: string): boolean {
  const match = /^(?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/.exec(url);
  const host = (match?.[1] ?? "").replace(/^\[|\]$/g, "");
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4 && v4.slice(1).every((part) => Number(part) <= 255)) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    const internal = a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
    return !internal;
  }
  if (host.includes(":") && /^[0-9A-Fa-f:.]+$/.test(host)) {
    const lower = host.toLowerCase();
    const internal = /^(0*:)*:?0*1$/.test(lower) || lower === "::1" || /^f[cd]/.test(lower);
    return !internal;
  }
  throw fnError("is_external_url", `resolving the host ${JSON.stringify(host)} of ${JSON.stringify(url)} needs the network, which is not available here`);
}

// ---------------------------------------------------------------------------------------------------------------
// RE2 (Go regexp) on JavaScript RegExp

function regexReplace(name: string, args: unknown[], literal: boolean): string {
  const pattern = str(name, args, 0);
  const src = ifaceToString(args[1]);
  if (src === undefined) throw fnError(name, "argument #2 is not of type String or Real");
  const repl = ifaceToString(args[2]);
  if (repl === undefined) throw fnError(name, "argument #3 is not of type String or Real");
  let re: RegExp;
  try {
    re = goRegexp(pattern, true);
  } catch (error) {
    throw fnError(name, (error as Error).message);
  }
  return goReplaceAll(re, src, repl, literal);
}

// ---------------------------------------------------------------------------------------------------------------
// arithmetic.go: numbers, quantities and durations

type Operand = { kind: "scalar"; value: number } | { kind: "quantity"; value: Quantity } | { kind: "duration"; value: bigint };

function operand(value: unknown): Operand | undefined {
  if (typeof value === "number") return { kind: "scalar", value };
  if (typeof value === "string") {
    try {
      return { kind: "quantity", value: parseQuantity(value) };
    } catch {
      // not a quantity
    }
    try {
      return { kind: "duration", value: parseDuration(value) };
    } catch {
      // not a duration
    }
  }
  return undefined;
}

function arithmetic(operator: "add" | "sum" | "subtract" | "multiply" | "divide" | "modulo", a: unknown, b: unknown): unknown {
  const left = operand(a);
  const right = operand(b);
  if (!left || !right) throw fnError(operator, "invalid operands");
  const mismatch = (name: string = operator): JmespathError => fnError(name, "Types mismatch");
  switch (operator) {
    case "add":
    case "sum":
    case "subtract": {
      const op = operator === "subtract" ? "subtract" : operator;
      if (left.kind !== right.kind) throw mismatch(op);
      if (left.kind === "scalar") return operator === "subtract" ? left.value - (right.value as number) : left.value + (right.value as number);
      if (left.kind === "duration") {
        const d = operator === "subtract" ? left.value - (right.value as bigint) : left.value + (right.value as bigint);
        return durationString(BigInt.asIntN(64, d));
      }
      const q = right.value as Quantity;
      return quantityString(operator === "subtract" ? quantityAdd(left.value, quantityNeg(q)) : quantityAdd(left.value, q));
    }
    case "multiply": {
      if (left.kind === "scalar" && right.kind === "scalar") return left.value * right.value;
      const [other, scalar] = left.kind === "scalar" ? [right, left.value] : right.kind === "scalar" ? [left, right.value] : [undefined, 0];
      if (!other) throw mismatch();
      if (other.kind === "duration") return durationString(durationFromFloat(durationSeconds(other.value) * scalar * 1e9));
      const factor = scalarQuantity(scalar);
      const q = other.value as Quantity;
      return quantityString({ unscaled: q.unscaled * factor.unscaled, scale: q.scale + factor.scale, format: q.format });
    }
    case "divide": {
      if (left.kind === "scalar") {
        if (right.kind !== "scalar") throw mismatch();
        if (right.value === 0) throw fnError("divide", "Zero divisor passed");
        return left.value / right.value;
      }
      if (left.kind === "quantity") {
        if (right.kind === "quantity") {
          const divisor = quantityFloat(right.value);
          if (divisor === 0) throw fnError("divide", "Zero divisor passed");
          return quantityFloat(left.value) / divisor;
        }
        if (right.kind !== "scalar") throw mismatch();
        if (right.value === 0) throw fnError("divide", "Zero divisor passed");
        const divisor = scalarQuantity(right.value);
        const scale = Math.max(left.value.scale, divisor.scale);
        return quantityString({ unscaled: quoRoundDown(left.value, divisor, scale), scale, format: left.value.format });
      }
      if (right.kind === "duration") {
        if (right.value === 0n) throw fnError("divide", "Zero divisor passed");
        return durationSeconds(left.value) / durationSeconds(right.value);
      }
      if (right.kind !== "scalar") throw mismatch();
      if (right.value === 0) throw fnError("divide", "Zero divisor passed");
      return durationString(durationFromFloat((durationSeconds(left.value) / right.value) * 1e9));
    }
    case "modulo": {
      if (left.kind !== right.kind) throw mismatch();
      if (left.kind === "duration") {
        if (right.value === 0n) throw fnError("modulo", "Zero divisor passed");
        return durationString(left.value % (right.value as bigint));
      }
      const [f1, f2] = left.kind === "scalar" ? [left.value, right.value as number] : [quantityFloat(left.value), quantityFloat(right.value as Quantity)];
      if (!Number.isInteger(f1) || !Number.isInteger(f2)) throw fnError("modulo", "Non-integer argument(s) passed for modulo");
      if (f2 === 0) throw fnError("modulo", "Zero divisor passed");
      const rest = Number(BigInt(f1) % BigInt(f2));
      if (left.kind === "scalar") return rest;
      return quantityString({ unscaled: BigInt(rest), scale: 0, format: left.value.format });
    }
  }
}

/** resource.ParseQuantity(fmt.Sprintf("%v", f)): the scalar operand of quantity arithmetic. */
function scalarQuantity(value: number): Quantity {
  try {
    return parseQuantity(formatGoG(value));
  } catch (error) {
    throw new JmespathError((error as Error).message);
  }
}

// Kubernetes resource.Quantity -------------------------------------------------------------------------------------

type QuantityFormat = "DecimalSI" | "BinarySI" | "DecimalExponent";

/** A quantity as inf.Dec: unscaled × 10^-scale, with the format its string had. */
export interface Quantity {
  unscaled: bigint;
  scale: number;
  format: QuantityFormat;
}

const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);
const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** resource.ParseQuantity. */
export function parseQuantity(str: string): Quantity {
  if (str.length === 0) throw new Error(QUANTITY_FORMAT_ERROR);
  if (str === "0") return { unscaled: 0n, scale: 0, format: "DecimalSI" };
  let pos = 0;
  const end = str.length;
  let positive = true;
  if (str[0] === "-" || str[0] === "+") {
    positive = str[0] !== "-";
    pos++;
  }
  while (pos < end && str[pos] === "0") pos++;
  if (pos >= end) return { unscaled: 0n, scale: 0, format: "DecimalSI" };
  let numStart = pos;
  while (pos < end && str[pos]! >= "0" && str[pos]! <= "9") pos++;
  let num = str.slice(numStart, pos);
  let denom = "";
  if (pos >= end) {
    // only digits
  } else if (str[pos] === ".") {
    pos++;
    numStart = pos;
    while (pos < end && str[pos]! >= "0" && str[pos]! <= "9") pos++;
    denom = str.slice(numStart, pos);
  }
  if (num === "") num = "0";
  const value = str.slice(0, pos);
  const suffixStart = pos;
  while (pos < end && "eEinumkKMGTP".includes(str[pos]!)) pos++;
  if (pos < end && (str[pos] === "-" || str[pos] === "+")) pos++;
  while (pos < end && str[pos]! >= "0" && str[pos]! <= "9") pos++;
  if (pos < end) throw new Error(QUANTITY_FORMAT_ERROR);
  const suffix = str.slice(suffixStart);

  let base: 2 | 10;
  let exponent: number;
  let format: QuantityFormat;
  if (Object.hasOwn(DECIMAL_SUFFIXES, suffix)) [base, exponent, format] = [10, DECIMAL_SUFFIXES[suffix]!, "DecimalSI"];
  else if (Object.hasOwn(BINARY_SUFFIXES, suffix)) [base, exponent, format] = [2, BINARY_SUFFIXES[suffix]!, "BinarySI"];
  else if (suffix.length > 1 && (suffix[0] === "e" || suffix[0] === "E") && /^[+-]?\d+$/.test(suffix.slice(1))) {
    [base, exponent, format] = [10, Number(suffix.slice(1)), "DecimalExponent"];
    if (!Number.isSafeInteger(exponent)) throw new Error("unable to parse quantity's suffix");
  } else throw new Error("unable to parse quantity's suffix");

  // the int64 fast path: its scale is what inf.Dec arithmetic later sees
  let precision: number;
  let scale = 0;
  let mantissa = 1n;
  if (format === "BinarySI") {
    if (exponent >= 0 && denom.length === 0) {
      mantissa = 1n << BigInt(exponent);
      precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    } else precision = -1;
  } else {
    scale = exponent;
    precision = 18 - (num.length + denom.length);
  }
  if (precision >= 0) {
    scale -= denom.length;
    if (scale >= -9) {
      const shifted = BigInt(num + denom);
      if (shifted > MAX_INT64) throw new Error("unable to parse quantity's numeric part");
      const result = shifted * mantissa;
      if (result <= MAX_INT64) return { unscaled: positive ? result : -result, scale: -scale, format };
    }
  }
  // the inf.Dec path
  const decimal = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(value);
  if (!decimal) throw new Error("unable to parse quantity's numeric part");
  let unscaled = BigInt((decimal[2] ?? "") + (decimal[3] ?? "") || "0");
  let decScale = (decimal[3] ?? "").length;
  if (base === 10) decScale -= exponent;
  else unscaled *= 1n << BigInt(exponent);
  if (unscaled !== 0n) [unscaled, decScale] = roundUp(unscaled, decScale, 9);
  let q: Quantity = { unscaled, scale: decScale, format };
  if (format === "BinarySI" && compareDec(q, { unscaled: MAX_INT64, scale: 0, format }) > 0) q = { unscaled: MAX_INT64, scale: 0, format };
  if (format === "BinarySI" && q.unscaled > 0n && compareDec(q, { unscaled: 1n, scale: 0, format }) < 0) q = { ...q, format: "DecimalSI" };
  if (!positive) q = { ...q, unscaled: -q.unscaled };
  return q;
}

/** inf.Dec Round(x, scale, RoundUp) on a non-negative value: away from zero. */
function roundUp(unscaled: bigint, scale: number, target: number): [bigint, number] {
  if (scale <= target) return [unscaled * pow10(target - scale), target];
  const divisor = pow10(scale - target);
  const quotient = unscaled / divisor;
  return [unscaled % divisor === 0n ? quotient : quotient + (unscaled > 0n ? 1n : -1n), target];
}

function alignDec(a: Quantity, b: Quantity): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.unscaled * pow10(scale - a.scale), b.unscaled * pow10(scale - b.scale), scale];
}

function compareDec(a: Quantity, b: Quantity): number {
  const [x, y] = alignDec(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function quantityAdd(a: Quantity, b: Quantity): Quantity {
  const [x, y, scale] = alignDec(a, b);
  return { unscaled: x + y, scale, format: a.unscaled === 0n ? b.format : a.format };
}

function quantityNeg(q: Quantity): Quantity {
  return { ...q, unscaled: -q.unscaled };
}

/** inf.Dec QuoRound(a, b, scale, RoundDown). */
function quoRoundDown(a: Quantity, b: Quantity, scale: number): bigint {
  const shift = scale + b.scale - a.scale;
  return shift >= 0 ? (a.unscaled * pow10(shift)) / b.unscaled : a.unscaled / (b.unscaled * pow10(-shift));
}

function quantityFloat(q: Quantity): number {
  return Number(`${q.unscaled}e${-q.scale}`);
}

/** Quantity.String(): the canonical form (CanonicalizeBytes). */
export function quantityString(q: Quantity): string {
  if (q.unscaled === 0n) return "0";
  let format = q.format;
  if (format === "BinarySI") {
    const within = compareDec(q, { unscaled: -1024n, scale: 0, format }) > 0 && compareDec(q, { unscaled: 1024n, scale: 0, format }) < 0;
    const integral = q.scale <= 0 || q.unscaled % pow10(q.scale) === 0n;
    if (within || !integral) format = "DecimalSI";
  }
  if (format === "BinarySI") {
    let amount = q.scale <= 0 ? q.unscaled * pow10(-q.scale) : q.unscaled / pow10(q.scale);
    let exponent = 0;
    while (amount !== 0n && amount % 1024n === 0n && exponent < 60) {
      amount /= 1024n;
      exponent += 10;
    }
    const suffix = Object.entries(BINARY_SUFFIXES).find(([, e]) => e === exponent)?.[0] ?? "";
    return `${amount}${suffix}`;
  }
  let mantissa = q.unscaled;
  let exponent = -q.scale;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  while (((exponent % 3) + 3) % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  if (format === "DecimalExponent") return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  const suffix = Object.entries(DECIMAL_SUFFIXES).find(([, e]) => e === exponent)?.[0];
  return suffix === undefined ? `${mantissa}e${exponent}` : `${mantissa}${suffix}`;
}

// Go time helpers Kyverno's functions need beyond util/go-time.ts ---------------------------------------------------

function durationSeconds(d: bigint): number {
  return Number(d / 1_000_000_000n) + Number(d % 1_000_000_000n) / 1e9;
}

function durationFromFloat(ns: number): bigint {
  if (!Number.isFinite(ns)) return MIN_INT64;
  const truncated = BigInt(Math.trunc(ns));
  return truncated > MAX_INT64 || truncated < MIN_INT64 ? MIN_INT64 : truncated;
}

function timeFromDate(date: Date): GoTime {
  const ms = date.getTime();
  const unix = Math.floor(ms / 1000);
  return { unix: BigInt(unix), nsec: (ms - unix * 1000) * 1_000_000, offset: 0 };
}

function timeTruncate(t: GoTime, d: bigint): GoTime {
  if (d <= 0n) return t;
  const sinceZero = timeNs(t) + 62_135_596_800n * 1_000_000_000n;
  const rest = ((sinceZero % d) + d) % d;
  return fromNs(timeNs(t) - rest, t.offset);
}

// blang/semver v4 ------------------------------------------------------------------------------------------------------

interface SemVer {
  major: bigint;
  minor: bigint;
  patch: bigint;
  pre: Array<bigint | string>;
}

const SEMVER_ALPHANUM = /^[0-9A-Za-z-]+$/;

function parseSemverNumber(part: string, what: string): bigint {
  if (!/^\d+$/.test(part)) throw new Error(`Invalid character(s) found in ${what} number ${JSON.stringify(part)}`);
  if (part.length > 1 && part[0] === "0") throw new Error(`${what[0]!.toUpperCase()}${what.slice(1)} number must not contain leading zeroes ${JSON.stringify(part)}`);
  return BigInt(part);
}

/** semver.Parse (strict major.minor.patch[-pre][+build]). */
function parseSemver(s: string): SemVer {
  if (s.length === 0) throw new Error("Version string empty");
  const parts = s.split(".");
  if (parts.length < 3) throw new Error("No Major.Minor.Patch elements found");
  const major = parseSemverNumber(parts[0]!, "major");
  const minor = parseSemverNumber(parts[1]!, "minor");
  let patchStr = parts.slice(2).join(".");
  let build: string[] = [];
  let pre: string[] = [];
  const plus = patchStr.indexOf("+");
  if (plus >= 0) {
    build = patchStr.slice(plus + 1).split(".");
    patchStr = patchStr.slice(0, plus);
  }
  const dash = patchStr.indexOf("-");
  if (dash >= 0) {
    pre = patchStr.slice(dash + 1).split(".");
    patchStr = patchStr.slice(0, dash);
  }
  const patch = parseSemverNumber(patchStr, "patch");
  const prerelease = pre.map((p) => {
    if (p.length === 0) throw new Error("Prerelease is empty");
    if (/^\d+$/.test(p)) {
      if (p.length > 1 && p[0] === "0") throw new Error(`Numeric PreRelease version must not contain leading zeroes ${JSON.stringify(p)}`);
      return BigInt(p);
    }
    if (!SEMVER_ALPHANUM.test(p)) throw new Error(`Invalid character(s) found in prerelease ${JSON.stringify(p)}`);
    return p;
  });
  for (const b of build) {
    if (b.length === 0) throw new Error("Build meta data is empty");
    if (!SEMVER_ALPHANUM.test(b)) throw new Error(`Invalid character(s) found in build meta data ${JSON.stringify(b)}`);
  }
  return { major, minor, patch, pre: prerelease };
}

function compareSemver(a: SemVer, b: SemVer): number {
  for (const key of ["major", "minor", "patch"] as const) if (a[key] !== b[key]) return a[key] > b[key] ? 1 : -1;
  if (a.pre.length === 0 && b.pre.length === 0) return 0;
  if (a.pre.length === 0) return 1;
  if (b.pre.length === 0) return -1;
  let i = 0;
  for (; i < a.pre.length && i < b.pre.length; i++) {
    const x = a.pre[i]!;
    const y = b.pre[i]!;
    if (x === y) continue;
    if (typeof x === "bigint" && typeof y !== "bigint") return -1;
    if (typeof x !== "bigint" && typeof y === "bigint") return 1;
    return x > y ? 1 : -1;
  }
  if (i === a.pre.length && i === b.pre.length) return 0;
  return i === a.pre.length ? -1 : 1;
}

/** semver.ParseRange: space-separated AND, || for OR, x wildcards. */
function parseSemverRange(s: string): (v: SemVer) => boolean {
  // splitAndTrim: split on spaces not following an operator
  const parts: string[] = [];
  let last = 0;
  let lastChar = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] === " " && !">=<".includes(lastChar || "x")) {
      if (last < i - 1) parts.push(s.slice(last, i));
      last = i + 1;
    } else if (s[i] !== " ") lastChar = s[i]!;
  }
  if (last < s.length - 1) parts.push(s.slice(last));
  const cleaned = parts.map((p) => p.replace(/ /g, ""));
  const orParts: string[][] = [];
  let start = 0;
  for (const [i, p] of cleaned.entries()) {
    if (p === "||") {
      if (i === 0) throw new Error("First element in range is '||'");
      orParts.push(cleaned.slice(start, i));
      start = i + 1;
    }
  }
  if (start === cleaned.length) throw new Error("Last element in range is '||'");
  orParts.push(cleaned.slice(start));
  const splitComparator = (p: string): [string, string] => {
    const i = p.search(/\d/);
    if (i < 0) throw new Error(`Could not get version from string: ${JSON.stringify(p)}`);
    return [p.slice(0, i).trim(), p.slice(i)];
  };
  const expanded = orParts.map((and) =>
    and.flatMap((p) => {
      const [op, version] = splitComparator(p);
      if (!p.includes(".x")) return [p];
      const pieces = version.split(".");
      const wildcard = pieces[pieces.length - 1] === "x" ? pieces.length : 0;
      let flat = version.replace(".x.x", ".x").replace(".x", ".0");
      if (flat.split(".").length === 2) flat += ".0";
      const bump = (v: string): string => {
        const segments = v.split(".");
        const index = wildcard === 3 ? 1 : 0;
        segments[index] = String(Number(segments[index]) + 1);
        return segments.join(".");
      };
      const out: string[] = [];
      let resultOp: string;
      let increment = false;
      switch (op) {
        case ">":
          [resultOp, increment] = [">=", true];
          break;
        case ">=":
          resultOp = ">=";
          break;
        case "<":
          resultOp = "<";
          break;
        case "<=":
          [resultOp, increment] = ["<", true];
          break;
        case "":
        case "=":
        case "==":
          out.push(`>=${flat}`);
          [resultOp, increment] = ["<", true];
          break;
        case "!=":
        case "!":
          out.push(`<${flat}`);
          [resultOp, increment] = [">=", true];
          break;
        default:
          resultOp = op;
      }
      const resultVersion = increment ? (wildcard === 3 || wildcard === 2 ? bump(flat) : "") : flat;
      out.push(resultOp + resultVersion);
      return out;
    }),
  );
  const comparators: Record<string, (c: number) => boolean> = {
    "": (c) => c === 0,
    "=": (c) => c === 0,
    "==": (c) => c === 0,
    ">": (c) => c === 1,
    ">=": (c) => c >= 0,
    "<": (c) => c === -1,
    "<=": (c) => c <= 0,
    "!": (c) => c !== 0,
    "!=": (c) => c !== 0,
  };
  const ors = expanded.map((and) =>
    and.map((p) => {
      const [op, version] = splitComparator(p);
      const compare = comparators[op];
      if (!compare) throw new Error(`Could not parse Range ${JSON.stringify(p)}: Could not parse comparator ${JSON.stringify(op)} in ${JSON.stringify(op + version)}`);
      let bound: SemVer;
      try {
        bound = parseSemver(version);
      } catch (error) {
        throw new Error(`Could not parse Range ${JSON.stringify(p)}: Could not parse version ${JSON.stringify(version)} in ${JSON.stringify(op + version)}: ${(error as Error).message}`);
      }
      return (v: SemVer): boolean => compare(compareSemver(v, bound));
    }),
  );
  return (v) => ors.some((and) => and.every((test) => test(v)));
}

// distribution/reference image names (pkg/utils/image) ---------------------------------------------------------------

/** Kyverno's ImageInfo of an image reference, the default registry being docker.io. */
export interface ImageInfo {
  registry: string;
  name: string;
  path: string;
  tag: string;
  digest: string;
  reference: string;
  referenceWithTag: string;
}

const ALNUM = "[a-z0-9]+";
const SEPARATOR = "(?:[._]|__|[-]+)";
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN_AND_PORT = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[(?:[a-fA-F0-9:]+)\\])(?::[0-9]+)?`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const REFERENCE_RE = new RegExp(`^((?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME})(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}))?$`);
const ANCHORED_NAME_RE = new RegExp(`^(?:(${DOMAIN_AND_PORT})/)?(${REMOTE_NAME})$`);
const DIGEST_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const DEFAULT_REGISTRY = "docker.io";

/** imageutils.GetImageInfo with Kyverno's default configuration (docker.io, registry mutation on). */
export function imageInfo(image: string): ImageInfo {
  const slash = image.indexOf("/");
  const first = slash < 0 ? "" : image.slice(0, slash);
  const full =
    slash < 0 || (!/[.:]/.test(first) && first !== "localhost" && first.toLowerCase() === first) ? `${DEFAULT_REGISTRY}/${image}` : image;
  const fail = (reason: string): Error => new Error(`bad image: ${full}, defaultRegistry: ${DEFAULT_REGISTRY}, enableDefaultRegistryMutation: true: ${reason}`);
  if (full.length > 4096) throw fail("invalid reference format");
  const match = REFERENCE_RE.exec(full);
  if (!match) {
    if (full === "") throw fail("repository name must have at least one component");
    if (REFERENCE_RE.test(full.toLowerCase())) throw fail("repository name must be lowercase");
    throw fail("invalid reference format");
  }
  const name = match[1]!;
  if (name.length > 255) throw fail("repository name must not be more than 255 characters");
  const digest = match[3] ?? "";
  if (digest) {
    const [algorithm, hex] = digest.split(":") as [string, string];
    const length = DIGEST_LENGTHS[algorithm];
    if (length === undefined) throw fail("unsupported digest algorithm");
    if (hex.length !== length) throw fail("invalid checksum digest length");
    if (!/^[a-f0-9]+$/.test(hex)) throw fail("invalid checksum digest format");
  }
  const named = ANCHORED_NAME_RE.exec(name);
  const registry = named?.[1] ?? "";
  const path = named ? named[2]! : name;
  const tag = match[2] ?? (digest ? "" : "latest");
  const base = registry ? `${registry}/${path}` : path;
  return {
    registry,
    name: path.slice(path.lastIndexOf("/") + 1),
    path,
    tag,
    digest,
    reference: digest ? `${base}@${digest}` : `${base}:${tag}`,
    referenceWithTag: `${base}:${tag}`,
  };
}

// random(): a string matching a regular expression (zach-klippenstein/goregen) ---------------------------------------

type RegexGen = { kind: "seq"; items: RegexGen[] } | { kind: "alt"; options: RegexGen[] } | { kind: "repeat"; item: RegexGen; min: number; max: number } | { kind: "chars"; set: string[] };

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
const CLASS_SETS: Record<string, string[]> = {
  d: [..."0123456789"],
  w: [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"],
  s: [..." \t\n\f\r"],
};
const MAX_UNBOUNDED = 10;

function generateFromRegex(pattern: string, random: () => number): string {
  const chars = [...pattern];
  let pos = 0;
  const fail = (message: string): JmespathError => new JmespathError(`error parsing regexp: ${message}: \`${pattern}\``);
  const escapeSet = (c: string): string[] => {
    if (CLASS_SETS[c]) return CLASS_SETS[c]!;
    const upper = CLASS_SETS[c.toLowerCase()];
    if (upper && c !== c.toLowerCase()) return PRINTABLE.filter((p) => !upper.includes(p));
    const named: Record<string, string> = { n: "\n", t: "\t", r: "\r", f: "\f", v: "\v" };
    return [named[c] ?? c];
  };
  const parseAlt = (): RegexGen => {
    const options: RegexGen[] = [parseSeq()];
    while (chars[pos] === "|") {
      pos++;
      options.push(parseSeq());
    }
    return options.length === 1 ? options[0]! : { kind: "alt", options };
  };
  const parseSeq = (): RegexGen => {
    const items: RegexGen[] = [];
    while (pos < chars.length && chars[pos] !== "|" && chars[pos] !== ")") {
      let atom = parseAtom();
      if (!atom) continue;
      for (;;) {
        const c = chars[pos];
        let min: number;
        let max: number;
        if (c === "*") [min, max, pos] = [0, MAX_UNBOUNDED, pos + 1];
        else if (c === "+") [min, max, pos] = [1, MAX_UNBOUNDED, pos + 1];
        else if (c === "?") [min, max, pos] = [0, 1, pos + 1];
        else if (c === "{") {
          const match = /^\{(\d+)(,(\d*))?\}/.exec(chars.slice(pos).join(""));
          if (!match) break;
          min = Number(match[1]);
          max = match[2] ? (match[3] ? Number(match[3]) : min + MAX_UNBOUNDED) : min;
          if (max < min || max > 1000) throw fail(`invalid repeat count: \`${match[0]}\``);
          pos += match[0].length;
        } else break;
        if (chars[pos] === "?") pos++; // lazy
        atom = { kind: "repeat", item: atom, min, max };
      }
      items.push(atom);
    }
    return { kind: "seq", items };
  };
  const parseAtom = (): RegexGen | undefined => {
    const c = chars[pos++]!;
    switch (c) {
      case "(": {
        if (chars[pos] === "?") {
          const rest = chars.slice(pos).join("");
          const group = /^\?(?::|P?<[A-Za-z0-9_]+>|[imsU]*:)/.exec(rest);
          if (!group) throw fail("invalid or unsupported Perl syntax");
          pos += group[0].length;
        }
        const inner = parseAlt();
        if (chars[pos] !== ")") throw fail("missing closing )");
        pos++;
        return inner;
      }
      case "[": {
        let negate = false;
        if (chars[pos] === "^") {
          negate = true;
          pos++;
        }
        const set: string[] = [];
        let firstItem = true;
        while (pos < chars.length && (chars[pos] !== "]" || firstItem)) {
          firstItem = false;
          let from = chars[pos++]!;
          if (from === "\\") {
            const e = chars[pos++]!;
            const members = escapeSet(e);
            if (members.length !== 1) {
              set.push(...members);
              continue;
            }
            from = members[0]!;
          }
          if (chars[pos] === "-" && chars[pos + 1] !== undefined && chars[pos + 1] !== "]") {
            pos++;
            let to = chars[pos++]!;
            if (to === "\\") to = escapeSet(chars[pos++]!)[0]!;
            for (let code = from.codePointAt(0)!; code <= to.codePointAt(0)!; code++) set.push(String.fromCodePoint(code));
          } else set.push(from);
        }
        if (chars[pos] !== "]") throw fail("missing closing ]");
        pos++;
        const members = negate ? PRINTABLE.filter((p) => !set.includes(p)) : set;
        if (members.length === 0) throw fail("empty character class");
        return { kind: "chars", set: members };
      }
      case ".":
        return { kind: "chars", set: PRINTABLE };
      case "^":
      case "$":
        return undefined;
      case "\\": {
        const e = chars[pos++];
        if (e === undefined) throw fail("trailing backslash at end of expression");
        if (e === "b" || e === "B" || e === "A" || e === "z") return undefined;
        return { kind: "chars", set: escapeSet(e) };
      }
      case "*":
      case "+":
      case "?":
        throw fail(`missing argument to repetition operator: \`${c}\``);
      default:
        return { kind: "chars", set: [c] };
    }
  };
  const tree = parseAlt();
  if (pos < chars.length) throw fail("unexpected )");
  const pick = (n: number): number => Math.min(n - 1, Math.floor(random() * n));
  const generate = (node: RegexGen): string => {
    switch (node.kind) {
      case "seq":
        return node.items.map(generate).join("");
      case "alt":
        return generate(node.options[pick(node.options.length)]!);
      case "chars":
        return node.set[pick(node.set.length)]!;
      case "repeat": {
        const count = node.min + pick(node.max - node.min + 1);
        let out = "";
        for (let i = 0; i < count; i++) out += generate(node.item);
        return out;
      }
    }
  };
  return generate(tree);
}

// x509_decode: crypto/x509 certificates and CSRs as encoding/json shows them ------------------------------------------

interface Der {
  tag: number;
  constructed: boolean;
  cls: number;
  start: number;
  contentStart: number;
  end: number;
}

function readDer(buf: Uint8Array, pos: number, limit: number = buf.length): Der {
  const malformed = (): Error => new JmespathError("x509: malformed certificate");
  if (pos + 2 > limit) throw malformed();
  const first = buf[pos]!;
  const tag = first & 0x1f;
  if (tag === 0x1f) throw malformed();
  let lengthByte = buf[pos + 1]!;
  let offset = pos + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    lengthByte &= 0x7f;
    if (lengthByte === 0 || lengthByte > 4) throw malformed();
    length = 0;
    for (let i = 0; i < lengthByte; i++) length = length * 256 + buf[offset++]!;
  }
  if (offset + length > limit) throw malformed();
  return { tag, constructed: (first & 0x20) !== 0, cls: first >> 6, start: pos, contentStart: offset, end: offset + length };
}

function derChildren(buf: Uint8Array, node: Der): Der[] {
  const out: Der[] = [];
  for (let pos = node.contentStart; pos < node.end; ) {
    const child = readDer(buf, pos, node.end);
    out.push(child);
    pos = child.end;
  }
  return out;
}

function derBytes(buf: Uint8Array, node: Der, whole = false): Uint8Array {
  return buf.subarray(whole ? node.start : node.contentStart, node.end);
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}

function derOid(buf: Uint8Array, node: Der): number[] {
  const bytes = derBytes(buf, node);
  const out: number[] = [];
  let value = 0;
  for (const [i, byte] of bytes.entries()) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      if (out.length === 0 && i >= 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        out.push(first, value - first * 40);
      } else out.push(value);
      value = 0;
    }
  }
  return out;
}

function derInt(buf: Uint8Array, node: Der): bigint {
  const bytes = derBytes(buf, node);
  if (bytes.length === 0) return 0n;
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  if (bytes[0]! & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return value;
}

function derString(buf: Uint8Array, node: Der): string {
  const bytes = derBytes(buf, node);
  if (node.tag === 0x1e) {
    let out = "";
    for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
    return out;
  }
  if (node.tag === 0x1c) {
    let out = "";
    for (let i = 0; i + 3 < bytes.length; i += 4) out += String.fromCodePoint(((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0);
    return out;
  }
  return Buffer.from(bytes).toString(node.tag === 0x0c ? "utf8" : "latin1");
}

function derTime(buf: Uint8Array, node: Der): string {
  const text = Buffer.from(derBytes(buf, node)).toString("latin1");
  const match = node.tag === 0x17 ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text) : /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\.\d+)?Z$/.exec(text);
  if (!match) throw new JmespathError("x509: malformed validity");
  let year = Number(match[1]);
  if (node.tag === 0x17) year += year < 50 ? 2000 : 1900;
  const fraction = node.tag === 0x18 && match[7] ? match[7].replace(/0+$/, "") : "";
  const pad = (s: string | undefined): string => (s ?? "").padStart(2, "0");
  return `${String(year).padStart(4, "0")}-${pad(match[2])}-${pad(match[3])}T${pad(match[4])}:${pad(match[5])}:${pad(match[6])}${fraction === "." ? "" : fraction}Z`;
}

const NAME_ATTRIBUTES: Record<string, string> = {
  "2.5.4.3": "CommonName",
  "2.5.4.5": "SerialNumber",
  "2.5.4.6": "Country",
  "2.5.4.7": "Locality",
  "2.5.4.8": "Province",
  "2.5.4.9": "StreetAddress",
  "2.5.4.10": "Organization",
  "2.5.4.11": "OrganizationalUnit",
  "2.5.4.17": "PostalCode",
};

function derName(buf: Uint8Array, node: Der): Record<string, unknown> {
  const name: Record<string, unknown> = {
    Country: null,
    Organization: null,
    OrganizationalUnit: null,
    Locality: null,
    Province: null,
    StreetAddress: null,
    PostalCode: null,
    SerialNumber: "",
    CommonName: "",
    Names: null,
    ExtraNames: null,
  };
  const names: Array<{ Type: number[]; Value: unknown }> = [];
  for (const rdn of derChildren(buf, node)) {
    for (const atv of derChildren(buf, rdn)) {
      const [typeNode, valueNode] = derChildren(buf, atv);
      if (!typeNode || !valueNode) continue;
      const type = derOid(buf, typeNode);
      const value = derString(buf, valueNode);
      names.push({ Type: type, Value: value });
      const field = NAME_ATTRIBUTES[type.join(".")];
      if (!field) continue;
      if (field === "CommonName" || field === "SerialNumber") name[field] = value;
      else name[field] = [...((name[field] as string[] | null) ?? []), value];
    }
  }
  name.Names = names.length > 0 ? names : null;
  return name;
}

const SIGNATURE_ALGORITHMS: Record<string, number> = {
  "1.2.840.113549.1.1.2": 1,
  "1.2.840.113549.1.1.4": 2,
  "1.2.840.113549.1.1.5": 3,
  "1.2.840.113549.1.1.11": 4,
  "1.2.840.113549.1.1.12": 5,
  "1.2.840.113549.1.1.13": 6,
  "1.2.840.10040.4.3": 7,
  "2.16.840.1.101.3.4.3.2": 8,
  "1.2.840.10045.4.1": 9,
  "1.2.840.10045.4.3.2": 10,
  "1.2.840.10045.4.3.3": 11,
  "1.2.840.10045.4.3.4": 12,
  "1.2.840.113549.1.1.10": 13,
  "1.3.101.112": 16,
};
const PUBLIC_KEY_ALGORITHMS: Record<string, number> = { "1.2.840.113549.1.1.1": 1, "1.2.840.10040.4.1": 2, "1.2.840.10045.2.1": 3, "1.3.101.112": 4 };
const EXT_KEY_USAGES: Record<string, number> = {
  "2.5.29.37.0": 0,
  "1.3.6.1.5.5.7.3.1": 1,
  "1.3.6.1.5.5.7.3.2": 2,
  "1.3.6.1.5.5.7.3.3": 3,
  "1.3.6.1.5.5.7.3.4": 4,
  "1.3.6.1.5.5.7.3.5": 5,
  "1.3.6.1.5.5.7.3.6": 6,
  "1.3.6.1.5.5.7.3.7": 7,
  "1.3.6.1.5.5.7.3.8": 8,
  "1.3.6.1.5.5.7.3.9": 9,
  "1.3.6.1.4.1.311.10.3.3": 10,
  "2.16.840.1.113730.4.1": 11,
  "1.3.6.1.4.1.311.2.1.22": 12,
  "1.3.6.1.4.1.311.61.1.1": 13,
};

function ipString(bytes: Uint8Array): string {
  if (bytes.length === 4) return [...bytes].join(".");
  if (bytes.length === 16 && bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return [...bytes.slice(12)].join(".");
  if (bytes.length !== 16) return `?${Buffer.from(bytes).toString("hex")}`;
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

function uriJson(uri: string): Record<string, unknown> {
  const match = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(uri);
  return {
    Scheme: match?.[1] ?? "",
    Opaque: "",
    User: null,
    Host: match?.[2] ?? "",
    Path: match?.[3] ?? uri,
    RawPath: "",
    OmitHost: false,
    ForceQuery: false,
    RawQuery: match?.[4] ?? "",
    Fragment: match?.[5] ?? "",
    RawFragment: "",
  };
}

interface GeneralNames {
  dns: string[];
  email: string[];
  ip: string[];
  uri: string[];
}

function generalNames(buf: Uint8Array, nodes: Der[]): GeneralNames {
  const out: GeneralNames = { dns: [], email: [], ip: [], uri: [] };
  for (const node of nodes) {
    if (node.cls !== 2) continue;
    const text = (): string => Buffer.from(derBytes(buf, node)).toString("latin1");
    if (node.tag === 1) out.email.push(text());
    else if (node.tag === 2) out.dns.push(text());
    else if (node.tag === 6) out.uri.push(text());
    else if (node.tag === 7) out.ip.push(ipString(derBytes(buf, node)));
  }
  return out;
}

function rsaPublicKey(buf: Uint8Array, spki: Der): { N: string; E: number } {
  const [algorithm, bits] = derChildren(buf, spki);
  if (!algorithm || !bits) throw new JmespathError("failed to parse subject public key info");
  const oid = derOid(buf, derChildren(buf, algorithm)[0]!).join(".");
  if (PUBLIC_KEY_ALGORITHMS[oid] !== 1) throw new JmespathError("certificate should use rsa algorithm");
  const inner = derBytes(buf, bits).subarray(1);
  const key = readDer(inner, 0);
  const [modulus, exponent] = derChildren(inner, key);
  if (!modulus || !exponent) throw new JmespathError("failed to parse subject public key info");
  const n = derInt(inner, modulus);
  const e = derInt(inner, exponent);
  if (n <= 0n || e <= 0n || e >= 1n << 31n) throw new JmespathError("failed to parse subject public key info");
  return { N: n.toString(), E: Number(e) };
}

interface Extensions {
  list: Array<{ Id: number[]; Critical: boolean; Value: string }> | null;
  fields: Record<string, unknown>;
}

function parseExtensions(buf: Uint8Array, nodes: Der[], certificate: boolean): Extensions {
  const fields: Record<string, unknown> = {
    KeyUsage: 0,
    ExtKeyUsage: null,
    UnknownExtKeyUsage: null,
    BasicConstraintsValid: false,
    IsCA: false,
    MaxPathLen: 0,
    MaxPathLenZero: false,
    SubjectKeyId: null,
    AuthorityKeyId: null,
    OCSPServer: null,
    IssuingCertificateURL: null,
    DNSNames: null,
    EmailAddresses: null,
    IPAddresses: null,
    URIs: null,
    PermittedDNSDomainsCritical: false,
    PermittedDNSDomains: null,
    ExcludedDNSDomains: null,
    PermittedIPRanges: null,
    ExcludedIPRanges: null,
    PermittedEmailAddresses: null,
    ExcludedEmailAddresses: null,
    PermittedURIDomains: null,
    ExcludedURIDomains: null,
    CRLDistributionPoints: null,
    PolicyIdentifiers: null,
    UnhandledCriticalExtensions: null,
  };
  const list: Array<{ Id: number[]; Critical: boolean; Value: string }> = [];
  const append = (key: string, values: unknown[]): void => {
    if (values.length > 0) fields[key] = [...((fields[key] as unknown[] | null) ?? []), ...values];
  };
  for (const ext of nodes) {
    const parts = derChildren(buf, ext);
    const id = derOid(buf, parts[0]!);
    const critical = parts.length === 3 && parts[1]!.tag === 0x01 && derBytes(buf, parts[1]!)[0] !== 0;
    const valueNode = parts[parts.length - 1]!;
    const value = derBytes(buf, valueNode);
    list.push({ Id: id, Critical: critical, Value: b64(value) });
    const key = id.join(".");
    let handled = true;
    try {
      const inner = value.length > 0 ? readDer(value, 0) : undefined;
      switch (key) {
        case "2.5.29.15": {
          const bits = derBytes(value, inner!);
          let usage = 0;
          const bitLength = (bits.length - 1) * 8 - (bits[0] ?? 0);
          for (let i = 0; i < 9 && i < bitLength; i++) if ((bits[1 + Math.floor(i / 8)]! >> (7 - (i % 8))) & 1) usage |= 1 << i;
          fields.KeyUsage = usage;
          break;
        }
        case "2.5.29.19": {
          const children = derChildren(value, inner!);
          let index = 0;
          let isCA = false;
          if (children[0]?.tag === 0x01) {
            isCA = derBytes(value, children[0])[0] !== 0;
            index++;
          }
          const maxPathLen = children[index]?.tag === 0x02 ? Number(derInt(value, children[index]!)) : -1;
          Object.assign(fields, { BasicConstraintsValid: true, IsCA: isCA, MaxPathLen: maxPathLen, MaxPathLenZero: maxPathLen === 0 });
          break;
        }
        case "2.5.29.17": {
          const names = generalNames(value, derChildren(value, inner!));
          append("DNSNames", names.dns);
          append("EmailAddresses", names.email);
          append("IPAddresses", names.ip);
          append("URIs", names.uri.map(uriJson));
          break;
        }
        case "2.5.29.14":
          fields.SubjectKeyId = b64(derBytes(value, inner!));
          break;
        case "2.5.29.35": {
          const keyId = derChildren(value, inner!).find((child) => child.cls === 2 && child.tag === 0);
          if (keyId) fields.AuthorityKeyId = b64(derBytes(value, keyId));
          break;
        }
        case "2.5.29.37": {
          const known: number[] = [];
          const unknown: number[][] = [];
          for (const oidNode of derChildren(value, inner!)) {
            const oid = derOid(value, oidNode);
            const usage = EXT_KEY_USAGES[oid.join(".")];
            if (usage === undefined) unknown.push(oid);
            else known.push(usage);
          }
          append("ExtKeyUsage", known);
          append("UnknownExtKeyUsage", unknown);
          break;
        }
        case "2.5.29.31": {
          const urls: string[] = [];
          for (const point of derChildren(value, inner!)) {
            const name = derChildren(value, point).find((child) => child.cls === 2 && child.tag === 0);
            const full = name ? derChildren(value, name).find((child) => child.cls === 2 && child.tag === 0) : undefined;
            if (full) urls.push(...generalNames(value, derChildren(value, full)).uri);
          }
          append("CRLDistributionPoints", urls);
          break;
        }
        case "2.5.29.32":
          append(
            "PolicyIdentifiers",
            derChildren(value, inner!).map((policy) => derOid(value, derChildren(value, policy)[0]!)),
          );
          break;
        case "2.5.29.30": {
          fields.PermittedDNSDomainsCritical = critical;
          for (const subtrees of derChildren(value, inner!)) {
            const permitted = subtrees.tag === 0;
            const names = generalNames(
              value,
              derChildren(value, subtrees).map((subtree) => derChildren(value, subtree)[0]!),
            );
            append(permitted ? "PermittedDNSDomains" : "ExcludedDNSDomains", names.dns);
            append(permitted ? "PermittedEmailAddresses" : "ExcludedEmailAddresses", names.email);
            append(permitted ? "PermittedURIDomains" : "ExcludedURIDomains", names.uri);
          }
          break;
        }
        case "1.3.6.1.5.5.7.1.1":
          for (const access of derChildren(value, inner!)) {
            const [method, location] = derChildren(value, access);
            if (!method || !location || location.cls !== 2 || location.tag !== 6) continue;
            const url = Buffer.from(derBytes(value, location)).toString("latin1");
            const methodOid = derOid(value, method).join(".");
            if (methodOid === "1.3.6.1.5.5.7.48.1") append("OCSPServer", [url]);
            else if (methodOid === "1.3.6.1.5.5.7.48.2") append("IssuingCertificateURL", [url]);
          }
          break;
        default:
          handled = ["2.5.29.33", "2.5.29.36", "2.5.29.54"].includes(key);
      }
    } catch (error) {
      if (error instanceof JmespathError && !error.message.startsWith("x509: malformed")) throw error;
      throw new JmespathError(`x509: malformed extension ${key}`);
    }
    if (critical && !handled && certificate) append("UnhandledCriticalExtensions", [id]);
  }
  return { list: list.length > 0 ? list : null, fields };
}

function decodePem(text: string): { type: string; der: Uint8Array } {
  const match = /-----BEGIN ([^\n-]+)-----\r?\n([\s\S]*?)\r?\n?-----END \1-----/.exec(text);
  if (!match) throw new JmespathError("failed to decode PEM block");
  const body = match[2]!
    .split(/\r?\n/)
    .filter((line) => !line.includes(":"))
    .join("")
    .replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) throw new JmespathError("failed to decode PEM block");
  return { type: match[1]!, der: new Uint8Array(Buffer.from(body, "base64")) };
}

function x509Decode(pem: string): Record<string, unknown> {
  const { type, der } = decodePem(pem);
  if (type === "CERTIFICATE") return decodeCertificate(der);
  if (type === "CERTIFICATE REQUEST") return decodeCertificateRequest(der);
  throw new JmespathError("PEM block neither contains a CERTIFICATE or CERTIFICATE REQUEST");
}

function decodeCertificate(der: Uint8Array): Record<string, unknown> {
  const root = readDer(der, 0);
  const [tbs, signatureAlgorithm, signature] = derChildren(der, root);
  if (!tbs || !signatureAlgorithm || !signature) throw new JmespathError("x509: malformed certificate");
  const fields = derChildren(der, tbs);
  let index = 0;
  let version = 0;
  if (fields[0]?.cls === 2 && fields[0].tag === 0) {
    version = Number(derInt(der, derChildren(der, fields[0])[0]!));
    index++;
  }
  const [serial, , issuer, validity, subject, spki] = fields.slice(index);
  if (!serial || !issuer || !validity || !subject || !spki) throw new JmespathError("x509: malformed certificate");
  const [notBefore, notAfter] = derChildren(der, validity);
  const extensionsNode = fields.slice(index + 6).find((node) => node.cls === 2 && node.tag === 3);
  const extensions = parseExtensions(der, extensionsNode ? derChildren(der, derChildren(der, extensionsNode)[0]!) : [], true);
  const algorithmOid = derOid(der, derChildren(der, signatureAlgorithm)[0]!).join(".");
  const spkiAlgorithm = derOid(der, derChildren(der, derChildren(der, spki)[0]!)[0]!).join(".");
  const publicKey = rsaPublicKey(der, spki);
  const { UnhandledCriticalExtensions, ...rest } = extensions.fields;
  return {
    Raw: b64(derBytes(der, root, true)),
    RawTBSCertificate: b64(derBytes(der, tbs, true)),
    RawSubjectPublicKeyInfo: b64(derBytes(der, spki, true)),
    RawSubject: b64(derBytes(der, subject, true)),
    RawIssuer: b64(derBytes(der, issuer, true)),
    Signature: b64(derBytes(der, signature).subarray(1)),
    SignatureAlgorithm: SIGNATURE_ALGORITHMS[algorithmOid] ?? 0,
    PublicKeyAlgorithm: PUBLIC_KEY_ALGORITHMS[spkiAlgorithm] ?? 0,
    PublicKey: publicKey,
    Version: version + 1,
    // a big.Int goes through float64 in Kyverno too (it decodes the JSON into interface{})
    SerialNumber: Number(derInt(der, serial)),
    Issuer: derName(der, issuer),
    Subject: derName(der, subject),
    NotBefore: derTime(der, notBefore!),
    NotAfter: derTime(der, notAfter!),
    Extensions: extensions.list,
    ExtraExtensions: null,
    UnhandledCriticalExtensions,
    ...rest,
  };
}

function decodeCertificateRequest(der: Uint8Array): Record<string, unknown> {
  const root = readDer(der, 0);
  const [info, signatureAlgorithm, signature] = derChildren(der, root);
  if (!info || !signatureAlgorithm || !signature) throw new JmespathError("x509: malformed certificate request");
  const [version, subject, spki, attributes] = derChildren(der, info);
  if (!version || !subject || !spki) throw new JmespathError("x509: malformed certificate request");
  const extensionNodes: Der[] = [];
  for (const attribute of attributes ? derChildren(der, attributes) : []) {
    const [oid, values] = derChildren(der, attribute);
    if (oid && values && derOid(der, oid).join(".") === "1.2.840.113549.1.9.14") {
      for (const set of derChildren(der, values)) extensionNodes.push(...derChildren(der, set));
    }
  }
  const extensions = parseExtensions(der, extensionNodes, false);
  const algorithmOid = derOid(der, derChildren(der, signatureAlgorithm)[0]!).join(".");
  const spkiAlgorithm = derOid(der, derChildren(der, derChildren(der, spki)[0]!)[0]!).join(".");
  return {
    Raw: b64(derBytes(der, root, true)),
    RawTBSCertificateRequest: b64(derBytes(der, info, true)),
    RawSubjectPublicKeyInfo: b64(derBytes(der, spki, true)),
    RawSubject: b64(derBytes(der, subject, true)),
    Version: Number(derInt(der, version)),
    Signature: b64(derBytes(der, signature).subarray(1)),
    SignatureAlgorithm: SIGNATURE_ALGORITHMS[algorithmOid] ?? 0,
    PublicKeyAlgorithm: PUBLIC_KEY_ALGORITHMS[spkiAlgorithm] ?? 0,
    PublicKey: rsaPublicKey(der, spki),
    Subject: derName(der, subject),
    Attributes: null,
    Extensions: extensions.list,
    ExtraExtensions: null,
    DNSNames: extensions.fields.DNSNames,
    EmailAddresses: extensions.fields.EmailAddresses,
    IPAddresses: extensions.fields.IPAddresses,
    URIs: extensions.fields.URIs,
  };
}
