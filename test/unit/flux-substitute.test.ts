import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/model.ts";
import {
  SUBSTITUTE_ANNOTATION,
  SubstitutionError,
  invalidVariableNames,
  isSubstitutionDisabled,
  substituteObject,
  substituteText,
  type UnresolvedVariable,
} from "../../src/render/flux-substitute.ts";

// Expected values follow fluxcd/pkg envsubst (eval_test.go, parse_test.go, funcs.go, template.go) and
// kustomize_varsub.go with sigs.k8s.io/yaml (go-yaml v2) on both sides of the text substitution.

const unresolved = (name: string, written = `\${${name}}`): UnresolvedVariable => ({ name, written });

/** A ReadonlyMap that is not an instance of Map. */
const readonlyMap = (entries: Array<[string, string]>): ReadonlyMap<string, string> => {
  const map = new Map(entries);
  return { get: (key: string) => map.get(key), entries: () => map.entries() } as unknown as ReadonlyMap<string, string>;
};

describe("substituteText", () => {
  it.each<{ name: string; text: string; vars: ReadonlyMap<string, string> | Record<string, string>; expected: string; unresolved?: UnresolvedVariable[] }>([
    { name: "${var} with a value", text: "region: ${REGION}", vars: { REGION: "eu-1" }, expected: "region: eu-1" },
    { name: "${var} without a value is empty and reported", text: "a${CLUSTER}b", vars: {}, expected: "ab", unresolved: [unresolved("CLUSTER")] },
    { name: "${var:=default} unset", text: "${ENV:=dev}", vars: {}, expected: "dev" },
    { name: "${var:=default} set", text: "${ENV:=dev}", vars: { ENV: "prod" }, expected: "prod" },
    { name: "${var:-default} set to the empty string takes the default", text: "${ENV:-dev}", vars: { ENV: "" }, expected: "dev" },
    { name: "${var=default} is the same test as :=, empty counts as unset", text: "${A=x}|${B=y}", vars: { A: "", B: "b" }, expected: "x|b" },
    { name: "${var:+word} and ${var:?word} parse and act as defaults", text: "${A:+plus}|${A:?question}", vars: {}, expected: "plus|question" },
    { name: "${var:=} with an empty default", text: "[${A:=}]", vars: {}, expected: "[]" },
    { name: "nested default ${A:-${B}}", text: "${A:-${B}}", vars: { B: "from-b" }, expected: "from-b" },
    {
      name: "a nested default is evaluated even when unused",
      text: "${A:-${B}}",
      vars: { A: "a" },
      expected: "a",
      unresolved: [unresolved("B")],
    },
    { name: "nested default ${A:=${B:=x}}", text: "${A:=${B:=x}}", vars: {}, expected: "x" },
    { name: "default mixing text and a variable", text: "${HOST:=web-${ENV}.local}", vars: { ENV: "qa" }, expected: "web-qa.local" },
    { name: "default with a colon, up to the first }", text: "${URL:=http://x:80}", vars: {}, expected: "http://x:80" },
    { name: "upper and lower case", text: "${V^^} ${V,,} ${V^} ${V,}", vars: { V: "élan Vital" }, expected: "ÉLAN VITAL élan vital Élan Vital élan Vital" },
    { name: "${#var} counts UTF-8 bytes", text: "${#V}", vars: { V: "né" }, expected: "3" },
    { name: "substring position", text: "${P:11}", vars: { P: "/home/bozo/ideas/thoughts" }, expected: "ideas/thoughts" },
    { name: "substring position and length", text: "${P:11:5}", vars: { P: "/home/bozo/ideas/thoughts" }, expected: "ideas" },
    { name: "substring with a negative length", text: "${V:1:-1}", vars: { V: "[abc]" }, expected: "abc" },
    { name: "substring with a position Atoi refuses returns the value", text: "${V: -2}", vars: { V: "abcdef" }, expected: "abcdef" },
    { name: "${var:-2} is a default, not a substring", text: "${V:-2}", vars: { V: "abcdef" }, expected: "abcdef" },
    { name: "replace first and all", text: "${V/a/X} ${V//a/X}", vars: { V: "banana" }, expected: "bXnana bXnXnX" },
    { name: "replace prefix and suffix", text: "${V/#ab/X} ${V/%bc/X}", vars: { V: "abcabc" }, expected: "Xcabc abcaX" },
    { name: "replace prefix with an empty replacement leaves the value (Go needs two arguments)", text: "${V/#ab/}|${V//ab/}", vars: { V: "abab" }, expected: "abab|" },
    { name: "replace with an empty pattern inserts around every rune", text: "${V///-}", vars: { V: "aé" }, expected: "-a-é-" },
    { name: "escaped slashes in a replace pattern", text: "${P//\\//-}", vars: { P: "a/b/c" }, expected: "a-b-c" },
    { name: "trim shortest and longest prefix", text: "${F#*.} ${F##*.}", vars: { F: "bash.string.txt" }, expected: "string.txt txt" },
    { name: "trim shortest and longest suffix", text: "${F%.*} ${F%%.*}", vars: { F: "bash.string.txt" }, expected: "bash.string bash" },
    { name: "a * in a trim pattern also matches /", text: "${F##*/}", vars: { F: "path/to/file" }, expected: "file" },
    { name: "bare $var is not substituted", text: "$HOME ${HOME}", vars: { HOME: "/root" }, expected: "$HOME /root" },
    { name: "$${var} is a literal ${var}", text: "$${HOME} ${HOME}", vars: { HOME: "/root" }, expected: "${HOME} /root" },
    { name: "$$ elsewhere becomes $", text: "echo $$ $$$$ ${A}", vars: { A: "a" }, expected: "echo $ $$ a" },
    { name: "a backslash outside a function escapes nothing", text: "\\${A} a$", vars: { A: "x" }, expected: "\\x a$" },
    { name: "names may start with a digit in the text", text: "[${1X}]", vars: {}, expected: "[]", unresolved: [unresolved("1X")] },
    {
      name: "Grafana variable formats parse as substrings of an unset variable",
      text: "${servers:csv} ${__from:date:iso}",
      vars: {},
      expected: " ",
      unresolved: [unresolved("servers", "${servers:csv}"), unresolved("__from", "${__from:date:iso}")],
    },
    { name: "non-ASCII text around placeholders", text: "ünï ${A} 😀", vars: { A: "çà" }, expected: "ünï çà 😀" },
    { name: "an unknown casing mix returns the value", text: "${V,^}", vars: { V: "AbC" }, expected: "AbC" },
    { name: "a NUL byte ends the text, as Go's scanner reads rune 0 as the end", text: "${A}\u0000${A}", vars: { A: "a" }, expected: "a" },
    { name: "variables in a ReadonlyMap that is not a Map", text: "${A}", vars: readonlyMap([["A", "from-map"]]), expected: "from-map" },
  ])("$name", ({ text, vars, expected, unresolved: missing = [] }) => {
    expect(substituteText(text, vars)).toEqual({ text: expected, unresolved: missing });
  });

  it.each<{ name: string; text: string; vars: ReadonlyMap<string, string> | Record<string, string>; expected?: string; error?: RegExp }>([
    { name: "a set variable", text: "${A}", vars: { A: "a" }, expected: "a" },
    { name: "a variable set to the empty string", text: "[${A}]", vars: new Map([["A", ""]]), expected: "[]" },
    { name: "an unset variable with a default", text: "${A:=d}", vars: {}, expected: "d" },
    { name: "an unset variable", text: "x ${CLUSTER}", vars: {}, error: /variable not set \(strict mode\): "CLUSTER"/ },
    { name: "an unset variable under a transformation", text: "${A^^}", vars: {}, error: /variable not set \(strict mode\): "A"/ },
    { name: "an unset nested default of a set variable", text: "${A:-${B}}", vars: { A: "a" }, error: /"B" in \$\{B\}/ },
    { name: "a name only on Object.prototype", text: "${constructor}", vars: {}, error: /"constructor"/ },
  ])("strict: $name", ({ text, vars, expected, error }) => {
    if (error) expect(() => substituteText(text, vars, { strict: true })).toThrow(error);
    else expect(substituteText(text, vars, { strict: true }).text).toBe(expected);
  });

  it.each<{ name: string; text: string; vars?: Record<string, string>; error: RegExp }>([
    { name: "an unclosed ${var", text: "a: ${NAME", error: /missing closing brace/ },
    { name: "an unclosed default", text: "a: ${NAME:-x", error: /unable to parse substitution within function/ },
    { name: "${ at the end", text: "cost: 5${", error: /unable to parse variable name/ },
    { name: "an empty ${}", text: "${}", error: /unable to parse variable name/ },
    { name: "a dotted name, as in Grafana's ${__field.labels.job}", text: '"${__field.labels.job}"', error: /missing closing brace/ },
    { name: "a bash array expansion", text: "${AUTH[@]}", error: /missing closing brace/ },
    { name: "${var-default} is not supported", text: "${A-d}", error: /missing closing brace/ },
    { name: "a replace without its second slash", text: "${V/a}", error: /bad substitution/ },
    { name: "a length with an operator", text: "${#V:1}", error: /bad substitution/ },
    { name: "a multi-byte character after the colon", text: "${V:é}", error: /bad substitution/ },
    { name: "an invalid variable name in vars", text: "plain text", vars: { "cluster-name": "x" }, error: /'cluster-name' var name is invalid/ },
  ])("throws a SubstitutionError for $name", ({ text, vars = {}, error }) => {
    expect(() => substituteText(text, vars)).toThrow(SubstitutionError);
    expect(() => substituteText(text, vars)).toThrow(error);
  });

  it("scans a large text in linear time", () => {
    const text = "a: $$ ${A} $B\n".repeat(200_000);
    const started = performance.now();
    const result = substituteText(text, { A: "x" });
    expect(performance.now() - started).toBeLessThan(5000);
    // a boolean, so that a failure does not diff megabytes
    expect(result.text === "a: $ x $B\n".repeat(200_000)).toBe(true);
  });
});

describe("invalidVariableNames", () => {
  it.each<{ name: string; names: string[]; invalid: string[] }>([
    { name: "letters, digits and underscores", names: ["A", "_a1", "cluster_env", "X9"], invalid: [] },
    { name: "a leading digit", names: ["ok", "1X"], invalid: ["1X"] },
    { name: "dashes, dots and spaces", names: ["a-b", "a.b", "a b"], invalid: ["a-b", "a.b", "a b"] },
    { name: "non-ASCII letters ([:alpha:] is ASCII in Go)", names: ["café"], invalid: ["café"] },
    { name: "the empty name", names: [""], invalid: [""] },
  ])("$name", ({ names, invalid }) => {
    expect(invalidVariableNames(names)).toEqual(invalid);
  });
});

const configMap = (data: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "cm", ...metadata },
  data,
});

describe("isSubstitutionDisabled", () => {
  it.each<{ name: string; metadata: Record<string, unknown>; disabled: boolean }>([
    { name: "the annotation", metadata: { annotations: { [SUBSTITUTE_ANNOTATION]: "disabled" } }, disabled: true },
    { name: "the label", metadata: { labels: { [SUBSTITUTE_ANNOTATION]: "disabled" } }, disabled: true },
    { name: "another value", metadata: { labels: { [SUBSTITUTE_ANNOTATION]: "Disabled" } }, disabled: false },
    { name: "neither", metadata: { labels: { app: "web" } }, disabled: false },
  ])("$name", ({ metadata, disabled }) => {
    expect(isSubstitutionDisabled(configMap({}, metadata))).toBe(disabled);
  });
});

const grafanaDashboard = JSON.stringify(
  {
    title: "Pods on ${CLUSTER}",
    panels: [
      {
        datasource: { type: "prometheus", uid: "${DS_PROMETHEUS}" },
        targets: [{ expr: 'sum(rate(http_requests_total{cluster="$cluster"}[$__rate_interval]))', legendFormat: "{{pod}}" }],
      },
    ],
  },
  null,
  2,
);

describe("substituteObject", () => {
  it.each<{
    name: string;
    object: KubeObject;
    vars: Record<string, string>;
    options?: { strict?: boolean; always?: boolean };
    expected: unknown;
    unresolved?: UnresolvedVariable[];
  }>([
    {
      name: "a default becomes an integer, as the placeholder is written unquoted",
      object: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: "${REPLICAS:=3}" } },
      vars: { ENV: "prod" },
      expected: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 3 } },
    },
    {
      name: "a quoted placeholder in the source is not quoted any more",
      object: configMap({ port: "${PORT}", id: "${ID}" }),
      vars: { PORT: "8080", ID: "0x1F" },
      expected: configMap({ port: 8080, id: 31 }),
    },
    {
      name: "values resolve as YAML 1.1",
      object: configMap({ a: "${A}", b: "${B}", c: "${C}", d: "${D}", e: "${E}", f: "${F}", g: "${G}" }),
      vars: { A: "yes", B: "off", C: "~", D: "0777", E: "1e3", F: "08", G: "1:20" },
      expected: configMap({ a: true, b: false, c: null, d: 511, e: 1000, f: 8, g: "1:20" }),
    },
    {
      name: "an unset variable becomes null and is reported",
      object: configMap({ region: "${REGION}" }),
      vars: { ENV: "prod" },
      expected: configMap({ region: null }),
      unresolved: [unresolved("REGION")],
    },
    {
      name: "Flux's documented quote variable keeps a number a string",
      object: configMap({ id: "${quote}${id}${quote}" }),
      vars: { quote: '"', id: "123" },
      expected: configMap({ id: "123" }),
    },
    {
      name: "text around the placeholder keeps a string",
      object: configMap({ image: "nginx:${TAG}" }),
      vars: { TAG: "1.25" },
      expected: configMap({ image: "nginx:1.25" }),
    },
    {
      name: "a value with ' #' starts a comment",
      object: configMap({ msg: "hello ${X}" }),
      vars: { X: "world #1" },
      expected: configMap({ msg: "hello world" }),
    },
    {
      name: "a backslash escape lands in a double-quoted string (Go quotes strings with tabs)",
      object: configMap({ msg: "a\t${X}" }),
      vars: { X: "\\n" },
      expected: configMap({ msg: "a\t\n" }),
    },
    {
      name: "a multi-line string is a literal block, where ': ' stays text",
      object: configMap({ "app.conf": "host=${HOST}\nmode: on\n" }),
      vars: { HOST: "a: b" },
      expected: configMap({ "app.conf": "host=a: b\nmode: on\n" }),
    },
    {
      name: "newlines are stripped from values, as Flux loads them",
      object: configMap({ key: "${KEY}" }),
      vars: { KEY: "abc\ndef\n" },
      expected: configMap({ key: "abcdef" }),
    },
    {
      name: "keys are substituted and converted as YAML 1.1 keys",
      object: configMap({ "${A}": "x", "${B}": "y", "${C}.conf": "z" }),
      vars: { A: "yes", B: "1e6", C: "nginx" },
      expected: configMap({ true: "x", "1e+06": "y", "nginx.conf": "z" }),
    },
    {
      name: "escapes in a shell script",
      object: configMap({ "run.sh": "#!/bin/sh\necho $$ $HOME $${HOME} ${GREETING}\n" }),
      vars: { GREETING: "hi" },
      expected: configMap({ "run.sh": "#!/bin/sh\necho $ $HOME ${HOME} hi\n" }),
    },
    {
      name: "a shell variable in a script is blanked and reported",
      object: configMap({ "run.sh": "cd ${HOME}/app\n" }),
      vars: { ENV: "prod" },
      expected: configMap({ "run.sh": "cd /app\n" }),
      unresolved: [unresolved("HOME")],
    },
    {
      name: "a Grafana dashboard's JSON is substituted too",
      object: configMap({ "pods.json": grafanaDashboard }),
      vars: { CLUSTER: "eu-1" },
      expected: configMap({ "pods.json": grafanaDashboard.replace("${CLUSTER}", "eu-1").replace("${DS_PROMETHEUS}", "") }),
      unresolved: [unresolved("DS_PROMETHEUS")],
    },
    {
      name: "defaults apply without variables when always is set",
      object: configMap({ env: "${ENV:=dev}" }),
      vars: {},
      options: { always: true },
      expected: configMap({ env: "dev" }),
    },
    {
      name: "strict mode accepts a variable set to the empty string",
      object: configMap({ a: "${EMPTY}" }),
      vars: { EMPTY: "" },
      options: { strict: true },
      expected: configMap({ a: null }),
    },
    {
      name: "a string starting with a byte order mark is written fully escaped, so nothing is substituted",
      object: configMap({ a: "\ufeff${X}", b: "${X}" }),
      vars: { X: "x" },
      expected: configMap({ a: "\ufeff${X}", b: "x" }),
    },
  ])("$name", ({ object, vars, options, expected, unresolved: missing = [] }) => {
    const result = substituteObject(object, vars, options);
    expect(result.object).toEqual(expected);
    expect(result.unresolved).toEqual(missing);
  });

  it("keeps every other value exactly through the YAML round trip", () => {
    const awkward: Record<string, unknown> = {
      multiline: "line1\nline2  \n",
      tab: "tab\there",
      dash: "- x",
      empty: "",
      number: "123",
      word: "yes",
      emoji: "emoji 😀",
      leading: "  lead",
      colon: "key: val",
      quotes: "'single' \"double\"",
      comment: "a #c",
      indicator: "*star",
      newlines: "two\n\n",
      leadingNewline: "\nfirst",
      backslash: "back\\slash",
      control: "\u0007bell",
      separator: "a\u2028b",
      merge: "<<",
      date: "2024-01-01",
      nothing: null,
      float: 1.5,
      big: 1e21,
      flag: true,
      emptyList: [],
      emptyMap: {},
      nested: [[1, 2], [{ p: 1, q: [] }], "s"],
      "key with spaces": "v",
      "": "empty key",
      "multi\nline key": "v",
      ["k".repeat(200)]: { deep: ["a"] },
    };
    const object = configMap({ subst: "${X}", ...awkward });
    expect(substituteObject(object, { X: "x" }).object).toEqual(configMap({ subst: "x", ...awkward }));
  });

  it.each<{ name: string; object: KubeObject; vars: Record<string, string>; options?: { always?: boolean } }>([
    {
      name: "disabled by annotation",
      object: configMap({ a: "${X}" }, { annotations: { [SUBSTITUTE_ANNOTATION]: "disabled" } }),
      vars: { X: "x" },
    },
    { name: "disabled by label", object: configMap({ a: "${X}" }, { labels: { [SUBSTITUTE_ANNOTATION]: "disabled" } }), vars: { X: "x" } },
    { name: "disabled even with invalid variable names", object: configMap({ a: "${X}" }, { labels: { [SUBSTITUTE_ANNOTATION]: "disabled" } }), vars: { "a-b": "x" } },
    { name: "no variables at all (Flux does not substitute)", object: configMap({ a: "${X:=1}" }), vars: {} },
    { name: "a text that does not change", object: configMap({ a: "$HOME" }), vars: { X: "x" } },
  ])("returns the same object: $name", ({ object, vars, options }) => {
    const copy = structuredClone(object);
    const result = substituteObject(object, vars, options);
    expect(result.object).toBe(object);
    expect(object).toEqual(copy);
  });

  it.each<{ name: string; object: KubeObject; vars: Record<string, string>; options?: { strict?: boolean }; error: RegExp; variables?: string[] }>([
    {
      name: "a value with ': ' in a plain scalar",
      object: configMap({ a: "${X}" }),
      vars: { X: "a: b" },
      error: /after substituting \$\{X\} the object is no longer valid YAML/,
      variables: ["X"],
    },
    {
      name: "a quote inside a single-quoted string (Go single-quotes a string starting with '{')",
      object: configMap({ json: '{"user": "${USER}"}' }),
      vars: { USER: "o'brien" },
      error: /no longer valid YAML/,
      variables: ["USER"],
    },
    { name: "strict mode and an unset variable", object: configMap({ a: "${CLUSTER}" }), vars: { ENV: "x" }, options: { strict: true }, error: /strict mode.*"CLUSTER"/, variables: ["CLUSTER"] },
    { name: "an invalid variable name", object: configMap({ a: "${X}" }), vars: { "my.var": "x" }, error: /'my\.var' var name is invalid/, variables: ["my.var"] },
    { name: "a syntax error", object: configMap({ "dash.json": '{"legend": "${__field.labels.job}"}' }), vars: { X: "x" }, error: /missing closing brace/ },
    { name: "an infinity, which JSON cannot hold", object: configMap({ a: "${X}" }), vars: { X: ".inf" }, error: /unsupported value: \+Inf/ },
    { name: "a null map key", object: configMap({ "${K}": "v" }), vars: { K: "~" }, error: /unsupported map key of type: <nil>/ },
    { name: "an alias to no anchor", object: configMap({ a: "${X}" }), vars: { X: "*ref" }, error: /alias \*ref/ },
  ])("throws a SubstitutionError for $name", ({ object, vars, options, error, variables }) => {
    let thrown: unknown;
    try {
      substituteObject(object, vars, options);
    } catch (caught) {
      thrown = caught;
    }
    expect(thrown).toBeInstanceOf(SubstitutionError);
    expect((thrown as SubstitutionError).message).toMatch(error);
    if (variables) expect((thrown as SubstitutionError).variables).toEqual(variables);
  });

  it("substitutes thousands of objects quickly", () => {
    const objects = Array.from({ length: 3000 }, (_, i) =>
      configMap({ index: String(i), url: "https://${HOST}/api/${VERSION:=v1}", script: "echo $HOME ${NAME}\n".repeat(20) }),
    );
    const started = performance.now();
    for (const object of objects) substituteObject(object, { HOST: "example.com", NAME: "n" });
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
