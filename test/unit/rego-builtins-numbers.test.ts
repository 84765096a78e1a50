// Rego arithmetic, comparison, bits, numbers.range and to_number: exact big integers, OPA messages.
import { describe } from "vitest";
import { set, table, errors } from "../helpers/rego-builtins.ts";

describe("arithmetic", () => {
  table([
    { name: "plus", fn: "plus", args: [1, 2], want: 3 },
    { name: "plus: precision (bug 2469)", fn: "plus", args: [49649733057, 1], want: 49649733058 },
    { name: "plus: beyond 2^53 stays exact", fn: "plus", args: [9007199254740993n, 1], want: 9007199254740994n },
    { name: "plus: floats", fn: "plus", args: [0.5, 0.25], want: 0.75 },
    { name: "minus: numbers", fn: "minus", args: [1, 2], want: -1 },
    { name: "minus: set difference", fn: "minus", args: [set(1, 2, 3), set(2)], want: [1, 3] },
    { name: "mul: big", fn: "mul", args: [9223372036854775807n, 2], want: 18446744073709551614n },
    { name: "div: exact", fn: "div", args: [6, 3], want: 2 },
    { name: "div: fraction", fn: "div", args: [1, 4], want: 0.25 },
    { name: "div: big exact", fn: "div", args: [100000000000000000000n, 10], want: 10000000000000000000n },
    { name: "rem", fn: "rem", args: [7, 4], want: 3 },
    { name: "rem: sign of the dividend", fn: "rem", args: [-7, 4], want: -3 },
    { name: "abs", fn: "abs", args: [-10], want: 10 },
    { name: "round half away from zero", fn: "round", args: [-2.5], want: -3 },
    { name: "round", fn: "round", args: [2.4], want: 2 },
    { name: "ceil", fn: "ceil", args: [2222.2222222222], want: 2223 },
    { name: "ceil negative", fn: "ceil", args: [-1.99999], want: -1 },
    { name: "floor negative", fn: "floor", args: [-1.001], want: -2 },
    { name: "floor integer", fn: "floor", args: [1], want: 1 },
  ]);

  errors([
    { name: "div by zero", fn: "div", args: [1, 0], code: "eval_builtin_error", message: "div: divide by zero" },
    { name: "rem by zero", fn: "rem", args: [7, 0], code: "eval_builtin_error", message: "rem: modulo by zero" },
    { name: "rem of a float", fn: "rem", args: [1.1, 1], code: "eval_builtin_error", message: "rem: modulo on floating-point number" },
    { name: "minus: set - number", fn: "minus", args: [set(1), 1], code: "eval_type_error", message: "minus: operand 2 must be set but got number" },
    { name: "minus: number - set", fn: "minus", args: [1, set(1)], code: "eval_type_error", message: "minus: operand 2 must be number but got set" },
    { name: "minus: string", fn: "minus", args: ["a", 1], code: "eval_type_error", message: "minus: operand 1 must be one of {number, set} but got string" },
    { name: "plus: string", fn: "plus", args: [1, "a"], code: "eval_type_error", message: "plus: operand 2 must be number but got string" },
  ]);
});

describe("comparison", () => {
  table([
    { name: "equal across int and float", fn: "equal", args: [1, 1.0], want: true },
    { name: "equal big integers", fn: "equal", args: [28857836529306024611913n, 28857836529306024611912n], want: false },
    { name: "neq", fn: "neq", args: ["a", "b"], want: true },
    { name: "lt across types (number < string)", fn: "lt", args: [1, "a"], want: true },
    { name: "lte", fn: "lte", args: [2, 2], want: true },
    { name: "gt arrays", fn: "gt", args: [[1, 3], [1, 2, 9]], want: true },
    { name: "gte sets", fn: "gte", args: [set(1, 2), set(1, 2)], want: true },
  ]);
});

describe("bits", () => {
  table([
    { name: "and", fn: "bits.and", args: [7, 9], want: 1 },
    { name: "or", fn: "bits.or", args: [7, 9], want: 15 },
    { name: "xor", fn: "bits.xor", args: [42, 3], want: 41 },
    { name: "negate", fn: "bits.negate", args: [42], want: -43 },
    { name: "lsh of max int32", fn: "bits.lsh", args: [2147483647, 1], want: 4294967294 },
    { name: "lsh of max int64 is not lossy", fn: "bits.lsh", args: [9223372036854775807n, 1], want: 18446744073709551614n },
    { name: "rsh", fn: "bits.rsh", args: [8, 3], want: 1 },
  ]);

  errors([
    { name: "and: float", fn: "bits.and", args: [7.2, 42], code: "eval_type_error", message: "bits.and: operand 1 must be integer number but got floating-point number" },
    { name: "lsh: negative shift", fn: "bits.lsh", args: [7, -1], code: "eval_type_error", message: "bits.lsh: operand 2 must be an unsigned integer number but got a negative integer" },
    { name: "rsh: negative shift", fn: "bits.rsh", args: [7, -1], code: "eval_type_error", message: "bits.rsh: operand 2 must be an unsigned integer number but got a negative integer" },
  ]);
});

describe("numbers.range and to_number", () => {
  table([
    { name: "range one", fn: "numbers.range", args: [0, 0], want: [0] },
    { name: "range ascending", fn: "numbers.range", args: [-2, 3], want: [-2, -1, 0, 1, 2, 3] },
    { name: "range descending", fn: "numbers.range", args: [2, -3], want: [2, 1, 0, -1, -2, -3] },
    { name: "range precision", fn: "numbers.range", args: [49649733057, 49649733059], want: [49649733057, 49649733058, 49649733059] },
    { name: "range_step ascending", fn: "numbers.range_step", args: [0, 10, 2], want: [0, 2, 4, 6, 8, 10] },
    { name: "range_step descending", fn: "numbers.range_step", args: [0, -10, 2], want: [0, -2, -4, -6, -8, -10] },
    { name: "range_step not in range", fn: "numbers.range_step", args: [2, 5, 2], want: [2, 4] },
    { name: "range_step big step", fn: "numbers.range_step", args: [0, 10, 99999999999999999999n], want: [0] },
    { name: "to_number string", fn: "to_number", args: ["-42.0"], want: -42 },
    { name: "to_number big integer string", fn: "to_number", args: ["123456789012345678901"], want: 123456789012345678901n },
    { name: "to_number booleans and null", fn: "to_number", args: [true], want: 1 },
    { name: "to_number null", fn: "to_number", args: [null], want: 0 },
    { name: "to_number float", fn: "to_number", args: [100.1], want: 100.1 },
  ]);

  errors([
    { name: "range: float", fn: "numbers.range", args: [3.14, 4], code: "eval_type_error", message: "numbers.range: operand 1 must be integer number but got floating-point number" },
    { name: "range: float end", fn: "numbers.range", args: [3, 3.14], code: "eval_type_error", message: "numbers.range: operand 2 must be integer number but got floating-point number" },
    { name: "range_step: negative step", fn: "numbers.range_step", args: [0, 10, -2], code: "eval_builtin_error", message: "numbers.range_step: step must be a positive integer" },
    { name: "to_number: bad string", fn: "to_number", args: ["broken"], code: "eval_builtin_error", message: 'to_number: strconv.ParseFloat: parsing "broken": invalid syntax' },
    { name: "to_number: inf", fn: "to_number", args: ["-Infinity"], code: "eval_type_error", message: /valid number string/ },
    { name: "to_number: nan", fn: "to_number", args: ["NaN"], code: "eval_type_error", message: /valid number string/ },
    { name: "to_number: array", fn: "to_number", args: [[]], code: "eval_type_error", message: "to_number: operand 1 must be one of {null, boolean, number, string} but got array" },
  ]);
});
