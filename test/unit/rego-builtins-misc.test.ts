// Rego units, semver, time, net.cidr_*, crypto, uuid/rand builtins, and the registry: unsupported builtins refused.
import { describe, expect, it } from "vitest";
import { BUILTINS } from "../../src/policy/rego/topdown/builtins/index.ts";
import { ctx, obj, table, errors } from "../helpers/rego-builtins.ts";

describe("units", () => {
  table([
    { name: "parse milli is exact", fn: "units.parse", args: ["500m"], want: 0.5 },
    { name: "parse 0.0005K", fn: "units.parse", args: ["0.0005K"], want: 0.5 },
    { name: "parse Ki", fn: "units.parse", args: ["10KI"], want: 10240 },
    { name: "parse M is mega", fn: "units.parse", args: ["200M"], want: 200000000 },
    { name: "parse mi is mebi", fn: "units.parse", args: ["100mi"], want: 104857600 },
    { name: "parse 1.1Ki is not rounded", fn: "units.parse", args: ["1.1Ki"], want: 1126.4 },
    { name: "parse E (exa) is exact", fn: "units.parse", args: ["10Ei"], want: 11529215046068469760n },
    { name: "parse scientific notation", fn: "units.parse", args: ["2.5e3K"], want: 2500000 },
    { name: "parse negative with milli", fn: "units.parse", args: ["-3.5E2m"], want: -0.35 },
    { name: "parse 5E is five exa", fn: "units.parse", args: ["5E"], want: 5000000000000000000n },
    { name: "parse quotes removed", fn: "units.parse", args: ['"100TI"'], want: 109951162777600 },
    { name: "parse rounds fractions to 10 decimals", fn: "units.parse", args: ["1e-11"], want: 0 },
    { name: "parse a tiny milli amount rounds to 0", fn: "units.parse", args: ["0.0000000001m"], want: 0 },
    { name: "parse .0", fn: "units.parse", args: [".0"], want: 0 },
    { name: "parse_bytes kb", fn: "units.parse_bytes", args: ["10KB"], want: 10000 },
    { name: "parse_bytes Kib mixed case", fn: "units.parse_bytes", args: ["10Kib"], want: 10240 },
    { name: "parse_bytes 1.1KiB truncated", fn: "units.parse_bytes", args: ["1.1KiB"], want: 1126 },
    { name: "parse_bytes m is mega", fn: "units.parse_bytes", args: ["100m"], want: 100000000 },
    { name: "parse_bytes 1e-2KB", fn: "units.parse_bytes", args: ["1e-2KB"], want: 10 },
    { name: "parse_bytes plain", fn: "units.parse_bytes", args: ["12345"], want: 12345 },
  ]);

  errors([
    { name: "parse: empty", fn: "units.parse", args: [""], code: "eval_builtin_error", message: "units.parse: no amount provided" },
    { name: "parse: unit only", fn: "units.parse", args: ["G"], code: "eval_builtin_error", message: "units.parse: no amount provided" },
    { name: "parse: two dots", fn: "units.parse", args: ["0.0.0"], code: "eval_builtin_error", message: "units.parse: could not parse amount to a number" },
    { name: "parse: spaces", fn: "units.parse", args: [" 327Mi "], code: "eval_builtin_error", message: "units.parse: spaces not allowed in resource strings" },
    { name: "parse_bytes: foo", fn: "units.parse_bytes", args: ["foo"], code: "eval_builtin_error", message: "units.parse_bytes: no byte amount provided" },
    { name: "parse_bytes: .5.2", fn: "units.parse_bytes", args: [".5.2"], code: "eval_builtin_error", message: "units.parse_bytes: could not parse byte amount to a number" },
    { name: "parse_bytes: spaces", fn: "units.parse_bytes", args: ["100 kb"], code: "eval_builtin_error", message: "units.parse_bytes: spaces not allowed in resource strings" },
  ]);
});

describe("semver", () => {
  table([
    { name: "is_valid", fn: "semver.is_valid", args: ["1.0.0-rc.1+build.5"], want: true },
    { name: "is_valid: v prefix", fn: "semver.is_valid", args: ["v1.0.0"], want: false },
    { name: "is_valid: leading zero", fn: "semver.is_valid", args: ["01.0.0"], want: false },
    { name: "is_valid: not a string", fn: "semver.is_valid", args: [1], want: false },
    { name: "compare", fn: "semver.compare", args: ["1.0.0", "1.0.1"], want: -1 },
    { name: "compare equal ignoring build", fn: "semver.compare", args: ["1.0.0+a", "1.0.0+b"], want: 0 },
    { name: "compare prerelease lower", fn: "semver.compare", args: ["1.0.0-alpha", "1.0.0"], want: -1 },
    { name: "compare numeric identifiers", fn: "semver.compare", args: ["1.0.0-alpha.10", "1.0.0-alpha.9"], want: 1 },
    { name: "compare numeric before alphanumeric", fn: "semver.compare", args: ["1.0.0-1", "1.0.0-a"], want: -1 },
  ]);

  errors([
    { name: "compare: operand 1", fn: "semver.compare", args: ["1", "1.0.0"], code: "eval_builtin_error", message: 'semver.compare: operand 1: string "1" is not a valid SemVer' },
    { name: "compare: operand 2", fn: "semver.compare", args: ["1.0.0", "1"], code: "eval_builtin_error", message: 'semver.compare: operand 2: string "1" is not a valid SemVer' },
  ]);
});

describe("time", () => {
  const t = 1670006453141828752n;
  table([
    { name: "now_ns is the query's clock", fn: "time.now_ns", args: [], want: 1_700_000_000_123_456_789n },
    { name: "parse_ns RFC3339", fn: "time.parse_ns", args: ["2006-01-02T15:04:05Z07:00", "2017-06-02T19:00:00-07:00"], want: 1496455200000000000n },
    { name: "parse_ns named layout", fn: "time.parse_ns", args: ["RFC822Z", "02 Jun 17 19:00 -0700"], want: 1496455200000000000n },
    { name: "parse_ns 12-hour layout", fn: "time.parse_ns", args: ["01/02 03:04:05PM '06 -0700", "06/02 07:00:00PM '17 -0700"], want: 1496455200000000000n },
    { name: "parse_ns minimum", fn: "time.parse_ns", args: ["2006-01-02T15:04:05Z07:00", "1677-09-21T00:12:43.145224192-00:00"], want: -9223372036854775808n },
    { name: "parse_rfc3339_ns maximum", fn: "time.parse_rfc3339_ns", args: ["2262-04-11T23:47:16.854775807-00:00"], want: 9223372036854775807n },
    { name: "parse_duration_ns", fn: "time.parse_duration_ns", args: ["1h30m100ms"], want: 5400100000000 },
    { name: "date", fn: "time.date", args: [1517814000000000000n], want: [2018, 2, 5] },
    { name: "date in a zone", fn: "time.date", args: [[1517814000000000000n, "America/Los_Angeles"]], want: [2018, 2, 4] },
    { name: "date leap day", fn: "time.date", args: [1582977600000000000n], want: [2020, 2, 29] },
    { name: "clock in a zone", fn: "time.clock", args: [[1517832000000000000n, "America/New_York"]], want: [7, 0, 0] },
    { name: "weekday", fn: "time.weekday", args: [1517832000000000000n], want: "Monday" },
    { name: "add_date", fn: "time.add_date", args: [1585852421593912000n, 3, 9, 12], want: 1705257221593912000n },
    { name: "add_date negative", fn: "time.add_date", args: [1585852421593912000n, -1, -1, -1], want: 1551465221593912000n },
    { name: "diff", fn: "time.diff", args: [1_700_000_061_000_000_000n, 1_700_000_000_000_000_000n], want: [0, 0, 0, 0, 1, 1] },
    { name: "diff across zones", fn: "time.diff", args: [[1_700_000_060_000_000_000n, "UTC"], [1_700_000_000_000_000_000n, "Asia/Shanghai"]], want: [0, 0, 0, 0, 1, 0] },
    { name: "diff leap year", fn: "time.diff", args: [1580601600000000000n, 1583020800000000000n], want: [0, 0, 28, 0, 0, 0] },
    { name: "format default RFC3339Nano in UTC", fn: "time.format", args: [t], want: "2022-12-02T18:40:53.141828752Z" },
    { name: "format in a zone", fn: "time.format", args: [[t, "Asia/Kolkata"]], want: "2022-12-03T00:10:53.141828752+05:30" },
    { name: "format with a layout", fn: "time.format", args: [[t, "Asia/Kolkata", "Mon Jan 02 15:04:05 -0700 2006"]], want: "Sat Dec 03 00:10:53 +0530 2022" },
    { name: "format MST in a zone with daylight saving", fn: "time.format", args: [[1688212800000000000n, "America/New_York", "15:04 MST"]], want: "08:00 EDT" },
    { name: "format MST in winter", fn: "time.format", args: [[1672574400000000000n, "America/New_York", "15:04 MST"]], want: "07:00 EST" },
    { name: "format with a named layout", fn: "time.format", args: [[t, "Asia/Kolkata", "RFC1123Z"]], want: "Sat, 03 Dec 2022 00:10:53 +0530" },
  ]);

  errors([
    { name: "parse_ns too small", fn: "time.parse_ns", args: ["2006-01-02T15:04:05Z07:00", "1677-09-21T00:12:43.145224191-00:00"], code: "eval_builtin_error", message: "time.parse_ns: time outside of valid range" },
    { name: "parse_rfc3339_ns too large", fn: "time.parse_rfc3339_ns", args: ["2262-04-11T23:47:16.854775808-00:00"], code: "eval_builtin_error", message: "time.parse_rfc3339_ns: time outside of valid range" },
    { name: "parse_ns mismatch", fn: "time.parse_ns", args: ["2006-01-02", "02/01/2006"], code: "eval_builtin_error", message: /^time.parse_ns: parsing time "02\/01\/2006"/ },
    { name: "date too big", fn: "time.date", args: [1582977600000000000000n], code: "eval_builtin_error", message: "time.date: timestamp too big" },
    { name: "format too big", fn: "time.format", args: [1582977600 * 10e12], code: "eval_builtin_error", message: "time.format: timestamp too big" },
    { name: "add_date out of range", fn: "time.add_date", args: [0, 2262, 1, 1], code: "eval_builtin_error", message: "time.add_date: time outside of valid range" },
    { name: "unknown zone", fn: "time.clock", args: [[0, "Mars/Olympus"]], code: "eval_builtin_error", message: "time.clock: unknown time zone Mars/Olympus" },
    { name: "bad duration", fn: "time.parse_duration_ns", args: ["1x"], code: "eval_builtin_error", message: 'time.parse_duration_ns: time: unknown unit "x" in duration "1x"' },
  ]);
});

describe("net.cidr_*", () => {
  table([
    { name: "contains subnet", fn: "net.cidr_contains", args: ["10.0.0.0/8", "10.1.0.0/24"], want: true },
    { name: "does not contain a wider subnet", fn: "net.cidr_contains", args: ["172.17.0.0/24", "172.17.0.0/16"], want: false },
    { name: "contains ip", fn: "net.cidr_contains", args: ["10.0.0.0/8", "10.1.2.3"], want: true },
    { name: "contains IPv6 subnet", fn: "net.cidr_contains", args: ["2001:4860:4860::8888/32", "2001:4860:4860:1234::8888/40"], want: true },
    { name: "IPv6 does not contain", fn: "net.cidr_contains", args: ["2001:4860::/32", "fd1e:5bfe:8af3:9ddc::/64"], want: false },
    { name: "intersects", fn: "net.cidr_intersects", args: ["192.168.1.0/25", "192.168.1.64/25"], want: true },
    { name: "does not intersect", fn: "net.cidr_intersects", args: ["192.168.1.0/24", "192.168.2.0/24"], want: false },
    { name: "is_valid", fn: "net.cidr_is_valid", args: ["2002::1234:abcd:ffff:c0a8:101/64"], want: true },
    { name: "is_valid: an address is not a CIDR", fn: "net.cidr_is_valid", args: ["192.168.1.2"], want: false },
    { name: "expand", fn: "net.cidr_expand", args: ["192.168.1.1/30"], want: ["192.168.1.0", "192.168.1.1", "192.168.1.2", "192.168.1.3"] },
    { name: "merge adjacent", fn: "net.cidr_merge", args: [["192.0.128.0/24", "192.0.129.0/24"]], want: ["192.0.128.0/23"] },
    { name: "merge mixed", fn: "net.cidr_merge", args: [["192.0.2.112/31", "192.0.2.116/31", "192.0.2.118/31"]], want: ["192.0.2.112/31", "192.0.2.116/30"] },
    { name: "merge addresses use the classful mask", fn: "net.cidr_merge", args: [["192.0.128.0", "192.0.129.0"]], want: ["192.0.128.0/23"] },
    { name: "merge IPv4 then IPv6", fn: "net.cidr_merge", args: [["fe80::/120", "192.0.2.0/24", "192.0.3.0/24"]], want: ["192.0.2.0/23", "fe80::/120"] },
    { name: "merge IPv6 host", fn: "net.cidr_merge", args: [["2601:600:8a80:207e:a57d:7567:e2c9:e7b3/64"]], want: ["2601:600:8a80:207e::/64"] },
    { name: "merge zero address", fn: "net.cidr_merge", args: [["::/0", "fe80::1/128"]], want: ["::/0"] },
    { name: "contains_matches strings", fn: "net.cidr_contains_matches", args: ["1.1.1.0/24", "1.1.1.1"], want: [["1.1.1.0/24", "1.1.1.1"]] },
    { name: "contains_matches arrays of tuples", fn: "net.cidr_contains_matches", args: [[["1.1.2.0/24", 1], "1.1.1.0/24"], ["1.1.1.1", "1.1.2.1"]], want: [[0, 1], [1, 0]] },
    { name: "contains_matches objects", fn: "net.cidr_contains_matches", args: [obj({ k1: "1.1.1.1/24", k2: ["1.1.1.2/24", 1] }), "1.1.1.128"], want: [["k1", "1.1.1.128"], ["k2", "1.1.1.128"]] },
  ]);

  errors([
    { name: "contains: malformed", fn: "net.cidr_contains", args: ["not-a-cidr", "192.168.1.67"], code: "eval_builtin_error", message: "net.cidr_contains: invalid CIDR address: not-a-cidr" },
    { name: "expand: bad mask", fn: "net.cidr_expand", args: ["192.168.1.1/33"], code: "eval_builtin_error", message: "net.cidr_expand: invalid CIDR address: 192.168.1.1/33" },
    { name: "merge: IPv6 without a prefix", fn: "net.cidr_merge", args: [["2601:600:8a80:207e:a57d:7567:e2c9:e7b3"]], code: "eval_builtin_error", message: "net.cidr_merge: IPv6 invalid: needs prefix length" },
    { name: "contains_matches: bad element", fn: "net.cidr_contains_matches", args: [["1.1.2.0/24"], ["1.1.1.1", 1]], code: "eval_builtin_error", message: "net.cidr_contains_matches: operand 2: element must be string or non-empty array" },
  ]);
});

describe("crypto, uuid, rand", () => {
  table([
    { name: "md5", fn: "crypto.md5", args: ["lorem ipsum"], want: "80a751fde577028640c419000e33eba6" },
    { name: "sha1", fn: "crypto.sha1", args: ["lorem ipsum"], want: "bfb7759a67daeb65410490b4d98bb9da7d1ea2ce" },
    { name: "sha256", fn: "crypto.sha256", args: ["lorem ipsum"], want: "5e2bf57d3f40c4b6df69daf1936cb766f832374b4fc0259a7cbff06e2f70f269" },
    { name: "hmac.sha256", fn: "crypto.hmac.sha256", args: ["message", "key"], want: "6e9ef29b75fffc5b7abae527d58fdadb2fe42e7219011976917343065f58ed4a" },
    { name: "hmac.equal", fn: "crypto.hmac.equal", args: ["abc", "abc"], want: true },
    { name: "hmac.equal: no", fn: "crypto.hmac.equal", args: ["abc", "abd"], want: false },
    { name: "uuid.parse v4", fn: "uuid.parse", args: ["{00000000-0000-4000-8000-000000000000}"], want: { variant: "RFC4122", version: 4 } },
    {
      name: "uuid.parse v2",
      fn: "uuid.parse",
      args: ["urn:uuid:000003e8-48b9-21ee-b200-325096b39f47"],
      want: { clocksequence: 12800, domain: "Person", id: 1000, macvariables: "local:unicast", nodeid: "32-50-96-b3-9f-47", time: 1693566990121469600n, variant: "RFC4122", version: 2 },
    },
    { name: "uuid.parse: invalid is undefined", fn: "uuid.parse", args: ["not-a-uuid"], want: undefined },
  ]);

  it("uuid.rfc4122 and rand.intn answer the same for the same arguments within a query", () => {
    const c = ctx();
    const uuid = BUILTINS.get("uuid.rfc4122")!.fn!;
    const rand = BUILTINS.get("rand.intn")!.fn!;
    expect(uuid(["k"], c)).toBe(uuid(["k"], c));
    expect(uuid(["k"], c)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const n = rand(["k", 100], c) as number;
    expect(n).toBeGreaterThanOrEqual(0);
    expect(n).toBeLessThan(100);
    expect(rand(["k", 100], c)).toBe(n);
    expect(rand(["k", 0], c)).toBe(0);
  });
});

describe("json.verify_schema and json.match_schema", () => {
  const schema = obj({ properties: { id: { type: "integer" } }, required: ["id"] });
  table([
    { name: "verify_schema: object", fn: "json.verify_schema", args: [obj({ type: "boolean" })], want: [true, null] },
    { name: "verify_schema: text", fn: "json.verify_schema", args: ['{"type": "boolean"}'], want: [true, null] },
    {
      name: "verify_schema: unknown type, as gojsonschema words it",
      fn: "json.verify_schema",
      args: ['{"type": "unknown_type"}'],
      want: [false, "jsonschema: has a primitive type that is NOT VALID -- given: /unknown_type/ Expected valid values are:[array boolean integer number null object string]"],
    },
    { name: "match_schema: valid", fn: "json.match_schema", args: [obj({ id: 5 }), schema], want: [true, []] },
    { name: "match_schema: document as text", fn: "json.match_schema", args: ['{"id": 5}', schema], want: [true, []] },
    {
      name: "match_schema: wrong type",
      fn: "json.match_schema",
      args: [obj({ id: "foo" }), schema],
      want: [false, [{ desc: "Invalid type. Expected: integer, given: string", error: "id: Invalid type. Expected: integer, given: string", field: "id", type: "invalid_type" }]],
    },
    {
      name: "match_schema: missing property",
      fn: "json.match_schema",
      args: [obj({}), schema],
      want: [false, [{ desc: "id is required", error: "(root): id is required", field: "(root)", type: "required" }]],
    },
  ]);

  errors([
    {
      name: "match_schema: invalid schema",
      fn: "json.match_schema",
      args: [obj({ id: "foo" }), obj({ properties: { id: { type: "unknown" } } })],
      code: "eval_builtin_error",
      message: "json.match_schema: has a primitive type that is NOT VALID -- given: /unknown/ Expected valid values are:[array boolean integer number null object string]",
    },
  ]);
});

describe("registry", () => {
  it("holds the operator builtins the compiler rewrites to", () => {
    for (const name of ["equal", "neq", "lt", "lte", "gt", "gte", "plus", "minus", "mul", "div", "rem", "and", "or", "internal.member_2", "internal.member_3"]) {
      expect(BUILTINS.get(name)?.fn, name).toBeTypeOf("function");
    }
  });

  it.each(["http.send", "net.lookup_ip_addr", "io.jwt.decode", "io.jwt.verify_rs256", "crypto.x509.parse_certificates", "providers.aws.sign_req", "graphql.parse", "rego.parse_module"])(
    "%s is known but unsupported, with a reason",
    (name) => {
      const b = BUILTINS.get(name)!;
      expect(b.fn).toBeUndefined();
      expect(b.unsupported).toMatch(/\w/);
    },
  );

  it("names every builtin once, each with a function, a relation or a reason", () => {
    for (const [name, b] of BUILTINS) {
      expect(b.name).toBe(name);
      expect(Boolean(b.fn) || Boolean(b.relation) || Boolean(b.unsupported)).toBe(true);
    }
  });
});
