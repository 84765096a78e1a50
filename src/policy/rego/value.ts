// Rego values, as OPA's ast package defines them: null, boolean, number, string, array, object (any value as a
// key) and set. Strings, booleans and null are JavaScript primitives and arrays are plain readonly arrays, so the
// common input document converts cheaply; objects and sets are classes keyed by a canonical hash key, because a Rego
// key or member can be any value and equal values must collide.
//
// Numbers: OPA keeps arbitrary-precision numbers. Here an integer is a `number` while it is a safe integer and a
// `bigint` beyond that (normalised by `normalizeNumber`); other numbers are doubles. `<` and `==` work across
// number and bigint in JavaScript, so comparisons need no special case. A literal beyond a double's range (`2e308`)
// is a `LiteralNumber`: OPA keeps such a number as its text, and prints that text back (sprintf's %v).
//
// Iteration order is OPA's: object keys and set members in sorted order (`compare`), which is what makes
// comprehension results and printed values the same as OPA's.

export type RegoNumber = number | bigint;
export type Value = null | boolean | RegoNumber | LiteralNumber | string | readonly Value[] | RegoObject | RegoSet;

/** A number literal too large for a double, kept as OPA keeps it: its text, with its exact (integer) value. */
export class LiteralNumber {
  constructor(
    readonly text: string,
    readonly value: bigint,
  ) {}
}

/** The exact integer a decimal literal such as `2e308` or `1.5E400` stands for; undefined when it has a fraction. */
export function exactInteger(text: string): bigint | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return undefined;
  const fraction = m[3] ?? "";
  const exponent = Number(m[4] ?? "0") - fraction.length;
  const digits = BigInt(m[2]! + fraction);
  let value: bigint;
  if (exponent >= 0) value = digits * 10n ** BigInt(exponent);
  else {
    const scale = 10n ** BigInt(-exponent);
    if (digits % scale !== 0n) return undefined;
    value = digits / scale;
  }
  return m[1] ? -value : value;
}

/** A number as arithmetic sees it: a literal beyond a double by its exact value. */
export function numeric(v: RegoNumber | LiteralNumber): RegoNumber {
  return v instanceof LiteralNumber ? v.value : v;
}

export type TypeName = "null" | "boolean" | "number" | "string" | "array" | "object" | "set";

export function typeName(v: Value): TypeName {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return "boolean";
    case "number":
    case "bigint":
      return "number";
    case "string":
      return "string";
  }
  if (Array.isArray(v)) return "array";
  if (v instanceof LiteralNumber) return "number";
  return v instanceof RegoSet ? "set" : "object";
}

export const isNumber = (v: Value): v is RegoNumber | LiteralNumber =>
  typeof v === "number" || typeof v === "bigint" || v instanceof LiteralNumber;
export const isString = (v: Value): v is string => typeof v === "string";
export const isBoolean = (v: Value): v is boolean => typeof v === "boolean";
export const isArray = (v: Value): v is readonly Value[] => Array.isArray(v);
export const isObject = (v: Value): v is RegoObject => v instanceof RegoObject;
export const isSet = (v: Value): v is RegoSet => v instanceof RegoSet;

/** An integer as `number` while it is safe, as `bigint` beyond that; doubles stay doubles. */
export function normalizeNumber(n: RegoNumber): RegoNumber {
  if (typeof n === "bigint") {
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  return n;
}

export function isInteger(n: RegoNumber): boolean {
  return typeof n === "bigint" || Number.isInteger(n);
}

// OPA's sort order of types (ast/compare.go): null < boolean < number < string < array < object < set.
const TYPE_ORDER: Record<TypeName, number> = { null: 0, boolean: 1, number: 2, string: 3, array: 6, object: 7, set: 8 };

/** OPA's total order of values: by type, then by value; arrays element-wise, objects by sorted keys then values. */
export function compare(a: Value, b: Value): number {
  if (a === b) return 0;
  const ta = typeName(a);
  const tb = typeName(b);
  if (ta !== tb) return TYPE_ORDER[ta] - TYPE_ORDER[tb];
  switch (ta) {
    case "null":
      return 0;
    case "boolean":
      return a === b ? 0 : a === false ? -1 : 1;
    case "number": {
      const x = numeric(a as RegoNumber | LiteralNumber);
      const y = numeric(b as RegoNumber | LiteralNumber);
      return x == y ? 0 : x < y ? -1 : 1;
    }
    case "string":
      return compareStrings(a as string, b as string);
    case "array":
      return compareSequences(a as readonly Value[], b as readonly Value[]);
    case "set":
      return compareSequences((a as RegoSet).sorted(), (b as RegoSet).sorted());
    case "object": {
      const ka = (a as RegoObject).sortedKeys();
      const kb = (b as RegoObject).sortedKeys();
      const n = Math.min(ka.length, kb.length);
      for (let i = 0; i < n; i++) {
        const c = compare(ka[i]!, kb[i]!);
        if (c !== 0) return c;
        const v = compare((a as RegoObject).get(ka[i]!)!, (b as RegoObject).get(kb[i]!)!);
        if (v !== 0) return v;
      }
      return ka.length - kb.length;
    }
  }
}

/** Go compares strings byte-wise (UTF-8); JavaScript's < compares UTF-16 code units. They differ above U+FFFF only
 * against U+E000–U+FFFF, so compare by code point. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

function compareSequences(a: readonly Value[], b: readonly Value[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compare(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

export function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a === "string" || typeof b === "string") return false;
  return compare(a, b) === 0;
}

/** A string that two values share exactly when they are equal: the key of object and set maps. */
export function hashKey(v: Value): string {
  if (typeof v === "string") return "s" + v;
  if (v === null) return "z";
  if (typeof v === "boolean") return v ? "t" : "f";
  if (typeof v === "number") {
    return Number.isInteger(v) && !Number.isSafeInteger(v) ? "n" + BigInt(v).toString() : "n" + String(v);
  }
  if (typeof v === "bigint") return "n" + v.toString();
  if (v instanceof LiteralNumber) return "n" + v.value.toString();
  if (Array.isArray(v)) return "a[" + v.map(hashKey).join(",") + "]";
  return (v as RegoObject | RegoSet).hashKey();
}

/**
 * The key of a member or object key in the maps below: a string is its own key (no concatenation on the hot path of
 * `input.a.b`), anything else is NUL + its hash key; a string starting with NUL gets "\0s" in front, so keys of
 * different values never meet.
 */
function mapKey(v: Value): string {
  if (typeof v === "string") return v.charCodeAt(0) === 0 ? "\u0000s" + v : v;
  return "\u0000" + hashKey(v);
}

/** A set: members kept by hash key, iterated in sorted order. Immutable once shared (build with `RegoSet.of`). */
export class RegoSet {
  private readonly members = new Map<string, Value>();
  private sortedCache: Value[] | undefined;
  private keyCache: string | undefined;

  static of(values: Iterable<Value>): RegoSet {
    const s = new RegoSet();
    for (const v of values) s.add(v);
    return s;
  }

  /** Adds a member; only while the set is being built. */
  add(v: Value): this {
    const k = mapKey(v);
    if (!this.members.has(k)) {
      this.members.set(k, v);
      this.sortedCache = undefined;
      this.keyCache = undefined;
    }
    return this;
  }

  has(v: Value): boolean {
    return this.members.has(mapKey(v));
  }

  get size(): number {
    return this.members.size;
  }

  /** Members in OPA's order. */
  sorted(): readonly Value[] {
    this.sortedCache ??= [...this.members.values()].sort(compare);
    return this.sortedCache;
  }

  [Symbol.iterator](): Iterator<Value> {
    return this.sorted()[Symbol.iterator]();
  }

  hashKey(): string {
    this.keyCache ??= "S{" + this.sorted().map(hashKey).join(",") + "}";
    return this.keyCache;
  }
}

/** An object: any value as a key, kept by hash key, iterated in sorted key order. Immutable once shared. */
export class RegoObject {
  private readonly entriesByKey = new Map<string, readonly [Value, Value]>();
  private sortedCache: Value[] | undefined;
  private sortedEntriesCache: (readonly [Value, Value])[] | undefined;
  private keyCache: string | undefined;

  static of(entries: Iterable<readonly [Value, Value]>): RegoObject {
    const o = new RegoObject();
    for (const [k, v] of entries) o.set(k, v);
    return o;
  }

  /** Sets a key; only while the object is being built. */
  set(key: Value, value: Value): this {
    this.entriesByKey.set(mapKey(key), [key, value]);
    this.sortedCache = undefined;
    this.sortedEntriesCache = undefined;
    this.keyCache = undefined;
    return this;
  }

  get(key: Value): Value | undefined {
    return this.entriesByKey.get(mapKey(key))?.[1];
  }

  has(key: Value): boolean {
    return this.entriesByKey.has(mapKey(key));
  }

  get size(): number {
    return this.entriesByKey.size;
  }

  /** Keys in OPA's order. */
  sortedKeys(): readonly Value[] {
    this.sortedCache ??= [...this.entriesByKey.values()].map(([k]) => k).sort(compare);
    return this.sortedCache;
  }

  /** Entries in OPA's key order. */
  entries(): IterableIterator<readonly [Value, Value]> {
    this.sortedEntriesCache ??= [...this.entriesByKey.values()].sort((a, b) => compare(a[0], b[0]));
    return this.sortedEntriesCache[Symbol.iterator]();
  }

  hashKey(): string {
    this.keyCache ??= "O{" + [...this.entries()].map(([k, v]) => hashKey(k) + ":" + hashKey(v)).join(",") + "}";
    return this.keyCache;
  }
}

/** A JSON document (input, data, a parsed file) as a Rego value. */
export function fromJSON(x: unknown): Value {
  if (x === null || x === undefined) return null;
  switch (typeof x) {
    case "string":
    case "boolean":
      return x;
    case "number":
      return x;
    case "bigint":
      return normalizeNumber(x);
  }
  if (Array.isArray(x)) return x.map(fromJSON);
  const o = new RegoObject();
  for (const [k, v] of Object.entries(x as Record<string, unknown>)) o.set(k, fromJSON(v));
  return o;
}

/**
 * A Rego value as JSON, the way OPA serialises results: sets become arrays in sorted order; object keys that are not
 * strings are written as their JSON text. Big integers stay `bigint`, for the caller to print exactly.
 */
export function toJSON(v: Value): unknown {
  if (v === null || typeof v !== "object") return v;
  if (v instanceof LiteralNumber) return v.value;
  if (Array.isArray(v)) return v.map(toJSON);
  if (v instanceof RegoSet) return v.sorted().map(toJSON);
  const out: Record<string, unknown> = {};
  for (const [k, val] of (v as RegoObject).entries()) {
    out[typeof k === "string" ? k : JSON.stringify(toJSON(k), bigintReplacer)] = toJSON(val);
  }
  return out;
}

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? Number(value) : value;
}
