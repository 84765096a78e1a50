// Rego aggregates, arrays, sets, objects, json.filter/remove/patch, walk, type checks and graphs.
import { describe, expect, it } from "vitest";
import { BUILTINS } from "../../src/policy/rego/topdown/builtins/index.ts";
import { RegoObject, toJSON } from "../../src/policy/rego/value.ts";
import { ctx, obj, set, table, errors } from "../helpers/rego-builtins.ts";

describe("aggregates", () => {
  table([
    { name: "count array", fn: "count", args: [[1, 2, 3, 4]], want: 4 },
    { name: "count object", fn: "count", args: [obj({ a: 1, b: 2 })], want: 2 },
    { name: "count string in runes", fn: "count", args: ["åäö"], want: 3 },
    { name: "sum", fn: "sum", args: [[1, 2, 3, 4]], want: 10 },
    { name: "sum set", fn: "sum", args: [set(1, 2, 3, 4)], want: 10 },
    { name: "sum precision", fn: "sum", args: [[49649733057, 1]], want: 49649733058 },
    { name: "product", fn: "product", args: [[1, 2, 3, 4]], want: 24 },
    { name: "max", fn: "max", args: [[1, 2, 3, 4]], want: 4 },
    { name: "max of empty is undefined", fn: "max", args: [[]], want: undefined },
    { name: "min out of order", fn: "min", args: [[3, 2, 1, 4, 6, -7, 10]], want: -7 },
    { name: "max across types", fn: "max", args: [[1, "a", null]], want: "a" },
    { name: "sort", fn: "sort", args: [[4, 3, 2, 1]], want: [1, 2, 3, 4] },
    { name: "sort set", fn: "sort", args: [set("b", "a")], want: ["a", "b"] },
    { name: "member of array", fn: "internal.member_2", args: [1, [1]], want: true },
    { name: "member of object values", fn: "internal.member_2", args: [1, obj({ foo: 1 })], want: true },
    { name: "member of a string is false", fn: "internal.member_2", args: [1, "foo"], want: false },
    { name: "member composite", fn: "internal.member_2", args: [obj({ foo: obj({ baz: 2000 }) }), [obj({ foo: obj({ baz: 2000 }) })]], want: true },
    { name: "member_3 object key", fn: "internal.member_3", args: ["foo", 1, obj({ foo: 1 })], want: true },
    { name: "member_3 array index", fn: "internal.member_3", args: [1, "two", ["one", "two", "three"]], want: true },
    { name: "member_3 set member is its own key", fn: "internal.member_3", args: ["a", "a", set("a")], want: true },
    { name: "member_3 non-collection", fn: "internal.member_3", args: [1, "foo", 1], want: false },
  ]);

  errors([
    { name: "count null", fn: "count", args: [null], code: "eval_type_error", message: "count: operand 1 must be one of {array, object, set, string} but got null" },
    { name: "sum of strings", fn: "sum", args: [["a"]], code: "eval_type_error", message: "sum: operand 1 must be array of numbers but got array containing string" },
    { name: "sum of an object", fn: "sum", args: [obj({})], code: "eval_type_error", message: "sum: operand 1 must be one of {set, array} but got object" },
  ]);
});

describe("arrays and sets", () => {
  table([
    { name: "array.concat", fn: "array.concat", args: [[1, 2], [3, 4]], want: [1, 2, 3, 4] },
    { name: "array.slice", fn: "array.slice", args: [[1, 2, 3, 4, 5], 1, 3], want: [2, 3] },
    { name: "array.slice: negative indices", fn: "array.slice", args: [[1, 2, 3, 4, 5], -4, -1], want: [] },
    { name: "array.slice: clamp start", fn: "array.slice", args: [[1, 2, 3, 4, 5], -1, 2], want: [1, 2] },
    { name: "array.slice: clamp stop", fn: "array.slice", args: [[1, 2, 3, 4, 5], 3, 6], want: [4, 5] },
    { name: "array.slice: stop before start", fn: "array.slice", args: [[1, 2, 3, 4, 5], 4, 1], want: [] },
    { name: "array.reverse", fn: "array.reverse", args: [[1, 2, 3]], want: [3, 2, 1] },
    { name: "array.flatten one level", fn: "array.flatten", args: [[[[1], [2, 3, []]], [[4, 5]]]], want: [[1], [2, 3, []], [4, 5]] },
    { name: "and", fn: "and", args: [set(1, 2, 3), set(2, 3, 4)], want: [2, 3] },
    { name: "or", fn: "or", args: [set(1), set(2)], want: [1, 2] },
    { name: "intersection", fn: "intersection", args: [set(set(1, 2, 3), set(2, 3, 4))], want: [2, 3] },
    { name: "intersection of none", fn: "intersection", args: [set()], want: [] },
    { name: "union", fn: "union", args: [set(set(1), set(2, 3))], want: [1, 2, 3] },
  ]);

  errors([
    { name: "array.concat lhs", fn: "array.concat", args: [obj({}), [3, 4]], code: "eval_type_error", message: "array.concat: operand 1 must be array but got object" },
    { name: "array.slice float index", fn: "array.slice", args: [[1, 2], 0.5, 1], code: "eval_type_error", message: "array.slice: operand 2 must be integer number but got floating-point number" },
    { name: "array.reverse object", fn: "array.reverse", args: [obj({})], code: "eval_type_error", message: "array.reverse: operand 1 must be array but got object" },
    { name: "array.flatten number", fn: "array.flatten", args: [42], code: "eval_type_error", message: "array.flatten: operand 1 must be array but got number" },
    { name: "and of an array", fn: "and", args: [[1], set(1)], code: "eval_type_error", message: "and: operand 1 must be set but got array" },
  ]);
});

describe("objects", () => {
  table([
    { name: "object.get found", fn: "object.get", args: [obj({ a: "b" }), "a", "c"], want: "b" },
    { name: "object.get null value is found", fn: "object.get", args: [obj({ a: null }), "a", "c"], want: null },
    { name: "object.get integer key", fn: "object.get", args: [RegoObject.of([[1, 2]]), 2, 3], want: 3 },
    { name: "object.get empty path", fn: "object.get", args: [obj({ a: 1 }), [], 2], want: { a: 1 } },
    { name: "object.get path through an array", fn: "object.get", args: [obj({ a: { b: [{ c: 1 }] } }), ["a", "b", 0, "c"], 2], want: 1 },
    { name: "object.get path stops at a non-object", fn: "object.get", args: [obj({ a: { b: [1, 2, 3] } }), ["a", "b", "a"], 2], want: 2 },
    { name: "object.keys", fn: "object.keys", args: [obj({ a: 1, b: 2 })], want: ["a", "b"] },
    { name: "object.union nested", fn: "object.union", args: [obj({ a: { b: { c: 1 } }, e: 1 }), obj({ a: { b: "foo", b1: "bar" }, d: 7, e: 17 })], want: { a: { b: "foo", b1: "bar" }, d: 7, e: 17 } },
    { name: "object.union merges objects", fn: "object.union", args: [obj({ a: { x: 1 } }), obj({ a: { y: 2 } })], want: { a: { x: 1, y: 2 } } },
    { name: "object.union_n", fn: "object.union_n", args: [[obj({ a: 1, b: 2 }), obj({ a: "a", d: 4 }), obj({ a: "final" })]], want: { a: "final", b: 2, d: 4 } },
    { name: "object.remove by set", fn: "object.remove", args: [obj({ a: 1, b: { c: 3 }, d: 4 }), set("b", "d")], want: { a: 1 } },
    { name: "object.remove by object keys", fn: "object.remove", args: [obj({ a: 1, b: { c: 3 }, d: 4 }), obj({ b: 1, d: "" })], want: { a: 1 } },
    { name: "object.filter by array", fn: "object.filter", args: [obj({ a: 1, b: 2, c: 3, e: 9 }), ["a", "e"]], want: { a: 1, e: 9 } },
    { name: "object.subset nested", fn: "object.subset", args: [obj({ a: 5, nested: { x: 10, y: 15, z: 20 } }), obj({ nested: { x: 10 } })], want: true },
    { name: "object.subset: contiguous array", fn: "object.subset", args: [[1, 2, 3, 4, 5, 6], [3, 4, 5]], want: true },
    { name: "object.subset: not contiguous", fn: "object.subset", args: [[1, 2, 3, 4, 5, 6], [4, 5, 6, 8]], want: false },
    { name: "object.subset: set in array", fn: "object.subset", args: [[1, 2, 3, 4], set(4, 3, 2)], want: true },
    { name: "object.subset: sets", fn: "object.subset", args: [set(1, 2, 3), set(3, 2)], want: true },
  ]);

  errors([
    { name: "object.get of a string", fn: "object.get", args: ["x", "a", 1], code: "eval_type_error", message: "object.get: operand 1 must be object but got string" },
    { name: "object.keys of a string", fn: "object.keys", args: ["x"], code: "eval_type_error", message: "object.keys: operand 1 must be object but got string" },
    { name: "object.union rhs", fn: "object.union", args: [obj({}), []], code: "eval_type_error", message: "object.union: operand 2 must be object but got array" },
    { name: "object.remove keys null", fn: "object.remove", args: [obj({ a: 1 }), null], code: "eval_type_error", message: "object.remove: operand 2 must be one of {object, set, array} but got null" },
    { name: "object.filter of a boolean", fn: "object.filter", args: [true, set("a")], code: "eval_type_error", message: "object.filter: operand 1 must be object but got boolean" },
  ]);
});

describe("json.filter, json.remove, json.patch", () => {
  table([
    { name: "filter", fn: "json.filter", args: [obj({ a: { b: { c: 7, d: 8 } }, e: 9 }), set("a/b/c", "e")], want: { a: { b: { c: 7 } }, e: 9 } },
    { name: "filter arrays", fn: "json.filter", args: [obj({ a: [{ b: 7, c: 8 }, { d: 9 }] }), set("a/0/b", "a/1")], want: { a: [{ b: 7 }, { d: 9 }] } },
    { name: "filter with path arrays", fn: "json.filter", args: [obj({ a: { b: { c: 7, d: 8, x: 0 } }, e: 9 }), set("a/b/d", ["a", "b", "c"])], want: { a: { b: { c: 7, d: 8 } } } },
    { name: "filter: shorter path wins", fn: "json.filter", args: [obj({ a: { b: 7 } }), set("a", "a/b")], want: { a: { b: 7 } } },
    { name: "remove", fn: "json.remove", args: [obj({ a: { b: { c: 7, d: 8 } }, e: 9 }), set("a/b/c", "e")], want: { a: { b: { d: 8 } } } },
    { name: "remove array elements", fn: "json.remove", args: [obj({ a: [{ b: 7, c: 8 }, { d: 9 }] }), set("a/0/b", "a/1")], want: { a: [{ c: 8 }] } },
    { name: "remove: keys that are numbers in strings", fn: "json.remove", args: [obj({ a: [{ "1": ["b", "c", "d"] }, { x: "y" }] }), set("a/0/1/2")], want: { a: [{ "1": ["b", "c"] }, { x: "y" }] } },
    { name: "patch add", fn: "json.patch", args: [obj({ foo: "bar" }), [obj({ op: "add", path: "/baz", value: "qux" })]], want: { baz: "qux", foo: "bar" } },
    { name: "patch add into an array", fn: "json.patch", args: [obj({ foo: ["bar", "baz"] }), [obj({ op: "add", path: "/foo/1", value: "qux" })]], want: { foo: ["bar", "qux", "baz"] } },
    { name: "patch append", fn: "json.patch", args: [[], [obj({ op: "add", path: "/-", value: "hi" })]], want: ["hi"] },
    { name: "patch move in an array", fn: "json.patch", args: [obj({ foo: ["all", "grass", "cows", "eat"] }), [obj({ op: "move", from: "/foo/1", path: "/foo/3" })]], want: { foo: ["all", "cows", "eat", "grass"] } },
    { name: "patch add to a set", fn: "json.patch", args: [obj({ foo: set("a", "b") }), [obj({ op: "add", path: "foo/c", value: "c" })]], want: { foo: ["a", "b", "c"] } },
    { name: "patch remove from a set", fn: "json.patch", args: [obj({ foo: set("a", "b") }), [obj({ op: "remove", path: "foo/b" })]], want: { foo: ["a"] } },
    { name: "patch with path segments", fn: "json.patch", args: [set([1]), [obj({ op: "add", path: [[1], 1], value: 2 })]], want: [[1, 2]] },
    { name: "patch: a failed test is undefined", fn: "json.patch", args: [obj({ baz: "qux" }), [obj({ op: "test", path: "/baz", value: "bar" })]], want: undefined },
    { name: "patch: out of bounds is undefined", fn: "json.patch", args: [obj({ bar: [1, 2] }), [obj({ op: "add", path: "/bar/8", value: "5" })]], want: undefined },
    { name: "patch: missing parent is undefined", fn: "json.patch", args: [obj({ q: { bar: 2 } }), [obj({ op: "add", path: "/a/b", value: 1 })]], want: undefined },
  ]);

  errors([
    { name: "remove: paths string", fn: "json.remove", args: [obj({}), "a"], code: "eval_type_error", message: "json.remove: operand 2 must be one of {set, array} but got string" },
    { name: "remove: path number", fn: "json.remove", args: [obj({}), [1]], code: "eval_type_error", message: "json.remove: operand 2 must be one of {set, array} containing string paths or array of path segments but got number" },
    { name: "remove: target array", fn: "json.remove", args: [[], set("a")], code: "eval_type_error", message: "json.remove: operand 1 must be object but got array" },
  ]);
});

describe("walk", () => {
  it("yields [path, value] pairs, each node before its children, keys in order", () => {
    const walk = BUILTINS.get("walk")!.relation!;
    const got = [...walk([obj({ b: [1], a: set("x") })], ctx())].map(toJSON);
    expect(got).toEqual([
      [[], { a: ["x"], b: [1] }],
      [["a"], ["x"]],
      [["a", "x"], "x"],
      [["b"], [1]],
      [["b", 0], 1],
    ]);
  });
});

describe("types", () => {
  table([
    { name: "is_number", fn: "is_number", args: [-42.0], want: true },
    { name: "is_number of null", fn: "is_number", args: [null], want: false },
    { name: "is_string", fn: "is_string", args: ["x"], want: true },
    { name: "is_boolean", fn: "is_boolean", args: [false], want: true },
    { name: "is_array of a set", fn: "is_array", args: [set(1)], want: false },
    { name: "is_set", fn: "is_set", args: [set()], want: true },
    { name: "is_object", fn: "is_object", args: [obj({})], want: true },
    { name: "is_null", fn: "is_null", args: [null], want: true },
    { name: "type_name", fn: "type_name", args: [set()], want: "set" },
    { name: "type_name of a big number", fn: "type_name", args: [123456789012345678901234n], want: "number" },
  ]);
});

describe("graphs", () => {
  table([
    { name: "reachable through a cycle", fn: "graph.reachable", args: [obj({ a: ["b"], b: ["c"], c: ["a"] }), ["a"]], want: ["a", "b", "c"] },
    { name: "reachable components", fn: "graph.reachable", args: [obj({ a: ["b", "c"], b: ["d"], c: ["d"], d: [], e: ["f"], f: ["e"], x: ["x"] }), set("b", "e")], want: ["b", "d", "e", "f"] },
    { name: "reachable: null edges", fn: "graph.reachable", args: [obj({ a: null }), ["a"]], want: ["a"] },
    { name: "reachable_paths", fn: "graph.reachable_paths", args: [obj({ a: ["b", "c"], b: ["c"], c: [] }), set("a")], want: [["a", "b", "c"], ["a", "c"]] },
    { name: "reachable_paths: missing end", fn: "graph.reachable_paths", args: [obj({ a: ["b"], b: ["nonexistent"] }), set("a", "b")], want: [["a", "b"], ["b"]] },
    { name: "reachable_paths: null edges", fn: "graph.reachable_paths", args: [obj({ a: null }), ["a"]], want: [["a"]] },
    {
      name: "reachable_paths: reached nodes are shared below each first edge (OPA issue 1022)",
      fn: "graph.reachable_paths",
      args: [obj({ one: ["two", "five"], two: ["four"], three: [""], four: ["three"], five: ["seven", "six"], six: ["nine", "seven"], seven: ["eight"], eight: ["three"], nine: [""] }), set("one")],
      want: [
        ["one", "five", "seven", "eight", "three"],
        ["one", "five", "six"],
        ["one", "five", "six", "nine"],
        ["one", "two", "four", "three"],
      ],
    },
  ]);

  errors([
    { name: "reachable: graph not an object", fn: "graph.reachable", args: [[], ["a"]], code: "eval_type_error", message: "graph.reachable: operand 1 must be object but got array" },
    { name: "reachable_paths: initial not a collection", fn: "graph.reachable_paths", args: [obj({}), 1], code: "eval_type_error", message: "graph.reachable_paths: operand 2 must be {array, set} but got number" },
  ]);
});
