// The builtin functions by name, one file per family: numbers.ts (arithmetic, comparison, bits, numbers.range,
// to_number), aggregates.ts (count … sort, the `in` operator), arrays.ts, sets.ts, objects.ts (object.*, json.filter /
// remove / patch, walk), typenames.ts, strings.ts and format.ts (sprintf as Go's fmt, Rego's printed form),
// regex.ts (+ globs-intersect.ts), glob.ts, encoding.ts (json, yaml, base64, hex, urlquery), jsonschema.ts, units.ts,
// semver.ts, time.ts (Go time from util/go-time.ts), net.ts, crypto.ts, uuid.ts (uuid.*, rand.intn), graph.ts, and unsupported.ts:
// builtins OPA has that are refused here with a reason. A name not in the map is an unknown function (the
// compiler's rego_type_error), never a silent false.

import { BuiltinError } from "./types.js";
import type { Builtin } from "./types.js";
import { AGGREGATE_BUILTINS } from "./aggregates.js";
import { ARRAY_BUILTINS } from "./arrays.js";
import { NUMBER_BUILTINS } from "./numbers.js";
import { OBJECT_BUILTINS } from "./objects.js";
import { SET_BUILTINS } from "./sets.js";
import { STRING_BUILTINS } from "./strings.js";
import { REGEX_BUILTINS } from "./regex.js";
import { GLOB_BUILTINS } from "./glob.js";
import { ENCODING_BUILTINS } from "./encoding.js";
import { UNITS_BUILTINS } from "./units.js";
import { SEMVER_BUILTINS } from "./semver.js";
import { TIME_BUILTINS } from "./time.js";
import { NET_BUILTINS } from "./net.js";
import { CRYPTO_BUILTINS } from "./crypto.js";
import { UUID_BUILTINS } from "./uuid.js";
import { GRAPH_BUILTINS } from "./graph.js";
import { UNSUPPORTED_BUILTINS } from "./unsupported.js";
import { JSON_SCHEMA_BUILTINS } from "./jsonschema.js";
import { TYPE_BUILTINS } from "./typenames.js";

const FAMILIES: ReadonlyArray<readonly Builtin[]> = [
  NUMBER_BUILTINS,
  AGGREGATE_BUILTINS,
  ARRAY_BUILTINS,
  SET_BUILTINS,
  OBJECT_BUILTINS,
  TYPE_BUILTINS,
  STRING_BUILTINS,
  REGEX_BUILTINS,
  GLOB_BUILTINS,
  ENCODING_BUILTINS,
  UNITS_BUILTINS,
  SEMVER_BUILTINS,
  TIME_BUILTINS,
  NET_BUILTINS,
  CRYPTO_BUILTINS,
  UUID_BUILTINS,
  GRAPH_BUILTINS,
  JSON_SCHEMA_BUILTINS,
  UNSUPPORTED_BUILTINS,
];

function build(): Map<string, Builtin> {
  const map = new Map<string, Builtin>();
  for (const family of FAMILIES) {
    for (const b of family) {
      if (map.has(b.name)) throw new Error(`builtin ${b.name} defined twice`);
      map.set(b.name, b);
    }
  }
  return map;
}

export const BUILTINS: ReadonlyMap<string, Builtin> = build();

/** The error for a call of a function that is neither a builtin nor a rule. */
export function unknownBuiltin(name: string): BuiltinError {
  return new BuiltinError("eval_builtin_error", `undefined function ${name}`);
}

export type { Builtin, BuiltinContext, BuiltinFunction, BuiltinRelation, BuiltinErrorCode } from "./types.js";
export { BuiltinError } from "./types.js";
