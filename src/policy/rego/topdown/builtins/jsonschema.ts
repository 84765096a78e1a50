// json.verify_schema and json.match_schema (topdown/jsonschema.go, which uses xeipuuv/gojsonschema): JSON Schema
// drafts 4 to 7 through ajv, errors reported as gojsonschema words them ({error, type, field, desc}). The "format"
// keyword is not checked (ajv without ajv-formats); compiled schemas are cached by their text.

import { Ajv } from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { Builtin } from "./types.js";
import { builtinError, fn, operandTypeError } from "./operands.js";
import { goJson, parseJson } from "./encoding.js";
import { RegoObject, fromJSON, toJSON } from "../../value.js";
import type { Value } from "../../value.js";

const PRIMITIVE_TYPES = ["array", "boolean", "integer", "number", "null", "object", "string"];

let ajv: Ajv | undefined;
const CACHE = new Map<string, ValidateFunction | Error>();

function getAjv(): Ajv {
  ajv ??= new Ajv({ allErrors: true, strict: false, logger: false, validateFormats: false, validateSchema: true, verbose: true });
  return ajv;
}

/** The operand as a JSON value: a string is JSON text, anything else is taken as it is. */
function jsonOperand(name: string, v: Value, pos: number): unknown {
  if (typeof v === "string") return toJSON(parseJson(name, v));
  if (v instanceof RegoObject || Array.isArray(v) || typeof v === "boolean") return toJSON(v);
  throw operandTypeError(name, pos, v, "string", "object");
}

/** gojsonschema refuses a "type" that is not one of JSON Schema's primitive types, with this message. */
function badType(schema: unknown): string | undefined {
  if (Array.isArray(schema)) {
    for (const x of schema) {
      const bad = badType(x);
      if (bad) return bad;
    }
    return undefined;
  }
  if (schema === null || typeof schema !== "object") return undefined;
  for (const [k, v] of Object.entries(schema)) {
    if (k === "type") {
      for (const t of Array.isArray(v) ? v : [v]) {
        if (typeof t === "string" && !PRIMITIVE_TYPES.includes(t)) {
          return `has a primitive type that is NOT VALID -- given: /${t}/ Expected valid values are:[${PRIMITIVE_TYPES.join(" ")}]`;
        }
      }
    } else if (k !== "enum" && k !== "const" && k !== "default" && k !== "examples") {
      const bad = badType(v);
      if (bad) return bad;
    }
  }
  return undefined;
}

function compile(schema: unknown): ValidateFunction {
  const key = JSON.stringify(schema, (_k, v: unknown) => (typeof v === "bigint" ? Number(v) : v));
  const cached = CACHE.get(key);
  if (cached instanceof Error) throw cached;
  if (cached) return cached;
  let result: ValidateFunction | Error;
  const bad = badType(schema);
  if (bad) result = new Error(bad);
  else {
    try {
      // the drafts gojsonschema knows are all read as draft 7
      const copy = schema !== null && typeof schema === "object" && !Array.isArray(schema) ? { ...(schema as Record<string, unknown>) } : schema;
      if (copy !== null && typeof copy === "object" && typeof (copy as Record<string, unknown>).$schema === "string") delete (copy as Record<string, unknown>).$schema;
      result = getAjv().compile(copy as object);
    } catch (error) {
      result = new Error((error as Error).message);
    }
  }
  if (CACHE.size > 256) CACHE.clear();
  CACHE.set(key, result);
  if (result instanceof Error) throw result;
  return result;
}

function goTypeOf(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "array";
  if (typeof x === "number") return Number.isInteger(x) ? "integer" : "number";
  if (typeof x === "bigint") return "integer";
  return typeof x;
}

function fieldOf(instancePath: string, extra?: string): string {
  const parts = instancePath === "" ? [] : instancePath.slice(1).split("/").map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"));
  if (extra !== undefined) parts.push(extra);
  return parts.length === 0 ? "(root)" : parts.join(".");
}

/** One ajv error as gojsonschema's {error, type, field, desc}. */
function describe(e: ErrorObject): { type: string; field: string; desc: string } {
  const p = e.params as Record<string, unknown>;
  const field = fieldOf(e.instancePath);
  const allowed = (xs: unknown): string => (Array.isArray(xs) ? xs : [xs]).map((x) => goJson(fromJSON(x))).join(", ");
  switch (e.keyword) {
    case "type":
      return { type: "invalid_type", field, desc: `Invalid type. Expected: ${Array.isArray(p.type) ? p.type.join("/") : String(p.type)}, given: ${goTypeOf(e.data)}` };
    case "required":
      return { type: "required", field, desc: `${String(p.missingProperty)} is required` };
    case "enum":
      return { type: "enum", field, desc: `${field} must be one of the following: ${allowed(p.allowedValues)}` };
    case "const":
      return { type: "const", field, desc: `${field} does not match: ${allowed(p.allowedValue)}` };
    case "minLength":
      return { type: "string_gte", field, desc: `String length must be greater than or equal to ${String(p.limit)}` };
    case "maxLength":
      return { type: "string_lte", field, desc: `String length must be less than or equal to ${String(p.limit)}` };
    case "pattern":
      return { type: "pattern", field, desc: `Does not match pattern '${String(p.pattern)}'` };
    case "minimum":
      return { type: "number_gte", field, desc: `Must be greater than or equal to ${String(p.limit)}` };
    case "exclusiveMinimum":
      return { type: "number_gt", field, desc: `Must be greater than ${String(p.limit)}` };
    case "maximum":
      return { type: "number_lte", field, desc: `Must be less than or equal to ${String(p.limit)}` };
    case "exclusiveMaximum":
      return { type: "number_lt", field, desc: `Must be less than ${String(p.limit)}` };
    case "multipleOf":
      return { type: "multiple_of", field, desc: `Must be a multiple of ${String(p.multipleOf)}` };
    case "minItems":
      return { type: "array_min_items", field, desc: `Array must have at least ${String(p.limit)} items` };
    case "maxItems":
      return { type: "array_max_items", field, desc: `Array must have at most ${String(p.limit)} items` };
    case "uniqueItems":
      return { type: "unique", field, desc: `array items[${String(p.j)},${String(p.i)}] must be unique` };
    case "minProperties":
      return { type: "array_min_properties", field, desc: `Must have at least ${String(p.limit)} properties` };
    case "maxProperties":
      return { type: "array_max_properties", field, desc: `Must have at most ${String(p.limit)} properties` };
    case "additionalProperties":
      return { type: "additional_property_not_allowed", field, desc: `Additional property ${String(p.additionalProperty)} is not allowed` };
    case "anyOf":
      return { type: "number_any_of", field, desc: "Must validate at least one schema (anyOf)" };
    case "oneOf":
      return { type: "number_one_of", field, desc: "Must validate one and only one schema (oneOf)" };
    case "not":
      return { type: "number_not", field, desc: "Must not validate the schema (not)" };
    case "dependencies":
      return { type: "missing_dependency", field, desc: `Has a dependency on ${String(p.missingProperty)}` };
    case "contains":
      return { type: "contains", field, desc: "At least one of the items must match" };
    case "if":
      return { type: p.failingKeyword === "else" ? "condition_else" : "condition_then", field, desc: `Must validate "${String(p.failingKeyword)}" as "if" was ${p.failingKeyword === "else" ? "not " : ""}valid` };
    case "false schema":
      return { type: "false", field, desc: "False always fails validation" };
    default:
      return { type: e.keyword, field, desc: e.message ?? e.keyword };
  }
}

/** gojsonschema reports the failing keywords, not the combinators' inner failures twice; ajv's order is kept. */
function resultErrors(errors: readonly ErrorObject[]): Value[] {
  const out: Value[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const d = describe(e);
    const text = `${d.field}: ${d.desc}`;
    if (seen.has(text)) continue;
    seen.add(text);
    out.push(RegoObject.of([["error", text], ["type", d.type], ["field", d.field], ["desc", d.desc]]));
  }
  return out;
}

export const JSON_SCHEMA_BUILTINS: readonly Builtin[] = [
  fn("json.verify_schema", 1, (args) => {
    const schema = jsonOperand("json.verify_schema", args[0]!, 1);
    try {
      compile(schema);
      return [true, null];
    } catch (error) {
      return [false, `jsonschema: ${(error as Error).message}`];
    }
  }),
  fn("json.match_schema", 2, (args) => {
    const name = "json.match_schema";
    const doc = jsonOperand(name, args[0]!, 1);
    const schema = jsonOperand(name, args[1]!, 2);
    let validate: ValidateFunction;
    try {
      validate = compile(schema);
    } catch (error) {
      throw builtinError(name, (error as Error).message);
    }
    const plain = JSON.parse(JSON.stringify(doc, (_k, v: unknown) => (typeof v === "bigint" ? Number(v) : v))) as unknown;
    if (validate(plain)) return [true, []];
    return [false, resultErrors(validate.errors ?? [])];
  }),
];
