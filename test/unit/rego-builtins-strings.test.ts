// Rego string builtins and sprintf (Go fmt): named cases modelled on the OPA conformance suite, messages included.
import { describe, expect, it } from "vitest";
import { BUILTINS } from "../../src/policy/rego/topdown/builtins/index.ts";
import { BuiltinError } from "../../src/policy/rego/topdown/builtins/types.ts";
import type { BuiltinContext } from "../../src/policy/rego/topdown/builtins/types.ts";
import { RegoObject, RegoSet, fromJSON, toJSON } from "../../src/policy/rego/value.ts";
import type { Value } from "../../src/policy/rego/value.ts";

const ctx = (): BuiltinContext => ({ strict: true, nowNs: 1_700_000_000_123_456_789n, queryCache: new Map() });

/** Calls a builtin by name; the result as JSON (sets as sorted arrays, big integers as bigint). */
function call(name: string, ...args: Value[]): unknown {
  const b = BUILTINS.get(name);
  if (!b?.fn) throw new Error(`no builtin function ${name}`);
  const v = b.fn(args, ctx());
  return v === undefined ? undefined : toJSON(v);
}

function failure(name: string, ...args: Value[]): { code: string; message: string } {
  try {
    call(name, ...args);
  } catch (error) {
    if (error instanceof BuiltinError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error(`${name} did not fail`);
}

type Case = { name: string; fn: string; args: Value[]; want: unknown };
type ErrorCase = { name: string; fn: string; args: Value[]; code: "eval_type_error" | "eval_builtin_error"; message: string | RegExp };

/** A Rego value from JavaScript data; Rego sets and objects inside are kept. */
function rego(x: unknown): Value {
  if (x instanceof RegoSet || x instanceof RegoObject) return x;
  if (Array.isArray(x)) return x.map(rego);
  if (x !== null && typeof x === "object") return RegoObject.of(Object.entries(x).map(([k, v]) => [k, rego(v)] as const));
  return fromJSON(x);
}
const obj = (x: Record<string, unknown>): RegoObject => rego(x) as RegoObject;
const set = (...xs: Value[]): RegoSet => RegoSet.of(xs);

function table(cases: Case[]): void {
  it.each(cases)("$name", ({ fn, args, want }) => {
    expect(call(fn, ...args)).toEqual(want);
  });
}

function errors(cases: ErrorCase[]): void {
  it.each(cases)("$name", ({ fn, args, code, message }) => {
    const got = failure(fn, ...args);
    expect(got.code).toBe(code);
    if (typeof message === "string") expect(got.message).toBe(message);
    else expect(got.message).toMatch(message);
  });
}

describe("strings", () => {
  table([
    { name: "concat array", fn: "concat", args: ["/", ["", "foo", "bar", "0", "baz"]], want: "/foo/bar/0/baz" },
    { name: "concat set (sorted)", fn: "concat", args: [",", set("b", "a")], want: "a,b" },
    { name: "contains", fn: "contains", args: ["abcdefgh", "defg"], want: true },
    { name: "contains: no", fn: "contains", args: ["abcdefgh", "ac"], want: false },
    { name: "startswith", fn: "startswith", args: ["abcdefgh", "abcd"], want: true },
    { name: "endswith: no", fn: "endswith", args: ["abcdefgh", "fg"], want: false },
    { name: "lower", fn: "lower", args: ["AbCdEf"], want: "abcdef" },
    { name: "lower of İ is i (Go's simple mapping)", fn: "lower", args: ["İSTANBUL"], want: "istanbul" },
    { name: "upper keeps ß (no multi-rune mapping)", fn: "upper", args: ["straße"], want: "STRAßE" },
    { name: "split", fn: "split", args: ["foo.bar.baz", "."], want: ["foo", "bar", "baz"] },
    { name: "split: empty text", fn: "split", args: ["", "."], want: [""] },
    { name: "split: empty delimiter splits runes", fn: "split", args: ["t😀s", ""], want: ["t", "😀", "s"] },
    { name: "split: both empty", fn: "split", args: ["", ""], want: [] },
    { name: "replace: overlap", fn: "replace", args: ["foo...bar", "..", ",,"], want: "foo,,.bar" },
    { name: "replace: empty old inserts between runes", fn: "replace", args: ["ab", "", "-"], want: "-a-b-" },
    { name: "trim multi-cutset", fn: "trim", args: ["...foo.bar...", ".fr"], want: "oo.ba" },
    { name: "trim unicode cutset", fn: "trim", args: ["¡¡¡foo, bar!!!", "!¡"], want: "foo, bar" },
    { name: "trim_left", fn: "trim_left", args: ["¡¡¡foo, bar!!!", "!¡"], want: "foo, bar!!!" },
    { name: "trim_right", fn: "trim_right", args: ["¡¡¡foo, bar!!!", "!¡"], want: "¡¡¡foo, bar" },
    { name: "trim_prefix", fn: "trim_prefix", args: ["¡¡¡foo, bar!!!", "¡¡¡foo"], want: ", bar!!!" },
    { name: "trim_suffix: no match", fn: "trim_suffix", args: ["¡¡¡foo, bar!!!", ", foo!!!"], want: "¡¡¡foo, bar!!!" },
    { name: "trim_space", fn: "trim_space", args: [" \t\n foo, bar \n\t\r\n"], want: "foo, bar" },
    { name: "trim_space keeps a BOM (not a Go space)", fn: "trim_space", args: ["\uFEFFx "], want: "\uFEFFx" },
    { name: "substring", fn: "substring", args: ["abcdefgh", 2, 3], want: "cde" },
    { name: "substring: unicode", fn: "substring", args: ["åäö", 0, 2], want: "åä" },
    { name: "substring: negative length is the rest", fn: "substring", args: ["aåäö", 2, -1], want: "äö" },
    { name: "substring: offset too long", fn: "substring", args: ["åäö", 4, -1], want: "" },
    { name: "indexof", fn: "indexof", args: ["abcabcabcdefgh", "cde"], want: 8 },
    { name: "indexof: runes", fn: "indexof", args: ["🍧🍨🧁🍰🍮", "🍮"], want: 4 },
    { name: "indexof: not found", fn: "indexof", args: ["abcdefgh", "xyz"], want: -1 },
    { name: "indexof_n: runes", fn: "indexof_n", args: ["😇😀😇😀😇😀", "😀"], want: [1, 3, 5] },
    { name: "indexof_n: none", fn: "indexof_n", args: ["dogcat", "rabbit"], want: [] },
    { name: "format_int truncates", fn: "format_int", args: [15.5, 16], want: "f" },
    { name: "format_int negative binary", fn: "format_int", args: [-5, 2], want: "-101" },
    { name: "strings.count", fn: "strings.count", args: ["cheese", "e"], want: 3 },
    { name: "strings.count: empty needle counts runes + 1", fn: "strings.count", args: ["fives", ""], want: 6 },
    { name: "strings.reverse: runes", fn: "strings.reverse", args: ["1😀𝛾"], want: "𝛾😀1" },
    { name: "strings.replace_n", fn: "strings.replace_n", args: [obj({ "<": "&lt;", ">": "&gt;" }), "This is <b>HTML</b>!"], want: "This is &lt;b&gt;HTML&lt;/b&gt;!" },
    { name: "strings.replace_n: first key in order wins", fn: "strings.replace_n", args: [obj({ f: "x", foo: "xxx" }), "foobar"], want: "xoobar" },
    { name: "any_prefix_match: array and string", fn: "strings.any_prefix_match", args: [["a/b", "c/d"], "c/"], want: true },
    { name: "any_prefix_match: set, none", fn: "strings.any_prefix_match", args: [set("a/b"), set("b", "c")], want: false },
    { name: "any_suffix_match", fn: "strings.any_suffix_match", args: ["image:latest", [":latest", ":main"]], want: true },
    { name: "render_template", fn: "strings.render_template", args: ["{{range $i, $name := .names}}{{if $i}},{{end}}hello {{$name}}{{end}}", obj({ names: ["rohan", "john doe"] })], want: "hello rohan,hello john doe" },
    { name: "render_template: missing key", fn: "strings.render_template", args: ["test {{.foo}} {{.baz}}", obj({ baz: 1 })], want: "test <undefined> 1" },
  ]);

  errors([
    { name: "indexof: empty search", fn: "indexof", args: ["abc", ""], code: "eval_builtin_error", message: "indexof: empty search character" },
    { name: "indexof_n: empty search", fn: "indexof_n", args: ["abc", ""], code: "eval_builtin_error", message: "indexof_n: empty search character" },
    { name: "substring: negative offset", fn: "substring", args: ["aaa", -1, -1], code: "eval_builtin_error", message: "substring: negative offset" },
    { name: "format_int: bad base", fn: "format_int", args: [4.1, 199], code: "eval_type_error", message: "format_int: operand 2 must be one of {2, 8, 10, 16}" },
    { name: "concat: non-string member", fn: "concat", args: ["/", ["a", 1]], code: "eval_type_error", message: "concat: operand 2 must be array of strings but got array containing number" },
    { name: "concat: not a collection", fn: "concat", args: ["/", "a"], code: "eval_type_error", message: "concat: operand 2 must be one of {array, set} but got string" },
    { name: "contains: operand 1", fn: "contains", args: [1, "a"], code: "eval_type_error", message: "contains: operand 1 must be string but got number" },
    { name: "reverse: OPA calls it reverse", fn: "strings.reverse", args: [obj({})], code: "eval_type_error", message: "reverse: operand 1 must be string but got object" },
    { name: "replace_n: non-string key", fn: "strings.replace_n", args: [RegoObject.of([[2, "x"]]), "foo"], code: "eval_type_error", message: "strings.replace_n: operand 1 non-string key found in pattern object" },
    { name: "replace_n: non-string value", fn: "strings.replace_n", args: [obj({ a: 1 }), "foo"], code: "eval_type_error", message: "strings.replace_n: operand 1 non-string value found in pattern object" },
    { name: "replace_n: operand 2", fn: "strings.replace_n", args: [obj({ foo: "baz" }), 1], code: "eval_type_error", message: "strings.replace_n: operand 2 must be string but got number" },
    { name: "any_prefix_match: number", fn: "strings.any_prefix_match", args: [1, "a"], code: "eval_type_error", message: "strings.any_prefix_match: operand 1 must be one of {string, set, array} but got number" },
    { name: "any_suffix_match: array of number", fn: "strings.any_suffix_match", args: ["a", [1]], code: "eval_type_error", message: "strings.any_suffix_match: operand 2 must be array of strings but got array containing number" },
  ]);
});

describe("sprintf", () => {
  table([
    { name: "no verbs", fn: "sprintf", args: ["hi", []], want: "hi" },
    { name: "%s string", fn: "sprintf", args: ["hi %s", ["there"]], want: "hi there" },
    { name: "%02d", fn: "sprintf", args: ["hi %02d", [5]], want: "hi 05" },
    { name: "%02X", fn: "sprintf", args: ["hi %02X.%02X", [127, 1]], want: "hi 7F.01" },
    { name: "%.2f", fn: "sprintf", args: ["hi %.2f", [3.1415]], want: "hi 3.14" },
    { name: "%.0f rounds half to even", fn: "sprintf", args: ["%.0f %.0f", [2.5, 3.5]], want: "2 4" },
    { name: "%s of a boolean (OPA passes its text)", fn: "sprintf", args: ["hi %s", [true]], want: "hi true" },
    { name: "%v of a composite", fn: "sprintf", args: ["hi %v", [["there", 5, 3.14]]], want: 'hi ["there", 5, 3.14]' },
    { name: "%v of objects and sets", fn: "sprintf", args: ["%v %v %v", [obj({ a: 1 }), set(2, 1), set()]], want: '{"a": 1} {1, 2} set()' },
    { name: "%v of null", fn: "sprintf", args: ["%v", [null]], want: "null" },
    { name: "%v floats as Go's %g", fn: "sprintf", args: ["%v %v %v %v", [1.5, 1e21, 123456789.5, 0.00001]], want: "1.5 1e+21 1.234567895e+08 1e-05" },
    { name: "%s of a big integer (*big.Int)", fn: "sprintf", args: ["%s", [123456789123456789123n]], want: "123456789123456789123" },
    { name: "%d of a big integer", fn: "sprintf", args: ["%d", [1208925819614629174706175n]], want: "1208925819614629174706175" },
    { name: "%s of an int is a Go verb error", fn: "sprintf", args: ["%s", [5]], want: "%!s(int=5)" },
    { name: "%d of a float is a Go verb error", fn: "sprintf", args: ["%d", [1.5]], want: "%!d(float64=1.5)" },
    { name: "%q", fn: "sprintf", args: ["%q", ['a"b\n']], want: '"a\\"b\\n"' },
    { name: "%x of a string", fn: "sprintf", args: ["%x", ["hi"]], want: "6869" },
    { name: "%e and %g", fn: "sprintf", args: ["%e %g %.3g", [1234.5678, 1234.5678, 1234.5678]], want: "1.234568e+03 1234.5678 1.23e+03" },
    { name: "width and flags", fn: "sprintf", args: ["%8.3f|%-8d|%+d|%5s|%-5s|", [3.14159, 42, 5, "ab", "cd"]], want: "   3.142|42      |+5|   ab|cd   |" },
    { name: "integer verbs", fn: "sprintf", args: ["%b %o %O %x %X %#x %c %q %U", [5, 8, 8, -255, 255, 255, 65, 66, 0x1f600]], want: "101 10 0o10 -ff FF 0xff A 'B' U+1F600" },
    { name: "integer precision and zero padding", fn: "sprintf", args: ["%.3d|%05d|%-5d|% d", [7, -42, -42, 5]], want: "007|-0042|-42  | 5" },
    { name: "float zero padding keeps the sign first", fn: "sprintf", args: ["%08.3f", [-3.14159]], want: "-003.142" },
    { name: "float rounding to zero keeps the sign", fn: "sprintf", args: ["%.2f", [-0.0001]], want: "-0.00" },
    { name: "%e precision", fn: "sprintf", args: ["%.3e %E", [1234.5678, 0.000123]], want: "1.235e+03 1.230000E-04" },
    { name: "%g switches to exponent form", fn: "sprintf", args: ["%g %g %G", [1e-5, 123456789.5, 1e21]], want: "1e-05 1.234567895e+08 1E+21" },
    { name: "%s precision truncates runes", fn: "sprintf", args: ["%.2s|%5.1s|", ["åäö", "xyz"]], want: "åä|    x|" },
    { name: "%v of nested values prints Rego", fn: "sprintf", args: ["%v", [obj({ a: [set("x"), null, true] })]], want: '{"a": [{"x"}, null, true]}' },
    { name: "%v quotes strings inside composites as Go does", fn: "sprintf", args: ["%v", [["a\tb", "é"]]], want: '["a\\tb", "é"]' },
    { name: "%T and %#v", fn: "sprintf", args: ["%T %T %T %#v", [1, 1.5, "a", "a"]], want: 'int float64 string "a"' },
    { name: "%%", fn: "sprintf", args: ["100%%", []], want: "100%" },
    { name: "missing argument", fn: "sprintf", args: ["%d %d", [1]], want: "1 %!d(MISSING)" },
    { name: "extra argument", fn: "sprintf", args: ["%d", [1, "a"]], want: "1%!(EXTRA string=a)" },
    { name: "%t of a boolean is a string to Go", fn: "sprintf", args: ["%t", [true]], want: "%!t(string=true)" },
  ]);

  errors([
    { name: "operand 2 must be an array", fn: "sprintf", args: ["%s", "x"], code: "eval_type_error", message: "sprintf: operand 2 must be array but got string" },
  ]);
});
