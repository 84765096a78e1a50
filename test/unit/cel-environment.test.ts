// The CEL environment of admission policies: cel-go's language and extensions and the Kubernetes libraries.
// Cases marked "k8s quantity_test.go", "k8s ip_test.go" are ported from k8s.io/apiserver/pkg/cel/library's tests;
// "k8s docs" cases are the examples in that library's doc comments (lists.go, regex.go, urls.go, quantity.go,
// cidr.go, format.go), with Go's real answers where a doc example is wrong; "cel-go" cases follow cel-go's ext
// strings, sets and two-variable comprehension documentation.
import { describe, expect, it } from "vitest";
import { compileCel, evaluateCel, lazyMap, toCelValue } from "../../src/policy/cel/environment.ts";

function run(expression: string, variables: Record<string, unknown> = {}): { value?: unknown; error?: string; compileError?: string } {
  const compiled = compileCel(expression);
  if (!compiled.ok) return { compileError: compiled.error };
  const result = evaluateCel(compiled.program, variables);
  return result.ok ? { value: result.value } : { error: result.error };
}

interface ValueCase {
  name: string;
  expr: string;
  want: unknown;
  vars?: Record<string, unknown>;
}

const OBJECT = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", labels: { app: "web", tier: "front" } },
  spec: {
    replicas: 3,
    template: {
      spec: {
        containers: [
          { name: "app", image: "registry.example.com/app:1.2", resources: { limits: { memory: "512Mi", cpu: "500m" } } },
          { name: "sidecar", image: "busybox", securityContext: { privileged: true } },
        ],
      },
    },
  },
};

describe("cel-go language: standard macros, optional types, numbers from YAML", () => {
  it.each<ValueCase>([
    { name: "YAML integers are CEL ints", expr: "object.spec.replicas == 3 && type(object.spec.replicas) == int", want: true, vars: { object: OBJECT } },
    { name: "arithmetic on YAML ints", expr: "object.spec.replicas + 1", want: 4n, vars: { object: OBJECT } },
    { name: "YAML floats are doubles", expr: "object.spec.ratio * 2.0", want: 3, vars: { object: { spec: { ratio: 1.5 } } } },
    { name: "has() on a present field", expr: "has(object.metadata.labels)", want: true, vars: { object: OBJECT } },
    { name: "has() on a missing field", expr: "has(object.metadata.annotations)", want: false, vars: { object: OBJECT } },
    { name: "all()", expr: "object.spec.template.spec.containers.all(c, c.image != '')", want: true, vars: { object: OBJECT } },
    { name: "exists()", expr: "object.spec.template.spec.containers.exists(c, c.name == 'sidecar')", want: true, vars: { object: OBJECT } },
    { name: "exists_one()", expr: "object.spec.template.spec.containers.exists_one(c, has(c.securityContext))", want: true, vars: { object: OBJECT } },
    { name: "map()", expr: "object.spec.template.spec.containers.map(c, c.name)", want: ["app", "sidecar"], vars: { object: OBJECT } },
    { name: "filter()", expr: "object.spec.template.spec.containers.filter(c, has(c.resources)).size()", want: 1n, vars: { object: OBJECT } },
    { name: "all() over a map iterates keys", expr: "object.metadata.labels.all(k, k in ['app', 'tier'])", want: true, vars: { object: OBJECT } },
    { name: "in on a map", expr: "'app' in object.metadata.labels", want: true, vars: { object: OBJECT } },
    {
      name: "optional chaining with orValue",
      expr: "object.spec.template.spec.containers.all(c, c.?securityContext.?privileged.orValue(false) == false)",
      want: false,
      vars: { object: OBJECT },
    },
    { name: "optional index", expr: "object.spec.template.spec.containers[?5].hasValue()", want: false, vars: { object: OBJECT } },
    { name: "optional.of / orValue", expr: "optional.of(1).orValue(2)", want: 1n },
    { name: "optional.none / or", expr: "optional.none().or(optional.of('x')).value()", want: "x" },
    { name: "optional.ofNonZeroValue on an empty string", expr: "optional.ofNonZeroValue('').hasValue()", want: false },
    { name: "optional.ofNonZeroValue on a value", expr: "optional.ofNonZeroValue([1]).hasValue()", want: true },
    { name: "cel.bind", expr: "cel.bind(n, object.metadata.name, n + '-' + n)", want: "web-web", vars: { object: OBJECT } },
    { name: "null params", expr: "params == null", want: true },
    { name: "timestamps and durations", expr: "timestamp('2024-01-01T00:00:00Z') + duration('1h') > timestamp('2024-01-01T00:30:00Z')", want: true },
    { name: "string conversion of an int", expr: "string(object.spec.replicas)", want: "3", vars: { object: OBJECT } },
  ])("$name", ({ expr, want, vars }) => {
    expect(run(expr, vars)).toEqual({ value: want });
  });
});

describe("cel-go ext strings (version 2) and sets", () => {
  it.each<ValueCase>([
    { name: "charAt", expr: "'tacocat'.charAt(3)", want: "o" },
    { name: "charAt at the end is empty", expr: "'tacocat'.charAt(7)", want: "" },
    { name: "indexOf", expr: "'tacocat'.indexOf('ac')", want: 1n },
    { name: "indexOf with an offset", expr: "'tacocat'.indexOf('a', 3)", want: 5n },
    { name: "lastIndexOf", expr: "'tacocat'.lastIndexOf('at')", want: 5n },
    { name: "lowerAscii", expr: "'TacoCat'.lowerAscii()", want: "tacocat" },
    { name: "upperAscii", expr: "'TacoCat'.upperAscii()", want: "TACOCAT" },
    { name: "replace all", expr: "'hello hello'.replace('he', 'we')", want: "wello wello" },
    { name: "replace n", expr: "'hello hello'.replace('he', 'we', 1)", want: "wello hello" },
    { name: "replace none", expr: "'hello hello'.replace('he', 'we', 0)", want: "hello hello" },
    { name: "split", expr: "'a,b,c'.split(',')", want: ["a", "b", "c"] },
    { name: "split with a limit", expr: "'a,b,c'.split(',', 2)", want: ["a", "b,c"] },
    { name: "substring", expr: "'tacocat'.substring(4)", want: "cat" },
    { name: "substring range", expr: "'tacocat'.substring(0, 4)", want: "taco" },
    { name: "trim", expr: "'  \\ttrim\\n    '.trim()", want: "trim" },
    { name: "join", expr: "['hello', 'mellow'].join(' ')", want: "hello mellow" },
    { name: "join without separator", expr: "['a', 'b'].join()", want: "ab" },
    { name: "strings.quote", expr: 'strings.quote("first\\nsecond \\"x\\"")', want: '"first\\nsecond \\"x\\""' },
    { name: "format %s and %d", expr: "'%s has %d replicas'.format([dyn('web'), dyn(3)])", want: "web has 3 replicas" },
    { name: "format %.2f", expr: "'%.2f'.format([3.14159])", want: "3.14" },
    { name: "format %f default precision", expr: "'%f'.format([1.5])", want: "1.500000" },
    { name: "format %e", expr: "'%e'.format([1234.5678])", want: "1.234568e+03" },
    { name: "format %x on int and string", expr: "'%x %X'.format([dyn(255), dyn('hi')])", want: "ff 6869" },
    { name: "format %o and %b", expr: "'%o %b'.format([8, 5])", want: "10 101" },
    { name: "format %s on a list", expr: "'%s'.format([[1, 2]])", want: "[1, 2]" },
    { name: "format %%", expr: "'100%% %s'.format(['sure'])", want: "100% sure" },
    { name: "sets.contains", expr: "sets.contains([1, 2, 3], [3, 1])", want: true },
    { name: "sets.contains (missing)", expr: "sets.contains([1, 2], [3])", want: false },
    { name: "sets.contains across int and double", expr: "sets.contains([dyn(1)], [dyn(1.0)])", want: true },
    { name: "sets.equivalent", expr: "sets.equivalent([1, 2, 2], [2, 1])", want: true },
    { name: "sets.intersects", expr: "sets.intersects(['a', 'b'], ['c', 'b'])", want: true },
    { name: "sets.intersects (disjoint)", expr: "sets.intersects(['a'], ['c'])", want: false },
  ])("$name", ({ expr, want, vars }) => {
    expect(run(expr, vars)).toEqual({ value: want });
  });

  it.each([
    { name: "charAt past the end", expr: "'abc'.charAt(4)", error: /index out of range/ },
    { name: "format with too few arguments", expr: "'%s %s'.format(['a'])", error: /out of range/ },
    { name: "format %d on a double", expr: "'%d'.format([1.5])", error: /decimal clause can only be used on integers/ },
  ])("$name is an evaluation error", ({ expr, error }) => {
    expect(run(expr).error).toMatch(error);
  });
});

describe("cel-go two-variable comprehensions", () => {
  it.each<ValueCase>([
    { name: "all(k, v) over a map", expr: "{'a': 1, 'b': 2}.all(k, v, k.size() == 1 && v > 0)", want: true },
    { name: "all(i, v) over a list", expr: "[10, 20].all(i, v, v == (i + 1) * 10)", want: true },
    { name: "exists(i, v)", expr: "[1, 2, 3].exists(i, v, i == 2 && v == 3)", want: true },
    { name: "existsOne(k, v)", expr: "{'a': 1, 'b': 1}.existsOne(k, v, v == 1)", want: false },
    { name: "transformList(i, v, expr)", expr: "[1, 2, 3].transformList(i, v, i * v)", want: [0n, 2n, 6n] },
    { name: "transformList with a filter", expr: "[1, 2, 3].transformList(i, v, v > 1, v)", want: [2n, 3n] },
    { name: "transformMap(k, v, expr)", expr: "{'a': 1, 'b': 2}.transformMap(k, v, v * 10)", want: { a: 10n, b: 20n } },
    { name: "transformMap with a filter", expr: "{'a': 1, 'b': 2}.transformMap(k, v, v > 1, k)", want: { b: "b" } },
    { name: "labels by key and value", expr: "object.metadata.labels.all(k, v, v != '')", want: true, vars: { object: OBJECT } },
  ])("$name", ({ expr, want, vars }) => {
    expect(run(expr, vars)).toEqual({ value: want });
  });
});

describe("Kubernetes lists library (k8s docs)", () => {
  it.each<ValueCase>([
    { name: "isSorted ints", expr: "[1, 2, 3].isSorted()", want: true },
    { name: "isSorted strings", expr: "['a', 'b', 'b', 'c'].isSorted()", want: true },
    { name: "isSorted doubles (not sorted)", expr: "[2.0, 1.0].isSorted()", want: false },
    { name: "isSorted one", expr: "[1].isSorted()", want: true },
    { name: "isSorted empty", expr: "[].isSorted()", want: true },
    { name: "sum ints", expr: "[1, 3].sum()", want: 4n },
    { name: "sum doubles", expr: "[1.0, 3.0].sum()", want: 4 },
    { name: "sum durations", expr: "[duration('1m'), duration('1s')].sum() == duration('61s')", want: true },
    { name: "sum empty", expr: "[].sum()", want: 0n },
    { name: "min", expr: "[1, 3].min()", want: 1n },
    { name: "max", expr: "[1, 3].max()", want: 3n },
    { name: "min of one", expr: "[1].min()", want: 1n },
    { name: "min of strings", expr: "['b', 'a'].min()", want: "a" },
    { name: "indexOf", expr: "[1, 2, 2, 3].indexOf(2)", want: 1n },
    { name: "lastIndexOf", expr: "['a', 'b', 'b', 'c'].lastIndexOf('b')", want: 2n },
    { name: "indexOf missing", expr: "[1.0].indexOf(1.1)", want: -1n },
    { name: "indexOf in an empty list", expr: "[].indexOf('string')", want: -1n },
    { name: "container images sorted", expr: "object.spec.template.spec.containers.map(c, c.name).isSorted()", want: true, vars: { object: OBJECT } },
  ])("$name", ({ expr, want, vars }) => {
    expect(run(expr, vars)).toEqual({ value: want });
  });

  it("min of an empty list is an error", () => {
    expect(run("[].min()").error).toMatch(/min called on empty list/);
  });
});

describe("Kubernetes regex library (k8s docs, with Go's answers)", () => {
  it.each<ValueCase>([
    { name: "find", expr: "'abc 123'.find('[0-9]+')", want: "123" },
    { name: "find: no match is empty", expr: "'abc 123'.find('xyz')", want: "" },
    // Go's FindString: `[0-9]*` matches the empty string at index 0 (the doc comment's '123' is not what Go returns)
    { name: "find: an empty match first", expr: "'abc 123'.find('[0-9]*')", want: "" },
    { name: "findAll", expr: "'123 abc 456'.findAll('[0-9]+')", want: ["123", "456"] },
    { name: "findAll with a limit", expr: "'123 abc 456'.findAll('[0-9]+', 1)", want: ["123"] },
    { name: "findAll: no match", expr: "'123 abc 456'.findAll('xyz')", want: [] },
    // Go's FindAllString skips an empty match right after a match, keeps the others
    { name: "findAll with empty matches", expr: "'123 abc 456'.findAll('[0-9]*')", want: ["123", "", "", "", "", "456"] },
    { name: "RE2 flags: (?i)", expr: "'ABC'.find('(?i)b')", want: "B" },
    { name: "RE2 named groups", expr: "'key=value'.find('(?P<k>[a-z]+)=')", want: "key=" },
    { name: "matches", expr: "'registry.example.com/app'.matches('^registry\\\\.example\\\\.com/')", want: true },
  ])("$name", ({ expr, want }) => {
    expect(run(expr)).toEqual({ value: want });
  });

  it("an illegal regex is an evaluation error", () => {
    expect(run("'abc'.find('(')").error).toMatch(/Illegal regex/);
  });
});

describe("Kubernetes urls library (k8s docs)", () => {
  it.each<ValueCase>([
    { name: "url of a full URL is valid", expr: "isURL('https://user:pass@example.com:80/path?query=val#fragment')", want: true },
    { name: "an absolute path is valid", expr: "isURL('/absolute-path')", want: true },
    { name: "a bad port is invalid", expr: "isURL('https://a:b:c/')", want: false },
    { name: "a relative path is invalid", expr: "isURL('../relative-path')", want: false },
    { name: "getScheme of a path", expr: "url('/path').getScheme()", want: "" },
    { name: "getScheme", expr: "url('https://example.com/').getScheme()", want: "https" },
    { name: "getHost with port", expr: "url('https://example.com:80/').getHost()", want: "example.com:80" },
    { name: "getHost", expr: "url('https://example.com/').getHost()", want: "example.com" },
    { name: "getHost IPv6 with port", expr: "url('https://[::1]:80/').getHost()", want: "[::1]:80" },
    { name: "getHost IPv6", expr: "url('https://[::1]/').getHost()", want: "[::1]" },
    { name: "getHost of a path", expr: "url('/path').getHost()", want: "" },
    { name: "getHostname", expr: "url('https://example.com:80/').getHostname()", want: "example.com" },
    { name: "getHostname IPv4", expr: "url('https://127.0.0.1:80/').getHostname()", want: "127.0.0.1" },
    { name: "getHostname IPv6", expr: "url('https://[::1]:80/').getHostname()", want: "::1" },
    { name: "getHostname of a path", expr: "url('/path').getHostname()", want: "" },
    { name: "getPort", expr: "url('https://example.com:80/').getPort()", want: "80" },
    { name: "getPort absent", expr: "url('https://example.com/').getPort()", want: "" },
    { name: "getPort of a path", expr: "url('/path').getPort()", want: "" },
    { name: "getEscapedPath", expr: "url('https://example.com/path').getEscapedPath()", want: "/path" },
    { name: "getEscapedPath with spaces", expr: "url('https://example.com/path with spaces/').getEscapedPath()", want: "/path%20with%20spaces/" },
    { name: "getEscapedPath empty", expr: "url('https://example.com').getEscapedPath()", want: "" },
    { name: "getQuery", expr: "url('https://example.com/path?k1=a&k2=b&k2=c').getQuery()", want: { k1: ["a"], k2: ["b", "c"] } },
    {
      name: "getQuery with spaces",
      expr: "url('https://example.com/path?key with spaces=value with spaces').getQuery()",
      want: { "key with spaces": ["value with spaces"] },
    },
    { name: "getQuery of a bare ?", expr: "url('https://example.com/path?').getQuery()", want: {} },
    { name: "getQuery absent", expr: "url('https://example.com/path').getQuery()", want: {} },
    { name: "the fragment is not the query", expr: "url('https://example.com/p?q=1#frag').getQuery()", want: { q: ["1"] } },
  ])("$name", ({ expr, want }) => {
    expect(run(expr)).toEqual({ value: want });
  });

  it.each(["https://a:b:c/", "../relative-path"])("url(%j) is an evaluation error", (raw) => {
    expect(run(`url('${raw}')`).error).toMatch(/URL parse error during conversion from string/);
  });
});

describe("Kubernetes quantity library (k8s quantity_test.go)", () => {
  it.each<ValueCase>([
    { name: "parse", expr: 'quantity("12Mi") == quantity("12582912")', want: true },
    { name: "isQuantity", expr: 'isQuantity("20")', want: true },
    { name: "isQuantity_megabytes", expr: 'isQuantity("20M")', want: true },
    { name: "isQuantity_mebibytes", expr: 'isQuantity("20Mi")', want: true },
    { name: "isQuantity_invalidSuffix", expr: 'isQuantity("20Mo")', want: false },
    { name: "isQuantity_passingRegex", expr: 'isQuantity("10Mm")', want: false },
    { name: "equality_reflexivity", expr: 'quantity("200M") == quantity("200M")', want: true },
    { name: "equality_symmetry", expr: 'quantity("200M") == quantity("0.2G") && quantity("0.2G") == quantity("200M")', want: true },
    {
      name: "equality_transitivity",
      expr: 'quantity("2M") == quantity("0.002G") && quantity("2000k") == quantity("2M") && quantity("0.002G") == quantity("2000k")',
      want: true,
    },
    { name: "inequality", expr: 'quantity("200M") == quantity("0.3G")', want: false },
    { name: "quantity_less", expr: 'quantity("50M").isLessThan(quantity("50Mi"))', want: true },
    { name: "quantity_less_obvious", expr: 'quantity("50M").isLessThan(quantity("100M"))', want: true },
    { name: "quantity_less_false", expr: 'quantity("100M").isLessThan(quantity("50M"))', want: false },
    { name: "quantity_greater", expr: 'quantity("50Mi").isGreaterThan(quantity("50M"))', want: true },
    { name: "quantity_greater_obvious", expr: 'quantity("150Mi").isGreaterThan(quantity("100Mi"))', want: true },
    { name: "quantity_greater_false", expr: 'quantity("50M").isGreaterThan(quantity("100M"))', want: false },
    { name: "compare_equal", expr: 'quantity("200M").compareTo(quantity("0.2G"))', want: 0n },
    { name: "compare_less", expr: 'quantity("50M").compareTo(quantity("50Mi"))', want: -1n },
    { name: "compare_greater", expr: 'quantity("50Mi").compareTo(quantity("50M"))', want: 1n },
    { name: "add_quantity", expr: 'quantity("50k").add(quantity("20")) == quantity("50.02k")', want: true },
    { name: "add_int", expr: 'quantity("50k").add(20).isLessThan(quantity("50020"))', want: false },
    { name: "sub_quantity", expr: 'quantity("50k").sub(quantity("20")) == quantity("49.98k")', want: true },
    { name: "sub_int", expr: 'quantity("50k").sub(20) == quantity("49980")', want: true },
    { name: "multiply", expr: 'quantity("50k").mul(2) == quantity("100000")', want: true },
    { name: "divide_scaled", expr: 'quantity("10k").div(2) == quantity("5000")', want: true },
    { name: "integer_division", expr: 'quantity("10000").divInt(3) == quantity("3333")', want: true },
    { name: "arith_chain_1", expr: 'quantity("50k").add(20).sub(quantity("100k")).asInteger()', want: -49980n },
    { name: "arith_chain", expr: 'quantity("50k").add(20).sub(quantity("100k")).sub(-50000).asInteger()', want: 20n },
    { name: "as_integer", expr: 'quantity("50k").asInteger()', want: 50000n },
    { name: "is_integer (too large)", expr: 'quantity("9999999999999999999999999999999999999G").isInteger()', want: false },
    { name: "is_integer", expr: 'quantity("50").isInteger()', want: true },
    { name: "as_float", expr: 'quantity("50.703k").asApproximateFloat()', want: 50703 },
    { name: "sign (k8s docs)", expr: 'quantity("-1").sign() + quantity("0").sign() + quantity("2Gi").sign()', want: 0n },
    { name: "a container's memory limit (k8s docs style)", expr: "quantity(object.spec.template.spec.containers[0].resources.limits.memory).isLessThan(quantity('1Gi'))", want: true, vars: { object: OBJECT } },
    { name: "millicores", expr: "quantity('500m') == quantity('0.5')", want: true },
    { name: "type of a quantity", expr: "type(quantity('1')) == type(quantity('2Mi'))", want: true },
  ])("$name", ({ expr, want, vars }) => {
    expect(run(expr, vars)).toEqual({ value: want });
  });

  it("divide_float_result", () => {
    const { value } = run('quantity("10000").div(3).asApproximateFloat()');
    expect(Math.abs((value as number) - 3333.3333)).toBeLessThan(0.0001);
  });

  it.each([
    { name: "parseInvalidSuffix", expr: 'quantity("10Mo")', error: /quantities must match the regular expression/ },
    { name: "parseInvalidSuffixPassesRegex", expr: 'quantity("10Mm")', error: /unable to parse quantity's suffix/ },
    { name: "as_integer_error", expr: 'quantity("9999999999999999999999999999999999999G").asInteger()', error: /cannot convert value to integer/ },
  ])("$name is an evaluation error", ({ expr, error }) => {
    expect(run(expr).error).toMatch(error);
  });

  it("isQuantity_noOverload is a compile error", () => {
    expect(run("isQuantity([1, 2, 3])").compileError).toMatch(/found no matching overload for 'isQuantity/);
  });
});

describe("Kubernetes ip library (k8s ip_test.go)", () => {
  it.each<ValueCase>([
    { name: "parse ipv4", expr: 'ip("192.168.0.1") == ip("192.168.0.1")', want: true },
    { name: "isIP valid ipv4", expr: 'isIP("192.168.0.1")', want: true },
    { name: "isIP invalid ipv4", expr: 'isIP("192.168.0.1.0")', want: false },
    { name: "ip.isCanonical valid ipv4", expr: 'ip.isCanonical("127.0.0.1")', want: true },
    { name: "ipv4 family", expr: 'ip("192.168.0.1").family()', want: 4n },
    { name: "ipv4 isUnspecified true", expr: 'ip("0.0.0.0").isUnspecified()', want: true },
    { name: "ipv4 isUnspecified false", expr: 'ip("127.0.0.1").isUnspecified()', want: false },
    { name: "ipv4 isLoopback true", expr: 'ip("127.0.0.1").isLoopback()', want: true },
    { name: "ipv4 isLoopback false", expr: 'ip("1.2.3.4").isLoopback()', want: false },
    { name: "ipv4 isLinkLocalMulticast true", expr: 'ip("224.0.0.1").isLinkLocalMulticast()', want: true },
    { name: "ipv4 isLinkLocalMulticast false", expr: 'ip("224.0.1.1").isLinkLocalMulticast()', want: false },
    { name: "ipv4 isLinkLocalUnicast true", expr: 'ip("169.254.169.254").isLinkLocalUnicast()', want: true },
    { name: "ipv4 isLinkLocalUnicast false", expr: 'ip("192.168.0.1").isLinkLocalUnicast()', want: false },
    { name: "ipv4 isGlobalUnicast true", expr: 'ip("192.168.0.1").isGlobalUnicast()', want: true },
    { name: "ipv4 isGlobalUnicast false", expr: 'ip("255.255.255.255").isGlobalUnicast()', want: false },
    { name: "parse ipv6", expr: 'ip("2001:db8::68") == ip("2001:0db8:0:0:0:0:0:68")', want: true },
    { name: "isIP valid ipv6", expr: 'isIP("2001:db8::68")', want: true },
    { name: "isIP invalid ipv6", expr: 'isIP("2001:db8:::68")', want: false },
    { name: "ip.isCanonical valid ipv6", expr: 'ip.isCanonical("2001:db8::68")', want: true },
    { name: "ip.isCanonical non-canonical ipv6", expr: 'ip.isCanonical("2001:DB8::68")', want: false },
    { name: "ipv6 family", expr: 'ip("2001:db8::68").family()', want: 6n },
    { name: "ipv6 isUnspecified true", expr: 'ip("::").isUnspecified()', want: true },
    { name: "ipv6 isUnspecified false", expr: 'ip("::1").isUnspecified()', want: false },
    { name: "ipv6 isLoopback true", expr: 'ip("::1").isLoopback()', want: true },
    { name: "ipv6 isLoopback false", expr: 'ip("2001:db8::abcd").isLoopback()', want: false },
    { name: "ipv6 isLinkLocalMulticast true", expr: 'ip("ff02::1").isLinkLocalMulticast()', want: true },
    { name: "ipv6 isLinkLocalMulticast false", expr: 'ip("fd00::1").isLinkLocalMulticast()', want: false },
    { name: "ipv6 isLinkLocalUnicast true", expr: 'ip("fe80::1").isLinkLocalUnicast()', want: true },
    { name: "ipv6 isLinkLocalUnicast false", expr: 'ip("fd80::1").isLinkLocalUnicast()', want: false },
    { name: "ipv6 isGlobalUnicast true", expr: 'ip("2001:db8::abcd").isGlobalUnicast()', want: true },
    { name: "ipv6 isGlobalUnicast false", expr: 'ip("ff00::1").isGlobalUnicast()', want: false },
    { name: "converting an IP address to a string", expr: 'string(ip("192.168.0.1"))', want: "192.168.0.1" },
    { name: "an IPv6 address as a string is canonical", expr: 'string(ip("2001:0DB8:0000::0001"))', want: "2001:db8::1" },
    { name: "type of IP is net.IP", expr: 'type(ip("192.168.0.1")) == net.IP', want: true },
  ])("$name", ({ expr, want }) => {
    expect(run(expr)).toEqual({ value: want });
  });

  it.each([
    {
      name: "parse invalid ipv4",
      expr: 'ip("192.168.0.1.0")',
      error: 'IP Address "192.168.0.1.0" parse error during conversion from string: ParseAddr("192.168.0.1.0"): IPv4 address too long',
    },
    {
      name: "ip.isCanonical invalid ipv4",
      expr: 'ip.isCanonical("127.0.0.1.0")',
      error: 'IP Address "127.0.0.1.0" parse error during conversion from string: ParseAddr("127.0.0.1.0"): IPv4 address too long',
    },
    {
      name: "parse invalid ipv6",
      expr: 'ip("2001:db8:::68")',
      error:
        'IP Address "2001:db8:::68" parse error during conversion from string: ParseAddr("2001:db8:::68"): each colon-separated field must have at least one digit (at ":68")',
    },
    { name: "IPv4-mapped IPv6 is refused", expr: 'ip("::ffff:1.2.3.4")', error: 'IPv4-mapped IPv6 address "::ffff:1.2.3.4" is not allowed' },
    { name: "zones are refused", expr: 'ip("fe80::1%eth0")', error: 'IP address "fe80::1%eth0" with zone value is not allowed' },
  ])("$name is an evaluation error", ({ expr, error }) => {
    expect(run(expr).error).toContain(error);
  });

  it("passing cidr into isIP returns compile error", () => {
    expect(run('isIP(cidr("192.168.0.0/24"))').compileError).toMatch(/found no matching overload for 'isIP/);
  });
});

describe("Kubernetes cidr library (k8s docs)", () => {
  it.each<ValueCase>([
    { name: "containsIP with an ip", expr: "cidr('192.168.0.0/16').containsIP(ip('192.168.0.1'))", want: true },
    { name: "containsIP with a string", expr: "cidr('192.168.0.0/16').containsIP('192.169.0.1')", want: false },
    { name: "containsIP across families", expr: "cidr('::/0').containsIP('1.2.3.4')", want: false },
    { name: "containsCIDR", expr: "cidr('192.168.0.0/16').containsCIDR(cidr('192.168.10.0/24'))", want: true },
    { name: "containsCIDR with a string", expr: "cidr('192.168.0.0/16').containsCIDR('192.168.0.0/15')", want: false },
    { name: "ip()", expr: "cidr('192.168.0.1/24').ip() == ip('192.168.0.1')", want: true },
    { name: "masked()", expr: "cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')", want: true },
    { name: "prefixLength()", expr: "cidr('192.168.0.0/24').prefixLength()", want: 24n },
    { name: "string()", expr: "string(cidr('2001:db8::/32'))", want: "2001:db8::/32" },
    { name: "isCIDR", expr: "isCIDR('192.168.0.0/24')", want: true },
    { name: "isCIDR without a prefix length", expr: "isCIDR('192.168.0.0')", want: false },
    { name: "isCIDR with too long a prefix", expr: "isCIDR('192.168.0.0/33')", want: false },
    { name: "ipv6 containsIP", expr: "cidr('2001:db8::/32').containsIP('2001:db8::1')", want: true },
    { name: "type of CIDR is net.CIDR", expr: "type(cidr('10.0.0.0/8')) == net.CIDR", want: true },
  ])("$name", ({ expr, want }) => {
    expect(run(expr)).toEqual({ value: want });
  });
});

describe("Kubernetes format and semver libraries (k8s docs)", () => {
  it.each<ValueCase>([
    { name: "dns1123Label valid", expr: "format.dns1123Label().validate('my-label-name').hasValue()", want: false },
    { name: "dns1123Label invalid", expr: "format.dns1123Label().validate('My_Label').hasValue()", want: true },
    { name: "dns1123Subdomain", expr: "format.dns1123Subdomain().validate('apiextensions.k8s.io').hasValue()", want: false },
    { name: "qualifiedName", expr: "format.qualifiedName().validate('apiextensions.k8s.io/v1beta1').hasValue()", want: false },
    { name: "dns1123LabelPrefix allows a trailing dash", expr: "format.dns1123LabelPrefix().validate('my-label-prefix-').hasValue()", want: false },
    { name: "uri", expr: "format.uri().validate('http://example.com').hasValue()", want: false },
    { name: "uuid", expr: "format.uuid().validate('123e4567-e89b-12d3-a456-426614174000').hasValue()", want: false },
    { name: "byte", expr: "format.byte().validate('aGVsbG8=').hasValue()", want: false },
    { name: "date", expr: "format.date().validate('2021-02-30').value()", want: ["invalid date"] },
    { name: "datetime", expr: "format.datetime().validate('2021-01-01T00:00:00Z').hasValue()", want: false },
    { name: "format.named", expr: "format.named('labelValue').value().validate('ok').hasValue()", want: false },
    { name: "format.named unknown", expr: "format.named('nope').hasValue()", want: false },
    { name: "semver compare", expr: "semver('1.2.3').isLessThan(semver('1.10.0'))", want: true },
    { name: "semver prerelease is lower", expr: "semver('1.0.0-alpha').compareTo(semver('1.0.0'))", want: -1n },
    { name: "semver parts", expr: "semver('3.4.5').major() + semver('3.4.5').minor() + semver('3.4.5').patch()", want: 12n },
    { name: "isSemver strict", expr: "isSemver('v1.2')", want: false },
    { name: "isSemver normalized", expr: "isSemver('v1.2', true)", want: true },
  ])("$name", ({ expr, want }) => {
    expect(run(expr)).toEqual({ value: want });
  });
});

describe("errors name the expression and the problem", () => {
  it.each([
    { name: "a syntax error", expr: "object.spec.replicas >", want: /^expression "object\.spec\.replicas >" does not compile: .+\(column \d+\)$/ },
    { name: "an unknown variable", expr: "foo.bar == 1", want: /does not compile: Unknown variable: foo/ },
    { name: "an unknown function", expr: "nope(1)", want: /does not compile: .*nope/ },
    { name: "mixed list literal", expr: "[1, 'a']", want: /does not compile: List elements must have the same type/ },
    { name: "an empty expression", expr: "  ", want: /expression is empty/ },
  ])("$name", ({ expr, want }) => {
    expect(run(expr).compileError).toMatch(want);
  });

  it.each([
    { name: "a missing field", expr: "object.spec.missing > 1", want: /^expression "object\.spec\.missing > 1" failed: No such key: missing$/ },
    { name: "division by zero", expr: "1 / (object.spec.replicas - 3)", want: /failed: .*division by zero/i },
    {
      name: "the authorizer",
      expr: "authorizer.group('apps').resource('deployments').check('create').allowed()",
      want: /the authorizer library is not available/,
    },
    { name: "authorizer.requestResource", expr: "authorizer.requestResource.check('get').allowed()", want: /authorizer library is not available/ },
  ])("$name", ({ expr, want }) => {
    expect(run(expr, { object: OBJECT }).error).toMatch(want);
  });

  it("the Kyverno library is not the Kubernetes one", () => {
    expect(compileCel("http.Get('https://example.com')").ok).toBe(false);
    const kyverno = compileCel("http.Get('https://example.com')", { library: "kyverno" });
    expect(kyverno.ok).toBe(true);
    if (kyverno.ok) expect(evaluateCel(kyverno.program, {})).toMatchObject({ ok: false, error: expect.stringMatching(/Kyverno's http library is not available/) });
  });
});

describe("values and lazy variables", () => {
  it("converts YAML numbers once and leaves library values alone", () => {
    const value = toCelValue({ a: 1, b: 1.5, c: [2, { d: 3 }], e: null }) as Record<string, unknown>;
    expect(value).toEqual({ a: 1n, b: 1.5, c: [2n, { d: 3n }], e: null });
    expect(toCelValue(value)).toBe(value);
  });

  it("computes a lazy variable once, and only when read", () => {
    let calls = 0;
    const variables = lazyMap({
      used: () => {
        calls++;
        return 2n;
      },
      unused: () => {
        throw new Error("must not run");
      },
    });
    expect(run("variables.used * variables.used", { variables })).toEqual({ value: 4n });
    expect(calls).toBe(1);
  });

  it("an error in a variable is the error of the expression reading it", () => {
    const variables = lazyMap({
      broken: () => {
        throw new Error("variable broken failed");
      },
    });
    expect(run("variables.broken == 1", { variables }).error).toMatch(/variable broken failed/);
  });
});
