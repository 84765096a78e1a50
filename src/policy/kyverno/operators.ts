// Kyverno's condition operators (preconditions, validate.deny.conditions), ported from kyverno/kyverno:
//   pkg/engine/variables/operator/operator.go   CreateOperatorHandler (operator names matched case-insensitively), parseDuration
//   pkg/engine/variables/operator/equal.go, notequal.go          Equals / NotEquals
//   pkg/engine/variables/operator/in.go, notin.go                In / NotIn (deprecated)
//   pkg/engine/variables/operator/anyin.go, anynotin.go          AnyIn / AnyNotIn (wildcards both ways, ranges)
//   pkg/engine/variables/operator/allin.go, allnotin.go          AllIn / AllNotIn
//   pkg/engine/variables/operator/numeric.go                     GreaterThan(OrEquals) / LessThan(OrEquals): durations,
//                                                                quantities, numbers, semver (blang/semver/v4)
//   pkg/engine/variables/operator/duration.go                    Duration* (deprecated)
//   pkg/engine/variables/evaluate.go                             Evaluate, any/all blocks, the deprecated plain list
//   pkg/utils/api (ApiextensionsJsonToKyvernoConditions)         parsing a conditions block
// Values are JSON-decoded as Kyverno decodes them: every number is a float64, and fmt.Sprint prints it as %v does.
// Quirks kept from Kyverno: the numeric and Duration* comparisons compare the operator name exactly, so "greaterthan"
// finds a handler but is never true; In/NotIn with a list key of non-strings panic in Go and are an error here.
import {
  compareGoStrings,
  compareQuantities,
  durationSeconds,
  formatGoValue,
  goParseFloat,
  goParseInt,
  parseGoDuration,
  parseQuantity,
  quantityOfNumber,
  stringPatternOperator,
  validateValue,
  wildcardMatch,
  type Quantity,
} from "./pattern.ts";

export type ConditionResult = { ok: true; value: boolean } | { ok: false; error: string };

export interface Condition {
  key: unknown;
  operator: string;
  value?: unknown;
  message?: string;
}

/** the operator names of kyverno.ConditionOperators */
export const CONDITION_OPERATORS = [
  "Equal",
  "Equals",
  "NotEqual",
  "NotEquals",
  "In",
  "AnyIn",
  "AllIn",
  "NotIn",
  "AnyNotIn",
  "AllNotIn",
  "GreaterThanOrEquals",
  "GreaterThan",
  "LessThanOrEquals",
  "LessThan",
  "DurationGreaterThanOrEquals",
  "DurationGreaterThan",
  "DurationLessThanOrEquals",
  "DurationLessThan",
] as const;

class OperatorPanic extends Error {}

export function evaluateOperator(operator: string, key: unknown, value: unknown): ConditionResult {
  const canonical = typeof operator === "string" ? CONDITION_OPERATORS.find((name) => name.toLowerCase() === operator.toLowerCase()) : undefined;
  if (canonical === undefined) return { ok: false, error: `failed to create handler for condition operator: ${String(operator)}` };
  key = key === undefined ? null : key;
  value = value === undefined ? null : value;
  try {
    return { ok: true, value: evaluateCanonical(canonical, operator, key, value) };
  } catch (error) {
    if (error instanceof OperatorPanic) return { ok: false, error: error.message };
    throw error;
  }
}

function evaluateCanonical(canonical: (typeof CONDITION_OPERATORS)[number], operator: string, key: unknown, value: unknown): boolean {
  switch (canonical) {
    case "Equal":
    case "Equals":
      return equal(key, value);
    case "NotEqual":
    case "NotEquals":
      return notEqual(key, value);
    case "In":
      return inOperator(key, value, false);
    case "NotIn":
      return inOperator(key, value, true);
    case "AnyIn":
      return anyIn(key, value, false);
    case "AnyNotIn":
      return anyIn(key, value, true);
    case "AllIn":
      return allIn(key, value, false);
    case "AllNotIn":
      return allIn(key, value, true);
    case "GreaterThanOrEquals":
    case "GreaterThan":
    case "LessThanOrEquals":
    case "LessThan":
      // compareByCondition switches on the operator as written in the policy
      return numeric(operator, key, value);
    case "DurationGreaterThanOrEquals":
    case "DurationGreaterThan":
    case "DurationLessThanOrEquals":
    case "DurationLessThan":
      return durationOperator(operator, key, value);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// values

type GoMap = Record<string, unknown>;
function isMap(value: unknown): value is GoMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
const sprint = (value: unknown) => formatGoValue(value);

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isMap(a)) {
    if (!isMap(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** operator.go parseDuration: at least one side is a duration string (other than "0"); a number is seconds */
function parseDurationPair(key: unknown, value: unknown): [bigint, bigint] | undefined {
  let keyDuration = typeof key === "string" && key !== "0" ? parseGoDuration(key) : undefined;
  let valueDuration = typeof value === "string" && value !== "0" ? parseGoDuration(value) : undefined;
  if (keyDuration === undefined && valueDuration === undefined) return undefined;
  if (keyDuration === undefined) {
    if (typeof key !== "number") return undefined;
    keyDuration = secondsToDuration(key);
  }
  if (valueDuration === undefined) {
    if (typeof value !== "number") return undefined;
    valueDuration = secondsToDuration(value);
  }
  return [keyDuration, valueDuration];
}

/** time.Duration(x) * time.Second: the float is truncated to an int64, the product wraps */
function secondsToDuration(seconds: number): bigint {
  const whole = Number.isFinite(seconds) && Math.abs(seconds) < 2 ** 63 ? BigInt(Math.trunc(seconds)) : -(2n ** 63n);
  return BigInt.asIntN(64, whole * 1_000_000_000n);
}

/** the quantity of a value compared with a quantity key: a string that parses, or a number */
function comparableQuantity(value: unknown): Quantity | undefined {
  if (typeof value === "string") return parseQuantity(value);
  if (typeof value === "number") return quantityOfNumber(value);
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Equals / NotEquals

function equal(key: unknown, value: unknown): boolean {
  if (typeof key === "boolean") return typeof value === "boolean" && key === value;
  if (typeof key === "number") {
    if (typeof value === "number") return value === key;
    if (typeof value === "string") return goParseFloat(value) === key;
    return false;
  }
  if (typeof key === "string") {
    // durations first: the only type compared with another type
    const durations = parseDurationPair(key, value);
    if (durations) return durationSeconds(durations[0]) === durationSeconds(durations[1]);
    const quantity = parseQuantity(key);
    if (quantity) {
      const other = comparableQuantity(value);
      return other !== undefined && compareQuantities(quantity, other) === 0;
    }
    // the value is the wildcard pattern
    return typeof value === "string" && wildcardMatch(value, key);
  }
  if (isMap(key)) return isMap(value) && deepEqual(key, value);
  if (Array.isArray(key)) return Array.isArray(value) && deepEqual(key, value);
  return false;
}

function notEqual(key: unknown, value: unknown): boolean {
  if (typeof key === "boolean") return typeof value === "boolean" ? key !== value : true;
  if (typeof key === "number") {
    if (typeof value === "number") return value !== key;
    if (typeof value === "string") {
      const parsed = goParseFloat(value);
      return parsed === undefined ? true : parsed !== key;
    }
    return true;
  }
  if (typeof key === "string") {
    const durations = parseDurationPair(key, value);
    if (durations) return durationSeconds(durations[0]) !== durationSeconds(durations[1]);
    const quantity = parseQuantity(key);
    if (quantity) {
      const other = comparableQuantity(value);
      return other === undefined ? true : compareQuantities(quantity, other) !== 0;
    }
    if (typeof value === "string") return !wildcardMatch(value, key);
    return true;
  }
  if (isMap(key)) return isMap(value) ? !deepEqual(key, value) : true;
  if (Array.isArray(key)) return Array.isArray(value) ? !deepEqual(key, value) : true;
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// In / NotIn (deprecated): exact set membership for list keys, wildcards both ways for a scalar key in a list

/** json.Unmarshal(text, &[]string): undefined where Go returns an error */
function unmarshalStringArray(text: string): string[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null) return [];
  if (!Array.isArray(parsed)) return undefined;
  const out: string[] = [];
  for (const item of parsed) {
    if (item === null) out.push("");
    else if (typeof item === "string") out.push(item);
    else return undefined;
  }
  return out;
}

/** json.Valid */
function isValidJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

type Membership = { invalidType: true } | { invalidType: false; found: boolean };
const INVALID: Membership = { invalidType: true };
const found = (value: boolean): Membership => ({ invalidType: false, found: value });

function inOperator(key: unknown, value: unknown, notIn: boolean): boolean {
  let membership: Membership;
  if (typeof key === "string" || typeof key === "number") {
    membership = keyExistsInArray(typeof key === "string" ? key : sprint(key), value);
    if (membership.invalidType) return false;
    return notIn ? !membership.found : membership.found;
  }
  if (Array.isArray(key)) {
    const keys = key.map((item) => {
      if (typeof item !== "string") throw new OperatorPanic(`${notIn ? "NotIn" : "In"}: interface conversion: interface {} is ${goTypeName(item)}, not string`);
      return item;
    });
    membership = setExistsInArray(keys, value, notIn);
    return membership.invalidType ? false : membership.found;
  }
  return false;
}

function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (Array.isArray(value)) return "[]interface {}";
  if (typeof value === "number") return "float64";
  if (typeof value === "boolean") return "bool";
  return "map[string]interface {}";
}

function keyExistsInArray(key: string, value: unknown): Membership {
  if (Array.isArray(value)) return found(value.some((item) => wildcardMatch(sprint(item), key) || wildcardMatch(key, sprint(item))));
  if (typeof value === "string") {
    if (wildcardMatch(value, key)) return found(true);
    const list = unmarshalStringArray(value);
    return list === undefined ? INVALID : found(list.includes(key));
  }
  return INVALID;
}

function setExistsInArray(keys: string[], value: unknown, notIn: boolean): Membership {
  let list: string[];
  if (Array.isArray(value)) {
    if (!value.every((item) => typeof item === "string")) return INVALID;
    list = value;
  } else if (typeof value === "string") {
    if (keys.length === 1 && keys[0] === value) return found(true);
    const parsed = unmarshalStringArray(value);
    if (parsed === undefined) return INVALID;
    list = parsed;
  } else return INVALID;
  const set = new Set(list);
  return found(notIn ? keys.some((k) => !set.has(k)) : keys.every((k) => set.has(k)));
}

// ---------------------------------------------------------------------------------------------------------------
// AnyIn / AnyNotIn / AllIn / AllNotIn: wildcards both ways, "a-b" ranges, JSON list strings

const matchesEitherWay = (a: string, b: string) => wildcardMatch(a, b) || wildcardMatch(b, a);

/** a string value: a single value, a range, or a JSON list of strings */
function stringValues(value: string): string[] | undefined {
  if (isValidJson(value)) return unmarshalStringArray(value);
  return [value];
}

/** anyKeyExistsInArray / allKeyExistsInArray (the same code in Kyverno) */
function scalarKeyExists(key: string, value: unknown): Membership {
  if (Array.isArray(value)) return found(value.some((item) => matchesEitherWay(sprint(item), key)));
  if (typeof value === "string") {
    if (wildcardMatch(value, key)) return found(true);
    if (stringPatternOperator(value) === "-") return found(validateValue(key, value));
    const list = stringValues(value);
    return list === undefined ? INVALID : found(list.includes(key));
  }
  return INVALID;
}

function anyIn(key: unknown, value: unknown, not: boolean): boolean {
  const scalarKey = typeof key === "string" ? key : typeof key === "number" || typeof key === "boolean" ? sprint(key) : undefined;
  if (scalarKey !== undefined) {
    const membership = scalarKeyExists(scalarKey, value);
    if (membership.invalidType) return false;
    return not ? !membership.found : membership.found;
  }
  if (Array.isArray(key)) {
    const membership = anySetExists(key.map(sprint), value, not);
    return membership.invalidType ? false : membership.found;
  }
  return false;
}

function anySetExists(keys: string[], value: unknown, anyNotIn: boolean): Membership {
  const decide = (list: string[]) =>
    found(anyNotIn ? keys.some((k) => !list.some((v) => matchesEitherWay(k, v))) : keys.some((k) => list.some((v) => matchesEitherWay(k, v))));
  if (Array.isArray(value)) return decide(value.map(sprint));
  if (typeof value === "number" || typeof value === "boolean") return decide([sprint(value)]);
  if (typeof value === "string") {
    if (keys.length === 1 && keys[0] === value) return found(!anyNotIn);
    if (stringPatternOperator(value) === "-") {
      // AnyNotIn turns the first "-" into "!-"
      const range = anyNotIn ? value.replace("-", "!-") : value;
      return found(keys.some((k) => validateValue(k, range)));
    }
    const list = stringValues(value);
    return list === undefined ? INVALID : decide(list);
  }
  return INVALID;
}

function allIn(key: unknown, value: unknown, not: boolean): boolean {
  const scalarKey = typeof key === "string" ? key : typeof key === "number" || typeof key === "boolean" ? sprint(key) : undefined;
  if (scalarKey !== undefined) {
    const membership = scalarKeyExists(scalarKey, value);
    if (membership.invalidType) return false;
    return not ? !membership.found : membership.found;
  }
  if (Array.isArray(key)) {
    const membership = allSetExists(key.map(sprint), value, not);
    return membership.invalidType ? false : membership.found;
  }
  return false;
}

function allSetExists(keys: string[], value: unknown, allNotIn: boolean): Membership {
  const decide = (list: string[]) => {
    const matched = keys.filter((k) => list.some((v) => matchesEitherWay(k, v))).length;
    return found(allNotIn ? matched === 0 : matched === keys.length);
  };
  if (Array.isArray(value)) return decide(value.map(sprint));
  if (typeof value === "string") {
    if (keys.length === 1 && keys[0] === value) return found(!allNotIn);
    if (stringPatternOperator(value) === "-") {
      const inRange = keys.filter((k) => validateValue(k, value)).length;
      return found(allNotIn ? inRange === 0 : inRange === keys.length);
    }
    const list = stringValues(value);
    return list === undefined ? INVALID : decide(list);
  }
  return INVALID;
}

// ---------------------------------------------------------------------------------------------------------------
// GreaterThan, GreaterThanOrEquals, LessThan, LessThanOrEquals

function compareByCondition(key: number, value: number, operator: string): boolean {
  switch (operator) {
    case "GreaterThanOrEquals":
      return key >= value;
    case "GreaterThan":
      return key > value;
    case "LessThanOrEquals":
      return key <= value;
    case "LessThan":
      return key < value;
    default:
      return false;
  }
}

function numeric(operator: string, key: unknown, value: unknown): boolean {
  if (typeof key === "number") return numericNumberKey(operator, key, value);
  if (typeof key === "string") return numericStringKey(operator, key, value);
  return false;
}

function numericNumberKey(operator: string, key: number, value: unknown): boolean {
  if (typeof value === "number") return compareByCondition(key, value, operator);
  if (typeof value !== "string") return false;
  const durations = parseDurationPair(key, value);
  if (durations) return compareByCondition(durationSeconds(durations[0]), durationSeconds(durations[1]), operator);
  const float = goParseFloat(value);
  if (float !== undefined) return compareByCondition(key, float, operator);
  const int = goParseInt(value);
  if (int !== undefined) return compareByCondition(key, int, operator);
  return false;
}

function numericStringKey(operator: string, key: string, value: unknown): boolean {
  const durations = parseDurationPair(key, value);
  if (durations) return compareByCondition(durationSeconds(durations[0]), durationSeconds(durations[1]), operator);
  // quantities before numbers: both sides must be strings
  if (typeof value === "string") {
    const keyQuantity = parseQuantity(key);
    const valueQuantity = keyQuantity ? parseQuantity(value) : undefined;
    if (keyQuantity && valueQuantity) return compareByCondition(compareQuantities(keyQuantity, valueQuantity), 0, operator);
  }
  const float = goParseFloat(key);
  if (float !== undefined) return numericNumberKey(operator, float, value);
  const int = goParseInt(key);
  if (int !== undefined) return numericNumberKey(operator, int, value);
  const version = parseSemver(key);
  if (version) {
    const other = typeof value === "string" ? parseSemver(value) : undefined;
    return other !== undefined && compareByCondition(compareSemver(version, other), 0, operator);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Duration* (deprecated): numbers are seconds, strings are durations ("0" included)

function durationOperator(operator: string, key: unknown, value: unknown): boolean {
  let keyDuration: bigint | undefined;
  if (typeof key === "number") keyDuration = secondsToDuration(key);
  else if (typeof key === "string") keyDuration = parseGoDuration(key);
  if (keyDuration === undefined) return false;
  let valueDuration: bigint | undefined;
  if (typeof value === "number") valueDuration = secondsToDuration(value);
  else if (typeof value === "string") valueDuration = parseGoDuration(value);
  if (valueDuration === undefined) return false;
  const cmp = keyDuration < valueDuration ? -1 : keyDuration > valueDuration ? 1 : 0;
  switch (operator) {
    case "DurationGreaterThanOrEquals":
      return cmp >= 0;
    case "DurationGreaterThan":
      return cmp > 0;
    case "DurationLessThanOrEquals":
      return cmp <= 0;
    case "DurationLessThan":
      return cmp < 0;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// github.com/blang/semver/v4: Parse and Compare

interface Semver {
  core: [bigint, bigint, bigint];
  pre: (bigint | string)[];
}

const UINT64_MAX = 2n ** 64n - 1n;

function parseUint(text: string): bigint | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  if (text.length > 1 && text[0] === "0") return undefined; // hasLeadingZeroes
  const value = BigInt(text);
  return value > UINT64_MAX ? undefined : value;
}

export function parseSemver(text: string): Semver | undefined {
  if (text.length === 0) return undefined;
  const parts = splitN(text, ".", 3);
  if (parts.length !== 3) return undefined;
  const major = parseUint(parts[0]!);
  const minor = parseUint(parts[1]!);
  if (major === undefined || minor === undefined) return undefined;
  let patchText = parts[2]!;
  let build: string[] = [];
  let prerelease: string[] = [];
  const plus = patchText.indexOf("+");
  if (plus !== -1) {
    build = patchText.slice(plus + 1).split(".");
    patchText = patchText.slice(0, plus);
  }
  const dash = patchText.indexOf("-");
  if (dash !== -1) {
    prerelease = patchText.slice(dash + 1).split(".");
    patchText = patchText.slice(0, dash);
  }
  const patch = parseUint(patchText);
  if (patch === undefined) return undefined;
  const pre: (bigint | string)[] = [];
  for (const identifier of prerelease) {
    if (identifier.length === 0) return undefined;
    if (/^[0-9]+$/.test(identifier)) {
      const n = parseUint(identifier);
      if (n === undefined) return undefined;
      pre.push(n);
    } else if (/^[0-9A-Za-z-]+$/.test(identifier)) pre.push(identifier);
    else return undefined;
  }
  for (const identifier of build) if (!/^[0-9A-Za-z-]+$/.test(identifier)) return undefined;
  return { core: [major, minor, patch], pre };
}

/** strings.SplitN */
function splitN(text: string, separator: string, n: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (out.length < n - 1) {
    const at = rest.indexOf(separator);
    if (at === -1) break;
    out.push(rest.slice(0, at));
    rest = rest.slice(at + separator.length);
  }
  out.push(rest);
  return out;
}

export function compareSemver(a: Semver, b: Semver): number {
  for (let i = 0; i < 3; i++) {
    if (a.core[i]! !== b.core[i]!) return a.core[i]! < b.core[i]! ? -1 : 1;
  }
  if (a.pre.length === 0 && b.pre.length === 0) return 0;
  if (a.pre.length === 0) return 1;
  if (b.pre.length === 0) return -1;
  let i = 0;
  for (; i < a.pre.length && i < b.pre.length; i++) {
    const x = a.pre[i]!;
    const y = b.pre[i]!;
    let comp: number;
    if (typeof x === "bigint" && typeof y === "bigint") comp = x === y ? 0 : x < y ? -1 : 1;
    else if (typeof x === "bigint") comp = -1;
    else if (typeof y === "bigint") comp = 1;
    else comp = compareGoStrings(x, y) === 0 ? 0 : compareGoStrings(x, y) < 0 ? -1 : 1;
    if (comp !== 0) return comp;
  }
  if (i === a.pre.length && i === b.pre.length) return 0;
  return i === a.pre.length ? -1 : 1;
}

// ---------------------------------------------------------------------------------------------------------------
// conditions blocks (variables/evaluate.go, utils/api ApiextensionsJsonToKyvernoConditions)

const CONDITIONS_PATH = "preconditions/validate.deny.conditions";

type Evaluated = { ok: true; value: boolean; message: string } | { ok: false; error: string };

/** { any: [...], all: [...] } (both optional) or the deprecated plain list (= all). Values already have their variables substituted. */
export function evaluateConditionBlock(block: unknown): ConditionResult & { failedMessage?: string; message?: string } {
  const evaluated = evaluateBlock(block);
  if (!evaluated.ok) return evaluated;
  const out: { ok: true; value: boolean; failedMessage?: string; message?: string } = { ok: true, value: evaluated.value };
  if (evaluated.message !== "") {
    out.message = evaluated.message;
    if (!evaluated.value) out.failedMessage = evaluated.message;
  }
  return out;
}

function evaluateBlock(block: unknown): Evaluated {
  if (block === null || block === undefined) return { ok: true, value: true, message: "" };
  if (Array.isArray(block)) {
    const conditions: Condition[] = [];
    for (const item of block) {
      const condition = toCondition(item);
      if (typeof condition === "string") return { ok: false, error: `error occurred while parsing ${CONDITIONS_PATH}: ${condition}` };
      // the deprecated list is checked against the operator names as written
      if (!(CONDITION_OPERATORS as readonly string[]).includes(condition.operator)) return { ok: false, error: `invalid condition operator: ${condition.operator}` };
      conditions.push(condition);
    }
    const trueMessages: string[] = [];
    for (const condition of conditions) {
      const result = evaluateCondition(condition);
      if (!result.ok) return result;
      if (!result.value) return { ok: true, value: false, message: result.message };
      trueMessages.push(result.message);
    }
    return { ok: true, value: true, message: joinNonEmpty(trueMessages, ";") };
  }
  if (!isMap(block)) return { ok: false, error: `error occurred while parsing ${CONDITIONS_PATH}: conditions must be a list or a map of any/all` };
  for (const field of Object.keys(block)) {
    if (field !== "any" && field !== "all") return { ok: false, error: `error occurred while parsing ${CONDITIONS_PATH}: unknown field '${field}' found under ${CONDITIONS_PATH}` };
  }
  const lists: Record<"any" | "all", Condition[] | undefined> = { any: undefined, all: undefined };
  for (const field of ["any", "all"] as const) {
    const raw = block[field];
    if (raw === null || raw === undefined) continue;
    if (!Array.isArray(raw)) return { ok: false, error: `error occurred while parsing ${CONDITIONS_PATH}: '${field}' must be a list of conditions` };
    const parsed: Condition[] = [];
    for (const item of raw) {
      const condition = toCondition(item);
      if (typeof condition === "string") return { ok: false, error: `error occurred while parsing ${CONDITIONS_PATH}: ${condition}` };
      parsed.push(condition);
    }
    lists[field] = parsed;
  }
  return evaluateAnyAll(lists.any, lists.all);
}

function toCondition(item: unknown): Condition | string {
  if (item === null || item === undefined) return { key: null, operator: "" };
  if (!isMap(item)) return "a condition must be a map of key, operator, value and message";
  const operator = item.operator ?? "";
  if (typeof operator !== "string") return "a condition's operator must be a string";
  const message = item.message ?? "";
  if (typeof message !== "string") return "a condition's message must be a string";
  return { key: item.key ?? null, operator, value: item.value ?? null, message };
}

function evaluateCondition(condition: Condition): Evaluated {
  const result = evaluateOperator(condition.operator, condition.key, condition.value);
  return result.ok ? { ok: true, value: result.value, message: condition.message ?? "" } : result;
}

function evaluateAnyAll(anyConditions: Condition[] | undefined, allConditions: Condition[] | undefined): Evaluated {
  let anyResult = true;
  let allResult = true;
  const falseMessages: string[] = [];
  const trueMessages: string[] = [];
  // an "any" list that is present, even empty, must have a true condition
  if (anyConditions !== undefined) {
    anyResult = false;
    for (const condition of anyConditions) {
      const result = evaluateCondition(condition);
      if (!result.ok) return result;
      if (result.value) {
        anyResult = true;
        trueMessages.push(result.message);
        break;
      }
      falseMessages.push(result.message);
    }
  }
  for (const condition of allConditions ?? []) {
    const result = evaluateCondition(condition);
    if (!result.ok) return result;
    if (!result.value) {
      allResult = false;
      falseMessages.push(result.message);
      break;
    }
    trueMessages.push(result.message);
  }
  const value = anyResult && allResult;
  return { ok: true, value, message: joinNonEmpty(value ? trueMessages : falseMessages, "; ") };
}

function joinNonEmpty(messages: string[], separator: string): string {
  return messages.filter((m) => m !== "").join(separator);
}
