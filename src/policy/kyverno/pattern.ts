// Kyverno's validate.pattern / validate.anyPattern matching, ported from kyverno/kyverno:
//   pkg/engine/validate/validate.go          MatchPattern, validateResourceElement, validateMap, validateArray(OfMaps)
//   pkg/engine/validate/utils.go             getSortedNestedAnchorResource, hasNestedAnchors
//   pkg/engine/anchor/{anchor,handlers,anchormap,error,utils}.go   anchor parsing, the six handlers, AnchorMap
//   pkg/engine/pattern/pattern.go            Validate: scalar patterns, |, &, ranges, durations, quantities, strings
//   pkg/engine/operator/operator.go          GetOperatorFromStringPattern, InRangeRegex, NotInRangeRegex
//   pkg/engine/wildcards/wildcards.go        ExpandInMetadata (wildcard keys in metadata.labels/annotations)
//   pkg/utils/wildcard/match.go              '*' and '?' matching
//   pkg/engine/handlers/validation/validate_resource.go   validatePatterns: pattern / anyPattern outcome rules
//   pkg/engine/anchor/common/common.go       ValidatePattern (the policy check that rejects unsupported anchors)
// plus the Go library semantics they rely on: k8s.io/apimachinery resource.ParseQuantity / Quantity.Cmp,
// time.ParseDuration, strconv.ParseFloat/ParseInt/FormatFloat and fmt's %v / %T.
//
// Numbers: a Kyverno policy pattern is decoded by encoding/json, so every pattern number is a float64. A resource is
// an unstructured object, whose integral numbers are int64 and the others float64; `numbers: "float64"` treats the
// resource as JMESPath output (foreach elements), where every number is a float64. The difference shows in %v texts,
// in wildcard string comparisons of numbers (int64 8080 is "8080", float64 8080 is "8.08E+03") and in "%f" rendering.

import { containsWildcard, wildcardMatch } from "./wildcard.ts";

export type PatternResult =
  | { status: "pass" }
  | { status: "fail"; path: string; message: string }
  | { status: "skip"; path: string; message: string }
  | { status: "error"; message: string };

export interface PatternOptions {
  /** how integral numbers of the resource are typed: "int64" (an unstructured resource, the default) or "float64" */
  numbers?: "int64" | "float64";
  /** the rule name used in anyPattern messages, as Kyverno writes them ("rule NAME[0] failed at path /x/") */
  ruleName?: string;
}

export function validatePattern(resource: unknown, pattern: unknown, options: PatternOptions = {}): PatternResult {
  const invalid = checkPatternShape(pattern, "");
  if (invalid) return { status: "error", message: invalid };
  const outcome = matchPattern(resource, pattern, options.numbers !== "float64");
  switch (outcome.kind) {
    case "pass":
      return { status: "pass" };
    case "skip":
      return { status: "skip", path: outcome.path, message: outcome.message };
    case "fail":
      // validatePatterns: a PatternError without a path is a rule error, not a failure
      return outcome.path === "" ? { status: "error", message: outcome.message } : { status: "fail", path: outcome.path, message: outcome.message };
  }
}

/** anyPattern: pass if any pattern passes; skip when some skipped and none failed; fail otherwise (validate_resource.go). */
export function validateAnyPattern(resource: unknown, patterns: unknown[], options: PatternOptions = {}): PatternResult {
  if (!Array.isArray(patterns)) return { status: "error", message: "failed to deserialize anyPattern, expected type array" };
  for (const [index, pattern] of patterns.entries()) {
    const invalid = checkPatternShape(pattern, "");
    if (invalid) return { status: "error", message: `anyPattern[${index}]: ${invalid}` };
  }
  const ruleName = options.ruleName ?? "anyPattern";
  const skipped: { path: string; message: string }[] = [];
  const failed: { path: string; message: string }[] = [];
  for (const [index, pattern] of patterns.entries()) {
    const outcome = matchPattern(resource, pattern, options.numbers !== "float64");
    if (outcome.kind === "pass") return { status: "pass" };
    if (outcome.kind === "skip") skipped.push({ path: outcome.path, message: `rule ${ruleName}[${index}] skipped: ${outcome.message}` });
    else if (outcome.path === "") failed.push({ path: "", message: `rule ${ruleName}[${index}] failed: ${outcome.message}` });
    else failed.push({ path: outcome.path, message: `rule ${ruleName}[${index}] failed at path ${outcome.path}` });
  }
  if (skipped.length > 0 && failed.length === 0) {
    return { status: "skip", path: skipped[0]!.path, message: skipped.map((s) => s.message).join(" ") };
  }
  if (failed.length > 0) {
    return { status: "fail", path: failed.find((f) => f.path !== "")?.path ?? "/", message: failed.map((f) => f.message).join(" ") };
  }
  return { status: "pass" };
}

// ---------------------------------------------------------------------------------------------------------------
// Go's error values as MatchPattern sees them: errors.As finds the first anchor error through PatternError.Unwrap
// and multierr's list.

type AnchorErrorKind = "conditional" | "global" | "negation";
type GoError =
  | { kind: "plain"; message: string }
  | { kind: "anchor"; anchor: AnchorErrorKind; message: string }
  | { kind: "pattern"; err: GoError; path: string; skip: boolean }
  | { kind: "multi"; errors: GoError[] };

/** (path, error) as the Go functions return them; undefined is a nil error */
type Step = { path: string; err: GoError } | undefined;

const ANCHOR_PREFIX: Record<AnchorErrorKind, string> = {
  conditional: "conditional anchor mismatch",
  global: "global anchor mismatch",
  negation: "negation anchor matched in resource",
};

function plain(message: string): GoError {
  return { kind: "plain", message };
}
function anchorError(anchor: AnchorErrorKind, message: string): GoError {
  return { kind: "anchor", anchor, message: `${ANCHOR_PREFIX[anchor]}: ${message}` };
}
function combine(errors: GoError[]): GoError {
  return errors.length === 1 ? errors[0]! : { kind: "multi", errors };
}
function errorText(err: GoError): string {
  switch (err.kind) {
    case "plain":
    case "anchor":
      return err.message;
    case "pattern":
      return errorText(err.err);
    case "multi":
      return err.errors.map(errorText).join("; ");
  }
}
function firstAnchorError(err: GoError): AnchorErrorKind | undefined {
  switch (err.kind) {
    case "plain":
      return undefined;
    case "anchor":
      return err.anchor;
    case "pattern":
      return firstAnchorError(err.err);
    case "multi":
      for (const inner of err.errors) {
        const found = firstAnchorError(inner);
        if (found) return found;
      }
      return undefined;
  }
}
/** conditional or global anchors report errors: the rule does not apply to the resource */
function isSkip(err: GoError): boolean {
  const found = firstAnchorError(err);
  return found === "conditional" || found === "global";
}
function isNegation(err: GoError): boolean {
  return firstAnchorError(err) === "negation";
}

// ---------------------------------------------------------------------------------------------------------------
// anchors (pkg/engine/anchor/anchor.go)

type AnchorType = "" | "<" | "X" | "+" | "=" | "^";
interface Anchor {
  type: AnchorType;
  key: string;
}

/** Parse: "(k)" conditional, "<(k)" global, "X(k)" negation, "+(k)" add-if-not-present, "=(k)" equality, "^(k)" existence. */
export function parseAnchor(text: string): Anchor | undefined {
  if (text.length < 2 || !text.endsWith(")")) return undefined;
  let type: AnchorType;
  let key: string;
  if (text[0] === "(") {
    type = "";
    key = text.slice(1, -1);
  } else if ("+=X^<".includes(text[0]!) && text[1] === "(") {
    type = text[0] as AnchorType;
    key = text.slice(2, -1);
  } else return undefined;
  return key === "" ? undefined : { type, key };
}
function anchorString(type: AnchorType, key: string): string {
  return key === "" ? "" : `${type}(${key})`;
}
const isCondition = (a: Anchor | undefined) => a?.type === "";
const isGlobal = (a: Anchor | undefined) => a?.type === "<";
const isNegationAnchor = (a: Anchor | undefined) => a?.type === "X";
const isEquality = (a: Anchor | undefined) => a?.type === "=";
const isExistence = (a: Anchor | undefined) => a?.type === "^";

// ---------------------------------------------------------------------------------------------------------------
// values as Go sees them

type GoMap = Record<string, unknown>;

function isMap(value: unknown): value is GoMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function isScalarPattern(value: unknown): boolean {
  return value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}
function has(map: GoMap, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(map, key);
}
/** resourceMap[key] in Go: a missing key reads as nil */
function lookup(map: GoMap, key: string): unknown {
  return has(map, key) && map[key] !== undefined ? map[key] : null;
}

/** Go's string order (bytes of UTF-8), which is code point order */
export function compareGoStrings(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Whether a number is an int64 on this side (resource integers are int64 unless told otherwise; pattern numbers never). */
type NumberTyping = (value: number) => boolean;
const FLOAT_ONLY: NumberTyping = () => false;
function resourceTyping(intNumbers: boolean): NumberTyping {
  return intNumbers ? (v) => Number.isInteger(v) && Math.abs(v) < 2 ** 63 : FLOAT_ONLY;
}

/** fmt's %T of a decoded JSON value */
function goType(value: unknown, isInt: NumberTyping): string {
  if (value === null || value === undefined) return "<nil>";
  if (Array.isArray(value)) return "[]interface {}";
  switch (typeof value) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
      return isInt(value) ? "int64" : "float64";
    case "object":
      return "map[string]interface {}";
    default:
      return typeof value;
  }
}

/** strconv.FormatFloat(v, 'g', -1, 64), which fmt's %v uses for a float64 */
export function formatGoFloat(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const [mantissa, exponentText] = value.toExponential().split("e") as [string, string];
  const exponent = Number(exponentText);
  // the shortest representation uses %e when the exponent is < -4 or >= 6 (strconv's eprec for precision -1)
  if (exponent < -4 || exponent >= 6) return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  return formatPlain(value);
}
/** the shortest decimal digits of a double without an exponent */
function formatPlain(value: number): string {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  const [mantissa, exponentText] = value.toExponential().split("e") as [string, string];
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  let out: string;
  if (exponent < 0) out = `0.${"0".repeat(-exponent - 1)}${digits}`;
  else out = digits.length > exponent + 1 ? `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}` : digits + "0".repeat(exponent + 1 - digits.length);
  return negative ? `-${out}` : out;
}

/** strconv.FormatFloat(v, 'E', -1, 64) */
function formatGoFloatE(value: number): string {
  if (!Number.isFinite(value)) return formatGoFloat(value);
  const [mantissa, exponentText] = value.toExponential().split("e") as [string, string];
  const exponent = Number(exponentText);
  return `${mantissa}E${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
}

/** fmt.Sprintf("%f", v) */
function formatGoFloatF(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  if (Math.abs(value) >= 1e21) return `${BigInt(value).toString()}.000000`;
  return value.toFixed(6);
}

/** fmt's %v (and fmt.Sprint) of a decoded JSON value; map keys print sorted */
export function formatGoValue(value: unknown, isInt: NumberTyping = FLOAT_ONLY): string {
  if (value === null || value === undefined) return "<nil>";
  if (Array.isArray(value)) return `[${value.map((v) => formatGoValue(v, isInt)).join(" ")}]`;
  switch (typeof value) {
    case "string":
      return value;
    case "boolean":
      return String(value);
    case "number":
      return isInt(value) ? String(value) : formatGoFloat(value);
    case "bigint":
      return value.toString();
    case "object": {
      const map = value as GoMap;
      const keys = Object.keys(map).sort(compareGoStrings);
      return `map[${keys.map((k) => `${k}:${formatGoValue(map[k], isInt)}`).join(" ")}]`;
    }
    default:
      return String(value);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// strconv

/** strconv.ParseInt(s, 10, 64) */
export function goParseInt(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  if (value > 2n ** 63n - 1n || value < -(2n ** 63n)) return undefined;
  return Number(value);
}

/** strconv.ParseFloat(s, 64): decimal and hexadecimal literals, underscores between digits, inf/infinity/nan; out of range is an error */
export function goParseFloat(text: string): number | undefined {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  if (special) {
    if (special[2]!.toLowerCase() === "nan") return NaN;
    return special[1] === "-" ? -Infinity : Infinity;
  }
  const digits = "[0-9]+(?:_[0-9]+)*";
  const decimal = new RegExp(`^[+-]?(?:${digits}(?:\\.(?:${digits})?)?|\\.${digits})(?:[eE][+-]?${digits})?$`);
  if (decimal.test(text)) {
    const value = Number(text.replaceAll("_", ""));
    return Number.isFinite(value) ? value : undefined;
  }
  const hex = /^([+-]?)0[xX]_?((?:[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)?)(?:\.([0-9a-fA-F]*(?:_[0-9a-fA-F]+)*))?[pP]([+-]?[0-9]+(?:_[0-9]+)*)$/.exec(text);
  if (hex && (hex[2] !== "" || (hex[3] ?? "") !== "")) {
    const whole = hex[2]!.replaceAll("_", "");
    const fraction = (hex[3] ?? "").replaceAll("_", "");
    let mantissa = 0;
    for (const c of whole + fraction) mantissa = mantissa * 16 + parseInt(c, 16);
    const value = mantissa * 2 ** (Number(hex[4]!.replaceAll("_", "")) - 4 * fraction.length);
    if (!Number.isFinite(value)) return undefined;
    return hex[1] === "-" ? -value : value;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// pkg/utils/wildcard: '*' any sequence, '?' one character (rune), no escaping

export { containsWildcard, wildcardMatch };

// ---------------------------------------------------------------------------------------------------------------
// k8s.io/apimachinery/pkg/api/resource: ParseQuantity, kept as an exact fraction for Cmp

export interface Quantity {
  /** value = n / d, d > 0 */
  n: bigint;
  d: bigint;
}

const DECIMAL_SI: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SI: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const INT64_MAX = 2n ** 63n - 1n;
const NANO = 10n ** 9n;
/** exponents this large are refused rather than computed (Kyverno computes them with inf.Dec) */
const MAX_QUANTITY_EXPONENT = 10_000;

/** resource.ParseQuantity: undefined where it returns an error */
export function parseQuantity(text: string): Quantity | undefined {
  if (text.length === 0) return undefined;
  if (text === "0") return { n: 0n, d: 1n };
  const parts = parseQuantityString(text);
  if (!parts) return undefined;
  const { positive, num, denom, suffix } = parts;
  let base: 2 | 10;
  let exponent: number;
  let binary = false;
  if (has(DECIMAL_SI, suffix)) {
    base = 10;
    exponent = DECIMAL_SI[suffix]!;
  } else if (has(BINARY_SI, suffix)) {
    base = 2;
    exponent = BINARY_SI[suffix]!;
    binary = true;
  } else if (suffix.length > 1 && (suffix[0] === "e" || suffix[0] === "E")) {
    const parsed = goParseInt(suffix.slice(1));
    if (parsed === undefined) return undefined;
    base = 10;
    exponent = Number(BigInt.asIntN(32, BigInt(parsed)));
  } else return undefined;
  if (Math.abs(exponent) > MAX_QUANTITY_EXPONENT) return undefined;
  // the magnitude num.denom × base^exponent
  let n = BigInt(num + denom);
  let d = 10n ** BigInt(denom.length);
  if (base === 2) n *= 2n ** BigInt(exponent);
  else if (exponent >= 0) n *= 10n ** BigInt(exponent);
  else d *= 10n ** BigInt(-exponent);
  // values are kept to nano precision, rounded up (away from zero); BinarySI is capped at the int64 maximum
  if (n !== 0n && (n * NANO) % d !== 0n) {
    n = (n * NANO) / d + 1n;
    d = NANO;
  }
  if (binary && n > INT64_MAX * d) {
    n = INT64_MAX;
    d = 1n;
  }
  return { n: positive ? n : -n, d };
}

function parseQuantityString(str: string): { positive: boolean; num: string; denom: string; suffix: string } | undefined {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (str[0] === "-") {
    positive = false;
    pos++;
  } else if (str[0] === "+") pos++;
  // strip leading zeros
  for (;;) {
    if (pos >= end) return { positive, num: "0", denom: "", suffix: "" };
    if (str[pos] !== "0") break;
    pos++;
  }
  const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  if (i >= end) return { positive, num: str.slice(pos, end) || "0", denom: "", suffix: "" };
  let num = str.slice(pos, i);
  pos = i;
  if (num.length === 0) num = "0";
  let denom = "";
  if (pos < end && str[pos] === ".") {
    pos++;
    i = pos;
    while (i < end && isDigit(str[i])) i++;
    denom = str.slice(pos, i);
    if (i >= end) return { positive, num, denom, suffix: "" };
    pos = i;
  }
  const suffixStart = pos;
  i = pos;
  while (i < end && "eEinumkKMGTP".includes(str[i]!)) i++;
  if (i >= end) return { positive, num, denom, suffix: str.slice(suffixStart) };
  pos = i;
  if (str[pos] === "-" || str[pos] === "+") pos++;
  i = pos;
  while (i < end && isDigit(str[i])) i++;
  if (i >= end) return { positive, num, denom, suffix: str.slice(suffixStart) };
  // a non-digit after the exponent
  return undefined;
}

/** Quantity.Cmp: -1, 0 or 1 */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const left = a.n * b.d;
  const right = b.n * a.d;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** the quantity of a JSON number, from its shortest decimal text */
export function quantityOfNumber(value: number): Quantity | undefined {
  if (!Number.isFinite(value)) return undefined;
  return parseQuantity(formatPlain(value));
}

// ---------------------------------------------------------------------------------------------------------------
// time.ParseDuration, in nanoseconds

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  "\u00b5s": 1_000n,
  "\u03bcs": 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const TWO_63 = 2n ** 63n;

/** time.ParseDuration: nanoseconds, or undefined where Go returns an error */
export function parseGoDuration(text: string): bigint | undefined {
  let s = text;
  let neg = false;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") return undefined;
  let d = 0n;
  const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
  while (s !== "") {
    if (!(s[0] === "." || isDigit(s[0]))) return undefined;
    // [0-9]*
    let i = 0;
    let v = 0n;
    while (i < s.length && isDigit(s[i])) {
      if (v > TWO_63 / 10n) return undefined;
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > TWO_63) return undefined;
      i++;
    }
    const pre = i > 0;
    s = s.slice(i);
    // (\.[0-9]*)?
    let post = false;
    let f = 0n;
    let scale = 1;
    if (s !== "" && s[0] === ".") {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      while (j < s.length && isDigit(s[j])) {
        if (!overflow) {
          if (f > (TWO_63 - 1n) / 10n) overflow = true;
          else {
            const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
            if (y > TWO_63) overflow = true;
            else {
              f = y;
              scale *= 10;
            }
          }
        }
        j++;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) return undefined;
    // unit
    let u = 0;
    while (u < s.length && !(s[u] === "." || isDigit(s[u]))) u++;
    if (u === 0) return undefined;
    const unit = DURATION_UNITS[s.slice(0, u)];
    s = s.slice(u);
    if (unit === undefined) return undefined;
    if (v > TWO_63 / unit) return undefined;
    v *= unit;
    if (f > 0n) {
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO_63) return undefined;
    }
    d += v;
    if (d > TWO_63) return undefined;
  }
  if (neg) return -d;
  if (d > TWO_63 - 1n) return undefined;
  return d;
}

/** Duration.Seconds() */
export function durationSeconds(ns: bigint): number {
  const sec = ns / 1_000_000_000n;
  const nsec = ns % 1_000_000_000n;
  return Number(sec) + Number(nsec) / 1e9;
}

// ---------------------------------------------------------------------------------------------------------------
// pkg/engine/operator: the operator at the start of a string pattern

export type StringOperator = "" | ">=" | "<=" | "!" | ">" | "<" | "-" | "!-";
const IN_RANGE = /^([-|+]?\d+(?:\.\d+)?[A-Za-z]*)-([-|+]?\d+(?:\.\d+)?[A-Za-z]*)$/;
const NOT_IN_RANGE = /^([-|+]?\d+(?:\.\d+)?[A-Za-z]*)!-([-|+]?\d+(?:\.\d+)?[A-Za-z]*)$/;

export function stringPatternOperator(pattern: string): StringOperator {
  if (pattern.length < 2) return "";
  for (const op of [">=", "<=", ">", "<", "!"] as const) if (pattern.startsWith(op)) return op;
  if (NOT_IN_RANGE.test(pattern)) return "!-";
  if (IN_RANGE.test(pattern)) return "-";
  return "";
}

// ---------------------------------------------------------------------------------------------------------------
// pkg/engine/pattern: Validate

/** pattern.Validate: a resource value against a scalar pattern; `intNumbers` says whether integral values are int64. */
export function validateValue(value: unknown, pattern: unknown, intNumbers = true): boolean {
  return validateValueTyped(value, pattern, resourceTyping(intNumbers));
}

function validateValueTyped(value: unknown, pattern: unknown, isInt: NumberTyping): boolean {
  if (value === undefined) value = null;
  if (pattern === null || pattern === undefined) return validateNilPattern(value);
  if (Array.isArray(pattern)) return false; // arrays are not supported as patterns
  switch (typeof pattern) {
    case "boolean":
      return typeof value === "boolean" && value === pattern;
    case "number":
      // a policy number is a float64: validateFloatPattern
      if (typeof value === "number") return value === pattern;
      if (typeof value === "string") return goParseFloat(value) === pattern;
      return false;
    case "string":
      return validateStringPatterns(value, pattern, isInt);
    case "object":
      return isMap(value);
    default:
      return false;
  }
}

function validateNilPattern(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  switch (typeof value) {
    case "number":
      return value === 0;
    case "string":
      return value === "";
    case "boolean":
      return !value;
    default:
      return false;
  }
}

function validateStringPatterns(value: unknown, pattern: string, isInt: NumberTyping): boolean {
  if (value === pattern) return true;
  for (const orCondition of pattern.split("|")) {
    const condition = trimSpaces(orCondition);
    if (condition.split("&").every((andCondition) => validateStringPattern(value, trimSpaces(andCondition), isInt))) return true;
  }
  return false;
}
/** strings.Trim(s, " ") */
function trimSpaces(text: string): string {
  return text.replace(/^ +| +$/g, "");
}

function validateStringPattern(value: unknown, pattern: string, isInt: NumberTyping): boolean {
  const op = stringPatternOperator(pattern);
  if (op === "-") {
    const m = IN_RANGE.exec(pattern);
    return m !== null && validateStringPattern(value, `>= ${m[1]}`, isInt) && validateStringPattern(value, `<= ${m[2]}`, isInt);
  }
  if (op === "!-") {
    const m = NOT_IN_RANGE.exec(pattern);
    return m !== null && (validateStringPattern(value, `< ${m[1]}`, isInt) || validateStringPattern(value, `> ${m[2]}`, isInt));
  }
  return validateString(value, pattern.slice(op.length).trim(), op, isInt);
}

type CompareOperator = "" | "!" | ">" | "<" | ">=" | "<=";

function validateString(value: unknown, pattern: string, op: CompareOperator, isInt: NumberTyping): boolean {
  const duration = compareDuration(value, pattern, op, isInt);
  if (duration !== undefined) return duration;
  const quantity = compareQuantity(value, pattern, op, isInt);
  if (quantity !== undefined) return quantity;
  return compareString(value, pattern, op, isInt);
}

function byOperator(result: number, op: CompareOperator): boolean {
  switch (op) {
    case "":
      return result === 0;
    case "!":
      return result !== 0;
    case ">":
      return result > 0;
    case "<":
      return result < 0;
    case ">=":
      return result >= 0;
    case "<=":
      return result <= 0;
  }
}

/** convertNumberToString: nil is "0", float64 prints with %f */
function numberToString(value: unknown, isInt: NumberTyping): string | undefined {
  if (value === null || value === undefined) return "0";
  if (typeof value === "string") return value;
  if (typeof value === "number") return isInt(value) ? String(value) : formatGoFloatF(value);
  return undefined;
}

function compareDuration(value: unknown, pattern: string, op: CompareOperator, isInt: NumberTyping): boolean | undefined {
  const expected = parseGoDuration(pattern);
  if (expected === undefined) return undefined;
  const text = numberToString(value, isInt);
  if (text === undefined) return undefined;
  const actual = parseGoDuration(text);
  if (actual === undefined) return undefined;
  return byOperator(actual < expected ? -1 : actual > expected ? 1 : 0, op);
}

function compareQuantity(value: unknown, pattern: string, op: CompareOperator, isInt: NumberTyping): boolean | undefined {
  const expected = parseQuantity(pattern);
  if (!expected) return undefined;
  const text = numberToString(value, isInt);
  if (text === undefined) return undefined;
  const actual = parseQuantity(text);
  if (!actual) return undefined;
  return byOperator(compareQuantities(actual, expected), op);
}

function compareString(value: unknown, pattern: string, op: CompareOperator, isInt: NumberTyping): boolean {
  if (op !== "" && op !== "!") return false; // >, >=, <, <= do not apply to strings
  let text: string;
  if (typeof value === "string") text = value;
  else if (typeof value === "number") text = isInt(value) ? String(value) : formatGoFloatE(value);
  else if (typeof value === "boolean") text = String(value);
  else return false;
  const matched = wildcardMatch(pattern, text);
  return op === "!" ? !matched : matched;
}

// ---------------------------------------------------------------------------------------------------------------
// pkg/engine/validate: MatchPattern

interface MatchContext {
  isInt: NumberTyping;
  /** AnchorMap: for each condition, existence and negation anchor met, whether some resource map had its key */
  anchors: Map<string, boolean>;
}

type MatchOutcome = { kind: "pass" } | { kind: "skip"; path: string; message: string } | { kind: "fail"; path: string; message: string };

function matchPattern(resource: unknown, pattern: unknown, intNumbers: boolean): MatchOutcome {
  const ctx: MatchContext = { isInt: resourceTyping(intNumbers), anchors: new Map() };
  const step = validateResourceElement(resource, pattern, "/", ctx);
  if (!step) return { kind: "pass" };
  const message = errorText(step.err);
  if (isSkip(step.err)) return { kind: "skip", path: step.path, message };
  if (isNegation(step.err)) return { kind: "fail", path: step.path, message };
  // an anchor of the pattern is missing from the resource: Kyverno reports the error without a path
  if ([...ctx.anchors.values()].some((found) => !found)) return { kind: "fail", path: "", message };
  return { kind: "fail", path: step.path, message };
}

function validateResourceElement(resource: unknown, pattern: unknown, path: string, ctx: MatchContext): Step {
  if (resource === undefined) resource = null;
  if (isMap(pattern)) {
    if (!isMap(resource)) {
      return { path, err: plain(`pattern and resource have different structures. Path: ${path}. Expected ${goType(pattern, FLOAT_ONLY)}, found ${goType(resource, ctx.isInt)}`) };
    }
    checkAnchorInResource(pattern, resource, ctx);
    return validateMap(resource, pattern, path, ctx);
  }
  if (Array.isArray(pattern)) {
    if (!Array.isArray(resource)) return { path, err: plain(`validation rule failed at path ${path}, resource does not satisfy the expected overlay pattern`) };
    return validateArray(resource, pattern, path, ctx);
  }
  if (isScalarPattern(pattern)) {
    const values = Array.isArray(resource) ? resource : [resource];
    for (const value of values) {
      if (!validateValueTyped(value, pattern, ctx.isInt)) {
        return { path, err: plain(`resource value '${formatGoValue(resource, ctx.isInt)}' does not match '${formatGoValue(pattern)}' at path ${path}`) };
      }
    }
    return undefined;
  }
  return { path, err: plain(`failed at '${path}', pattern contains unknown type`) };
}

function checkAnchorInResource(pattern: GoMap, resource: GoMap, ctx: MatchContext): void {
  for (const key of Object.keys(pattern)) {
    const a = parseAnchor(key);
    if (!a || !(isCondition(a) || isExistence(a) || isNegationAnchor(a))) continue;
    if (ctx.anchors.get(key) === true) continue;
    ctx.anchors.set(key, has(resource, a.key));
  }
}

function validateMap(resourceMap: GoMap, patternMapIn: GoMap, path: string, ctx: MatchContext): Step {
  const patternMap = expandInMetadata(patternMapIn, resourceMap);
  const anchors: [string, unknown][] = [];
  const resources: [string, unknown][] = [];
  for (const [key, value] of Object.entries(patternMap)) {
    const a = parseAnchor(key);
    if (isCondition(a) || isExistence(a) || isEquality(a) || isNegationAnchor(a)) anchors.push([key, value]);
    else resources.push([key, value]);
  }
  anchors.sort(([a], [b]) => compareGoStrings(a, b));

  // phase 1: the anchors
  const skipErrors: GoError[] = [];
  let applyCount = 0;
  const skipSiblingExists = () => skipErrors.some((e) => e.kind !== "pattern");
  for (const [key, value] of anchors) {
    const step = handleElement(key, value, resourceMap, path, ctx);
    if (step) {
      if (isSkip(step.err)) {
        skipErrors.push(step.err);
        continue;
      }
      if (!skipSiblingExists()) return step;
      continue;
    }
    applyCount++;
  }
  if (skipErrors.length > 0 && (applyCount === 0 || skipSiblingExists())) {
    return { path, err: { kind: "pattern", err: combine(skipErrors), path, skip: true } };
  }

  // phase 2: the other keys, global anchors and keys holding anchors first
  for (const [key, value] of sortedNestedAnchorResources(resources)) {
    const step = handleElement(key, value, resourceMap, path, ctx);
    if (step) return step;
  }
  return undefined;
}

function sortedNestedAnchorResources(resources: [string, unknown][]): [string, unknown][] {
  const sorted = [...resources].sort(([a], [b]) => compareGoStrings(a, b));
  const out: [string, unknown][] = [];
  for (const entry of sorted) {
    if (isGlobal(parseAnchor(entry[0])) || hasNestedAnchors(entry[1])) out.unshift(entry);
    else out.push(entry);
  }
  return out;
}

function hasNestedAnchors(pattern: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.some(hasNestedAnchors);
  if (!isMap(pattern)) return false;
  for (const key of Object.keys(pattern)) {
    const a = parseAnchor(key);
    if (isCondition(a) || isExistence(a) || isEquality(a) || isNegationAnchor(a) || isGlobal(a)) return true;
  }
  return Object.values(pattern).some(hasNestedAnchors);
}

function validateArray(resourceArray: unknown[], patternArray: unknown[], path: string, ctx: MatchContext): Step {
  if (patternArray.length === 0) return { path, err: plain("pattern Array empty") };
  const first = patternArray[0];
  if (isMap(first)) return validateArrayOfMaps(resourceArray, first, path, ctx);
  if (isScalarPattern(first)) return validateResourceElement(resourceArray, first, path, ctx);
  // nested lists (and anything else): element by element
  if (resourceArray.length < patternArray.length) {
    return { path: "", err: plain(`validate Array failed, array length mismatch, resource Array len is ${resourceArray.length} and pattern Array len is ${patternArray.length}`) };
  }
  let applyCount = 0;
  const skipErrors: GoError[] = [];
  for (const [i, patternElement] of patternArray.entries()) {
    const step = validateResourceElement(resourceArray[i], patternElement, `${path}${i}/`, ctx);
    if (step) {
      if (isSkip(step.err)) {
        skipErrors.push(step.err);
        continue;
      }
      return step;
    }
    applyCount++;
  }
  if (applyCount === 0 && skipErrors.length > 0) return { path, err: { kind: "pattern", err: combine(skipErrors), path, skip: true } };
  return undefined;
}

function validateArrayOfMaps(resourceArray: unknown[], patternMap: GoMap, path: string, ctx: MatchContext): Step {
  let applyCount = 0;
  const skipErrors: GoError[] = [];
  for (const [i, element] of resourceArray.entries()) {
    const step = validateResourceElement(element, patternMap, `${path}${i}/`, ctx);
    if (step) {
      if (isSkip(step.err)) {
        skipErrors.push(step.err);
        continue;
      }
      return step;
    }
    applyCount++;
  }
  if (applyCount === 0 && skipErrors.length > 0) return { path, err: { kind: "pattern", err: combine(skipErrors), path, skip: true } };
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// pkg/engine/anchor/handlers.go

function handleElement(element: string, pattern: unknown, resourceMap: GoMap, path: string, ctx: MatchContext): Step {
  const a = parseAnchor(element);
  if (a && isCondition(a)) {
    const currentPath = `${path}${a.key}/`;
    if (!has(resourceMap, a.key)) return { path: currentPath, err: anchorError("conditional", "conditional anchor key doesn't exist in the resource") };
    const step = validateResourceElement(resourceMap[a.key], pattern, currentPath, ctx);
    return step ? { path: step.path, err: anchorError("conditional", errorText(step.err)) } : undefined;
  }
  if (a && isGlobal(a)) {
    const currentPath = `${path}${a.key}/`;
    if (!has(resourceMap, a.key)) return undefined;
    const step = validateResourceElement(resourceMap[a.key], pattern, currentPath, ctx);
    return step ? { path: step.path, err: anchorError("global", errorText(step.err)) } : undefined;
  }
  if (a && isExistence(a)) return handleExistence(a, pattern, resourceMap, path, ctx);
  if (a && isEquality(a)) {
    const currentPath = `${path}${a.key}/`;
    if (!has(resourceMap, a.key)) return undefined;
    return validateResourceElement(resourceMap[a.key], pattern, currentPath, ctx);
  }
  if (a && isNegationAnchor(a)) {
    const currentPath = `${path}${a.key}/`;
    // the key must not be present, whatever its value
    return has(resourceMap, a.key) ? { path: currentPath, err: anchorError("negation", `${currentPath} is not allowed`) } : undefined;
  }
  // the default handler, also for add-if-not-present anchors, which validate does not know
  const value = lookup(resourceMap, element);
  if (pattern === "*") return value !== null ? undefined : { path, err: plain(`${path}/${element} not found`) };
  return validateResourceElement(value, pattern, `${path}${element}/`, ctx);
}

function handleExistence(a: Anchor, pattern: unknown, resourceMap: GoMap, path: string, ctx: MatchContext): Step {
  const currentPath = `${path}${a.key}/`;
  if (!has(resourceMap, a.key)) return undefined;
  const value = resourceMap[a.key];
  if (!Array.isArray(value)) {
    return { path: currentPath, err: plain(`invalid resource type ${goType(value, ctx.isInt)}: Existence ^ () anchor can be used only on list/array type resource`) };
  }
  if (!Array.isArray(pattern)) return { path: currentPath, err: plain(`invalid pattern type ${goType(pattern, FLOAT_ONLY)}: Pattern has to be of list to compare against resource`) };
  for (const patternMap of pattern) {
    if (!isMap(patternMap)) return { path: currentPath, err: plain(`invalid pattern type ${goType(pattern, FLOAT_ONLY)}: Pattern has to be of type map to compare against items in resource`) };
    // every map of the pattern must be matched by at least one element of the resource list
    const found = value.some((element, i) => validateResourceElement(element, patternMap, `${currentPath}${i}/`, ctx) === undefined);
    if (!found) return { path: currentPath, err: plain(`existence anchor validation failed at path ${currentPath}`) };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// pkg/engine/wildcards: wildcard keys of metadata.labels / metadata.annotations become the resource's matching keys.
// Kyverno edits the pattern in place; this returns a new pattern map instead.

function expandInMetadata(patternMap: GoMap, resourceMap: GoMap): GoMap {
  const [metadataKey, patternMetadata] = patternValue("metadata", patternMap);
  if (patternMetadata === null || patternMetadata === undefined) return patternMap;
  const resourceMetadata = resourceMap.metadata;
  if (resourceMetadata === null || resourceMetadata === undefined) return patternMap;
  if (!isMap(patternMetadata)) return patternMap; // Kyverno would panic on this type assertion
  let metadata: GoMap | undefined;
  for (const tag of ["labels", "annotations"]) {
    const expanded = expandWildcardsInTag(tag, patternMetadata, resourceMetadata);
    if (!expanded) continue;
    metadata ??= { ...patternMetadata };
    metadata[expanded[0]] = expanded[1];
  }
  return metadata ? { ...patternMap, [metadataKey]: metadata } : patternMap;
}

function patternValue(tag: string, pattern: GoMap): [string, unknown] {
  for (const [key, value] of Object.entries(pattern)) {
    if (key === tag || parseAnchor(key)?.key === tag) return [key, value];
  }
  return ["", null];
}

function expandWildcardsInTag(tag: string, patternMetadata: unknown, resourceMetadata: unknown): [string, GoMap] | undefined {
  const patternData = valueAsStringMap(tag, patternMetadata);
  if (!patternData) return undefined;
  const resourceData = valueAsStringMap(tag, resourceMetadata);
  if (!resourceData) return undefined;
  const resourceKeys = Object.keys(resourceData[1]);
  const expand = (key: string) => resourceKeys.find((candidate) => wildcardMatch(key, candidate)) ?? key;
  const results: GoMap = {};
  for (const [key, value] of Object.entries(patternData[1])) {
    if (!containsWildcard(key)) results[key] = value;
    else {
      const a = parseAnchor(key);
      if (a) results[anchorString(a.type, expand(a.key))] = value;
      else results[expand(key)] = value;
    }
  }
  return [patternData[0], results];
}

/** getValueAsStringMap: only the string values are kept (nil and other values are dropped) */
function valueAsStringMap(key: string, data: unknown): [string, Record<string, string>] | undefined {
  if (!isMap(data)) return undefined;
  const [patternKey, value] = patternValue(key, data);
  if (!isMap(value)) return undefined;
  const result: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") result[k] = v;
  return [patternKey, result];
}

// ---------------------------------------------------------------------------------------------------------------
// pkg/engine/anchor/common/common.go ValidatePattern, with the anchors a validate rule supports: what the Kyverno CLI and
// admission refuse before any resource is looked at.

function checkPatternShape(pattern: unknown, path: string): string | undefined {
  if (isMap(pattern)) {
    for (const [key, value] of Object.entries(pattern)) {
      const a = parseAnchor(key);
      if (a) {
        if (!(isCondition(a) || isExistence(a) || isEquality(a) || isNegationAnchor(a) || isGlobal(a))) return `${path}/${key}: unsupported anchor ${key}`;
        if (isExistence(a)) {
          if (!Array.isArray(value)) return `${path}/${key}: existence anchor should have value of type list`;
          if (value.length === 0) return `${path}/${key}: existence anchor: should have atleast one value`;
        }
      }
      const inner = checkPatternShape(value, `${path}/${key}`);
      if (inner) return inner;
    }
    return undefined;
  }
  if (Array.isArray(pattern)) {
    for (const [i, element] of pattern.entries()) {
      const inner = checkPatternShape(element, `${path}/${i}`);
      if (inner) return inner;
    }
    return undefined;
  }
  if (isScalarPattern(pattern)) return undefined;
  return `error at '${path || "/"}', pattern contains unknown type`;
}
