// The CEL environment Kubernetes admission policies are written against, on @marcbachmann/cel-js.
//
// What the API server's base environment (k8s.io/apiserver/pkg/cel/environment/base.go) offers, as far as it makes
// sense without a cluster:
// - cel-go's standard library and macros (has, all, exists, exists_one, map, filter, cel.bind), optional types
//   (?. / [?], optional.of / none / ofNonZeroValue, hasValue, value, or, orValue), homogeneous aggregate literals;
// - cel-go ext strings v2 (charAt, indexOf, lastIndexOf, lowerAscii, upperAscii, replace, split, substring, trim,
//   join, strings.quote, format) and ext sets (sets.contains, sets.equivalent, sets.intersects);
// - two-variable comprehensions (all, exists, existsOne, transformList, transformMap with an index/key and a value);
// - the Kubernetes libraries in k8s.io/apiserver/pkg/cel/library: lists (isSorted, sum, min, max, indexOf,
//   lastIndexOf), regex (find, findAll), urls (url, isURL, getScheme, getHost, getHostname, getPort, getEscapedPath,
//   getQuery), quantity (quantity, isQuantity, sign, isGreaterThan, isLessThan, compareTo, add, sub, mul, div, divInt,
//   asInteger, asApproximateFloat, isInteger), ip and cidr, format (format.dns1123Label() ... .validate()), semver.
// The authorizer library needs the cluster's RBAC: the `authorizer` variable exists, and using it is an evaluation
// error that says so. With the "kyverno" library, Kyverno's `resource.get` / `resource.list` read the objects handed
// in (KyvernoResources); its network libraries (http, globalContext, image data) fail the same clear way.
// Not here: the Kubernetes image library, cost limits. `matches()` is cel-js's and runs JavaScript regular
// expressions (a literal pattern that could backtrack catastrophically is refused at compile time, a computed one
// when it runs: guard-matches.ts); find / findAll
// translate RE2's common spellings (see regex.ts).
//
// Values from YAML are converted on the way in: integral numbers become CEL ints (bigint), other numbers doubles.
import { Environment, Optional } from "@marcbachmann/cel-js";
import { backtrackingRisk } from "../../util/safe-regex.ts";
import { GUARD_FUNCTION, guardMatchesPatterns } from "./guard-matches.ts";
import { Duration, UnsignedInt } from "@marcbachmann/cel-js/evaluator";
import { isDns1035Label, isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue } from "../../schema/checks.ts";
import { CIDR, IPAddress } from "./net.ts";
import { Quantity } from "./quantity.ts";
import { find, findAll } from "./regex.ts";
import { kindInfo } from "./resources.ts";
import { Semver } from "./semver.ts";
import { ParsedURL } from "./url.ts";

/** The variables of a ValidatingAdmissionPolicy expression (k8s.io/apiserver/pkg/admission/plugin/cel). */
export const ADMISSION_VARIABLES = ["object", "oldObject", "request", "params", "namespaceObject", "variables", "authorizer"] as const;
/**
 * What a Kyverno ValidatingPolicy adds (kyverno pkg/cel/policies/vpol/compiler): `resource` look-ups (answered from
 * the objects handed in), `exceptions`, and the cluster and network look-ups (http, globalContext, image data).
 */
export const KYVERNO_VARIABLES = ["globalContext", "http", "image", "imageData", "resource", "exceptions"] as const;

export type CelLibrary = "kubernetes" | "kyverno";

export interface CelProgram {
  readonly expression: string;
  /** The type the checker infers: "bool", "string", "dyn", ... */
  readonly resultType: string;
  readonly library: CelLibrary;
  /** Every identifier the expression names (variables, iteration variables). */
  readonly identifiers: ReadonlySet<string>;
  /** The fields the expression selects on `variables` (variables.x, variables.?x). */
  readonly variableReferences: ReadonlySet<string>;
  /** @internal */
  readonly run: (context: Record<string, unknown>) => unknown;
}

export type CompileResult = { ok: true; program: CelProgram } | { ok: false; error: string };
export type EvaluateResult = { ok: true; value: unknown } | { ok: false; error: string };

// ---------------------------------------------------------------------------------------------------------------
// Values

/** Objects already in CEL form (converted, or built by the evaluator), left alone by toCelValue. */
const converted = new WeakSet<object>();
/** Conversions of the objects handed in, so an object read by many expressions is converted once. */
const conversions = new WeakMap<object, unknown>();
const LAZY = Symbol("lazy-variables");

/**
 * A YAML value as CEL sees it: integral numbers as int (bigint), objects and lists copied with the same rule. The
 * copy of an object is remembered: objects handed in are read, never changed, by the policies.
 */
export function toCelValue(value: unknown): unknown {
  switch (typeof value) {
    case "number":
      return Number.isInteger(value) ? BigInt(value) : value;
    case "undefined":
      return null;
    case "object": {
      if (value === null || converted.has(value) || (value as Record<symbol, unknown>)[LAZY]) return value;
      if (conversions.has(value)) return conversions.get(value);
      let result: object;
      if (Array.isArray(value)) {
        result = value.map(toCelValue);
      } else if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
        result = Object.fromEntries(
          Object.entries(value as Record<string, unknown>)
            .filter(([, item]) => item !== undefined)
            .map(([key, item]) => [key, toCelValue(item)]),
        );
      } else {
        return value;
      }
      converted.add(result);
      conversions.set(value, result);
      return result;
    }
    default:
      return value;
  }
}

/**
 * A map whose entries are computed when an expression first reads them (VAP `variables`): each getter runs once;
 * an error is thrown to the expression reading it, every time it reads it.
 */
export function lazyMap(entries: Record<string, () => unknown>): Record<string, unknown> {
  const map = Object.create(null) as Record<string | symbol, unknown>;
  Object.defineProperty(map, LAZY, { value: true, enumerable: false });
  for (const [name, compute] of Object.entries(entries)) {
    let state: { value: unknown } | { error: unknown } | undefined;
    let running = false;
    Object.defineProperty(map, name, {
      enumerable: true,
      get() {
        if (!state) {
          if (running) throw new Error(`variable ${JSON.stringify(name)} refers to itself`);
          running = true;
          try {
            state = { value: compute() };
          } catch (error) {
            state = { error };
          } finally {
            running = false;
          }
        }
        if ("error" in state) throw state.error;
        return state.value;
      },
    });
  }
  return map as Record<string, unknown>;
}

function isMap(value: unknown): value is Record<string, unknown> | Map<unknown, unknown> {
  if (value instanceof Map) return true;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function mapEntries(value: Record<string, unknown> | Map<unknown, unknown>): [unknown, unknown][] {
  return value instanceof Map ? [...value.entries()] : Object.keys(value).map((key) => [key, value[key]]);
}

function numeric(value: unknown): number | bigint | undefined {
  if (typeof value === "bigint" || typeof value === "number") return value;
  if (value instanceof UnsignedInt) return value.value;
  return undefined;
}

/** CEL equality: numbers across int, uint and double; lists and maps deeply; library types by value. */
export function celEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) {
    if (typeof na === "number" && Number.isNaN(na)) return false;
    if (typeof nb === "number" && Number.isNaN(nb)) return false;
    return na == nb;
  }
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => celEquals(item, b[i]));
  }
  if (isMap(a) || isMap(b)) {
    if (!isMap(a) || !isMap(b)) return false;
    const ea = mapEntries(a);
    const eb = new Map(mapEntries(b));
    if (ea.length !== eb.size) return false;
    return ea.every(([key, value]) => eb.has(key) && celEquals(value, eb.get(key)));
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Duration && b instanceof Duration) return a.seconds === b.seconds && a.nanos === b.nanos;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (a instanceof Quantity && b instanceof Quantity) return a.equals(b);
  if (a instanceof IPAddress && b instanceof IPAddress) return a.equals(b);
  if (a instanceof CIDR && b instanceof CIDR) return a.equals(b);
  if (a instanceof ParsedURL && b instanceof ParsedURL) return a.equals(b);
  if (a instanceof Semver && b instanceof Semver) return a.compare(b) === 0;
  if (a instanceof Optional && b instanceof Optional) {
    return a.hasValue() === b.hasValue() && (!a.hasValue() || celEquals(a.value(), b.value()));
  }
  return false;
}

/** CEL ordering for comparable values of one kind; throws when they cannot be compared. */
function celCompare(a: unknown, b: unknown): number {
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (a instanceof Duration && b instanceof Duration) {
    return a.seconds !== b.seconds ? (a.seconds < b.seconds ? -1 : 1) : a.nanos - b.nanos;
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  }
  throw new Error(`no such overload: cannot compare ${celTypeName(a)} and ${celTypeName(b)}`);
}

function celTypeName(value: unknown): string {
  if (value === null || value === undefined) return "null_type";
  if (typeof value === "bigint") return "int";
  if (typeof value === "number") return "double";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value)) return "list";
  if (isMap(value)) return "map";
  if (value instanceof UnsignedInt) return "uint";
  if (value instanceof Date) return "google.protobuf.Timestamp";
  if (value instanceof Duration) return "google.protobuf.Duration";
  if (value instanceof Uint8Array) return "bytes";
  if (value instanceof Quantity) return "kubernetes.Quantity";
  if (value instanceof IPAddress) return "net.IP";
  if (value instanceof CIDR) return "net.CIDR";
  if (value instanceof ParsedURL) return "kubernetes.URL";
  if (value instanceof Semver) return "kubernetes.Semver";
  if (value instanceof Optional) return "optional_type";
  return "dyn";
}

/** A CEL value as text, the way `string()` and the format function's %s write it. */
export function celToString(value: unknown, nested = false): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return nested ? JSON.stringify(value) : value;
  if (typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => celToString(item, true)).join(", ")}]`;
  if (isMap(value)) return `{${mapEntries(value).map(([k, v]) => `${celToString(k, true)}: ${celToString(v, true)}`).join(", ")}}`;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  if (value instanceof Optional) return value.hasValue() ? `optional.of(${celToString(value.value(), true)})` : "optional.none()";
  return String(value);
}

// ---------------------------------------------------------------------------------------------------------------
// ext strings: format and quote (cel-go ext/formatting.go, ext/strings.go)

function formatNumber(value: unknown, clause: string, precision: number | undefined): string {
  const n = numeric(value);
  switch (clause) {
    case "d":
      if (typeof n !== "bigint") throw new Error(`error during formatting: decimal clause can only be used on integers, was given ${celTypeName(value)}`);
      return String(n);
    case "f":
    case "e": {
      if (n === undefined) throw new Error(`error during formatting: fixed-point clause can only be used on doubles, was given ${celTypeName(value)}`);
      const x = Number(n);
      if (Number.isNaN(x)) return "NaN";
      if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
      if (clause === "f") return x.toFixed(precision ?? 6);
      const [mantissa, exponent = "0"] = x.toExponential(precision ?? 6).split("e");
      const sign = exponent.startsWith("-") ? "-" : "+";
      return `${mantissa}e${sign}${exponent.replace(/^[+-]/, "").padStart(2, "0")}`;
    }
    case "b":
    case "o":
    case "x":
    case "X": {
      const radix = clause === "b" ? 2 : clause === "o" ? 8 : 16;
      let text: string;
      if (typeof n === "bigint") text = (n < 0n ? "-" : "") + (n < 0n ? -n : n).toString(radix);
      else if (typeof value === "boolean" && clause === "b") text = value ? "1" : "0";
      else if (typeof value === "string" && radix === 16) text = hex(new TextEncoder().encode(value));
      else if (value instanceof Uint8Array && radix === 16) text = hex(value);
      else if (typeof n === "number" && radix === 16) text = n.toString(16);
      else throw new Error(`error during formatting: only integers${radix === 16 ? ", strings and bytes" : ""} can be formatted with %${clause}, was given ${celTypeName(value)}`);
      return clause === "X" ? text.toUpperCase() : text;
    }
    default:
      throw new Error(`could not parse formatting clause: unrecognized formatting clause "${clause}"`);
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function celFormat(template: string, args: unknown[]): string {
  let out = "";
  let argIndex = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== "%") {
      out += c;
      continue;
    }
    if (template[i + 1] === "%") {
      out += "%";
      i++;
      continue;
    }
    const clause = /^(?:\.([0-9]+))?([a-zA-Z])/.exec(template.slice(i + 1));
    if (!clause) throw new Error(`could not parse formatting clause: unexpected end of string`);
    i += clause[0].length;
    if (argIndex >= args.length) throw new Error(`index ${argIndex} out of range`);
    const value = args[argIndex++];
    const precision = clause[1] === undefined ? undefined : Number(clause[1]);
    out += clause[2] === "s" ? celToString(value) : formatNumber(value, clause[2]!, precision);
  }
  return out;
}

function quote(text: string): string {
  let out = '"';
  for (const c of text) {
    switch (c) {
      case "\x07":
        out += "\\a";
        break;
      case "\b":
        out += "\\b";
        break;
      case "\f":
        out += "\\f";
        break;
      case "\n":
        out += "\\n";
        break;
      case "\r":
        out += "\\r";
        break;
      case "\t":
        out += "\\t";
        break;
      case "\v":
        out += "\\v";
        break;
      case "\\":
        out += "\\\\";
        break;
      case '"':
        out += '\\"';
        break;
      default:
        out += c;
    }
  }
  return `${out}"`;
}

// ---------------------------------------------------------------------------------------------------------------
// Library value types and namespaces

class NamedFormat {
  constructor(
    readonly name: string,
    readonly validate: (value: string) => string[],
  ) {}
}

function maskTrailingDash(value: string): string {
  return value.length > 1 && value.endsWith("-") ? `${value.slice(0, -1)}a` : value;
}

const FORMATS: Record<string, NamedFormat> = {
  dns1123Label: new NamedFormat("DNS1123Label", isDns1123Label),
  dns1123Subdomain: new NamedFormat("DNS1123Subdomain", isDns1123Subdomain),
  dns1035Label: new NamedFormat("DNS1035Label", isDns1035Label),
  qualifiedName: new NamedFormat("QualifiedName", isQualifiedName),
  dns1123LabelPrefix: new NamedFormat("DNS1123LabelPrefix", (s) => isDns1123Label(maskTrailingDash(s))),
  dns1123SubdomainPrefix: new NamedFormat("DNS1123SubdomainPrefix", (s) => isDns1123Subdomain(maskTrailingDash(s))),
  dns1035LabelPrefix: new NamedFormat("DNS1035LabelPrefix", (s) => isDns1035Label(maskTrailingDash(s))),
  labelValue: new NamedFormat("LabelValue", isValidLabelValue),
  uri: new NamedFormat("URI", (s) => {
    const error = ParsedURL.requestURIError(s);
    return error === undefined ? [] : [error];
  }),
  uuid: new NamedFormat("uuid", (s) =>
    /^(?:[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12})$/i.test(s) ? [] : ["does not match the UUID format"],
  ),
  byte: new NamedFormat("byte", (s) =>
    /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s) ? [] : ["invalid base64"],
  ),
  date: new NamedFormat("date", (s) => (isDate(s) ? [] : ["invalid date"])),
  datetime: new NamedFormat("datetime", (s) =>
    /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) && isDate(s.slice(0, 10)) ? [] : ["invalid datetime"],
  ),
};

function isDate(s: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

class IPNamespace {}
class StringsNamespace {}
class SetsNamespace {}
class FormatNamespace {}

const AUTHORIZER_UNSUPPORTED =
  "the authorizer library is not available: gitops-verify evaluates policies without a cluster, so authorization checks cannot be made";

/** The `authorizer` variable: present so expressions compile, failing clearly when an expression uses it. */
class Authorizer {
  get requestResource(): never {
    throw new Error(AUTHORIZER_UNSUPPORTED);
  }
}

const KYVERNO_UNSUPPORTED = (name: string) =>
  `Kyverno's ${name} library is not available: gitops-verify evaluates policies without a cluster or network access`;

/** Kyverno's look-up variables (http, globalContext, image data): any call fails clearly. */
class KyvernoExternal {
  constructor(readonly library: string) {}
}

/**
 * Kyverno's `resource` library (pkg/cel/libs/resource: get, list) over the objects handed in, in place of the
 * cluster: `resource.get("v1", "configmaps", "default", "name")` finds the ConfigMap among them.
 */
export class KyvernoResources {
  constructor(readonly objects: readonly Record<string, unknown>[]) {}

  private select(apiVersion: string, resource: string, namespace: string): Record<string, unknown>[] {
    return this.objects.filter((object) => {
      if (!object || object.apiVersion !== apiVersion || typeof object.kind !== "string") return false;
      const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
      if (kindInfo(group, object.kind).resource !== resource) return false;
      const metadata = (object.metadata ?? {}) as Record<string, unknown>;
      return namespace === "" || (metadata.namespace ?? "") === namespace;
    });
  }

  get(apiVersion: string, resource: string, namespace: string, name: string): unknown {
    const found = this.select(apiVersion, resource, namespace).find((o) => ((o.metadata ?? {}) as Record<string, unknown>).name === name);
    if (!found) throw new Error(`${resource} ${JSON.stringify(name)} not found${namespace ? ` in namespace ${JSON.stringify(namespace)}` : ""} among the objects given`);
    return toCelValue(found);
  }

  list(apiVersion: string, resource: string, namespace: string): unknown {
    return toCelValue({ apiVersion, items: this.select(apiVersion, resource, namespace) });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Two-variable comprehensions (cel-go ext.TwoVarComprehensions): all, exists, existsOne, transformList, transformMap

interface MacroNode {
  op: string;
  args: unknown;
}
interface MacroContext {
  forkWithVariable(name: string, type: unknown): MacroContext;
  reuse(parent: MacroContext): MacroContext;
  setIterValue(value: unknown, ev: unknown): MacroContext;
}
interface MacroChecker {
  check(node: MacroNode, ctx: MacroContext): { type: string; kind: string };
  getType(name: string): unknown;
}
interface MacroEvaluator {
  run(node: MacroNode, ctx: MacroContext): unknown;
}
interface TwoVarMacro {
  receiver: MacroNode;
  first: string;
  second: string;
  filter?: MacroNode;
  body: MacroNode;
  inner?: MacroContext;
  outer?: MacroContext;
}

type TwoVarKind = "all" | "exists" | "existsOne" | "transformList" | "transformMap";

function identifier(node: MacroNode, what: string): string {
  if (node.op !== "id" || typeof node.args !== "string") throw new Error(`${what}: the iteration variables must be simple identifiers`);
  return node.args;
}

function twoVarMacro(kind: TwoVarKind, withFilter: boolean) {
  return ({ args, receiver }: { args: MacroNode[]; receiver: MacroNode }) => {
    const macro: TwoVarMacro & Record<string, unknown> = {
      receiver,
      first: identifier(args[0]!, kind),
      second: identifier(args[1]!, kind),
      filter: withFilter ? args[2] : undefined,
      body: withFilter ? args[3]! : args[2]!,
      typeCheck(checker: MacroChecker, m: TwoVarMacro, ctx: MacroContext) {
        checker.check(m.receiver, ctx);
        const dyn = checker.getType("dyn");
        m.outer = ctx.forkWithVariable(m.first, dyn);
        m.inner = m.outer.forkWithVariable(m.second, dyn);
        if (m.filter) checker.check(m.filter, m.inner);
        checker.check(m.body, m.inner);
        return checker.getType(kind === "transformList" ? "list" : kind === "transformMap" ? "map" : "bool");
      },
      evaluate(ev: MacroEvaluator, m: TwoVarMacro, ctx: MacroContext) {
        return evaluateTwoVar(kind, ev, m, ctx);
      },
    };
    return macro;
  };
}

function evaluateTwoVar(kind: TwoVarKind, ev: MacroEvaluator, m: TwoVarMacro, ctx: MacroContext): unknown {
  const collection = ev.run(m.receiver, ctx);
  let entries: [unknown, unknown][];
  if (Array.isArray(collection)) entries = collection.map((item, i) => [BigInt(i), item]);
  else if (isMap(collection)) entries = mapEntries(collection);
  else throw new Error(`${kind}() cannot iterate over ${celTypeName(collection)}`);
  const run = (node: MacroNode, key: unknown, value: unknown) => {
    const outer = m.outer!.reuse(ctx).setIterValue(key, ev);
    return ev.run(node, m.inner!.reuse(outer).setIterValue(value, ev));
  };
  const predicate = (node: MacroNode, key: unknown, value: unknown): boolean => {
    const result = run(node, key, value);
    if (typeof result !== "boolean") throw new Error(`${kind}() predicate must return bool, got ${celTypeName(result)}`);
    return result;
  };
  switch (kind) {
    case "all":
    case "exists": {
      const stopOn = kind === "exists";
      let firstError: unknown;
      for (const [key, value] of entries) {
        try {
          if (predicate(m.body, key, value) === stopOn) return stopOn;
        } catch (error) {
          firstError ??= error;
        }
      }
      if (firstError !== undefined) throw firstError;
      return !stopOn;
    }
    case "existsOne":
      return entries.filter(([key, value]) => predicate(m.body, key, value)).length === 1;
    case "transformList":
      return entries.filter(([key, value]) => !m.filter || predicate(m.filter, key, value)).map(([key, value]) => run(m.body, key, value));
    case "transformMap": {
      const result = Object.create(null) as Record<string, unknown>;
      for (const [key, value] of entries) {
        if (m.filter && !predicate(m.filter, key, value)) continue;
        result[String(key)] = run(m.body, key, value);
      }
      return result;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The environment

function listOf(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what} needs a list, got ${celTypeName(value)}`);
  return value;
}

function sum(list: unknown[]): unknown {
  if (list.length === 0) return 0n;
  let total: unknown = list[0];
  for (const item of list.slice(1)) {
    if (typeof total === "bigint" && typeof item === "bigint") total = total + item;
    else if (typeof total === "number" && typeof item === "number") total = total + item;
    else if (total instanceof UnsignedInt && item instanceof UnsignedInt) total = new UnsignedInt(total.value + item.value);
    else if (total instanceof Duration && item instanceof Duration) total = total.addDuration(item);
    else throw new Error(`no such overload: sum() of ${celTypeName(total)} and ${celTypeName(item)}`);
  }
  return total;
}

function pick(list: unknown[], name: "min" | "max"): unknown {
  if (list.length === 0) throw new Error(`${name} called on empty list`);
  let result = list[0];
  for (const item of list.slice(1)) {
    const order = celCompare(result, item);
    if ((name === "min" && order > 0) || (name === "max" && order < 0)) result = item;
  }
  return result;
}

function isZeroValue(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === 0n || value === "") return true;
  if (Array.isArray(value) || value instanceof Uint8Array) return value.length === 0;
  if (isMap(value)) return mapEntries(value).length === 0;
  if (value instanceof UnsignedInt) return value.value === 0n;
  if (value instanceof Duration) return value.seconds === 0n && value.nanos === 0;
  if (value instanceof Date) return value.getTime() === 0;
  return false;
}

function buildEnvironment(library: CelLibrary): Environment {
  const env = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: true });

  // the guard guardMatchesPatterns wraps around matches() patterns: a pattern that could backtrack catastrophically
  // is an evaluation error instead of a hang
  env.registerFunction(`${GUARD_FUNCTION}(string): string`, (pattern: string) => {
    const risk = backtrackingRisk(pattern);
    if (risk) throw new Error(`matches() refused the pattern ${JSON.stringify(pattern)}: ${risk}`);
    return pattern;
  });

  // ext strings
  env.registerFunction("string.charAt(int): string", (s: string, index: bigint) => {
    const chars = [...s];
    if (index < 0n || index > BigInt(chars.length)) throw new Error(`index out of range: ${index}`);
    return chars[Number(index)] ?? "";
  });
  env.registerFunction("string.replace(string, string): string", (s: string, from: string, to: string) => s.split(from).join(to));
  env.registerFunction("string.replace(string, string, int): string", (s: string, from: string, to: string, n: bigint) => {
    if (n < 0n) return s.split(from).join(to);
    let out = s;
    let at = 0;
    for (let i = 0n; i < n; i++) {
      const found = out.indexOf(from, at);
      if (found < 0) break;
      out = out.slice(0, found) + to + out.slice(found + from.length);
      at = found + to.length + (from === "" ? 1 : 0);
    }
    return out;
  });
  env.registerFunction("string.format(list): string", (s: string, args: unknown[]) => celFormat(s, args));
  env.registerType("StringsNamespace", StringsNamespace);
  env.registerConstant("strings", "StringsNamespace", new StringsNamespace());
  env.registerFunction("StringsNamespace.quote(string): string", (_: unknown, s: string) => quote(s));

  // ext sets
  env.registerType("SetsNamespace", SetsNamespace);
  env.registerConstant("sets", "SetsNamespace", new SetsNamespace());
  const contains = (a: unknown[], b: unknown[]) => b.every((item) => a.some((other) => celEquals(item, other)));
  env.registerFunction("SetsNamespace.contains(list, list): bool", (_: unknown, a: unknown[], b: unknown[]) => contains(a, b));
  env.registerFunction("SetsNamespace.equivalent(list, list): bool", (_: unknown, a: unknown[], b: unknown[]) => contains(a, b) && contains(b, a));
  env.registerFunction("SetsNamespace.intersects(list, list): bool", (_: unknown, a: unknown[], b: unknown[]) =>
    a.some((item) => b.some((other) => celEquals(item, other))),
  );

  // optional.ofNonZeroValue
  env.registerFunction("OptionalNamespace.ofNonZeroValue(dyn): optional<dyn>", (_: unknown, value: unknown) =>
    isZeroValue(value) ? Optional.none() : Optional.of(value),
  );

  // two-variable comprehensions
  const macros: [string, TwoVarKind, boolean][] = [
    ["list.all(ast, ast, ast): bool", "all", false],
    ["list.exists(ast, ast, ast): bool", "exists", false],
    ["list.existsOne(ast, ast, ast): bool", "existsOne", false],
    ["list.exists_one(ast, ast, ast): bool", "existsOne", false],
    ["list.transformList(ast, ast, ast): list<dyn>", "transformList", false],
    ["list.transformList(ast, ast, ast, ast): list<dyn>", "transformList", true],
    ["list.transformMap(ast, ast, ast): map<dyn, dyn>", "transformMap", false],
    ["list.transformMap(ast, ast, ast, ast): map<dyn, dyn>", "transformMap", true],
  ];
  for (const [signature, kind, withFilter] of macros) env.registerFunction(signature, twoVarMacro(kind, withFilter));

  // Kubernetes lists
  env.registerFunction("list.isSorted(): bool", (list: unknown[]) => list.every((item, i) => i === 0 || celCompare(list[i - 1], item) <= 0));
  env.registerFunction("list.sum(): dyn", (list: unknown[]) => sum(listOf(list, "sum()")));
  env.registerFunction("list.min(): dyn", (list: unknown[]) => pick(listOf(list, "min()"), "min"));
  env.registerFunction("list.max(): dyn", (list: unknown[]) => pick(listOf(list, "max()"), "max"));
  env.registerFunction("list.indexOf(dyn): int", (list: unknown[], item: unknown) => BigInt(list.findIndex((x) => celEquals(x, item))));
  env.registerFunction("list.lastIndexOf(dyn): int", (list: unknown[], item: unknown) => {
    for (let i = list.length - 1; i >= 0; i--) if (celEquals(list[i], item)) return BigInt(i);
    return -1n;
  });

  // Kubernetes regex
  env.registerFunction("string.find(string): string", (s: string, re: string) => find(s, re));
  env.registerFunction("string.findAll(string): list<string>", (s: string, re: string) => findAll(s, re));
  env.registerFunction("string.findAll(string, int): list<string>", (s: string, re: string, n: bigint) => findAll(s, re, Number(n)));

  // Kubernetes urls
  env.registerType("kubernetes.URL", ParsedURL);
  env.registerFunction("url(string): kubernetes.URL", (s: string) => ParsedURL.parse(s));
  env.registerFunction("isURL(string): bool", (s: string) => ParsedURL.isValid(s));
  env.registerFunction("kubernetes.URL.getScheme(): string", (u: ParsedURL) => u.scheme);
  env.registerFunction("kubernetes.URL.getHost(): string", (u: ParsedURL) => u.host);
  env.registerFunction("kubernetes.URL.getHostname(): string", (u: ParsedURL) => u.hostname);
  env.registerFunction("kubernetes.URL.getPort(): string", (u: ParsedURL) => u.port);
  env.registerFunction("kubernetes.URL.getEscapedPath(): string", (u: ParsedURL) => u.escapedPath);
  env.registerFunction("kubernetes.URL.getQuery(): map<string, list<string>>", (u: ParsedURL) => u.query);
  env.registerOperator("kubernetes.URL == kubernetes.URL", (a: ParsedURL, b: ParsedURL) => a.equals(b));

  // Kubernetes quantity
  env.registerType("kubernetes.Quantity", Quantity);
  env.registerFunction("quantity(string): kubernetes.Quantity", (s: string) => Quantity.parse(s));
  env.registerFunction("isQuantity(string): bool", (s: string) => Quantity.isValid(s));
  env.registerFunction("kubernetes.Quantity.sign(): int", (q: Quantity) => q.sign());
  env.registerFunction("kubernetes.Quantity.isGreaterThan(kubernetes.Quantity): bool", (a: Quantity, b: Quantity) => a.compare(b) > 0);
  env.registerFunction("kubernetes.Quantity.isLessThan(kubernetes.Quantity): bool", (a: Quantity, b: Quantity) => a.compare(b) < 0);
  env.registerFunction("kubernetes.Quantity.compareTo(kubernetes.Quantity): int", (a: Quantity, b: Quantity) => BigInt(a.compare(b)));
  env.registerFunction("kubernetes.Quantity.add(kubernetes.Quantity): kubernetes.Quantity", (a: Quantity, b: Quantity) => a.add(b));
  env.registerFunction("kubernetes.Quantity.add(int): kubernetes.Quantity", (a: Quantity, b: bigint) => a.add(new Quantity(b)));
  env.registerFunction("kubernetes.Quantity.sub(kubernetes.Quantity): kubernetes.Quantity", (a: Quantity, b: Quantity) => a.sub(b));
  env.registerFunction("kubernetes.Quantity.sub(int): kubernetes.Quantity", (a: Quantity, b: bigint) => a.sub(new Quantity(b)));
  env.registerFunction("kubernetes.Quantity.mul(int): kubernetes.Quantity", (a: Quantity, b: bigint) => a.mul(b));
  env.registerFunction("kubernetes.Quantity.div(int): kubernetes.Quantity", (a: Quantity, b: bigint) => a.div(b));
  env.registerFunction("kubernetes.Quantity.div(int, int): kubernetes.Quantity", (a: Quantity, b: bigint, places: bigint) => {
    if (places < 0n || places > 10n) throw new Error(`the valid range for roundVal is 0 to 10 but ${places} was passed`);
    return a.div(b, Number(places));
  });
  env.registerFunction("kubernetes.Quantity.divInt(int): kubernetes.Quantity", (a: Quantity, b: bigint) => a.divInt(b));
  env.registerFunction("kubernetes.Quantity.isInteger(): bool", (q: Quantity) => q.asInt64() !== undefined);
  env.registerFunction("kubernetes.Quantity.asInteger(): int", (q: Quantity) => {
    const value = q.asInt64();
    if (value === undefined) throw new Error("cannot convert value to integer");
    return value;
  });
  env.registerFunction("kubernetes.Quantity.asApproximateFloat(): double", (q: Quantity) => q.asApproximateFloat());
  env.registerOperator("kubernetes.Quantity == kubernetes.Quantity", (a: Quantity, b: Quantity) => a.equals(b));

  // Kubernetes ip and cidr
  env.registerType("net.IP", IPAddress);
  env.registerType("net.CIDR", CIDR);
  env.registerType("IPNamespace", IPNamespace);
  env.registerConstant("ip", "IPNamespace", new IPNamespace());
  env.registerFunction("ip(string): net.IP", (s: string) => IPAddress.parse(s));
  env.registerFunction("isIP(string): bool", (s: string) => IPAddress.isValid(s));
  env.registerFunction("IPNamespace.isCanonical(string): bool", (_: unknown, s: string) => IPAddress.parse(s).toString() === s);
  env.registerFunction("string(net.IP): string", (ip: IPAddress) => ip.toString());
  env.registerFunction("net.IP.family(): int", (ip: IPAddress) => BigInt(ip.family));
  env.registerFunction("net.IP.isUnspecified(): bool", (ip: IPAddress) => ip.isUnspecified());
  env.registerFunction("net.IP.isLoopback(): bool", (ip: IPAddress) => ip.isLoopback());
  env.registerFunction("net.IP.isLinkLocalMulticast(): bool", (ip: IPAddress) => ip.isLinkLocalMulticast());
  env.registerFunction("net.IP.isLinkLocalUnicast(): bool", (ip: IPAddress) => ip.isLinkLocalUnicast());
  env.registerFunction("net.IP.isGlobalUnicast(): bool", (ip: IPAddress) => ip.isGlobalUnicast());
  env.registerOperator("net.IP == net.IP", (a: IPAddress, b: IPAddress) => a.equals(b));
  env.registerFunction("cidr(string): net.CIDR", (s: string) => CIDR.parse(s));
  env.registerFunction("isCIDR(string): bool", (s: string) => CIDR.isValid(s));
  env.registerFunction("string(net.CIDR): string", (c: CIDR) => c.toString());
  env.registerFunction("net.CIDR.containsIP(net.IP): bool", (c: CIDR, ip: IPAddress) => c.containsIP(ip));
  env.registerFunction("net.CIDR.containsIP(string): bool", (c: CIDR, ip: string) => c.containsIP(IPAddress.parse(ip)));
  env.registerFunction("net.CIDR.containsCIDR(net.CIDR): bool", (c: CIDR, other: CIDR) => c.containsCIDR(other));
  env.registerFunction("net.CIDR.containsCIDR(string): bool", (c: CIDR, other: string) => c.containsCIDR(CIDR.parse(other)));
  env.registerFunction("net.CIDR.ip(): net.IP", (c: CIDR) => c.address);
  env.registerFunction("net.CIDR.masked(): net.CIDR", (c: CIDR) => c.masked());
  env.registerFunction("net.CIDR.prefixLength(): int", (c: CIDR) => BigInt(c.bits));
  env.registerOperator("net.CIDR == net.CIDR", (a: CIDR, b: CIDR) => a.equals(b));

  // Kubernetes format
  env.registerType("kubernetes.NamedFormat", NamedFormat);
  env.registerType("FormatNamespace", FormatNamespace);
  env.registerConstant("format", "FormatNamespace", new FormatNamespace());
  env.registerFunction("FormatNamespace.named(string): optional<kubernetes.NamedFormat>", (_: unknown, name: string) =>
    Object.hasOwn(FORMATS, name) ? Optional.of(FORMATS[name]) : Optional.none(),
  );
  for (const [name, format] of Object.entries(FORMATS)) {
    env.registerFunction(`FormatNamespace.${name}(): kubernetes.NamedFormat`, () => format);
  }
  env.registerFunction("kubernetes.NamedFormat.validate(string): optional<list<string>>", (format: NamedFormat, value: string) => {
    const errors = format.validate(value);
    return errors.length === 0 ? Optional.none() : Optional.of(errors);
  });

  // Kubernetes semver
  env.registerType("kubernetes.Semver", Semver);
  env.registerFunction("semver(string): kubernetes.Semver", (s: string) => Semver.parse(s));
  env.registerFunction("semver(string, bool): kubernetes.Semver", (s: string, normalize: boolean) => Semver.parse(s, normalize));
  env.registerFunction("isSemver(string): bool", (s: string) => Semver.isValid(s));
  env.registerFunction("isSemver(string, bool): bool", (s: string, normalize: boolean) => Semver.isValid(s, normalize));
  env.registerFunction("kubernetes.Semver.major(): int", (v: Semver) => v.major);
  env.registerFunction("kubernetes.Semver.minor(): int", (v: Semver) => v.minor);
  env.registerFunction("kubernetes.Semver.patch(): int", (v: Semver) => v.patch);
  env.registerFunction("kubernetes.Semver.isGreaterThan(kubernetes.Semver): bool", (a: Semver, b: Semver) => a.compare(b) > 0);
  env.registerFunction("kubernetes.Semver.isLessThan(kubernetes.Semver): bool", (a: Semver, b: Semver) => a.compare(b) < 0);
  env.registerFunction("kubernetes.Semver.compareTo(kubernetes.Semver): int", (a: Semver, b: Semver) => BigInt(a.compare(b)));
  env.registerOperator("kubernetes.Semver == kubernetes.Semver", (a: Semver, b: Semver) => a.compare(b) === 0);

  // Kubernetes authz (library/authz.go): declared so expressions compile; every check fails clearly
  const AUTHZ = "kubernetes.authorization";
  env.registerType(`${AUTHZ}.Authorizer`, { ctor: Authorizer, fields: { requestResource: `${AUTHZ}.ResourceCheck` } });
  for (const name of ["Group", "ResourceCheck", "PathCheck", "Decision"]) env.registerType(`${AUTHZ}.${name}`, class {});
  const unavailable = () => {
    throw new Error(AUTHORIZER_UNSUPPORTED);
  };
  for (const signature of [
    "Authorizer.group(string): Group",
    "Authorizer.serviceAccount(string, string): Authorizer",
    "Authorizer.path(string): PathCheck",
    "Group.resource(string): ResourceCheck",
    "ResourceCheck.subresource(string): ResourceCheck",
    "ResourceCheck.namespace(string): ResourceCheck",
    "ResourceCheck.name(string): ResourceCheck",
    "ResourceCheck.fieldSelector(string): ResourceCheck",
    "ResourceCheck.labelSelector(string): ResourceCheck",
    "ResourceCheck.check(string): Decision",
    "PathCheck.check(string): Decision",
    "Decision.allowed(): bool",
    "Decision.reason(): string",
    "Decision.errored(): bool",
    "Decision.error(): string",
  ]) {
    env.registerFunction(signature.replace(/(^|\(|, |: )([A-Z])/g, `$1${AUTHZ}.$2`), unavailable);
  }

  for (const name of ADMISSION_VARIABLES) env.registerVariable(name, name === "authorizer" ? "kubernetes.authorization.Authorizer" : "dyn");

  if (library === "kyverno") {
    env.registerType("kyverno.External", KyvernoExternal);
    env.registerType("kyverno.Resources", KyvernoResources);
    for (const name of KYVERNO_VARIABLES) {
      env.registerVariable(name, name === "resource" ? "kyverno.Resources" : name === "exceptions" ? "dyn" : "kyverno.External");
    }
    const fail = (external: KyvernoExternal): never => {
      throw new Error(KYVERNO_UNSUPPORTED(external.library));
    };
    for (const method of ["Get", "get", "GetMetadata", "getMetadata", "Post", "post", "Client", "client", "List", "list"]) {
      for (let arity = 1; arity <= 4; arity++) {
        env.registerFunction(`kyverno.External.${method}(${Array(arity).fill("dyn").join(", ")}): dyn`, fail);
      }
    }
    for (const method of ["Get", "get"]) {
      env.registerFunction(`kyverno.Resources.${method}(string, string, string, string): dyn`, (r: KyvernoResources, ...args: string[]) =>
        r.get(args[0]!, args[1]!, args[2]!, args[3]!),
      );
    }
    for (const method of ["List", "list"]) {
      env.registerFunction(`kyverno.Resources.${method}(string, string, string): dyn`, (r: KyvernoResources, ...args: string[]) => r.list(args[0]!, args[1]!, args[2]!));
    }
    for (const method of ["Post", "post"]) {
      env.registerFunction(`kyverno.Resources.${method}(dyn, dyn, dyn, dyn): dyn`, () => {
        throw new Error(KYVERNO_UNSUPPORTED("resource (post)"));
      });
    }
  }
  return env;
}

const environments = new Map<CelLibrary, Environment>();
const typeConstants = new Set<CelLibrary>();

function environment(library: CelLibrary): Environment {
  let env = environments.get(library);
  if (!env) {
    env = buildEnvironment(library);
    environments.set(library, env);
  }
  if (!typeConstants.has(library)) {
    // `net.IP`, `net.CIDR` as type values, for type(ip(...)) == net.IP: the types exist once registered.
    typeConstants.add(library);
    env.registerConstant("net", "map<string, type>", {
      IP: env.evaluate('type(ip("0.0.0.0"))') as unknown,
      CIDR: env.evaluate('type(cidr("0.0.0.0/0"))') as unknown,
    });
  }
  return env;
}

// ---------------------------------------------------------------------------------------------------------------
// Compile and evaluate

const MAX_SHOWN = 160;

/** The expression as an error message quotes it: one line, shortened. */
export function quoteExpression(expression: string): string {
  const line = expression.replace(/\s+/g, " ").trim();
  return JSON.stringify(line.length > MAX_SHOWN ? `${line.slice(0, MAX_SHOWN - 1)}…` : line);
}

function summary(error: unknown): string {
  if (error instanceof Error) {
    const short = (error as Error & { summary?: unknown }).summary;
    const text = typeof short === "string" && short !== "" ? short : (error.message.split("\n")[0] ?? "");
    return text.replace(/^EvaluationError: /, "");
  }
  return String(error);
}

function position(error: unknown, expression: string): string {
  const range = (error as { range?: { start?: number } } | undefined)?.range;
  if (!range || typeof range.start !== "number") return "";
  const before = expression.slice(0, range.start);
  const line = before.split("\n").length;
  const column = range.start - before.lastIndexOf("\n");
  return line > 1 ? ` (line ${line}, column ${column})` : ` (column ${column})`;
}

const compiled = new Map<string, CompileResult>();

interface AstNode {
  op: string;
  args: unknown;
}

function isAstNode(value: unknown): value is AstNode {
  return typeof value === "object" && value !== null && "op" in value && "args" in value;
}

function references(ast: unknown): { identifiers: Set<string>; variableReferences: Set<string> } {
  const identifiers = new Set<string>();
  const variableReferences = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (value: unknown): void => {
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!isAstNode(value)) return;
    if (value.op === "id" && typeof value.args === "string") identifiers.add(value.args);
    if ((value.op === "." || value.op === ".?") && Array.isArray(value.args)) {
      const [target, field] = value.args as [unknown, unknown];
      if (isAstNode(target) && target.op === "id" && target.args === "variables" && typeof field === "string") variableReferences.add(field);
    }
    visit(value.args);
  };
  visit(ast);
  return { identifiers, variableReferences };
}

/** Parse and type-check an expression; the error names the expression and the problem. */
/**
 * cel-js runs matches() on JavaScript's backtracking engine: a literal pattern with nested quantifiers is refused
 * when the expression is compiled (find and findAll are guarded in regex.ts).
 */
function riskyMatchesPattern(expression: string): string | undefined {
  for (const match of expression.matchAll(/matches\s*\((?:[^,()'"]*,\s*)?(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/g)) {
    const risk = backtrackingRisk(match[1] ?? match[2] ?? "");
    if (risk) return risk;
  }
  return undefined;
}

export function compileCel(expression: string, options: { library?: CelLibrary } = {}): CompileResult {
  const library = options.library ?? "kubernetes";
  const key = `${library}\u0000${expression}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  let result: CompileResult;
  const risky = typeof expression === "string" ? riskyMatchesPattern(expression) : undefined;
  if (typeof expression !== "string" || expression.trim() === "") {
    result = { ok: false, error: "expression is empty" };
  } else if (risky) {
    result = { ok: false, error: `expression ${quoteExpression(expression)} does not compile: matches() refused, ${risky}` };
  } else {
    const env = environment(library);
    try {
      const parsed = env.parse(expression);
      const checked = parsed.check();
      if (!checked.valid) {
        result = { ok: false, error: `expression ${quoteExpression(expression)} does not compile: ${summary(checked.error)}${position(checked.error, expression)}` };
      } else {
        const guarded = guardMatchesPatterns(expression);
        const runnable = guarded === expression ? parsed : env.parse(guarded);
        result = {
          ok: true,
          program: { expression, library, resultType: checked.type ?? "dyn", ...references(parsed.ast), run: (context) => runnable(context) as unknown },
        };
      }
    } catch (error) {
      result = { ok: false, error: `expression ${quoteExpression(expression)} does not compile: ${summary(error)}${position(error, expression)}` };
    }
  }
  if (compiled.size > 5000) compiled.clear();
  compiled.set(key, result);
  return result;
}

/** Evaluate a compiled expression; variables are YAML values (converted) or CEL values. The value is CEL's. */
export function evaluateCel(program: CelProgram, variables: Record<string, unknown>): EvaluateResult {
  const context: Record<string, unknown> = {};
  const names: readonly string[] = program.library === "kyverno" ? [...ADMISSION_VARIABLES, ...KYVERNO_VARIABLES] : ADMISSION_VARIABLES;
  for (const name of names) {
    if (name === "authorizer") context[name] = new Authorizer();
    else if (name === "resource") context[name] = variables.resource instanceof KyvernoResources ? variables.resource : new KyvernoResources([]);
    else if (name === "exceptions") context[name] = toCelValue(variables.exceptions ?? { allowedImages: [], allowedValues: [] });
    else if ((KYVERNO_VARIABLES as readonly string[]).includes(name)) context[name] = new KyvernoExternal(name);
    else context[name] = toCelValue(variables[name] ?? null);
  }
  try {
    const value = program.run(context);
    if (value instanceof Promise) return { ok: false, error: `expression ${quoteExpression(program.expression)} failed: asynchronous evaluation is not supported` };
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: `expression ${quoteExpression(program.expression)} failed: ${summary(error)}` };
  }
}
