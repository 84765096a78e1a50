// Rego encoding builtins (json, yaml, base64, hex, urlquery) and regex / glob matching with Go semantics.
import { describe, expect, it } from "vitest";
import { call, obj, set, table, errors } from "../helpers/rego-builtins.ts";

describe("json and yaml", () => {
  table([
    { name: "json.marshal: sets as arrays", fn: "json.marshal", args: [[obj({ foo: set(1, 2, 3) })]], want: '[{"foo":[1,2,3]}]' },
    { name: "json.marshal: HTML escaped as Go does", fn: "json.marshal", args: ["<a&b>"], want: '"\\u003ca\\u0026b\\u003e"' },
    { name: "json.marshal: big integer exact", fn: "json.marshal", args: [[12345678901234567890n]], want: "[12345678901234567890]" },
    { name: "json.marshal: keys sorted", fn: "json.marshal", args: [obj({ b: 1, a: 2 })], want: '{"a":2,"b":1}' },
    { name: "marshal_with_options: indent", fn: "json.marshal_with_options", args: [[1234567890, 2000000], obj({ indent: "  " })], want: "[\n  1234567890,\n  2000000\n]" },
    { name: "marshal_with_options: pretty default tab", fn: "json.marshal_with_options", args: [[1], obj({ pretty: true })], want: "[\n\t1\n]" },
    { name: "marshal_with_options: pretty false wins", fn: "json.marshal_with_options", args: [[1], obj({ pretty: false, prefix: "NO!", indent: "BAD!" })], want: "[1]" },
    { name: "marshal_with_options: prefix on every line", fn: "json.marshal_with_options", args: [obj({ foo: "bar", bar: "baz" }), obj({ prefix: "JSON => " })], want: 'JSON => {\nJSON => \t"bar": "baz",\nJSON => \t"foo": "bar"\nJSON => }' },
    { name: "marshal_with_options: empty array", fn: "json.marshal_with_options", args: [[], obj({ indent: "    ", prefix: "---" })], want: "---[]" },
    { name: "json.unmarshal", fn: "json.unmarshal", args: ['[{"foo":[1,2,3]}]'], want: [{ foo: [1, 2, 3] }] },
    { name: "json.is_valid", fn: "json.is_valid", args: ["{"], want: false },
    { name: "json.is_valid of a number", fn: "json.is_valid", args: [1], want: false },
    { name: "yaml.marshal", fn: "yaml.marshal", args: [[obj({ foo: set(1, 2, 3) })]], want: "- foo:\n  - 1\n  - 2\n  - 3\n" },
    { name: "yaml.marshal quotes what YAML 1.1 would read as another type", fn: "yaml.marshal", args: [obj({ a: "yes", b: "1", c: "foo bar", d: "2001-12-14" })], want: 'a: "yes"\nb: "1"\nc: foo bar\nd: "2001-12-14"\n' },
    { name: "yaml.unmarshal: timestamps stay strings (go-yaml v2)", fn: "yaml.unmarshal", args: ["a: 2001-12-14\nb: 1:20\nc: 0777\n"], want: { a: "2001-12-14", b: "1:20", c: 511 } },
    { name: "yaml.unmarshal: YAML 1.1 booleans", fn: "yaml.unmarshal", args: ["a: yes\nb: off\n"], want: { a: true, b: false } },
    { name: "yaml.unmarshal", fn: "yaml.unmarshal", args: ["foo:\n  - qux: bar\n  - baz: 2\n"], want: { foo: [{ qux: "bar" }, { baz: 2 }] } },
    { name: "yaml.is_valid: bad flow mapping", fn: "yaml.is_valid", args: ["foo:\n  - baz: {"], want: false },
    { name: "yaml.is_valid: JSON", fn: "yaml.is_valid", args: ['{"json": "ok"}'], want: true },
  ]);

  errors([
    { name: "json.unmarshal of a number", fn: "json.unmarshal", args: [1], code: "eval_type_error", message: "json.unmarshal: operand 1 must be string but got number" },
    { name: "json.unmarshal: bad JSON", fn: "json.unmarshal", args: ["{"], code: "eval_builtin_error", message: /^json.unmarshal: / },
    { name: "marshal_with_options: unknown key", fn: "json.marshal_with_options", args: [[], obj({ indent: "    ", include_winning_lottery_numbers: true })], code: "eval_type_error", message: 'json.marshal_with_options: object contained unknown key "include_winning_lottery_numbers"' },
    { name: "yaml.unmarshal: infinity is not JSON", fn: "yaml.unmarshal", args: ["a: .inf"], code: "eval_builtin_error", message: "yaml.unmarshal: json: unsupported value: +Inf" },
    { name: "yaml.unmarshal: unclosed flow sequence", fn: "yaml.unmarshal", args: ["[1,2,3"], code: "eval_builtin_error", message: /^yaml.unmarshal: yaml: line 1: did not find/ },
  ]);
});

describe("base64, hex, urlquery", () => {
  table([
    { name: "base64.encode", fn: "base64.encode", args: ["hello"], want: "aGVsbG8=" },
    { name: "base64.decode", fn: "base64.decode", args: ["c3ViamVjdHM/X2Q="], want: "subjects?_d" },
    { name: "base64.decode: invalid UTF-8 is one U+FFFD per byte", fn: "base64.decode", args: ["/w=="], want: "\uFFFD" },
    { name: "count of decoded bytes as Go runes", fn: "count", args: [call("base64.decode", "2E84ZuPUd7zfvCZSNEchVpDEIj6PL7JfLpIqyxVG16k=") as string], want: 30 },
    { name: "base64.is_valid", fn: "base64.is_valid", args: ["aGVsbG8="], want: true },
    { name: "base64.is_valid: no", fn: "base64.is_valid", args: ["{'not':'base64'}"], want: false },
    { name: "base64url.encode", fn: "base64url.encode", args: ["subjects?_d"], want: "c3ViamVjdHM_X2Q=" },
    { name: "base64url.encode_no_pad", fn: "base64url.encode_no_pad", args: ["hello"], want: "aGVsbG8" },
    { name: "base64url.decode unpadded", fn: "base64url.decode", args: ["aGVsbG8"], want: "hello" },
    { name: "hex.encode", fn: "hex.encode", args: ["lorem ipsum"], want: "6c6f72656d20697073756d" },
    { name: "hex.decode", fn: "hex.decode", args: ["6c6f72656d20697073756d"], want: "lorem ipsum" },
    { name: "urlquery.encode", fn: "urlquery.encode", args: ["a=b+1 c"], want: "a%3Db%2B1+c" },
    { name: "urlquery.decode", fn: "urlquery.decode", args: ["a%3Db%2B1+c"], want: "a=b+1 c" },
    { name: "urlquery.encode_object", fn: "urlquery.encode_object", args: [obj({ c: "d", a: ["b+1", "c+2"], e: set("x") })], want: "a=b%2B1&a=c%2B2&c=d&e=x" },
    { name: "urlquery.decode_object", fn: "urlquery.decode_object", args: ["a=value_a1&b&a=value_a2"], want: { a: ["value_a1", "value_a2"], b: [""] } },
    { name: "urlquery.decode_object: empty", fn: "urlquery.decode_object", args: [""], want: {} },
  ]);

  errors([
    { name: "base64.decode: illegal", fn: "base64.decode", args: ["a$=="], code: "eval_builtin_error", message: "base64.decode: illegal base64 data at input byte 1" },
    { name: "hex.decode: invalid byte", fn: "hex.decode", args: ["fghijkl"], code: "eval_builtin_error", message: "hex.decode: encoding/hex: invalid byte: U+0067 'g'" },
    { name: "urlquery.decode: bad escape", fn: "urlquery.decode", args: ["%zz"], code: "eval_builtin_error", message: 'urlquery.decode: invalid URL escape "%zz"' },
  ]);
});

describe("regex", () => {
  table([
    { name: "match", fn: "regex.match", args: ["^[a-z]+\\[[0-9]+\\]$", "foo[1]"], want: true },
    { name: "match: empty pattern", fn: "regex.match", args: ["", "x"], want: true },
    { name: "match: Go \\x hex escape", fn: "regex.match", args: ["^\\x7b\\x7D$", "{}"], want: true },
    { name: "match: \\x{…} escape", fn: "regex.match", args: ["^\\x{1F600}$", "😀"], want: true },
    { name: "match: Unicode script class", fn: "regex.match", args: ["^\\p{Greek}+$", "αβγ"], want: true },
    { name: "match: negated Unicode class", fn: "regex.match", args: ["^\\p{^Greek}+$", "abc"], want: true },
    { name: "match: one-letter category", fn: "regex.match", args: ["^\\pL+$", "abc"], want: true },
    { name: "match: POSIX class", fn: "regex.match", args: ["^[[:alpha:]]+$", "abc"], want: true },
    { name: "match: \\z", fn: "regex.match", args: ["a\\z", "ba"], want: true },
    { name: "is_valid", fn: "regex.is_valid", args: [".+"], want: true },
    { name: "is_valid: bad", fn: "regex.is_valid", args: ["++"], want: false },
    { name: "is_valid: lookahead is not RE2", fn: "regex.is_valid", args: ["(?=a)"], want: false },
    { name: "is_valid: not a string", fn: "regex.is_valid", args: [1], want: false },
    { name: "split", fn: "regex.split", args: ["a", "banana"], want: ["b", "n", "n", ""] },
    { name: "split: repeat", fn: "regex.split", args: ["z+", "pizza"], want: ["pi", "a"] },
    { name: "split: anchored end", fn: "regex.split", args: ["baz$", "foobar baz"], want: ["foobar ", ""] },
    { name: "split: empty string", fn: "regex.split", args: ["a", ""], want: [""] },
    { name: "find_n all", fn: "regex.find_n", args: ["a.", "paranormal", -1], want: ["ar", "an", "al"] },
    { name: "find_n two", fn: "regex.find_n", args: ["a.", "paranormal", 2], want: ["ar", "an"] },
    { name: "find_n anchored", fn: "regex.find_n", args: ["^a.", "abacadaeaf", -1], want: ["ab"] },
    { name: "find_n: Go's empty matches", fn: "regex.find_n", args: ["a*", "baaab", -1], want: ["", "aaa", ""] },
    { name: "find_all_string_submatch_n", fn: "regex.find_all_string_submatch_n", args: ["a(x*)b", "-ab-axb-", -1], want: [["ab", ""], ["axb", "x"]] },
    { name: "find_all_string_submatch_n: optional group", fn: "regex.find_all_string_submatch_n", args: ["[^aouiye]([aouiye])([^aouiye])?", "somestri", -1], want: [["som", "o", "m"], ["ri", "i", ""]] },
    { name: "replace with groups", fn: "regex.replace", args: ["foo", "(foo)", "$1$1"], want: "foofoo" },
    { name: "replace", fn: "regex.replace", args: ["-wy-wxxy-", "w(x*)y", "0"], want: "-0-0-" },
    { name: "replace: anchored end", fn: "regex.replace", args: ["foo", "[a-z]$", "F"], want: "foF" },
    { name: "template_match", fn: "regex.template_match", args: ["urn:foo:{.*}", "urn:foo:bar:baz", "{", "}"], want: true },
    { name: "template_match: literal parts are quoted", fn: "regex.template_match", args: ["a.b:<[0-9]+>", "axb:12", "<", ">"], want: false },
    { name: "globs_match", fn: "regex.globs_match", args: ["a.a.[0-9]+z", ".b.b2359825792*594823z"], want: true },
    { name: "globs_match: disjoint", fn: "regex.globs_match", args: ["[a-z]+", "[0-9]*"], want: false },
    { name: "globs_match: escapes", fn: "regex.globs_match", args: ["[a-z]+\\[[0-9]+\\]", "foo\\[1\\]"], want: true },
  ]);

  errors([
    { name: "match: bad pattern", fn: "regex.match", args: ["$^[[[", "x"], code: "eval_builtin_error", message: /^regex.match: error parsing regexp: / },
    { name: "match: catastrophic backtracking refused", fn: "regex.match", args: ["(a+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"], code: "eval_builtin_error", message: /exponential time/ },
    { name: "match: operand 2", fn: "regex.match", args: ["a", 1], code: "eval_type_error", message: "regex.match: operand 2 must be string but got number" },
    { name: "globs_match: bad glob", fn: "regex.globs_match", args: ["pqrs]", "[a-b]+"], code: "eval_builtin_error", message: "regex.globs_match: input:pqrs], pos:5, set-close ']' with no preceding '[': the input provided is invalid" },
    { name: "template_match: unbalanced", fn: "regex.template_match", args: ["urn:{.*", "urn:x", "{", "}"], code: "eval_builtin_error", message: /unbalanced braces/ },
  ]);
});

describe("glob", () => {
  table([
    { name: "* with . delimiter", fn: "glob.match", args: ["*.github.com", ["."], "api.github.com"], want: true },
    { name: "* does not cross a delimiter", fn: "glob.match", args: ["*.github.com", ["."], "api.cdn.github.com"], want: false },
    { name: "** crosses delimiters", fn: "glob.match", args: ["api.**.com", ["."], "api.cdn.github.com"], want: true },
    { name: ": delimiter", fn: "glob.match", args: ["*:github:com", [":"], "api:github:com"], want: true },
    { name: "character list", fn: "glob.match", args: ["[abc]at", [], "cat"], want: true },
    { name: "negated list", fn: "glob.match", args: ["[!abc]at", [], "fat"], want: true },
    { name: "negated range", fn: "glob.match", args: ["[!a-c]at", [], "bat"], want: false },
    { name: "? needs a character", fn: "glob.match", args: ["?at", [], "at"], want: false },
    { name: "? does not match a delimiter", fn: "glob.match", args: ["?at", ["f"], "fat"], want: false },
    { name: "alternatives", fn: "glob.match", args: ["{cat,bat,[fr]at}", [], "rat"], want: true },
    { name: "empty delimiters default to .", fn: "glob.match", args: ["*", [], "foo.bar"], want: false },
    { name: "null delimiters mean none", fn: "glob.match", args: ["*", null, "foo.bar"], want: true },
    { name: "escaped star", fn: "glob.match", args: ["\\*.com", [], "*.com"], want: true },
    { name: "nested alternatives", fn: "glob.match", args: ["{a,b{c,d}}x", [], "bdx"], want: true },
    { name: "alternative with a star", fn: "glob.match", args: ["{*.example.com,localhost}", [], "api.example.com"], want: true },
    { name: "alternative with a star: one label only", fn: "glob.match", args: ["{*.example.com,localhost}", [], "a.b.example.com"], want: false },
    { name: "empty pattern matches only the empty string", fn: "glob.match", args: ["", [], ""], want: true },
    { name: "unicode runes", fn: "glob.match", args: ["?ä*", [], "xäyz"], want: true },
    { name: "quote_meta", fn: "glob.quote_meta", args: ["*.github.com"], want: "\\*.github.com" },
    { name: "quote_meta all specials", fn: "glob.quote_meta", args: ["[a]{b}?\\"], want: "\\[a\\]\\{b\\}\\?\\\\" },
  ]);

  it("matches in linear time where a RegExp would backtrack", () => {
    const started = performance.now();
    expect(call("glob.match", "*a*a*a*a*a*a*a*a*a*a*a*a*b", null, "a".repeat(5000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  errors([
    { name: "delimiters must be an array", fn: "glob.match", args: ["*", "x", "a"], code: "eval_type_error", message: "glob.match: operand 2 must be one of {array, null} but got string" },
    { name: "unclosed list", fn: "glob.match", args: ["[abc", [], "a"], code: "eval_builtin_error", message: /^glob.match: invalid glob/ },
  ]);
});
