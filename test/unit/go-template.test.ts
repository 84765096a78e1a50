import { describe, expect, it } from "vitest";
import {
  asStringMap,
  asStringSlice,
  formatGoFloat,
  parseGoTemplateOptions,
  renderGoTemplate,
  sanitizeName,
  toGoYaml,
  type GoMap,
} from "../../src/util/go-template.ts";

/** Parameters shaped as the generators shape them: JSON numbers are float64, labels map[string]string. */
const data = (): GoMap => ({
  name: "Web_App",
  replicas: 3,
  big: 12345678,
  ratio: 1.5,
  list: ["a", "b"],
  nested: { x: 1, y: "z" },
  empty: "",
  nothing: null,
  path: { path: "apps/web", basename: "web", segments: asStringSlice(["apps", "web"]) },
  labels: asStringMap({ env: "prod" }),
});

describe("renderGoTemplate", () => {
  it.each<{ name: string; template: string; want: string; options?: string[] }>([
    { name: "field access", template: "{{ .name }}-{{ .path.basename }}", want: "Web_App-web" },
    { name: "a JSON number prints as Go prints float64", template: "{{ .replicas }} {{ .ratio }}", want: "3 1.5" },
    { name: "a float64 of a million or more prints with an exponent", template: "{{ .big }}", want: "1.2345678e+07" },
    { name: "lists and maps print as Go's %v", template: "{{ .list }} {{ .nested }}", want: "[a b] map[x:1 y:z]" },
    { name: "a missing key is <no value> by default", template: "{{ .missing }}", want: "<no value>" },
    { name: "a null value is <no value> too", template: "{{ .nothing }}", want: "<no value>" },
    { name: "missingkey=zero on map[string]interface{} is still <no value>", template: "{{ .missing }}", options: ["missingkey=zero"], want: "<no value>" },
    { name: "index into a []string", template: "{{ index .path.segments 1 }}", want: "web" },
    { name: "index of a missing key of a map[string]string is empty", template: "[{{ index .labels \"team\" }}]", want: "[]" },
    { name: "index of a missing key of a map[string]interface{} is <no value>", template: "{{ index .nested \"q\" }}", want: "<no value>" },
    { name: "pipelines pass the value as the last argument", template: "{{ .name | lower | replace \"_\" \"-\" }}", want: "web-app" },
    { name: "printf", template: "{{ printf \"%s-%03d-%v-%.2f\" .name 7 .list .ratio }}", want: "Web_App-007-[a b]-1.50" },
    { name: "printf reports a wrong verb as Go does", template: "{{ printf \"%d\" .replicas }}", want: "%!d(float64=3)" },
    { name: "if / else if / else", template: "{{ if eq .name \"x\" }}x{{ else if eq .name \"Web_App\" }}web{{ else }}other{{ end }}", want: "web" },
    { name: "and/or return an operand", template: "{{ or .empty .missing \"fallback\" }} {{ and .name .replicas }}", want: "fallback 3" },
    { name: "not, ne, lt on ints", template: "{{ not .empty }} {{ ne 1 2 }} {{ lt 1 2 }}", want: "true true true" },
    { name: "range over a list with index and element", template: "{{ range $i, $e := .list }}{{ $i }}={{ $e }};{{ end }}", want: "0=a;1=b;" },
    { name: "range over a map in key order", template: "{{ range $k, $v := .nested }}{{ $k }}:{{ $v }},{{ end }}", want: "x:1,y:z," },
    { name: "range else on an empty list", template: "{{ range .missing }}x{{ else }}none{{ end }}", want: "none" },
    { name: "range with break and continue", template: "{{ range $i := until 5 }}{{ if eq $i 1 }}{{ continue }}{{ end }}{{ if eq $i 3 }}{{ break }}{{ end }}{{ $i }}{{ end }}", want: "02" },
    { name: "with rebinds dot; else with", template: "{{ with .missing }}a{{ else with .nested }}{{ .y }}{{ end }}", want: "z" },
    { name: "variables declare and assign", template: "{{ $x := .name }}{{ $x = lower $x }}{{ $x }}", want: "web_app" },
    { name: "$ is the data inside with", template: "{{ with .nested }}{{ $.name }}{{ end }}", want: "Web_App" },
    { name: "trim markers", template: "a  {{- \"b\" -}}  c", want: "abc" },
    { name: "comments", template: "{{/* note */}}x{{- /* trimmed */ -}} y", want: "xy" },
    { name: "number literals: int, float, hex, rune", template: "{{ 42 }} {{ 1.0 }} {{ 0x10 }} {{ 'a' }}", want: "42 1 16 97" },
    { name: "sprig strings", template: "{{ upper .name }} {{ title \"hello world\" }} {{ trunc 3 .name }} {{ trimPrefix \"Web\" .name }} {{ quote .name }} {{ squote .empty }}", want: "WEB_APP Hello World Web _App \"Web_App\" ''" },
    { name: "sprig default and empty", template: "{{ default \"d\" .missing }} {{ .empty | default \"e\" }} {{ empty .list }}", want: "d e false" },
    { name: "sprig arithmetic returns int64", template: "{{ add 1 2 3 }} {{ sub 10 4 | mul 2 }} {{ div 7 2 }} {{ max 1 5 3 }}", want: "6 12 3 5" },
    { name: "sprig lists and joins", template: "{{ splitList \"/\" .path.path | last }} {{ join \",\" .list }} {{ list 1 \"a\" | toJson }}", want: "web a,b [1,\"a\"]" },
    { name: "sprig dicts", template: "{{ $d := dict \"a\" 1 \"b\" \"x\" }}{{ get $d \"b\" }} {{ hasKey $d \"a\" }} {{ keys $d | sortAlpha }}", want: "x true [a b]" },
    { name: "dig with a default", template: "{{ dig \"nested\" \"y\" \"none\" . }} {{ dig \"nested\" \"q\" \"none\" . }}", want: "z none" },
    { name: "toJson sorts keys and escapes HTML", template: "{{ toJson (dict \"b\" \"<x>\" \"a\" .ratio) }}", want: '{"a":1.5,"b":"\\u003cx\\u003e"}' },
    { name: "toYaml as sigs.k8s.io/yaml writes it", template: "{{ toYaml .nested }}", want: "x: 1\n\"y\": z" },
    { name: "fromYaml", template: "{{ (fromYaml \"a: {b: yes}\").a.b }}", want: "true" },
    { name: "regexReplaceAll expands ${1} as Go does", template: "{{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"${1}W\" }}", want: "-W-xxW-" },
    { name: "regexReplaceAll skips an empty match after a match, as Go does", template: "{{ regexReplaceAll \"a*\" \"baaac\" \"X\" }}", want: "XbXcX" },
    { name: "base64, sha256, paths", template: "{{ b64enc \"hi\" }} {{ sha256sum \"\" | trunc 8 }} {{ base \"a/b.yaml\" }} {{ dir \"a/b/c\" }} {{ ext \"x.json\" }}", want: "aGk= e3b0c442 b.yaml a/b .json" },
    { name: "Argo's normalize", template: "{{ normalize \"My_App.v2!\" }}", want: "my-app.v2" },
    { name: "Argo's slugify truncates at a word", template: "{{ slugify 10 \"Hello World Foo\" }} {{ slugify 10 false \"Hello World Foo\" }}", want: "hello hello-worl" },
    { name: "a map key that is not an identifier, through index", template: "{{ index .labels \"env\" }}", want: "prod" },
  ])("$name", ({ template, want, options }) => {
    expect(renderGoTemplate(template, data(), parseGoTemplateOptions(options ?? []))).toBe(want);
  });

  it.each<{ name: string; template: string; error: RegExp; options?: string[] }>([
    { name: "missingkey=error names the key", template: "{{ .missing }}", options: ["missingkey=error"], error: /map has no entry for key "missing"/ },
    { name: "missingkey=error inside a pipeline", template: "{{ .missing | default \"d\" }}", options: ["missingkey=error"], error: /no entry for key "missing"/ },
    { name: "an unknown function is a parse error", template: "{{ frobnicate .name }}", error: /failed to parse template .*function "frobnicate" not defined/ },
    { name: "a sprig function this engine lacks is named", template: "{{ uuidv4 }}", error: /function "uuidv4" is not supported/ },
    { name: "env is removed by Argo CD", template: "{{ env \"HOME\" }}", error: /function "env" not defined/ },
    { name: "an unclosed action", template: "{{ .name", error: /unclosed action/ },
    { name: "an unexpected end", template: "{{ end }}", error: /unexpected \{\{end\}\}/ },
    { name: "an undefined variable", template: "{{ $nope }}", error: /undefined variable "\$nope"/ },
    { name: "define and template are refused", template: "{{ define \"x\" }}y{{ end }}", error: /\{\{define\}\} is not supported/ },
    { name: "a float64 parameter compared with an int literal", template: "{{ if eq .replicas 3 }}x{{ end }}", error: /incompatible types for comparison/ },
    { name: "a float64 parameter where a string is required", template: "{{ upper .replicas }}", error: /expected string; got float64/ },
    { name: "an int64 result where an int is required", template: "{{ trunc (add 1 2) .name }}", error: /expected int; got int64/ },
    { name: "a field of nil", template: "{{ .nothing.x }}", error: /nil pointer evaluating/ },
    { name: "index out of range", template: "{{ index .list 5 }}", error: /index out of range: 5/ },
    { name: "dig refuses a map[string]string, as sprig does", template: "{{ dig \"labels\" \"env\" \"\" . }}", error: /not map\[string\]interface/ },
    { name: "fail", template: "{{ fail \"stop here\" }}", error: /error calling fail: stop here/ },
    { name: "a regexp Go would run but JavaScript would not run the same", template: "{{ regexMatch \"(?U)a+\" \"aa\" }}", error: /U flag is not supported/ },
  ])("$name", ({ template, error, options }) => {
    expect(() => renderGoTemplate(template, data(), parseGoTemplateOptions(options ?? []))).toThrow(error);
  });

  it("refuses an unknown goTemplateOption", () => {
    expect(() => parseGoTemplateOptions(["missingkey=maybe"])).toThrow(/unrecognized option/);
  });

  it("stops a template that would run too long", () => {
    expect(() => renderGoTemplate("{{ range until 2000000 }}{{ end }}", {}, parseGoTemplateOptions([]))).toThrow(/more than/);
  });
});

describe("Go formatting helpers", () => {
  it.each<{ name: string; value: number; want: string }>([
    { name: "an integer", value: 8080, want: "8080" },
    { name: "below a million", value: 123456, want: "123456" },
    { name: "a million", value: 1e6, want: "1e+06" },
    { name: "a small fraction", value: 0.0001, want: "0.0001" },
    { name: "a smaller fraction", value: 0.00001, want: "1e-05" },
  ])("formatGoFloat: $name", ({ value, want }) => {
    expect(formatGoFloat(value)).toBe(want);
  });

  it.each<{ name: string; input: string; want: string }>([
    { name: "lower case and dashes", input: "Team_A/Web App", want: "team-a-web-app" },
    { name: "leading and trailing dashes and dots trimmed", input: "-.x.-", want: "x" },
    { name: "non-ASCII letters become dashes", input: "café", want: "caf" },
    { name: "at most 253 characters", input: "a".repeat(300), want: "a".repeat(253) },
  ])("sanitizeName: $name", ({ input, want }) => {
    expect(sanitizeName(input)).toBe(want);
  });

  it.each<{ name: string; value: GoMap; want: string }>([
    { name: "keys sorted, lists not indented", value: { b: ["x", "y"], a: 1 }, want: "a: 1\nb:\n- x\n- \"y\"" },
    { name: "strings that would read back as something else are double-quoted", value: { a: "true", b: "", c: "1.0" }, want: 'a: "true"\nb: ""\nc: "1.0"' },
    { name: "multi-line strings as literal blocks", value: { a: "x\ny" }, want: "a: |-\n  x\n  y" },
  ])("toGoYaml: $name", ({ value, want }) => {
    expect(toGoYaml(value)).toBe(want);
  });
});
