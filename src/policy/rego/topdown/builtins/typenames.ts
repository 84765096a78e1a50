// is_number … is_null and type_name (topdown/type.go, type_name.go).

import type { Builtin } from "./types.js";
import { fn } from "./operands.js";
import { typeName } from "../../value.js";
import type { TypeName } from "../../value.js";

const isType = (name: string, t: TypeName): Builtin => fn(name, 1, (args) => typeName(args[0]!) === t);

export const TYPE_BUILTINS: readonly Builtin[] = [
  isType("is_number", "number"),
  isType("is_string", "string"),
  isType("is_boolean", "boolean"),
  isType("is_array", "array"),
  isType("is_set", "set"),
  isType("is_object", "object"),
  isType("is_null", "null"),
  fn("type_name", 1, (args) => typeName(args[0]!)),
];
