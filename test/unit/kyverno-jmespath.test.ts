// Tests of Kyverno's JMESPath (src/policy/kyverno/jmespath.ts).
// Cases are ported from kyverno/kyverno pkg/engine/jmespath/functions_test.go, arithmetic_test.go, time_test.go and
// typecheck_test.go (Go test names kept as Test_*), and from the CLI conformance suites test/custom-functions,
// test/jmespath-brackets, test/nil-values-in-variables and test/context-entries (/work/shared/conformance/kyverno-cli).
import { describe, expect, it } from "vitest";
import { compileJmespath, JmespathError, JmespathNotFoundError, searchJmespath } from "../../src/policy/kyverno/jmespath.ts";

// Certificates of Kyverno's functions_test.go Test_x509Decode (the same ones test/custom-functions uses).
const CERT_KYVERNO_SVC = "-----BEGIN CERTIFICATE-----\nMIIC7TCCAdWgAwIBAgIBADANBgkqhkiG9w0BAQsFADAYMRYwFAYDVQQDDA0qLmt5\ndmVybm8uc3ZjMB4XDTIyMDExMTEzMjY0M1oXDTIzMDExMTE0MjY0M1owGDEWMBQG\nA1UEAwwNKi5reXZlcm5vLnN2YzCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoC\nggEBAMsAz85+yino+MmdKsVtHwNi3oAVjumzXHiLfUJK7xi5KU8B7goPHF/VCe/V\n7Y2c4afyfgY2ePw4LxSDkCYNgYwqjSwGIbcsqv5ZRazBdDxR09ri6PknNyBVGLi5\nRlPXIrGQ3psNuf55qwxJxLO31qCZuvktKY5YvuIR4JPmBhuSFXOnn0ZiQw8uxMcQ\n0QA2lz+PxWCVNk9q+31H5DH1oYZDLfU3mijIOA+AJGZbBb+ZwBmpVL0+2TXLxE74\nWowdKEV+WTsKojNTd0VwcuRKRKR/6ynXAAis21y1X7Ui9FJE6mDIylUD40WXOKGJ\n1lYY41kRnYhVhvXYN9JtNYdY3HsCAwEAAaNCMEAwDgYDVR0PAQH/BAQDAgKkMA8G\nA1UdEwEB/wQFMAMBAf8wHQYDVR0OBBYEFOnlASVD9fu3TAjptlW/gAXA4ql+MA0G\nCSqGSIb3DQEBCwUAA4IBAQCIpyRiChxp97crKfQ24Jt7z8P+AGpLf3sX4eL87ESa\n7QRoVJtXLmaut1pUEoYLQruKmh/0YFtZG9WxVgY6iuKbWnu7bOeMB/Ir+V/yrX3R\n+XvZOsuXiJnEbJiBW6lJzLldoW4f/71H+j1WD4tHpqmdMxq/sLqXfPIuc0/m0yFC\nn+ADBWGGB8Nn66vxtv+cT6p+RIVotXPQWbMilWp6pd5wSuB68FqrDwtYLNJtPwFs\n9MPVkuaJdYZ0eWd/rMcKD94Hgf89gvA0+qzMVFf+3BemXskjQRYy6CKsqoyC6jX4\nnhYjumAP/7psbzITsnpHtfCEEU+2JZwgM406aiMcsgLb\n-----END CERTIFICATE-----\n";
const CERT_XX = "-----BEGIN CERTIFICATE-----\nMIIDSjCCAjKgAwIBAgIUWxmj40l+TDVJq98Xy7c6Leo3np8wDQYJKoZIhvcNAQEL\nBQAwPTELMAkGA1UEBhMCeHgxCjAIBgNVBAgTAXgxCjAIBgNVBAcTAXgxCjAIBgNV\nBAoTAXgxCjAIBgNVBAsTAXgwHhcNMTgwMjAyMTIzODAwWhcNMjMwMjAxMTIzODAw\nWjA9MQswCQYDVQQGEwJ4eDEKMAgGA1UECBMBeDEKMAgGA1UEBxMBeDEKMAgGA1UE\nChMBeDEKMAgGA1UECxMBeDCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEB\nANHkqOmVf23KMXdaZU2eFUx1h4wb09JINBB8x/HL7UE0KFJcnOoVnNQB0gRukUop\niYCzrzMFyGWWmB/pAEKool+ZiI2uMy6mcYBDtOi4pOm7U0TQQMV6L/5Yfi65xRz3\nRTMd/tYAoFi4aCZbJAGjxU6UWNYDzTy8E/cP6ZnlNbVHRiA6/wHsoWcXtWTXYP5y\nn9cf7EWQi1hOBM4BWmOIyB1f6LEgQipZWMOMPPHO3hsuSBn0rk7jovSt5XTlbgRr\ntxqAJiNjJUykWzIF+lLnZCioippGv5vkdGvE83JoACXvZTUwzA+MLu49fkw3bweq\nkbhrer8kacjfGlw3aJN37eECAwEAAaNCMEAwDgYDVR0PAQH/BAQDAgEGMA8GA1Ud\nEwEB/wQFMAMBAf8wHQYDVR0OBBYEFKXcb52bv6oqnD+D9fTNFHZL8IWxMA0GCSqG\nSIb3DQEBCwUAA4IBAQADvKvv3ym0XAYwKxPLLl3Lc6sJYHDbTN0donduG7PXeb1d\nhuukJ2lfufUYp2IGSAxuLecTYeeByOVp1gaMb5LsIGt2BVDmlMMkiH29LUHsvbyi\n85CpJo7A5RJG6AWW2VBCiDjz5v8JFM6pMkBRFfXH+pwIge65CE+MTSQcfb1/aIIo\nQ226P7E/3uUGX4k4pDXG/O7GNvykF40v1DB5y7DDBTQ4JWiJfyGkT69TmdOGLFAm\njwxUjWyvEey4qJex/EGEm5RQcMv9iy7tba1wK7sykNGn5uDELGPGIIEAa5rIHm1F\nUFOZZVoELaasWS559wy8og39Eq21dDMynb8Bndn/\n-----END CERTIFICATE-----\n";
const CSR_DIGICERT = "-----BEGIN CERTIFICATE REQUEST-----\nMIICvDCCAaQCAQAwdzELMAkGA1UEBhMCVVMxDTALBgNVBAgMBFV0YWgxDzANBgNV\nBAcMBkxpbmRvbjEWMBQGA1UECgwNRGlnaUNlcnQgSW5jLjERMA8GA1UECwwIRGln\naUNlcnQxHTAbBgNVBAMMFGV4YW1wbGUuZGlnaWNlcnQuY29tMIIBIjANBgkqhkiG\n9w0BAQEFAAOCAQ8AMIIBCgKCAQEA8+To7d+2kPWeBv/orU3LVbJwDrSQbeKamCmo\nwp5bqDxIwV20zqRb7APUOKYoVEFFOEQs6T6gImnIolhbiH6m4zgZ/CPvWBOkZc+c\n1Po2EmvBz+AD5sBdT5kzGQA6NbWyZGldxRthNLOs1efOhdnWFuhI162qmcflgpiI\nWDuwq4C9f+YkeJhNn9dF5+owm8cOQmDrV8NNdiTqin8q3qYAHHJRW28glJUCZkTZ\nwIaSR6crBQ8TbYNE0dc+Caa3DOIkz1EOsHWzTx+n0zKfqcbgXi4DJx+C1bjptYPR\nBPZL8DAeWuA8ebudVT44yEp82G96/Ggcf7F33xMxe0yc+Xa6owIDAQABoAAwDQYJ\nKoZIhvcNAQEFBQADggEBAB0kcrFccSmFDmxox0Ne01UIqSsDqHgL+XmHTXJwre6D\nhJSZwbvEtOK0G3+dr4Fs11WuUNt5qcLsx5a8uk4G6AKHMzuhLsJ7XZjgmQXGECpY\nQ4mC3yT3ZoCGpIXbw+iP3lmEEXgaQL0Tx5LFl/okKbKYwIqNiyKWOMj7ZR/wxWg/\nZDGRs55xuoeLDJ/ZRFf9bI+IaCUd1YrfYcHIl3G87Av+r49YVwqRDT0VDV7uLgqn\n29XI1PpVUNCPQGn9p/eX6Qo7vpDaPybRtA2R7XLKjQaF9oXWeCUqy1hvJac9QFO2\n97Ob1alpHPoZ7mWiEuJwjBPii6a9M9G30nUo39lBi1w=\n-----END CERTIFICATE REQUEST-----\n";

/** Evaluates against "" as Kyverno's Go tests do (jp.Search("")): multi-select lists need a non-null current value. */
const run = (expression: string, data: unknown = ""): unknown => searchJmespath(expression, data);

describe("JMESPath evaluation with Kyverno's semantics", () => {
  const data = { a: { b: { c: 1 }, empty: {}, nothing: null, list: [{ n: 1 }, { m: 2 }, { n: 3 }] }, s: "abcdef" };
  it.each<{ name: string; expression: string; want: unknown }>([
    { name: "a plain path", expression: "a.b.c", want: 1 },
    { name: "a field of null is null, not missing", expression: "a.nothing.x", want: null },
    { name: "|| defaults a missing key", expression: "a.b.missing || 'default'", want: "default" },
    { name: "|| defaults a missing key on its right too", expression: "a.missing || a.other", want: null },
    { name: "a missing key in a function argument is null", expression: "to_string(a.missing)", want: "null" },
    { name: "a missing key in a comparison is null", expression: "a.missing == null", want: true },
    { name: "a projection skips elements without the key", expression: "a.list[*].n", want: [1, 3] },
    { name: "a filter ignores elements without the key", expression: "a.list[?n > `1`].n", want: [3] },
    { name: "ordering comparisons only compare numbers", expression: "'a' < 'b'", want: null },
    { name: "a pipe swallows a missing key", expression: "a.missing | @", want: null },
    { name: "! of a missing key", expression: "!(a.missing)", want: true },
    { name: "! binds tighter than .", expression: "!a.missing", want: null },
    { name: "flatten", expression: "[[`1`, `2`], `3`][]", want: [1, 2, 3] },
    { name: "negative index", expression: "a.list[-1].n", want: 3 },
    { name: "slices", expression: "a.list[::-1] | [0].n", want: 3 },
    { name: "string slices (community JMESPath)", expression: "s[1:3]", want: "bc" },
    { name: "value projection", expression: "a.b.*", want: [1] },
    { name: "multi-select hash", expression: "{x: a.b.c, y: a.missing}", want: { x: 1, y: null } },
    { name: "multi-select list on null is null", expression: "a.nothing.[x, y]", want: null },
    { name: "quoted identifiers", expression: 'a."b".c', want: 1 },
    { name: "legacy backtick literal without JSON", expression: "`foo`", want: "foo" },
    { name: "raw string with an escaped quote", expression: "'it\\'s'", want: "it's" },
    { name: "&& returns the right side", expression: "a.b && s", want: "abcdef" },
    { name: "empty object is falsy", expression: "a.empty || 'x'", want: "x" },
  ])("$name", ({ expression, want }) => {
    expect(searchJmespath(expression, data)).toEqual(want);
  });

  it("a missing key along a plain path is Kyverno's NotFoundError", () => {
    expect(() => searchJmespath("a.b.missing", data)).toThrow(JmespathNotFoundError);
    expect(() => searchJmespath("a.b.missing", data)).toThrow('Unknown key "missing" in path');
    expect(() => searchJmespath("a.b.missing.deeper", data)).toThrow('Unknown key "missing" in path');
  });

  it.each<{ name: string; expression: string; message: string }>([
    { name: "syntax error", expression: "a[", message: 'invalid JMESPath expression "a["' },
    { name: "arithmetic operators are not Kyverno's (labels.app-name)", expression: "a.app-name", message: "does not support arithmetic" },
    { name: "root reference", expression: "$.a", message: "does not support the root reference" },
    { name: "community-only functions", expression: "lower('A')", message: "unknown function: lower()" },
    { name: "unknown functions", expression: "not_a_function(@)", message: "unknown function: not_a_function()" },
  ])("compileJmespath refuses $name", ({ expression, message }) => {
    const result = compileJmespath(expression);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(message);
    expect(() => searchJmespath(expression, {})).toThrow(JmespathError);
  });

  it("compileJmespath accepts what Kyverno accepts", () => {
    expect(compileJmespath("request.object.metadata.labels.\"app.kubernetes.io/name\" || ''")).toEqual({ ok: true });
    expect(compileJmespath("images.containers.*.registry | [0]")).toEqual({ ok: true });
  });
});

describe("go-jmespath built-in functions", () => {
  it.each<{ expression: string; want: unknown }>([
    // functions_test.go Test_HasPrefix, Test_HasSuffix
    { expression: "starts_with('Gophers', 'Go')", want: true },
    { expression: "ends_with('Amigo', 'go')", want: true },
    { expression: "abs(`-12`)", want: 12 },
    { expression: "avg(`[1, 2, 3]`)", want: 2 },
    { expression: "ceil(`1.2`)", want: 2 },
    { expression: "floor(`1.8`)", want: 1 },
    { expression: "contains('foobar', 'oba')", want: true },
    { expression: "contains(`[\"a\", {\"b\": 1}]`, `{\"b\": 1}`)", want: true },
    { expression: "join(', ', `[\"a\", \"b\"]`)", want: "a, b" },
    { expression: "keys(`{\"a\": 1, \"b\": 2}`)", want: ["a", "b"] },
    { expression: "values(`{\"a\": 1, \"b\": 2}`)", want: [1, 2] },
    { expression: "length('héllo')", want: 5 },
    { expression: "length(`{\"a\": 1}`)", want: 1 },
    { expression: "map(&a, `[{\"a\": 1}, {\"b\": 2}]`)", want: [1, null] },
    { expression: "max(`[1, 3, 2]`)", want: 3 },
    { expression: "min(`[\"b\", \"a\"]`)", want: "a" },
    { expression: "max(`[]`)", want: null },
    { expression: "max_by(`[{\"a\": 1}, {\"a\": 3}]`, &a).a", want: 3 },
    { expression: "min_by(`[{\"a\": 1}, {\"a\": 3}]`, &a).a", want: 1 },
    { expression: "merge(`{\"a\": 1}`, `{\"a\": 2, \"b\": 3}`)", want: { a: 2, b: 3 } },
    { expression: "not_null(`null`, 'x')", want: "x" },
    { expression: "reverse('abc')", want: "cba" },
    { expression: "sort(`[3, 1, 2]`)", want: [1, 2, 3] },
    { expression: "sort_by(`[{\"a\": \"b\"}, {\"a\": \"a\"}]`, &a)[*].a", want: ["a", "b"] },
    { expression: "to_array('a')", want: ["a"] },
    { expression: "to_number('1.5')", want: 1.5 },
    { expression: "to_number('abc')", want: null },
    { expression: "to_string(`{\"b\": \"<x>\", \"a\": 1}`)", want: '{"a":1,"b":"\\u003cx\\u003e"}' },
    { expression: "type(`true`)", want: "boolean" },
  ])("$expression", ({ expression, want }) => {
    expect(run(expression)).toEqual(want);
  });

  // Ported from kyverno/kyverno pkg/engine/jmespath/typecheck_test.go TestArgumentTypeErrors.
  it.each<{ name: string; query: string; want: string }>([
    { name: "null argument", query: "base64_decode(null)", want: "JMESPath function 'base64_decode': argument #1 is not of type string (got null)" },
    { name: "number argument", query: "sha256(number)", want: "JMESPath function 'sha256': argument #1 is not of type string (got number)" },
    { name: "boolean argument", query: "md5(bool)", want: "JMESPath function 'md5': argument #1 is not of type string (got bool)" },
    { name: "array argument", query: "sha1(array)", want: "JMESPath function 'sha1': argument #1 is not of type string (got array)" },
    { name: "object argument", query: "is_external_url(object)", want: "JMESPath function 'is_external_url': argument #1 is not of type string (got object)" },
    { name: "second argument", query: "time_add(string, null)", want: "JMESPath function 'time_add': argument #2 is not of type string (got null)" },
    { name: "union of accepted types", query: "items(string, string, string)", want: "JMESPath function 'items': argument #1 is not of type object or array (got string)" },
    { name: "wildcard pattern", query: "pattern_match(array, string)", want: "JMESPath function 'pattern_match': argument #1 is not of type string (got array)" },
  ])("TestArgumentTypeErrors $name", ({ query, want }) => {
    const data = { null: null, string: "abc", number: 1.0, bool: true, array: ["a"], object: { a: "b" } };
    expect(() => searchJmespath(query, data)).toThrow(want);
  });

  it.each<{ name: string; query: string; want: unknown }>([
    { name: "string", query: "to_upper(string)", want: "ABC" },
    { name: "number", query: "round(number, `0`)", want: 1 },
    { name: "array", query: "sum(numbers)", want: 3 },
    { name: "object accepted by a union spec", query: "lookup(object, 'a')", want: "b" },
    { name: "array accepted by a union spec", query: "lookup(numbers, `1`)", want: 2 },
  ])("TestArgumentTypesAccepted $name", ({ query, want }) => {
    expect(searchJmespath(query, { string: "abc", number: 1.0, numbers: [1.0, 2.0], object: { a: "b" } })).toEqual(want);
  });

  it("type errors name the function and argument", () => {
    expect(() => run("abs('x')")).toThrow("JMESPath function 'abs': argument #1 is not of type number (got string)");
    expect(() => run("to_upper(`1`, `2`)")).toThrow("expected 1 arguments, got 2");
  });
});

// Ported from kyverno/kyverno pkg/engine/jmespath/functions_test.go.
describe("Kyverno's functions (functions_test.go)", () => {
  it.each<{ name: string; expression: string; want: unknown; data?: unknown }>([
    { name: "Test_Compare equal", expression: "compare('a', 'a')", want: 0 },
    { name: "Test_Compare less", expression: "compare('a', 'b')", want: -1 },
    { name: "Test_Compare greater", expression: "compare('b', 'a')", want: 1 },
    { name: "Test_ParseJsonComplex object", expression: `parse_json('{"a": "b"}').a`, want: "b" },
    { name: "Test_ParseJsonComplex array", expression: `parse_json('{"a": [1, 2, 3, 4]}').a[0]`, want: 1 },
    { name: "Test_ParseJsonComplex nested", expression: `parse_json('[1, 2, {"a": {"b": {"c": [1, 2]}}}]')[2].a.b.c[1]`, want: 2 },
    { name: "Test_ParseYAML map", expression: "parse_yaml('a: b')", want: { a: "b" } },
    { name: "Test_ParseYAML list", expression: "parse_yaml('\n- 1\n- 2\n- 3\n- a: b')", want: [1, 2, 3, { a: "b" }] },
    { name: "Test_ParseYAML nested", expression: "parse_yaml('\nspec:\n  test: 1\n  test2:\n    - 2\n    - 3\n')", want: { spec: { test: 1, test2: [2, 3] } } },
    { name: "Test_ParseYAML folded", expression: "parse_yaml('\nbar: >\n  this is not a normal string it\n  spans more than\n  one line\n  see?')", want: { bar: "this is not a normal string it spans more than one line see?" } },
    { name: "Test_ParseYAML nulls", expression: "parse_yaml('\n---\nfoo: ~\nbar: null\n')", want: { bar: null, foo: null } },
    { name: "parse_yaml reads YAML 1.1 booleans as sigs.k8s.io/yaml does", expression: "parse_yaml('a: yes')", want: { a: true } },
    { name: "Test_EqualFold Go/go", expression: "equal_fold('Go', 'go')", want: true },
    { name: "Test_EqualFold a/b", expression: "equal_fold('a', 'b')", want: false },
    { name: "Test_EqualFold 1/b", expression: "equal_fold('1', 'b')", want: false },
    { name: "Test_Replace all", expression: "replace('Lorem ipsum dolor sit amet', 'ipsum', 'muspi', `-1`)", want: "Lorem muspi dolor sit amet" },
    { name: "Test_Replace all of many", expression: "replace('Lorem ipsum ipsum ipsum dolor sit amet', 'ipsum', 'muspi', `-1`)", want: "Lorem muspi muspi muspi dolor sit amet" },
    { name: "Test_Replace one", expression: "replace('Lorem ipsum ipsum ipsum dolor sit amet', 'ipsum', 'muspi', `1`)", want: "Lorem muspi ipsum ipsum dolor sit amet" },
    { name: "Test_ReplaceAll", expression: "replace_all('Lorem ipsum dolor sit amet', 'ipsum', 'muspi')", want: "Lorem muspi dolor sit amet" },
    { name: "Test_ToUpper", expression: "to_upper('a#%&123Bc')", want: "A#%&123BC" },
    { name: "Test_ToLower", expression: "to_lower('a#%&123Bc')", want: "a#%&123bc" },
    { name: "Test_Trim", expression: "trim('¡¡¡Hello, Gophers!!!', '!¡')", want: "Hello, Gophers" },
    { name: "Test_TrimPrefix trims", expression: "trim_prefix('¡¡¡Hello, Gophers!!!', '¡¡¡Hello, ')", want: "Gophers!!!" },
    { name: "Test_TrimPrefix does not trim", expression: "trim_prefix('¡¡¡Hello, Gophers!!!', '¡¡¡Hola, ')", want: "¡¡¡Hello, Gophers!!!" },
    { name: "Test_Split", expression: "split('Hello, Gophers', ', ')", want: ["Hello", "Gophers"] },
    { name: "Test_RegexMatch", expression: "regex_match('12.*', foo)", want: true, data: { foo: "hgf'b1a2r'b12g" } },
    { name: "Test_RegexMatchWithNumber", expression: "regex_match('12.*', abs(foo))", want: true, data: { foo: -12.0 } },
    { name: "Test_PatternMatch", expression: "pattern_match('prefix-*', foo)", want: true, data: { foo: "prefix-foo" } },
    { name: "Test_PatternMatchWithNumber", expression: "pattern_match('12*', abs(foo))", want: true, data: { foo: -12.0 } },
    { name: "Test_RegexReplaceAll", expression: "regex_replace_all('([Hh]e|G)l', spec.field, '${2}G')", want: "Glo world, Gworldlo", data: { spec: { field: "Hello world, helworldlo" } } },
    { name: "Test_RegexReplaceAllLiteral", expression: "regex_replace_all_literal('[Hh]el?', spec.field, 'G')", want: "Glo world, Gworldlo", data: { spec: { field: "Hello world, helworldlo" } } },
    { name: "regex_replace_all expands named groups and $1", expression: "regex_replace_all('(?P<w>\\w+)@(\\w+)', 'me@host', '$2 ${w}')", want: "host me" },
    { name: "regex_replace_all_literal keeps $1", expression: "regex_replace_all_literal('a', 'aa', '$1')", want: "$1$1" },
    { name: "regex_replace_all with an empty match after a match (Go)", expression: "regex_replace_all('a*', 'baaac', '-')", want: "-b-c-" },
    { name: "regex_match with a POSIX class", expression: "regex_match('^[[:alpha:]]+$', 'abc')", want: true },
    { name: "regex_match with flags after ^", expression: "regex_match('^(?i)abc$', 'ABC')", want: true },
    { name: "regex_match: flags set mid-group hold in later alternatives", expression: "regex_match('^a(?i)b|c$', 'C')", want: true },
    { name: "regex_match: flags set in a group end with it", expression: "regex_match('^(x(?i)y)z$', 'xYZ')", want: false },
    { name: "regex_match: escaped punctuation RE2 allows", expression: "regex_match('^\\-\\#\\ x$', '-# x')", want: true },
    { name: "regex_match: a brace that is not a repeat is literal", expression: "regex_match('^a{,2}$', 'a{,2}')", want: true },
    { name: "regex_match: \\Q...\\E quotes", expression: "regex_match('^\\Qa.b\\E$', 'axb')", want: false },
    { name: "regex_match: Go's \\s has no vertical tab", expression: "regex_match('\\s', '\u000b')", want: false },
    { name: "Test_LabelMatch one label", expression: 'label_match(`{ "app": "test-app" }`, metadata.labels)', want: true, data: { metadata: { labels: { app: "test-app", "controller-name": "test-controller" } } } },
    { name: "Test_LabelMatch two labels", expression: 'label_match(`{ "app": "test-app", "controller-name": "test-controller" }`, metadata.labels)', want: true, data: { metadata: { labels: { app: "test-app", "controller-name": "test-controller" } } } },
    { name: "Test_LabelMatch other value", expression: 'label_match(`{ "app": "test-app2" }`, metadata.labels)', want: false, data: { metadata: { labels: { app: "test-app" } } } },
    { name: "Test_LabelMatch other key", expression: 'label_match(`{ "app.kubernetes.io/name": "test-app" }`, metadata.labels)', want: false, data: { metadata: { labels: { app: "test-app" } } } },
    { name: "Test_JpToBoolean true", expression: "to_boolean('TRue')", want: true },
    { name: "Test_JpToBoolean false", expression: "to_boolean('FaLse')", want: false },
    { name: "Test_Base64Decode", expression: "base64_decode('SGVsbG8sIHdvcmxkIQ==')", want: "Hello, world!" },
    { name: "Test_Base64Encode", expression: "base64_encode('Hello, world!')", want: "SGVsbG8sIHdvcmxkIQ==" },
    { name: "Test_Base64Decode_Secret", expression: "base64_decode(data.example1)", want: "Hello, world!", data: { data: { example1: "SGVsbG8sIHdvcmxkIQ==", example2: "Rm9vQmFy" } } },
    { name: "Test_PathCanonicalize ///", expression: "path_canonicalize('///')", want: "/" },
    { name: "Test_PathCanonicalize leading", expression: "path_canonicalize('///var/run/containerd/containerd.sock')", want: "/var/run/containerd/containerd.sock" },
    { name: "Test_PathCanonicalize middle", expression: "path_canonicalize('/var/run///containerd/containerd.sock')", want: "/var/run/containerd/containerd.sock" },
    { name: "Test_PathCanonicalize trailing", expression: "path_canonicalize('/var/run///containerd////')", want: "/var/run/containerd" },
    { name: "Test_PathCanonicalize /run", expression: "path_canonicalize('/run///')", want: "/run" },
    { name: "Test_PathCanonicalize ..", expression: "path_canonicalize('/run/../etc')", want: "/etc" },
    { name: "Test_PathCanonicalize glob", expression: "path_canonicalize('///etc*')", want: "/etc*" },
    { name: "Test_PathCanonicalize above root", expression: "path_canonicalize('/../../')", want: "/" },
    { name: "Test_Truncate 5", expression: "truncate('Lorem ipsum dolor sit amet', `5`)", want: "Lorem" },
    { name: "Test_Truncate 11", expression: "truncate('Lorem ipsum ipsum ipsum dolor sit amet', `11`)", want: "Lorem ipsum" },
    { name: "Test_Truncate longer", expression: "truncate('Lorem ipsum ipsum ipsum dolor sit amet', `40`)", want: "Lorem ipsum ipsum ipsum dolor sit amet" },
    { name: "Test_Truncate 2.6", expression: "truncate('Lorem ipsum', `2.6`)", want: "Lo" },
    { name: "Test_Truncate 0", expression: "truncate('Lorem ipsum', `0`)", want: "" },
    { name: "Test_Truncate -1", expression: "truncate('Lorem ipsum', `-1`)", want: "" },
    { name: "Test_SemverCompare >=4.1.x", expression: "semver_compare('4.1.3','>=4.1.x')", want: true },
    { name: "Test_SemverCompare !4.x.x", expression: "semver_compare('4.1.3','!4.x.x')", want: false },
    { name: "Test_SemverCompare AND", expression: "semver_compare('1.8.6','>1.0.0 <2.0.0')", want: true },
    { name: "Test_SemverCompare OR", expression: "semver_compare('2.1.5','<2.0.0 || >=3.0.0')", want: false },
    { name: "semver_compare with a prerelease", expression: "semver_compare('1.0.0-alpha','<1.0.0')", want: true },
    { name: "semver_compare of an unparsable version is 0.0.0", expression: "semver_compare('v1','<0.0.1')", want: true },
    { name: "Test_Lookup object not found", expression: "lookup(`{\"key1\": \"value1\"}`,`\"key2\"`)", want: null },
    { name: "Test_Lookup object found", expression: "lookup(`{\"key1\": \"value1\"}`,`\"key1\"`)", want: "value1" },
    { name: "Test_Lookup empty key", expression: "lookup(`{\"\": \"value1\"}`,`\"\"`)", want: "value1" },
    { name: "Test_Lookup object value", expression: "lookup(`{\"k\": {\"key1\":true}}`,`\"k\"`)", want: { key1: true } },
    { name: "Test_Lookup array -1", expression: "lookup(`[\"item0\"]`,`-1`)", want: null },
    { name: "Test_Lookup array past the end", expression: "lookup(`[\"item0\"]`,`1`)", want: null },
    { name: "Test_Lookup array found", expression: "lookup(`[\"item0\", \"item1\", \"item2\", \"item3\"]`,`2`)", want: "item2" },
    { name: "Test_Lookup float rounding to an integer", expression: "lookup(`[\"item0\", \"item1\"]`,`0.99999999999999999999999999999999999999999999`)", want: "item1" },
    { name: "Test_Items object", expression: 'items(`{ "key1": "value1", "key2": "value2" }`,`"myKey"`,`"myValue"`)', want: [{ myKey: "key1", myValue: "value1" }, { myKey: "key2", myValue: "value2" }] },
    { name: "Test_Items keys sorted", expression: 'items(`{ "b": 2, "a": 1 }`,`"key"`,`"value"`)', want: [{ key: "a", value: 1 }, { key: "b", value: 2 }] },
    { name: "Test_Items array", expression: 'items(`["A", "B", "C"]`,`"myKey"`,`"myValue"`)', want: [{ myKey: 0, myValue: "A" }, { myKey: 1, myValue: "B" }, { myKey: 2, myValue: "C" }] },
    { name: "Test_ObjectFromLists", expression: 'object_from_lists(`["key1", "key2"]`,`[1, "2"]`)', want: { key1: 1, key2: "2" } },
    { name: "Test_ObjectFromLists short values", expression: 'object_from_lists(`["key1", "key2"]`,`[1]`)', want: { key1: 1, key2: null } },
    { name: "object_from_lists keys from numbers (float32 formatting)", expression: "object_from_lists(`[1, 0.1]`,`[\"a\", \"b\"]`)", want: { "1": "a", "0.1": "b" } },
    { name: "image_normalize short name", expression: "image_normalize('nginx')", want: "docker.io/nginx:latest" },
    { name: "image_normalize keeps a registry", expression: "image_normalize('ghcr.io/kyverno/kyverno:v1.12')", want: "ghcr.io/kyverno/kyverno:v1.12" },
    { name: "image_normalize digest", expression: "image_normalize('nginx@sha256:859ab6768a6f26a79bc42b231664111317d095a4f04e4b6fe79ce37b3d199097')", want: "docker.io/nginx@sha256:859ab6768a6f26a79bc42b231664111317d095a4f04e4b6fe79ce37b3d199097" },
    { name: "sha256 (hex)", expression: "sha256('abc')", want: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    { name: "sha1 (hex)", expression: "sha1('abc')", want: "a9993e364706816aba3e25717850c26c9cd0d89d" },
    { name: "md5 (hex)", expression: "md5('abc')", want: "900150983cd24fb0d6963f7d28e17f72" },
    { name: "is_external_url of a public IP", expression: "is_external_url('https://8.8.8.8/x')", want: true },
    { name: "is_external_url of a private IP", expression: "is_external_url('http://10.1.2.3:8080')", want: false },
    { name: "is_external_url of loopback", expression: "is_external_url('http://127.0.0.1')", want: false },
    { name: "is_external_url of an IPv6 unique local address", expression: "is_external_url('http://[fd00::1]/')", want: false },
    { name: "round", expression: "round(`3.14159`, `2`)", want: 3.14 },
    { name: "round half away from zero", expression: "round(`-2.5`, `0`)", want: -3 },
  ])("$name", ({ expression, want, data }) => {
    expect(run(expression, data ?? "")).toEqual(want);
  });

  it.each<string>([`{"a":"b"}`, "true", `[1,2,3,{"a":"b"}]`, "null", "[]", "{}", "0", "1.2", `[1.2,true,{"a":{"a":"b"}}]`])("Test_ParseJsonSerde %s", (json) => {
    expect(run(`to_string(parse_json('${json}'))`)).toBe(json);
  });

  it.each<{ name: string; expression: string; message: string }>([
    { name: "Test_JpToBoolean FaLsee", expression: "to_boolean('FaLsee')", message: "lowercase argument must be 'true' or 'false' (provided: 'FaLsee')" },
    { name: "Test_JpToBoolean number", expression: "to_boolean(`1`)", message: "argument #1 is not of type string" },
    { name: "Test_Lookup_InvalidArgs object key", expression: "lookup(`{}`,`123`)", message: "argument #2 is not of type String" },
    { name: "Test_Lookup_InvalidArgs array key", expression: 'lookup(`[]`,`"abc"`)', message: "argument #2 is not of type Number" },
    { name: "Test_Lookup_InvalidArgs fraction", expression: "lookup(`[]`,`1.5`)", message: "JMESPath function 'lookup': argument #2: expected an integer number but got: 1.5" },
    { name: "Test_jpfCompare types", expression: "compare(`1`, 'b')", message: "argument #1 is not of type string" },
    { name: "Test_jpfReplace types", expression: "replace('a', 'b', 'c', `true`)", message: "argument #4 is not of type number" },
    { name: "Test_TrimPrefix types", expression: "trim_prefix('a', `1`)", message: "argument #2 is not of type string" },
    { name: "base64_decode needs padding", expression: "base64_decode('SGVsbG8')", message: "illegal base64 data" },
    { name: "regex_match of a lookahead RE2 refuses", expression: "regex_match('a(?=b)', 'ab')", message: "invalid or unsupported Perl syntax" },
    { name: "regex_match of a bad pattern", expression: "regex_match('(', 'x')", message: "error parsing regexp" },
    { name: "round with a fraction", expression: "round(`1`, `1.5`)", message: "Non-integer argument(s) passed for round off" },
    { name: "parse_json of bad JSON", expression: "parse_json('{')", message: "JMESPath function 'parse_json'" },
    { name: "semver_compare of a bad range", expression: "semver_compare('1.0.0', 'abc')", message: "Could not get version from string" },
    { name: "image_normalize of a bad reference", expression: "image_normalize('++')", message: "bad image: docker.io/++" },
    { name: "image_normalize of an uppercase repository", expression: "image_normalize('docker.io/Nginx')", message: "repository name must be lowercase" },
    { name: "random without a pattern", expression: "random('')", message: "no pattern provided" },
    { name: "is_external_url of a host name needs DNS", expression: "is_external_url('https://example.com')", message: "JMESPath function 'is_external_url': resolving the host \"example.com\"" },
    { name: "object_from_lists with an object key", expression: "object_from_lists(`[{}]`, `[1]`)", message: "argument #1 is not of type StringArray" },
  ])("$name fails", ({ expression, message }) => {
    expect(() => run(expression)).toThrow(message);
  });

  it("random generates a string matching its pattern, with an injectable source", () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const value = searchJmespath("random('[0-9a-z]{5}-(foo|bar)\\d?')", "", { random });
    expect(value).toMatch(/^[0-9a-z]{5}-(foo|bar)\d?$/);
  });
});

// Ported from kyverno/kyverno pkg/engine/jmespath/arithmetic_test.go.
describe("arithmetic on numbers, quantities and durations (arithmetic_test.go)", () => {
  it.each<{ name: string; expression: string; want: unknown }>([
    { name: "Scalar + Scalar -> Scalar", expression: "add(`12`, `13`)", want: 25 },
    { name: "Quantity + Quantity -> Quantity", expression: "add('12Ki', '13Ki')", want: "25Ki" },
    { name: "Quantity + Quantity (decimal) -> Quantity", expression: "add('12Ki', '13')", want: "12301" },
    { name: "Duration + Duration -> Duration", expression: "add('12s', '13s')", want: "25s" },
    { name: "sum(Scalar[]) one", expression: "sum([`12`])", want: 12 },
    { name: "sum(Scalar[]) many", expression: "sum([`12`, `13`, `1`, `4`])", want: 30 },
    { name: "sum(Quantity[]) one", expression: "sum(['12Ki'])", want: "12Ki" },
    { name: "sum(Quantity[]) many", expression: "sum(['12Ki', '13Ki', '1Ki', '4Ki'])", want: "30Ki" },
    { name: "sum(Quantity[]) mixed units", expression: "sum(['12Ki', '13'])", want: "12301" },
    { name: "sum(Duration[]) many", expression: "sum(['12s', '13s', '1s', '4s'])", want: "30s" },
    { name: "Scalar - Scalar -> Scalar", expression: "subtract(`12`, `13`)", want: -1 },
    { name: "Quantity - Quantity -> Quantity", expression: "subtract('12Ki', '13Ki')", want: "-1Ki" },
    { name: "Quantity - Quantity (decimal) -> Quantity", expression: "subtract('12Ki', '13')", want: "12275" },
    { name: "Duration - Duration -> Duration", expression: "subtract('12s', '13s')", want: "-1s" },
    { name: "Quantity * Scalar -> Quantity", expression: "multiply('12Ki', `2`)", want: "24Ki" },
    { name: "Duration * Scalar -> Duration", expression: "multiply('12s', `2`)", want: "24s" },
    { name: "Scalar * Scalar -> Scalar", expression: "multiply(`2.5`, `2.5`)", want: 6.25 },
    { name: "Scalar * Quantity -> Quantity", expression: "multiply(`2.5`, '12Ki')", want: "30Ki" },
    { name: "Scalar * Quantity (decimal) -> Quantity", expression: "multiply(`2.5`, '12')", want: "30" },
    { name: "Scalar * Duration -> Duration", expression: "multiply(`2.5`, '40s')", want: "1m40s" },
    { name: "Quantity / Quantity -> Scalar (equal)", expression: "divide('256M', '256M')", want: 1 },
    { name: "Quantity / Quantity -> Scalar (double)", expression: "divide('512M', '256M')", want: 2 },
    { name: "Quantity / Quantity -> Scalar (8/3)", expression: "divide('8', '3')", want: 8 / 3 },
    { name: "Quantity / Quantity -> Scalar (half)", expression: "divide('128M', '256M')", want: 0.5 },
    { name: "Quantity / Scalar -> Quantity", expression: "divide('12Ki', `3`)", want: "4Ki" },
    { name: "Quantity / Quantity (binary) -> Scalar", expression: "divide('12Ki', '2Ki')", want: 6 },
    { name: "Quantity / Quantity (mixed) -> Scalar", expression: "divide('12Ki', '200')", want: 61.44 },
    { name: "Duration / Scalar -> Duration", expression: "divide('12s', `3`)", want: "4s" },
    { name: "Duration / Duration -> Scalar", expression: "divide('12s', '5s')", want: 2.4 },
    { name: "Scalar / Scalar -> Scalar", expression: "divide(`14`, `3`)", want: 4.666666666666667 },
    { name: "Quantity % Quantity -> Quantity", expression: "modulo('12Ki', '5Ki')", want: "2Ki" },
    { name: "Duration % Duration -> Duration", expression: "modulo('13s', '2s')", want: "1s" },
    { name: "Scalar % Scalar -> Scalar", expression: "modulo(`13`, `5`)", want: 3 },
    { name: "milli quantities stay milli", expression: "add('100m', '250m')", want: "350m" },
    { name: "a quantity below 1Ki prints as decimal", expression: "subtract('1Ki', '1')", want: "1023" },
    { name: "a fractional binary quantity prints as decimal", expression: "divide('1Ki', `3`)", want: "341" },
    { name: "decimal SI suffixes canonicalise", expression: "add('1500m', '500m')", want: "2" },
    { name: "durations print as Go does", expression: "add('1h', '90m0s')", want: "2h30m0s" },
    { name: "sub-second durations", expression: "add('1ms', '500us')", want: "1.5ms" },
  ])("$name", ({ expression, want }) => {
    expect(run(expression)).toEqual(want);
  });

  it.each<{ name: string; expression: string; message: string }>([
    { name: "Scalar + Duration", expression: "add('12', '13s')", message: "Types mismatch" },
    { name: "Scalar + Quantity", expression: "add(`12`, '13Ki')", message: "JMESPath function 'add': Types mismatch" },
    { name: "Scalar + Quantity (decimal)", expression: "add(`12`, '13')", message: "Types mismatch" },
    { name: "Quantity + Duration", expression: "add('12Ki', '13s')", message: "Types mismatch" },
    { name: "Duration + Scalar", expression: "add('12s', `13`)", message: "Types mismatch" },
    { name: "sum([])", expression: "sum(`[]`)", message: "JMESPath function 'sum': at least one element in the array is required" },
    { name: "sum of mixed", expression: "sum(['12Ki', `13`])", message: "JMESPath function 'sum': Types mismatch" },
    { name: "Quantity - Scalar", expression: "subtract('12Ki', `13`)", message: "JMESPath function 'subtract': Types mismatch" },
    { name: "Quantity * Quantity", expression: "multiply('12Ki', '12Ki')", message: "JMESPath function 'multiply': Types mismatch" },
    { name: "Duration * Duration", expression: "multiply('12s', '12s')", message: "Types mismatch" },
    { name: "Quantity / Duration", expression: "divide('12Ki', '2s')", message: "Types mismatch" },
    { name: "Duration / Quantity", expression: "divide('12s', '4')", message: "Types mismatch" },
    { name: "Scalar / Quantity", expression: "divide(`14`, '5Ki')", message: "Types mismatch" },
    { name: "Scalar / Zero", expression: "divide(`14`, `0`)", message: "JMESPath function 'divide': Zero divisor passed" },
    { name: "Quantity / Zero scalar", expression: "divide('4Ki', `0`)", message: "Zero divisor passed" },
    { name: "Quantity / Zero quantity", expression: "divide('4Ki', '0Ki')", message: "Zero divisor passed" },
    { name: "Duration / Zero duration", expression: "divide('4s', '0s')", message: "Zero divisor passed" },
    { name: "Quantity % Scalar", expression: "modulo('12Ki', `13`)", message: "Types mismatch" },
    { name: "Duration % Scalar", expression: "modulo('13s', `2`)", message: "Types mismatch" },
    { name: "Scalar % Zero", expression: "modulo(`14`, `0`)", message: "JMESPath function 'modulo': Zero divisor passed" },
    { name: "Quantity % Zero", expression: "modulo('4', '0')", message: "Zero divisor passed" },
    { name: "Duration % Zero", expression: "modulo('4s', '0s')", message: "Zero divisor passed" },
    { name: "Quantity % Non int", expression: "modulo('4', '1.5')", message: "Non-integer argument(s) passed for modulo" },
    { name: "Scalar % Non int", expression: "modulo(`14`, `1.5`)", message: "Non-integer argument(s) passed for modulo" },
    { name: "Non int % Scalar", expression: "modulo(`14.5`, `2`)", message: "Non-integer argument(s) passed for modulo" },
    { name: "'90m' is a quantity (90 milli) before it is a duration", expression: "add('1h', '90m')", message: "Types mismatch" },
    { name: "neither a quantity nor a duration", expression: "add('abc', '1')", message: "JMESPath function 'add': invalid operands" },
  ])("$name fails", ({ expression, message }) => {
    expect(() => run(expression)).toThrow(message);
  });
});

// Ported from kyverno/kyverno pkg/engine/jmespath/time_test.go; "now" is injected.
describe("time functions (time_test.go)", () => {
  const now = (): Date => new Date("2024-03-10T08:30:00.250Z");
  it.each<{ name: string; expression: string; want: unknown }>([
    { name: "Test_TimeSince RFC3339", expression: "time_since('', '2021-01-02T15:04:05-07:00', '2021-01-10T03:14:05-07:00')", want: "180h10m0s" },
    { name: "Test_TimeSince layout", expression: "time_since('Mon Jan _2 15:04:05 MST 2006', 'Mon Jan 02 15:04:05 MST 2021', 'Mon Jan 10 03:14:16 MST 2021')", want: "180h10m11s" },
    { name: "time_since until now", expression: "time_since('', '2024-03-10T08:00:00Z', '')", want: "30m0.25s" },
    { name: "Test_TimeToCron UTC", expression: "time_to_cron('2023-02-02T15:04:05Z')", want: "4 15 2 2 4" },
    { name: "Test_TimeToCron offset", expression: "time_to_cron(time_utc('2023-02-02T15:04:05-07:00'))", want: "4 22 2 2 4" },
    { name: "Test_TimeAdd keeps the offset", expression: "time_add('2021-01-02T15:04:05-07:00', '3h')", want: "2021-01-02T18:04:05-07:00" },
    { name: "Test_TimeAdd of a parsed time", expression: "time_add(time_parse('Mon Jan 02 15:04:05 MST 2006', 'Sat Jan 02 15:04:05 MST 2021'), '5h30m40s')", want: "2021-01-02T20:34:45Z" },
    { name: "Test_TimeParse RFC3339 layout", expression: "time_parse('2006-01-02T15:04:05Z07:00', '2021-01-02T15:04:05-07:00')", want: "2021-01-02T15:04:05-07:00" },
    { name: "Test_TimeParse named zone", expression: "time_parse('Mon Jan 02 15:04:05 MST 2006', 'Sat Jan 02 15:04:05 MST 2021')", want: "2021-01-02T15:04:05Z" },
    { name: "time_parse with an epoch layout", expression: "time_parse('1136239445', '1672531200')", want: "2023-01-01T00:00:00Z" },
    { name: "time_parse with 12-hour clock and fractions", expression: "time_parse('Jan 2, 2006 at 3:04pm (MST)', 'Feb 3, 2013 at 7:54pm (PST)')", want: "2013-02-03T19:54:00Z" },
    { name: "Test_TimeUtc UTC", expression: "time_utc('2023-02-02T15:04:05Z')", want: "2023-02-02T15:04:05Z" },
    { name: "Test_TimeUtc offset", expression: "time_utc('2023-02-02T15:04:05-07:00')", want: "2023-02-02T22:04:05Z" },
    { name: "Test_TimeDiff", expression: "time_diff('2021-01-02T15:04:05-07:00', '2021-01-10T03:14:05-07:00')", want: "180h10m0s" },
    { name: "Test_jpTimeBefore before", expression: "time_before('2021-01-02T15:04:05-07:00', '2021-01-02T16:04:05-07:00')", want: true },
    { name: "Test_jpTimeBefore equal", expression: "time_before('2021-01-02T15:04:05-07:00', '2021-01-02T15:04:05-07:00')", want: false },
    { name: "Test_jpTimeAfter after", expression: "time_after('2021-01-02T16:04:05-07:00', '2021-01-02T15:04:05-07:00')", want: true },
    { name: "Test_jpTimeAfter before", expression: "time_after('2021-01-02T15:04:05-07:00', '2021-01-02T16:04:05-07:00')", want: false },
    { name: "Test_jpTimeBetween inside", expression: "time_between('2021-01-02T17:04:05-07:00', '2021-01-02T15:04:05-07:00', '2021-01-02T18:04:05-07:00')", want: true },
    { name: "Test_jpTimeBetween at start", expression: "time_between('2021-01-02T15:04:05-07:00', '2021-01-02T15:04:05-07:00', '2021-01-02T18:04:05-07:00')", want: false },
    { name: "Test_jpTimeBetween at end", expression: "time_between('2021-01-02T18:04:05-07:00', '2021-01-02T15:04:05-07:00', '2021-01-02T18:04:05-07:00')", want: false },
    { name: "time_truncate to the hour", expression: "time_truncate('2023-02-02T15:04:05Z', '1h')", want: "2023-02-02T15:00:00Z" },
    { name: "time_truncate counts from the zero time in UTC, keeps the offset", expression: "time_truncate('2023-02-02T15:04:05-07:00', '24h')", want: "2023-02-01T17:00:00-07:00" },
    { name: "time_now with the injected clock", expression: "time_now()", want: "2024-03-10T08:30:00Z" },
    { name: "time_now_utc with the injected clock", expression: "time_now_utc()", want: "2024-03-10T08:30:00Z" },
    { name: "fractional seconds are accepted and dropped", expression: "time_utc('2023-02-02T15:04:05.123456789+01:00')", want: "2023-02-02T14:04:05Z" },
  ])("$name", ({ expression, want }) => {
    expect(searchJmespath(expression, "", { now })).toEqual(want);
  });

  it.each<{ name: string; expression: string; message: string }>([
    { name: "Test_getTimeArg empty", expression: "time_utc('')", message: 'parsing time ""' },
    { name: "Test_getTimeArg number", expression: "time_utc(`1`)", message: "argument #1 is not of type string" },
    { name: "Test_getDurationArg empty", expression: "time_add('2021-01-02T15:04:05Z', '')", message: 'time: invalid duration ""' },
    { name: "duration without a unit", expression: "time_add('2021-01-02T15:04:05Z', '1')", message: 'time: missing unit in duration "1"' },
    { name: "duration with an unknown unit", expression: "time_add('2021-01-02T15:04:05Z', '1d')", message: 'time: unknown unit "d" in duration "1d"' },
    { name: "a day out of range", expression: "time_utc('2021-02-30T15:04:05Z')", message: "day out of range" },
    { name: "an hour out of range", expression: "time_utc('2021-02-03T25:04:05Z')", message: "hour out of range" },
    { name: "trailing text", expression: "time_utc('2021-02-03T05:04:05Zjunk')", message: "extra text" },
  ])("$name fails", ({ expression, message }) => {
    expect(() => searchJmespath(expression, "", { now })).toThrow(message);
  });
});

// functions_test.go Test_x509Decode, and test/custom-functions (test-x509-decode) of the CLI conformance suite.
describe("x509_decode", () => {
  it("decodes a certificate as crypto/x509 encodes it to JSON", () => {
    const cert = run("x509_decode(@)", CERT_KYVERNO_SVC) as Record<string, unknown>;
    expect(cert).toMatchObject({
      Version: 3,
      SerialNumber: 0,
      SignatureAlgorithm: 4,
      PublicKeyAlgorithm: 1,
      PublicKey: {
        N: "25626776194299809103943925293022478779550111351090439168995035251396620593900589237452364135475983088162735720467798166985191488213022186077349821145857402701723499012699772423162550319145896535355752944351742979794245171828792388153331005254201525593934122190716637483002316913539755904599370968007653484768793099970920881706651907943367212661888776583428009130496820305182341702970575924538413569026902195901329094514102681440057150490032724791460671006772434362132998853498175356133386237155854830546292463707783883111067332118558636600306550854546869660051077649500890548685566726464348535891964886136890236394619",
        E: 65537,
      },
      Issuer: { CommonName: "*.kyverno.svc", Country: null, Names: [{ Type: [2, 5, 4, 3], Value: "*.kyverno.svc" }], ExtraNames: null },
      Subject: { CommonName: "*.kyverno.svc", SerialNumber: "" },
      NotBefore: "2022-01-11T13:26:43Z",
      NotAfter: "2023-01-11T14:26:43Z",
      KeyUsage: 37,
      Extensions: [
        { Id: [2, 5, 29, 15], Critical: true, Value: "AwICpA==" },
        { Id: [2, 5, 29, 19], Critical: true, Value: "MAMBAf8=" },
        { Id: [2, 5, 29, 14], Critical: false, Value: "BBTp5QElQ/X7t0wI6bZVv4AFwOKpfg==" },
      ],
      BasicConstraintsValid: true,
      IsCA: true,
      MaxPathLen: -1,
      MaxPathLenZero: false,
      SubjectKeyId: "6eUBJUP1+7dMCOm2Vb+ABcDiqX4=",
      AuthorityKeyId: null,
      DNSNames: null,
      UnhandledCriticalExtensions: null,
      RawSubject: "MBgxFjAUBgNVBAMMDSoua3l2ZXJuby5zdmM=",
    });
    expect(String(cert.Signature)).toMatch(/^iKckYgocafe3Kyn0NuCbe8\/D\/gBqS397F\+Hi\/OxEmu0EaFSbVy5mrrdaVBKGC0K7ipof9GBbWRvVsVYGOorim1p7u2znjAfyK/);
    expect(String(cert.RawTBSCertificate)).toMatch(/^MIIB1aADAgECAgEAMA0GCSqGSIb3DQEBCwUAMBgx/);
    expect(cert.Raw).toBe(CERT_KYVERNO_SVC.split("\n").filter((line) => line && !line.startsWith("-----")).join(""));
  });

  it("decodes the second certificate: names, a large serial number", () => {
    const cert = run("x509_decode(@)", CERT_XX) as Record<string, unknown>;
    expect(cert).toMatchObject({
      SerialNumber: 520089955419326249038486015063014459614455897759,
      KeyUsage: 96,
      Subject: { Country: ["xx"], Organization: ["x"], OrganizationalUnit: ["x"], Locality: ["x"], Province: ["x"], CommonName: "" },
      NotBefore: "2018-02-02T12:38:00Z",
      NotAfter: "2023-02-01T12:38:00Z",
      SubjectKeyId: "pdxvnZu/qiqcP4P19M0UdkvwhbE=",
    });
    expect((cert.PublicKey as { N: string }).N.startsWith("26496562094779491076553211809422098021949952483515703281510813808490953126660362")).toBe(true);
  });

  it("decodes a base64 PEM through base64_decode, and a certificate request", () => {
    const fromBase64 = run("x509_decode(base64_decode(@)).PublicKey.N", Buffer.from(CERT_XX).toString("base64"));
    expect(fromBase64).toBe(run("x509_decode(@).PublicKey.N", CERT_XX));
    const csr = run("x509_decode(@)", CSR_DIGICERT) as Record<string, unknown>;
    expect(csr).toMatchObject({ Version: 0, SignatureAlgorithm: 3, PublicKeyAlgorithm: 1, Attributes: null, Extensions: null, Subject: { CommonName: "example.digicert.com", Country: ["US"], Province: ["Utah"] } });
    expect((csr.PublicKey as { N: string }).N.startsWith("307887877754990842296260267241187198729739074714996496461847756709143461803")).toBe(true);
  });

  it("test/custom-functions: the moduli of the two certificates differ", () => {
    const data = { cert: CERT_XX, certB64: Buffer.from(CERT_KYVERNO_SVC).toString("base64") };
    expect(run("x509_decode(cert).PublicKey.N == x509_decode(base64_decode(certB64)).PublicKey.N", data)).toBe(false);
  });

  it("refuses what is not a PEM certificate", () => {
    expect(() => run("x509_decode('xyz')")).toThrow("failed to decode PEM block");
    expect(() => run("x509_decode(@)", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")).toThrow("PEM block neither contains a CERTIFICATE or CERTIFICATE REQUEST");
  });
});

// test/custom-functions and test/jmespath-brackets of the CLI conformance suite.
describe("conformance expressions", () => {
  it.each<{ name: string; expression: string; data: unknown; want: unknown }>([
    { name: "custom-functions base64: match", expression: "base64_decode(request.object.data.value) != request.object.metadata.labels.value", data: { request: { object: { metadata: { labels: { value: "hello" } }, data: { value: "aGVsbG8=" } } } }, want: false },
    { name: "custom-functions base64: no match", expression: "base64_decode(request.object.data.value) != request.object.metadata.labels.value", data: { request: { object: { metadata: { labels: { value: "hello" } }, data: { value: "Z29vZGJ5ZQ==" } } } }, want: true },
    { name: "custom-functions pattern_match", expression: "pattern_match('prefix-*', request.object.metadata.labels.value)", data: { request: { object: { metadata: { labels: { value: "prefix-test" } } } } }, want: true },
    { name: "custom-functions path_canonicalize", expression: "path_canonicalize(element.hostPath.path)", data: { element: { hostPath: { path: "///var/run/containerd///containerd.sock" } } }, want: "/var/run/containerd/containerd.sock" },
    { name: "custom-functions parse_json", expression: "request.object.metadata.annotations.test | parse_json(@).a", data: { request: { object: { metadata: { annotations: { test: '{"a": "b"}\n' } } } } }, want: "b" },
    { name: "custom-functions parse_yaml array", expression: "request.object.metadata.annotations.test | parse_yaml(@).array", data: { request: { object: { metadata: { annotations: { test: "value: a\narray:\n  - a\n  - b\n  - c \n" } } } } }, want: ["a", "b", "c"] },
    { name: "jmespath-brackets merge with a literal object", expression: 'request.object.metadata.labels | merge(@, `{"test": ""}`)', data: { request: { object: { metadata: { labels: { a: "1", test: "not-equal" } } } } }, want: { a: "1", test: "" } },
    { name: "jmespath-brackets regex_match with alternation in a class", expression: "regex_match('^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-4[a-fA-F0-9]{3}-[8|9|aA|bB][a-fA-F0-9]{3}-[a-fA-F0-9]{12}$', '51e5fe10-5325-4a32-9ce8-7ebe97087ebe')", data: "", want: true },
    { name: "jmespath-brackets regex_match failing", expression: "regex_match('^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-4[a-fA-F0-9]{3}-[8|9|aA|bB][a-fA-F0-9]{3}-[a-fA-F0-9]{12}$', '51e5fe10-5325-4a32-bce8-7ebe9708')", data: "", want: false },
    { name: "nil-values-in-variables regex on a missing duration", expression: "max( [ to_number(regex_replace_all('h.*','2400h','')), to_number('2400') ] )", data: "", want: 2400 },
    { name: "context-entries items()", expression: "items(obj, 'key', 'value')", data: { obj: { a: 1, b: 2 } }, want: [{ key: "a", value: 1 }, { key: "b", value: 2 }] },
    { name: "context-entries to_string of a missing key", expression: "to_string(obj.notName)", data: { obj: { name: "example" } }, want: "null" },
  ])("$name", ({ expression, data, want }) => {
    expect(searchJmespath(expression, data)).toEqual(want);
  });
});
