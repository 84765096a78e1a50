// Kyverno validate.pattern / anyPattern. Many cases are ported from Kyverno's own Go tests (named after the Go test they
// come from: pkg/engine/validate/validate_test.go, pkg/engine/pattern/pattern_test.go, pkg/engine/anchor/anchor_test.go,
// pkg/utils/wildcard/match_test.go, pkg/engine/operator/operator_test.go); the others come from the Kyverno CLI
// conformance suites in shared/conformance/kyverno-cli (the folder is named) or check one rule of the port.
import { describe, expect, it } from "vitest";
import {
  compareQuantities,
  formatGoFloat,
  parseAnchor,
  parseGoDuration,
  parseQuantity,
  stringPatternOperator,
  validateAnyPattern,
  validatePattern,
  validateValue,
  wildcardMatch,
  type PatternResult,
} from "../../src/policy/kyverno/pattern.ts";

const status = (result: PatternResult) => result.status;

describe("wildcardMatch (pkg/utils/wildcard/match_test.go)", () => {
  it.each<[string, string, boolean]>([
    ["*", "s3:GetObject", true],
    ["", "s3:GetObject", false],
    ["", "", true],
    ["s3:*", "s3:ListMultipartUploadParts", true],
    ["s3:ListBucketMultipartUploads", "s3:ListBucket", false],
    ["s3:ListBucket", "s3:ListBucket", true],
    ["my-bucket/oo*", "my-bucket/oo", true],
    ["my-bucket/In*", "my-bucket/India/Karnataka/", true],
    ["my-bucket/In*", "my-bucket/Karnataka/India/", false],
    ["my-bucket/In*/Ka*/Ban", "my-bucket/India/Karnataka/Ban", true],
    ["my-bucket/In*/Ka*/Ban", "my-bucket/India/Karnataka/Ban/Ban/Ban/Ban/Ban", true],
    ["my-bucket/In*/Ka*/Ban", "my-bucket/India/Karnataka/Area1/Area2/Area3/Ban", true],
    ["my-bucket/In*/Ka*/Ban", "my-bucket/India/Karnataka/Bangalore", false],
    ["my-bucket/In*/Ka*/Ban*", "my-bucket/India/Karnataka/Bangalore", true],
    ["my-bucket/oo*", "my-bucket/odo", false],
    ["my-bucket?/abc*", "mybucket/abc", false],
    ["my-bucket?/abc*", "my-bucket1/abc", true],
    ["my-?-bucket/abc*", "my--bucket/abc", false],
    ["my-?-bucket/abc*", "my-1-bucket/abc", true],
    ["my??bucket/abc*", "mybucket/abc", false],
    ["my??bucket/abc*", "my4abucket/abc", true],
    ["my-bucket/abc?efg", "my-bucket/abc/efg", true],
    ["my-bucket/abc????", "my-bucket/abcde", false],
    ["my-bucket/abc????", "my-bucket/abcdefg", true],
    ["my-bucket/abc?", "my-bucket/abc", false],
    ["my-bucket/mnop*?", "my-bucket/mnop", false],
    ["my-bucket/mnop*?", "my-bucket/mnopqrst/mnopqr", true],
    ["my-bucket/mnop*?and", "my-bucket/mnopand", false],
    ["my-bucket/mnop*?and?", "my-bucket/mnopqanda", true],
    ["my-bucket/mnop*?and", "my-bucket/mnopqanda", false],
    ["a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false],
    ["?", "é", true],
  ])("%j matches %j: %s", (pattern, name, want) => {
    expect(wildcardMatch(pattern, name)).toBe(want);
  });
});

describe("parseAnchor (pkg/engine/anchor/anchor_test.go)", () => {
  it.each<[string, string | undefined, string | undefined]>([
    ["(something)", "", "something"],
    ["()", undefined, undefined],
    ["something", undefined, undefined],
    ["(something", undefined, undefined],
    ["something)", undefined, undefined],
    ["so)m(et(hin)g", undefined, undefined],
    ["", undefined, undefined],
    ["^(abc)", "^", "abc"],
    ["^(abc", undefined, undefined],
    ["^abc", undefined, undefined],
    ["=(abc)", "=", "abc"],
    ["=abc", undefined, undefined],
    ["+(abc)", "+", "abc"],
    ["X(abc)", "X", "abc"],
    ["Xabc", undefined, undefined],
    ["<(abc)", "<", "abc"],
    ["<abc", undefined, undefined],
    ["X-Forwarded)", undefined, undefined],
  ])("%j", (text, type, key) => {
    const anchor = parseAnchor(text);
    expect(anchor?.type).toBe(type);
    expect(anchor?.key).toBe(key);
  });
});

describe("stringPatternOperator (pkg/engine/operator/operator.go)", () => {
  it.each<[string, string]>([
    ["f", ""],
    ["", ""],
    [">=", ">="],
    [">= 3", ">="],
    ["<=5", "<="],
    [">5", ">"],
    ["<5", "<"],
    ["!nginx", "!"],
    ["!10-20", "!"],
    ["10!-20", "!-"],
    ["10-20", "-"],
    ["-10--8", "-"],
    ["+2-+4", "-"],
    ["128Mi-512Mi", "-"],
    ["100Mi!-1024Mi", "!-"],
    ["2.5-3.5", "-"],
    ["nginx-1", ""],
    ["1-2-3", ""],
  ])("%j is %j", (pattern, want) => {
    expect(stringPatternOperator(pattern)).toBe(want);
  });
});

describe("validateValue (pkg/engine/pattern/pattern_test.go)", () => {
  it.each<[string, unknown, unknown, boolean]>([
    ["Bool true true", true, true, true],
    ["Bool true false", true, false, false],
    ["Bool false true", false, true, false],
    ["Bool false false", false, false, true],
    ["AsteriskTest anything", "anything", "*", true],
    ["AsteriskTest empty", "", "*", true],
    ["LeftAsteriskTest leftright", "leftright", "*right", true],
    ["LeftAsteriskTest right", "right", "*right", true],
    ["LeftAsteriskTest leftmiddle", "leftmiddle", "*right", false],
    ["LeftAsteriskTest middle", "middle", "*right", false],
    ["MiddleAsteriskTest abbeba", "abbeba", "ab*ba", true],
    ["MiddleAsteriskTest abbca", "abbca", "ab*ba", false],
    ["QuestionMark abbba", "abbba", "ab?ba", true],
    ["QuestionMark abbbba", "abbbba", "ab?ba", false],
    ["NullPatternStringValue", "value", null, false],
    ["NullPatternDefaultString", "", null, true],
    ["NullPatternDefaultFloat", 0.0, null, true],
    ["NullPatternFloat", 0.1, null, false],
    ["NullPatternDefaultInt", 0, null, true],
    ["NullPatternInt", 1, null, false],
    ["NullPatternDefaultBool", false, null, true],
    ["NullPatternTrueBool", true, null, false],
    ["StringsLogicalOr", "10.100.11.54", "192.168.88.1 | 10.100.11.*", true],
    ["StringsLogicalAnd", "10", ">1 & <20", true],
    ["StringsAllLogicalOperators 10", "10", ">1 & <20 | >31 & <33", true],
    ["StringsAllLogicalOperators 32", "32", ">1 & <20 | >31 & <33", true],
    ["StringsAllLogicalOperators 21", "21", ">1 & <20 | >31 & <33", false],
    ["EqualTwoFloats", 7.0, 7.0, true],
    ["FloatPattern_FloatValue", 7.9914, 7.9914, true],
    ["FloatPattern_FloatValueNotPass", 7.9914, 7.99141, false],
    ["FloatPatternWithoutFractionIntValue", 7, 7.0, true],
    ["IntPattern_FloatValueWitFraction", 7.000001, 7, false],
    ["IntPattern_NotPass", 8, 7, false],
    ["StringPattern_WithSpace", 4, ">= 3", true],
    ["Ranges 0 in 0-2", 0, "0-2", true],
    ["Ranges 1 in 0-2", 1, "0-2", true],
    ["Ranges 2 in 0-2", 2, "0-2", true],
    ["Ranges 3 in 0-2", 3, "0-2", false],
    ["Ranges 0 in 10!-20", 0, "10!-20", true],
    ["Ranges 15 in 10!-20", 15, "10!-20", false],
    ["Ranges 25 in 10!-20", 25, "10!-20", true],
    ["Ranges 0 in 0.00001-2.00001", 0, "0.00001-2.00001", false],
    ["Ranges 1 in 0.00001-2.00001", 1, "0.00001-2.00001", true],
    ["Ranges 2 in 0.00001-2.00001", 2, "0.00001-2.00001", true],
    ["Ranges 2.0001 in 0.00001-2.00001", 2.0001, "0.00001-2.00001", false],
    ["Ranges 0 in 0.00001!-2.00001", 0, "0.00001!-2.00001", true],
    ["Ranges 1 in 0.00001!-2.00001", 1, "0.00001!-2.00001", false],
    ["Ranges 2 in 0.00001!-2.00001", 2, "0.00001!-2.00001", false],
    ["Ranges 2.0001 in 0.00001!-2.00001", 2.0001, "0.00001!-2.00001", true],
    ["Ranges 2 in 2-2", 2, "2-2", true],
    ["Ranges 2 in 2!-2", 2, "2!-2", false],
    ["Ranges 2.99999 in 2.99998-3", 2.99999, "2.99998-3", true],
    ["Ranges 2.99997 in 2.99998!-3", 2.99997, "2.99998!-3", true],
    ["Ranges 3.00001 in 2.99998!-3", 3.00001, "2.99998!-3", true],
    ["Ranges 256Mi in 128Mi-512Mi", "256Mi", "128Mi-512Mi", true],
    ["Ranges 1024Mi in 128Mi-512Mi", "1024Mi", "128Mi-512Mi", false],
    ["Ranges 64Mi in 128Mi-512Mi", "64Mi", "128Mi-512Mi", false],
    ["Ranges 256Mi in 128Mi!-512Mi", "256Mi", "128Mi!-512Mi", false],
    ["Ranges 1024Mi in 128Mi!-512Mi", "1024Mi", "128Mi!-512Mi", true],
    ["Ranges 64Mi in 128Mi!-512Mi", "64Mi", "128Mi!-512Mi", true],
    ["NumberWithStr_LessFloatAndInt >", 7.00001, ">7.000001", true],
    ["NumberWithStr_LessFloatAndInt !", 7.00001, "!7", true],
    ["NumberWithStr_LessFloatAndInt =", 7.0, "7", true],
    ["NumberWithStr_LessFloatAndInt <", 6.000000001, "<6", false],
    ["InvalidQuantity empty pattern", "1024Gi", "", false],
    ["InvalidQuantity gii", "gii", "1024Gi", false],
    ["Quantity_Equal 1024Gi", "1024Gi", "1024Gi", true],
    ["Quantity_Equal 1024Mi 1Gi", "1024Mi", "1Gi", true],
    ["Quantity_Equal 0.2 200m", "0.2", "200m", true],
    ["Quantity_Equal 500", "500", "500", true],
    ["Quantity_Equal 2048 1024", "2048", "1024", false],
    ["Quantity_Equal int 1024", 1024, "1024", true],
    ["Quantity_Operation 1Gi > 1000Mi", "1Gi", ">1000Mi", true],
    ["Quantity_Operation 1G < 1Gi", "1G", "<1Gi", true],
    ["Quantity_Operation 500m >= 0.5", "500m", ">=0.5", true],
    ["Quantity_Operation 1 >= 500m", "1", ">=500m", true],
    ["Quantity_Operation 0.5 <= .5", "0.5", "<=.5", true],
    ["Quantity_Operation 0.2 <= .5", "0.2", "<=.5", true],
    ["Quantity_Operation 0.2 ! .5", "0.2", "!.5", true],
    ["KernelVersion_NotEquals 5.16.5", "5.16.5-arch1-1", "!5.10.84-1", true],
    ["KernelVersion_NotEquals 5.10.84", "5.10.84-1", "!5.10.84-1", false],
    ["KernelVersion_NotEquals and 5.16.5", "5.16.5-arch1-1", "!5.10.84-1 & !5.15.2-1", true],
    ["KernelVersion_NotEquals and 5.10.84", "5.10.84-1", "!5.10.84-1 & !5.15.2-1", false],
    ["KernelVersion_NotEquals and 5.15.2", "5.15.2-1", "!5.10.84-1 & !5.15.2-1", false],
  ])("%s", (_name, value, pattern, want) => {
    expect(validateValue(value, pattern)).toBe(want);
  });

  it.each<[string, unknown, unknown, boolean]>([
    ["durations compare before quantities: 90m > 1h", "90m", ">1h", true],
    ["a duration equals another spelling", "1h30m", "90m", true],
    ["1m is a minute, not a milli-quantity, when both sides are durations", "60s", "1m", true],
    ["a missing value reads as 0 for numbers", null, "<10", true],
    ["a missing value is not a non-empty string", null, "?*", false],
    ["a missing value is not '*' at the value level", null, "*", false],
    ["an int64 is compared as its digits", 8080, "80*", true],
    ["a float64 prints with an exponent for string comparison", 8080.5, "80*", false],
    ["> does not apply to plain strings", "b", ">a", false],
    ["a bool value compares as its text", true, "true", true],
    ["a bool value against a wildcard", false, "f*", true],
    ["maps never match a string pattern", { a: 1 }, "*", false],
    ["a map pattern accepts any map", { a: 1 }, { b: 2 }, true],
    ["a string value parses as a float for a number pattern", "1e3", 1000, true],
    ["an unparsable string never equals a number pattern", "ten", 10, false],
    ["a range with negative endpoints", -9, "-10--8", true],
    ["a range with signed endpoints", "3", "+2-+4", true],
    ["a pattern equal to the value passes before any parsing", "a|b", "a|b", true],
    ["a quantity suffix alone is zero", "0", "m", true],
    ["a value that is neither quantity nor duration falls back to wildcard", "latest", "!*:latest", true],
  ])("%s", (_name, value, pattern, want) => {
    expect(validateValue(value, pattern)).toBe(want);
  });

  it("treats integers as float64 when asked (foreach elements are JMESPath output)", () => {
    expect(validateValue(8080, "80*", true)).toBe(true);
    expect(validateValue(8080, "80*", false)).toBe(false);
    expect(validateValue(8080, "8.08E+03", false)).toBe(true);
  });
});

describe("quantities and durations", () => {
  it.each<[string, string, number]>([
    ["1Gi", "1024Mi", 0],
    ["1G", "1Gi", -1],
    ["500m", "0.5", 0],
    ["1e3", "1k", 0],
    ["1E", "1000P", 0],
    ["0.0000000001", "1n", 0],
    ["-0.0000000001", "-1n", 0],
    [".5", "500m", 0],
    ["1.", "1", 0],
    ["+2", "2", 0],
    ["-", "0", 0],
    ["100Ei", "9223372036854775807", 0],
  ])("%s compared with %s is %i", (a, b, want) => {
    expect(compareQuantities(parseQuantity(a)!, parseQuantity(b)!)).toBe(want);
  });

  it.each(["", "gii", "1K", "1mi", "1.5.5", "e", "1e", "1e-", "1 ", " 1", "nginx", "1.0.0-1", "0x10"])("ParseQuantity refuses %j", (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });

  it.each<[string, bigint | undefined]>([
    ["0", 0n],
    ["1h30m", 5_400_000_000_000n],
    ["1.5h", 5_400_000_000_000n],
    [".5s", 500_000_000n],
    ["5.s", 5_000_000_000n],
    ["-1m", -60_000_000_000n],
    ["+5s", 5_000_000_000n],
    ["1us", 1_000n],
    ["1\u00b5s", 1_000n],
    ["9223372036854775807ns", 9_223_372_036_854_775_807n],
    ["-9223372036854775808ns", -9_223_372_036_854_775_808n],
    ["9223372036854775808ns", undefined],
    ["1", undefined],
    ["", undefined],
    [".s", undefined],
    ["1hour", undefined],
    ["1d", undefined],
    ["0.000000000001s", 0n],
  ])("ParseDuration(%j)", (text, want) => {
    expect(parseGoDuration(text)).toBe(want);
  });

  it.each<[number, string]>([
    [1, "1"],
    [1.5, "1.5"],
    [100000, "100000"],
    [1000000, "1e+06"],
    [12345678, "1.2345678e+07"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
  ])("%%v of float64 %d is %s", (value, want) => {
    expect(formatGoFloat(value)).toBe(want);
  });
});

// ---------------------------------------------------------------------------------------------------------------

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "nginx-deployment", labels: { app: "nginx" } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "nginx" } },
    template: {
      metadata: { labels: { app: "nginx" } },
      spec: {
        securityContext: { runAsNonRoot: true },
        containers: [
          {
            name: "nginx",
            image: "https://nirmata/nginx:latest",
            imagePullPolicy: "Always",
            readinessProbe: { exec: { command: ["cat", "/tmp/healthy"] }, initialDelaySeconds: 5, periodSeconds: 10 },
            livenessProbe: { tcpSocket: { port: 8080 }, initialDelaySeconds: 15, periodSeconds: 11 },
            resources: { limits: { memory: "2Gi", cpu: 8 }, requests: { memory: "512Mi", cpu: "8" } },
            ports: [{ containerPort: 80 }],
          },
        ],
      },
    },
  },
};

const statefulSet = (container: Record<string, unknown>) => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "game-web", labels: { originalLabel: "isHere" } },
  spec: {
    selector: { matchLabels: { app: "nginxo" } },
    serviceName: "nginxo",
    replicas: 3,
    template: {
      metadata: { labels: { app: "nginxo" } },
      spec: {
        terminationGracePeriodSeconds: 10,
        containers: [
          {
            name: "nginxo",
            image: "registry.k8s.io/nginx-but-no-slim:0.8",
            ports: [{ containerPort: 8780, name: "webp" }],
            volumeMounts: [{ name: "www", mountPath: "/usr/share/nginxo/html" }],
            ...container,
          },
        ],
      },
    },
    volumeClaimTemplates: [{ metadata: { name: "www" }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "my-storage-class", resources: { requests: { storage: "1Gi" } } } }],
  },
});
const templateContainers = (container: Record<string, unknown>) => ({ spec: { template: { spec: { containers: [container] } } } });

type Want = { status: "pass" } | { status: "skip" } | { status: "fail"; path?: string; message?: string } | { status: "error"; message?: string };

function expectResult(result: PatternResult, want: Want): void {
  expect(result.status).toBe(want.status);
  if (want.status === "fail" && result.status === "fail") {
    if (want.path !== undefined) expect(result.path).toBe(want.path);
    if (want.message !== undefined) expect(result.message).toBe(want.message);
  }
  if (want.status === "error" && result.status === "error" && want.message !== undefined) expect(result.message).toContain(want.message);
}

describe("validatePattern: validate_test.go maps and arrays", () => {
  it.each<{ name: string; resource: unknown; pattern: unknown; want: Want }>([
    { name: "TestValidateMap (cpu '<4|8' against '8')", resource: deployment, pattern: { spec: { template: { spec: { containers: [{ name: "?*", resources: { requests: { cpu: "<4|8" } } }] } } } }, want: { status: "pass" } },
    { name: "TestValidateMap_AsteriskForInt", resource: statefulSet({ livenessProbe: { periodSeconds: 11 } }), pattern: templateContainers({ name: "*", livenessProbe: { periodSeconds: "*" } }), want: { status: "pass" } },
    { name: "TestValidateMap_AsteriskForMap", resource: statefulSet({ livenessProbe: { periodSeconds: 11 } }), pattern: templateContainers({ name: "*", livenessProbe: "*" }), want: { status: "pass" } },
    { name: "TestValidateMap_AsteriskForArray", resource: statefulSet({}), pattern: { spec: { template: { spec: { containers: "*" } } } }, want: { status: "pass" } },
    {
      name: "TestValidateMap_AsteriskFieldIsMissing (a null field is not present for '*')",
      resource: statefulSet({ livenessProbe: null }),
      pattern: templateContainers({ name: "*", livenessProbe: "*" }),
      want: { status: "fail", path: "/spec/template/spec/containers/0/", message: "/spec/template/spec/containers/0//livenessProbe not found" },
    },
    { name: "TestValidateMap_livenessProbeIsNull", resource: statefulSet({ livenessProbe: null }), pattern: templateContainers({ name: "*", livenessProbe: null }), want: { status: "pass" } },
    { name: "TestValidateMap_livenessProbeIsMissing", resource: statefulSet({}), pattern: templateContainers({ name: "*", livenessProbe: null }), want: { status: "pass" } },
    {
      name: "TestValidateMapElement_TwoElementsInArrayOnePass (existence anchor)",
      resource: { list: [{ name: "nirmata-1", object: [{ key1: "value1", key2: "value2" }] }, { name: "nirmata-1", object: [{ key1: "not_value", key2: "not_value" }] }] },
      pattern: { "^(list)": [{ "(name)": "nirmata-*", object: [{ "(key1)": "value*", key2: "value*" }] }] },
      want: { status: "pass" },
    },
    {
      name: "TestValidateMapElement_OneElementInArrayPass (a list at the root)",
      resource: [{ name: "nirmata-1", object: [{ key1: "value1", key2: "value2" }] }],
      pattern: [{ "(name)": "nirmata-*", object: [{ "(key1)": "value*", key2: "value*" }] }],
      want: { status: "pass" },
    },
    {
      name: "TestValidateMapElement_OneElementInArrayNotPass",
      resource: [{ name: "nirmata-1", object: [{ key1: "value5", key2: "1value1" }] }],
      pattern: [{ "(name)": "nirmata-*", object: [{ "(key1)": "value*", key2: "value*" }] }],
      want: { status: "fail", path: "/0/object/0/key2/" },
    },
    {
      name: "TestValidateMap_AbsolutePathToMetadata",
      resource: { spec: { containers: [{ name: "kyverno", image: "kyverno.io/test:latest" }] } },
      pattern: { spec: { containers: [{ "(name)": "kyverno", image: "kyverno.io*" }] } },
      want: { status: "pass" },
    },
    {
      name: "TestValidateMap_AbsolutePathToMetadata_fail (with $(/metadata/labels/app) already substituted)",
      resource: { metadata: { labels: { app: "nirmata*" } }, spec: { containers: [{ name: "nirmata", image: "nginx" }] } },
      pattern: { metadata: { labels: { app: "nirmata*" } }, spec: { containers: [{ "(name)": "nirmata*", image: "nirmata.io*" }] } },
      want: { status: "fail", path: "/spec/containers/0/image/", message: "resource value 'nginx' does not match 'nirmata.io*' at path /spec/containers/0/image/" },
    },
    {
      name: "TestValidateMap_MalformedReferenceOnlyDolarMark",
      resource: { spec: { containers: [{ name: "nirmata", resources: { requests: { memory: "1024Mi" }, limits: { memory: "2048Mi" } } }] } },
      pattern: { spec: { containers: [{ name: "*", resources: { requests: { memory: "$" }, limits: { memory: "2048Mi" } } }] } },
      want: { status: "fail", path: "/spec/containers/0/resources/requests/memory/" },
    },
    {
      name: "TestValidateMap_MalformedPath ($(>2048) is not a reference)",
      resource: { spec: { containers: [{ name: "nirmata", resources: { requests: { memory: "1024Mi" }, limits: { memory: "2048Mi" } } }] } },
      pattern: { spec: { containers: [{ name: "*", resources: { requests: { memory: "$(>2048)" }, limits: { memory: "2048Mi" } } }] } },
      want: { status: "fail", path: "/spec/containers/0/resources/requests/memory/" },
    },
  ])("$name", ({ resource, pattern, want }) => {
    expectResult(validatePattern(resource, pattern), want);
  });
});

describe("validatePattern: wildcard keys in metadata (TestValidateMapWildcardKeys)", () => {
  it.each<[string, unknown, unknown, Want]>([
    ["1", { metadata: { annotations: { "test/*": "value1" } } }, { metadata: { annotations: { "test/bar": "value1" } } }, { status: "pass" }],
    ["2", { metadata: { annotations: { "test/b??": "v*" } } }, { metadata: { annotations: { "test/bar": "value1" } } }, { status: "pass" }],
    ["3", {}, { metadata: { annotations: { "test/bar": "value1" } } }, { status: "pass" }],
    ["4", { metadata: { annotations: { "test/b??": "v*" } } }, { metadata: { labels: { "test/bar": "value1" } } }, { status: "fail", path: "/metadata/annotations/" }],
    ["5", { metadata: { labels: { "*/test": "foo" } } }, { metadata: { labels: { "foo/test": "foo" } } }, { status: "pass" }],
    ["6", { metadata: { labels: { "foo/a*": "bar" } } }, { metadata: { labels: { "foo/aa?": "bar", "foo/789": "bar" } } }, { status: "pass" }],
    ["7", { metadata: { labels: { "foo/ABC*": "bar" } } }, { metadata: { labels: { "foo/AB?": "bar", "foo/ABC": "bar2" } } }, { status: "fail", path: "/metadata/labels/foo/ABC/" }],
    ["8", { "=(metadata)": { "=(labels)": { "foo/P*": "bar", "foo/Q*": "bar2" } } }, { metadata: { labels: { "foo/PQR": "bar", "foo/QR": "bar2" } } }, { status: "pass" }],
    ["9", { metadata: { labels: { "foo/1*": "bar" } } }, { metadata: { labels: { "foo/123": "bar222" } } }, { status: "fail", path: "/metadata/labels/foo/123/" }],
    ["10", { metadata: { labels: { "foo/X*": "bar", "foo/A*": "bar2" } } }, { metadata: { labels: { "foo/XYZ": "bar" } } }, { status: "fail", path: "/metadata/labels/foo/A*/" }],
    ["11", { "=(metadata)": { "=(labels)": { "foo/1*": "bar", "foo/4*": "bar2" } } }, { metadata: { labels: { "foo/123": "bar" } } }, { status: "fail", path: "/metadata/labels/foo/4*/" }],
  ])("case %s", (_n, pattern, resource, want) => {
    expectResult(validatePattern(resource, pattern), want);
  });

  it("keeps an anchor on a wildcard key while expanding it", () => {
    expect(status(validatePattern({ metadata: { labels: { team: "a" } } }, { metadata: { labels: { "X(te*)": "null" } } }))).toBe("fail");
    // a null value is dropped by the expansion, so this negation disappears (Kyverno's getValueAsStringMap)
    expect(status(validatePattern({ metadata: { labels: { team: "a" } } }, { metadata: { labels: { "X(te*)": null } } }))).toBe("pass");
    expect(status(validatePattern({ metadata: { labels: { app: "a" } } }, { metadata: { labels: { "=(te*)": "b" } } }))).toBe("pass");
  });

  it("drops non-string pattern values of labels when the resource has labels (wildcards.go getValueAsStringMap)", () => {
    expect(status(validatePattern({ metadata: { labels: { app: "a" } } }, { metadata: { labels: { app: "a", missing: null } } }))).toBe("pass");
    // without labels on the resource nothing is expanded, and the null pattern matches the missing key anyway
    expect(status(validatePattern({ metadata: { name: "x" } }, { metadata: { labels: { missing: 5 } } }))).toBe("fail");
  });

  it("does not edit the caller's pattern", () => {
    const pattern = { metadata: { labels: { "app*": "a" } } };
    validatePattern({ metadata: { labels: { application: "a" } } }, pattern);
    expect(pattern).toEqual({ metadata: { labels: { "app*": "a" } } });
  });
});

// TestConditionalAnchorWithMultiplePatterns and Test_global_anchor. The Go table also labels test-23, 25, 27, 30 and 35
// "Fail", but its testMatchPattern never checks a Fail (only Pass and Skip); the global anchor that does not match
// there makes MatchPattern return a skip, which is what is asserted here.
const C1 = { spec: { containers: [{ name: "*", "(image)": "*:latest | !*:*", imagePullPolicy: "!Always" }] } };
const C22 = { spec: { containers: [{ name: "*", "(image)": "!*:* | *:latest", imagePullPolicy: "!Always" }] } };
const G23 = { spec: { containers: [{ name: "*", "<(image)": "*:latest", imagePullPolicy: "!Always" }] } };
const G25 = { spec: { containers: [{ name: "*", "<(image)": "nginx", env: [{ "<(name)": "foo", "<(value)": "bar" }], imagePullPolicy: "!Always" }] } };
const G27 = { spec: { containers: [{ name: "*", env: [{ "<(name)": "foo", "<(value)": "bar" }], imagePullPolicy: "!Always" }] } };
const G30 = { metadata: { "<(name)": "nginx" }, spec: { imagePullSecrets: [{ name: "regcred" }] } };
const G32 = { metadata: { labels: { "<(foo)": "bar" } }, spec: { containers: [{ name: "nginx", image: "!*:latest" }] } };
const G34 = { spec: { containers: [{ name: "*", "<(image)": "nginx" }], imagePullSecrets: [{ name: "my-registry-secret" }] } };
const D37 = { metadata: { labels: { "allow-docker": "true" } }, "(spec)": { "(volumes)": [{ "(hostPath)": { path: "/var/run/docker.sock" } }] } };
const I43 = { spec: { "=(volumes)": [{ "(name)": "!cache-volume", "=(emptyDir)": { sizeLimit: "?*" } }] } };
const I44 = { spec: { "=(initContainers)": [{ "(name)": "!istio-init", "=(securityContext)": { "=(runAsUser)": ">0" } }], "=(containers)": [{ "=(securityContext)": { "=(runAsUser)": ">0" } }] } };
const V51 = { spec: { "=(volumes)": [{ "(name)": "!credential-socket&!istio-data&!istio-envoy&!workload-certs&!workload-socket", "=(emptyDir)": { sizeLimit: "?*" } }] } };
const pod = (...containers: [string, string, string][]) => ({ spec: { containers: containers.map(([name, image, imagePullPolicy]) => ({ name, image, imagePullPolicy })) } });

describe("validatePattern: conditional and global anchors (validate_test.go)", () => {
  it.each<[string, unknown, unknown, Want]>([
    ["test-1", C1, pod(["nginx", "nginx:1.2.3", "Always"]), { status: "skip" }],
    ["test-2", C1, pod(["nginx", "nginx:latest", "Always"]), { status: "fail", path: "/spec/containers/0/imagePullPolicy/" }],
    ["test-3", C1, pod(["nginx", "nginx", "Always"]), { status: "fail", path: "/spec/containers/0/imagePullPolicy/" }],
    ["test-4", C1, pod(["nginx", "nginx", "Never"]), { status: "pass" }],
    ["test-5", C1, pod(["nginx", "nginx:latest", "Never"]), { status: "pass" }],
    ["test-6", C1, pod(["nginx", "nginx:1.2.3", "Never"]), { status: "skip" }],
    ["test-7", C1, pod(["nginx", "nginx", "Always"], ["busybox", "busybox:1.28", "Always"]), { status: "fail", path: "/spec/containers/0/imagePullPolicy/" }],
    ["test-8", C1, pod(["nginx", "nginx:latest", "Always"], ["busybox", "busybox:1.28", "Always"]), { status: "fail" }],
    ["test-9", C1, pod(["nginx", "nginx:1.2.3", "Always"], ["busybox", "busybox:1.28", "Always"]), { status: "skip" }],
    ["test-10", C1, pod(["nginx", "nginx", "Never"], ["busybox", "busybox:1.28", "Always"]), { status: "pass" }],
    ["test-11", C1, pod(["nginx", "nginx:latest", "Never"], ["busybox", "busybox:1.28", "Always"]), { status: "pass" }],
    ["test-12", C1, pod(["nginx", "nginx:1.2.3", "Never"], ["busybox", "busybox:1.28", "Always"]), { status: "skip" }],
    ["test-13", C1, pod(["busybox", "busybox:1.28", "Always"], ["nginx", "nginx", "Always"]), { status: "fail", path: "/spec/containers/1/imagePullPolicy/" }],
    ["test-14", C1, pod(["busybox", "busybox:1.28", "Always"], ["nginx", "nginx:latest", "Always"]), { status: "fail" }],
    ["test-15", C1, pod(["busybox", "busybox:1.28", "Always"], ["nginx", "nginx:1.2.3", "Always"]), { status: "skip" }],
    ["test-16", C1, pod(["busybox", "busybox:1.28", "Always"], ["nginx", "nginx", "Never"]), { status: "pass" }],
    ["test-17", C1, pod(["busybox", "busybox:1.28", "Always"], ["nginx", "nginx:latest", "Never"]), { status: "pass" }],
    ["test-18", C1, pod(["busybox", "busybox:1.28", "Always"], ["nginx", "nginx:1.2.3", "Never"]), { status: "skip" }],
    ["test-19", C1, pod(["busybox", "busybox", "Always"], ["nginx", "nginx", "Always"]), { status: "fail" }],
    ["test-20", C1, pod(["busybox", "busybox:latest", "Always"], ["nginx", "nginx:latest", "Always"]), { status: "fail" }],
    ["test-21", C1, pod(["busybox", "busybox:1.2.3", "Always"], ["nginx", "nginx:latest", "IfNotPresent"]), { status: "pass" }],
    ["test-22", C22, pod(["nginx", "nginx:latest", "Always"]), { status: "fail" }],
    ["test-23 (labelled Fail in Go, unchecked)", G23, pod(["nginx", "nginx", "Always"]), { status: "skip" }],
    ["test-24", G23, pod(["nginx", "nginx:latest", "Always"]), { status: "fail", path: "/spec/containers/0/imagePullPolicy/" }],
    ["test-25 (labelled Fail in Go, unchecked)", G25, { spec: { containers: [{ name: "nginx", image: "nginx", env: [{ name: "foo1", value: "bar" }], imagePullPolicy: "Always" }] } }, { status: "skip" }],
    ["test-26", G25, { spec: { containers: [{ name: "nginx", image: "nginx", env: [{ name: "foo", value: "bar" }], imagePullPolicy: "Always" }] } }, { status: "fail", path: "/spec/containers/0/imagePullPolicy/" }],
    ["test-27 (labelled Fail in Go, unchecked)", G27, { spec: { containers: [{ name: "nginx", image: "nginx", env: [{ name: "foo1", value: "bar" }], imagePullPolicy: "Always" }] } }, { status: "skip" }],
    ["test-28", G27, { spec: { containers: [{ name: "nginx", image: "nginx", env: [{ name: "foo", value: "bar" }], imagePullPolicy: "IfNotpresent" }] } }, { status: "pass" }],
    ["test-29", G27, { spec: { containers: [{ name: "nginx", image: "nginx", env: [{ name: "foo", value: "bar" }], imagePullPolicy: "Always" }] } }, { status: "fail" }],
    ["test-30 (labelled Fail in Go, unchecked)", G30, { metadata: { name: "somename" }, spec: { containers: [{ name: "nginx", image: "nginx:latest" }], imagePullSecrets: [{ name: "cred" }] } }, { status: "skip" }],
    ["test-31", G30, { metadata: { name: "nginx" }, spec: { containers: [{ name: "nginx", image: "nginx:latest" }], imagePullSecrets: [{ name: "cred" }] } }, { status: "fail", path: "/spec/imagePullSecrets/0/name/" }],
    ["test-32", G32, { metadata: { name: "nginx", labels: { foo: "bar" } }, spec: { containers: [{ name: "nginx", image: "nginx" }] } }, { status: "pass" }],
    ["test-33", G32, { metadata: { name: "nginx", labels: { foo: "bar" } }, spec: { containers: [{ name: "nginx", image: "nginx:latest" }] } }, { status: "fail", path: "/spec/containers/0/image/" }],
    ["test-34", G34, { spec: { containers: [{ name: "nginx", image: "nginx" }], imagePullSecrets: [{ name: "cred" }] } }, { status: "fail", path: "/spec/imagePullSecrets/0/name/" }],
    ["test-35 (labelled Fail in Go, unchecked)", G34, { spec: { containers: [{ name: "nginx", image: "somepod" }], imagePullSecrets: [{ name: "cred" }] } }, { status: "skip" }],
    ["test-36", G34, { spec: { containers: [{ name: "nginx", image: "nginx" }], imagePullSecrets: [{ name: "my-registry-secret" }] } }, { status: "pass" }],
    ["test-37", D37, { metadata: { labels: { run: "nginx" }, name: "nginx" }, spec: { containers: [{ image: "nginx", name: "nginx" }] } }, { status: "skip" }],
    ["test-38", D37, { metadata: { labels: { run: "nginx" }, name: "nginx" }, spec: { containers: [{ image: "nginx", name: "nginx" }], volumes: [{ hostPath: { path: "/var/run/docker.sock" } }] } }, { status: "fail", path: "/metadata/labels/allow-docker/" }],
    ["test-39", D37, { metadata: { labels: { run: "nginx" }, name: "nginx" }, spec: { containers: [{ image: "nginx", name: "nginx" }], volumes: [{ hostPath: { path: "/randome/value" } }] } }, { status: "skip" }],
    ["test-40", D37, { metadata: { labels: { run: "nginx", "allow-docker": "true" }, name: "nginx" }, spec: { containers: [{ image: "nginx", name: "nginx" }], volumes: [{ hostPath: { path: "/var/run/docker.sock" } }] } }, { status: "pass" }],
    ["test-41", D37, { metadata: { labels: { run: "nginx", "allow-docker": "false" }, name: "nginx" }, spec: { containers: [{ image: "nginx", name: "nginx" }], volumes: [{ hostPath: { path: "/var/run/docker.sock" } }] } }, { status: "fail" }],
    ["test-42", D37, { metadata: { labels: { run: "nginx" }, name: "nginx" }, spec: { containers: [{ image: "nginx", name: "nginx" }], volumes: [{ hostPath: { path: "/var/run/docker.sock" } }] } }, { status: "fail" }],
    ["test-43", I43, { spec: { volumes: [{ name: "cache-volume", emptyDir: {} }] } }, { status: "skip" }],
    ["test-44", I44, { spec: { initContainers: [{ name: "nginx", securityContext: { runAsUser: 1000 } }], containers: [{ name: "nginx", image: "nginx" }] } }, { status: "pass" }],
    ["test-45", I44, { spec: { initContainers: [{ name: "nginx", securityContext: { runAsUser: 0 } }], containers: [{ name: "nginx", image: "nginx" }] } }, { status: "fail", path: "/spec/initContainers/0/securityContext/runAsUser/" }],
    ["test-46", I44, { spec: { initContainers: [{ name: "istio-init", securityContext: { runAsUser: 0 } }], containers: [{ securityContext: { runAsUser: 1000 } }] } }, { status: "pass" }],
    ["test-47", I44, { spec: { initContainers: [{ name: "istio-init", securityContext: { runAsUser: 1000 } }], containers: [{ securityContext: { runAsUser: 0 } }] } }, { status: "fail", path: "/spec/containers/0/securityContext/runAsUser/" }],
    ["test-48", I44, { spec: { containers: [{ securityContext: { runAsUser: 1000 } }] } }, { status: "pass" }],
    ["test-49", I44, { spec: { containers: [{ securityContext: { runAsUser: 0 } }] } }, { status: "fail" }],
    ["test-50", I44, { spec: { initContainers: [{ name: "istio-init", securityContext: { runAsUser: 0 } }], containers: [{ name: "nginx", image: "nginx" }] } }, { status: "pass" }],
    ["test-51 (& in a conditional anchor)", V51, { spec: { volumes: [{ name: "credential-socket", emptyDir: { sizeLimit: "1Gi" } }] } }, { status: "skip" }],
    ["test-52", V51, { spec: { volumes: [{ name: "cache-volume", emptyDir: { sizeLimit: "1Gi" } }] } }, { status: "pass" }],
    ["test-53", V51, { spec: { volumes: [{ name: "cache-volume" }] } }, { status: "pass" }],
    ["test-54", V51, { spec: { volumes: [{ name: "cache-volume", emptyDir: {} }] } }, { status: "fail", path: "/spec/volumes/0/emptyDir/sizeLimit/" }],
    ["check_global_anchor_skip", G23, pod(["nginx", "nginx:v1", "Always"]), { status: "skip" }],
    ["check_global_anchor_fail", G23, pod(["nginx", "nginx:latest", "Always"]), { status: "fail" }],
    ["check_global_anchor_pass", G23, pod(["nginx", "nginx:latest", "IfNotPresent"]), { status: "pass" }],
    ["check_global_anchor_mixed", G23, pod(["nginx", "nginx:latest", "IfNotPresent"], ["nginx", "nginx:v2", "IfNotPresent"]), { status: "pass" }],
  ])("%s", (_name, pattern, resource, want) => {
    expectResult(validatePattern(resource, pattern), want);
  });

  it("reports Kyverno's messages for a skip", () => {
    const result = validatePattern(pod(["nginx", "nginx:1.2.3", "Always"]), C1);
    expect(result).toMatchObject({ status: "skip", message: "conditional anchor mismatch: resource value 'nginx:1.2.3' does not match '*:latest | !*:*' at path /spec/containers/0/image/" });
    expect(validatePattern({ spec: {} }, { spec: { "(hostNetwork)": true, containers: "*" } })).toMatchObject({
      status: "skip",
      message: "conditional anchor mismatch: conditional anchor key doesn't exist in the resource",
      // the skip is reported by the map that holds the anchor
      path: "/spec/",
    });
  });

  it("skips the whole rule when a conditional anchor of one branch does not apply, before siblings are checked", () => {
    const pattern = { metadata: { labels: { team: "?*" } }, spec: { containers: [{ "(image)": "*:latest", imagePullPolicy: "Always" }] } };
    expect(status(validatePattern({ metadata: { name: "x" }, spec: { containers: [{ image: "nginx:1" }] } }, pattern))).toBe("skip");
  });
});

describe("validatePattern: each anchor and its messages", () => {
  it.each<[string, unknown, unknown, Want]>([
    ["equality anchor: absent key passes", { spec: { "=(hostPID)": false } }, { spec: {} }, { status: "pass" }],
    ["equality anchor: present key must match", { spec: { "=(hostPID)": false } }, { spec: { hostPID: true } }, { status: "fail", path: "/spec/hostPID/", message: "resource value 'true' does not match 'false' at path /spec/hostPID/" }],
    ["negation anchor: absent key passes", { spec: { "X(hostPath)": null } }, { spec: {} }, { status: "pass" }],
    [
      "negation anchor: a present key fails whatever its value",
      { spec: { volumes: [{ "X(hostPath)": "null" }] } },
      { spec: { volumes: [{ name: "a" }, { name: "b", hostPath: null }] } },
      { status: "fail", path: "/spec/volumes/1/hostPath/", message: "negation anchor matched in resource: /spec/volumes/1/hostPath/ is not allowed" },
    ],
    ["existence anchor: one element matches", { spec: { "^(containers)": [{ image: "nginx:*" }] } }, { spec: { containers: [{ image: "a" }, { image: "nginx:1" }] } }, { status: "pass" }],
    ["existence anchor: none matches", { spec: { "^(containers)": [{ image: "nginx:*" }] } }, { spec: { containers: [{ image: "a" }] } }, { status: "fail", path: "/spec/containers/", message: "existence anchor validation failed at path /spec/containers/" }],
    ["existence anchor: every pattern map must be found", { "^(c)": [{ n: "a" }, { n: "b" }] }, { c: [{ n: "a" }, { n: "c" }] }, { status: "fail", path: "/c/" }],
    ["existence anchor: absent key passes", { "^(c)": [{ n: "a" }] }, { d: 1 }, { status: "pass" }],
    ["existence anchor: on a map", { "^(c)": [{ n: "a" }] }, { c: { n: "a" } }, { status: "fail", message: "invalid resource type map[string]interface {}: Existence ^ () anchor can be used only on list/array type resource" }],
    ["existence anchor: of scalars", { "^(c)": ["a"] }, { c: ["a"] }, { status: "fail", message: "invalid pattern type []interface {}: Pattern has to be of type map to compare against items in resource" }],
    ["conditional anchor: a map value must match as a whole", { "(spec)": { type: "LoadBalancer" }, metadata: { name: "lb-*" } }, { spec: { type: "ClusterIP" }, metadata: { name: "x" } }, { status: "skip" }],
    ["conditional anchor then a sibling", { "(type)": "LoadBalancer", ports: [{ port: "<1024" }] }, { type: "LoadBalancer", ports: [{ port: 8080 }] }, { status: "fail", path: "/ports/0/port/" }],
    ["global anchor: absent key does not skip", { spec: { "<(type)": "LoadBalancer", x: "1" } }, { spec: { x: "1" } }, { status: "pass" }],
    ["global anchor decides before earlier-sorted siblings", { spec: { "<(type)": "LoadBalancer", a: "1" } }, { spec: { type: "ClusterIP", a: "2" } }, { status: "skip" }],
    ["add-if-not-present anchor is refused (validate does not support it)", { spec: { "+(hostPID)": false } }, { spec: {} }, { status: "error", message: "unsupported anchor +(hostPID)" }],
    ["existence anchor value must be a list", { "^(c)": { n: "a" } }, { c: [] }, { status: "error", message: "existence anchor should have value of type list" }],
    ["existence anchor value must not be empty", { "^(c)": [] }, { c: [] }, { status: "error", message: "existence anchor: should have atleast one value" }],
  ])("%s", (_name, pattern, resource, want) => {
    expectResult(validatePattern(resource, pattern), want);
  });
});

describe("validatePattern: types, lists, null and empty patterns", () => {
  it.each<[string, unknown, unknown, Want]>([
    ["empty pattern map", {}, { a: 1 }, { status: "pass" }],
    ["a map pattern against a scalar", { spec: { a: 1 } }, { spec: "x" }, { status: "fail", path: "/spec/", message: "pattern and resource have different structures. Path: /spec/. Expected map[string]interface {}, found string" }],
    ["a map pattern against a missing key", { spec: { a: 1 } }, {}, { status: "fail", message: "pattern and resource have different structures. Path: /spec/. Expected map[string]interface {}, found <nil>" }],
    ["a list pattern against a map", { items: [{ a: 1 }] }, { items: { a: 1 } }, { status: "fail", message: "validation rule failed at path /items/, resource does not satisfy the expected overlay pattern" }],
    ["a scalar pattern against a map", { spec: "x" }, { spec: { a: 1 } }, { status: "fail", message: "resource value 'map[a:1]' does not match 'x' at path /spec/" }],
    ["a scalar pattern against a list: every element", { args: "--*" }, { args: ["--a", "b"] }, { status: "fail", message: "resource value '[--a b]' does not match '--*' at path /args/" }],
    ["a scalar pattern against an empty list", { args: "--*" }, { args: [] }, { status: "pass" }],
    ["a list of scalars uses its first element for every resource element", { args: ["--*", "ignored"] }, { args: ["--a", "--b"] }, { status: "pass" }],
    ["a list of maps against an empty list", { containers: [{ name: "a" }] }, { containers: [] }, { status: "pass" }],
    ["a list of maps uses its first map only", { containers: [{ name: "a*" }, { name: "zzz" }] }, { containers: [{ name: "ab" }] }, { status: "pass" }],
    ["a list of maps against a list of scalars", { c: [{ a: 1 }] }, { c: ["x"] }, { status: "fail", path: "/c/0/" }],
    ["an empty list pattern", { c: [] }, { c: [1] }, { status: "fail", path: "/c/", message: "pattern Array empty" }],
    ["nested lists match by position", { m: [["a*"], ["b*"]] }, { m: [["ax"], ["bx"], ["zz"]] }, { status: "pass" }],
    ["nested lists fail by position", { m: [["a*"], ["b*"]] }, { m: [["ax"], ["zz"]] }, { status: "fail", path: "/m/1/" }],
    ["nested lists shorter than the pattern are a rule error", { m: [["a*"], ["b*"]] }, { m: [["ax"]] }, { status: "error", message: "validate Array failed, array length mismatch, resource Array len is 1 and pattern Array len is 2" }],
    ["null pattern against a missing key", { a: null }, {}, { status: "pass" }],
    ["null pattern against empty string, 0 and false", { a: null, b: null, c: null }, { a: "", b: 0, c: false }, { status: "pass" }],
    ["null pattern against a map", { a: null }, { a: {} }, { status: "fail", message: "resource value 'map[]' does not match '<nil>' at path /a/" }],
    ["'*' requires the key", { a: "*" }, { b: 1 }, { status: "fail", path: "/", message: "//a not found" }],
    ["'*' accepts a map", { a: "*" }, { a: { b: 1 } }, { status: "pass" }],
    ["'?*' requires a non-empty value", { a: "?*" }, { a: "" }, { status: "fail" }],
    ["'?*' accepts a number (int64 digits)", { a: "?*" }, { a: 0 }, { status: "pass" }],
    ["a number pattern against a string", { replicas: 3 }, { replicas: "3" }, { status: "pass" }],
    ["a number pattern against a different number", { replicas: 3 }, { replicas: 4 }, { status: "fail", message: "resource value '4' does not match '3' at path /replicas/" }],
    ["a bool pattern against a string", { a: true }, { a: "true" }, { status: "fail" }],
    ["a float64 pattern prints as Go does", { a: 1000000 }, { a: 5 }, { status: "fail", message: "resource value '5' does not match '1e+06' at path /a/" }],
    ["a pattern at the root against a scalar resource", "x", "x", { status: "pass" }],
    ["a null pattern at the root against a map", null, { a: 1 }, { status: "fail", path: "/" }],
  ])("%s", (_name, pattern, resource, want) => {
    expectResult(validatePattern(resource, pattern), want);
  });

  it("an undefined pattern value is a malformed pattern", () => {
    expect(validatePattern({ a: 1 }, { a: undefined }).status).toBe("error");
  });

  it("reports a failure without a path as an error when an anchor of the pattern is missing everywhere (KeysAreMissing)", () => {
    // X(hostPath) never met a resource map with hostPath, and another check fails: Kyverno returns a PatternError without a path
    const pattern = { spec: { volumes: [{ "X(hostPath)": "null" }] }, metadata: { labels: { team: "?*" } } };
    const result = validatePattern({ metadata: { labels: {} }, spec: { volumes: [{ name: "a" }] } }, pattern);
    expect(result).toEqual({ status: "error", message: "resource value '<nil>' does not match '?*' at path /metadata/labels/team/" });
    expect(validatePattern({ metadata: { labels: { team: "a" } }, spec: { volumes: [{ name: "a" }] } }, pattern).status).toBe("pass");
  });

  it("the resource's integers are int64 unless numbers: float64", () => {
    expect(validatePattern({ port: 8080 }, { port: "80*" }).status).toBe("pass");
    expect(validatePattern({ port: 8080 }, { port: "80*" }, { numbers: "float64" }).status).toBe("fail");
  });
});

// Kyverno CLI conformance suites (shared/conformance/kyverno-cli/test/...), the pattern part of each
describe("validatePattern: Kyverno CLI conformance folders", () => {
  const rangePattern = { data: { fifth_value: "-10--8", first_value: "+2-+4", fourth_value: "2.5-3.5", second_value: "-2-5", third_value: "100Mi!-1024Mi" } };
  const supplemental = { spec: { "=(securityContext)": { "=(supplementalGroups)": "100-200 | 500-600" } } };
  it.each<[string, unknown, unknown, Want]>([
    ["rangeoperators: test-config-fail", rangePattern, { data: { first_value: "3", second_value: "4", third_value: "98Mi", fourth_value: "2.7", fifth_value: "-15" } }, { status: "fail", path: "/data/fifth_value/" }],
    ["rangeoperators: every value in range", rangePattern, { data: { first_value: "3", second_value: "-2", third_value: "2Gi", fourth_value: "3.5", fifth_value: "-9" } }, { status: "pass" }],
    ["rangeoperators: not-in-range value inside the range", rangePattern, { data: { first_value: "3", second_value: "4", third_value: "512Mi", fourth_value: "2.7", fifth_value: "-9" } }, { status: "fail", path: "/data/third_value/" }],
    ["default_value_to_create: badpod01", supplemental, { spec: { containers: [{ name: "c", image: "i" }], securityContext: { supplementalGroups: [0] } } }, { status: "fail", path: "/spec/securityContext/supplementalGroups/" }],
    ["default_value_to_create: goodpod01", supplemental, { spec: { containers: [{ name: "c", image: "i" }], securityContext: { supplementalGroups: [100] } } }, { status: "pass" }],
    ["default_value_to_create: no securityContext", supplemental, { spec: { containers: [] } }, { status: "pass" }],
    ["multiple-validate-rules: restrict-nodeport", { spec: { "=(type)": "!NodePort" } }, { spec: { type: "LoadBalancer", ports: [{ port: 22 }] } }, { status: "pass" }],
    ["multiple-validate-rules: a NodePort", { spec: { "=(type)": "!NodePort" } }, { spec: { type: "NodePort" } }, { status: "fail", path: "/spec/type/" }],
    ["unordered-context-variables: valid-pod", { spec: { "=(hostIPC)": false, "=(hostPID)": false } }, { spec: { containers: [{ name: "app", image: "myorg/whatever:1.0.0" }] } }, { status: "pass" }],
    ["wildcard_match_label_selector: my-service-1", { spec: { containers: [{ image: "!*:latest" }] } }, { spec: { containers: [{ name: "nginx", image: "nginx" }] } }, { status: "pass" }],
    ["preconditions: test-valid", { spec: { containers: [{ name: "*busybox*" }] } }, { spec: { containers: [{ image: "busybox:1.28", name: "busybox" }] } }, { status: "pass" }],
    ["preconditions: test-invalid", { spec: { containers: [{ name: "*busybox*" }] } }, { spec: { containers: [{ name: "nginx", image: "nginx:latest" }] } }, { status: "fail", path: "/spec/containers/0/name/" }],
    ["node-status: kernel version", { status: { nodeInfo: { kernelVersion: "!5.10.84-1 & !5.15.5-2" } } }, { status: { nodeInfo: { architechture: "amd64", kernelVersion: "5.16.5-arch1-1" } } }, { status: "pass" }],
  ])("%s", (_name, pattern, resource, want) => {
    expectResult(validatePattern(resource, pattern), want);
  });
});

describe("validateAnyPattern", () => {
  // anypattern_skip_error: check-loadbalancer-public
  const patterns = [
    { metadata: { annotations: { "service.beta.kubernetes.io/aws-load-balancer-security-groups": "?*" } }, spec: { "<(type)": "LoadBalancer" } },
    { spec: { "<(type)": "LoadBalancer", loadBalancerSourceRanges: "*" } },
  ];
  const service = (annotations: Record<string, string>, spec: Record<string, unknown>) => ({ metadata: { name: "s", annotations }, spec });
  it.each<[string, unknown, PatternResult["status"]]>([
    ["anypattern_skip_error: service-public-pass", service({ "meta.helm.sh/release-name": "app" }, { type: "LoadBalancer", loadBalancerSourceRanges: ["3.224.166.65/32"] }), "pass"],
    ["anypattern_skip_error: service-public-2-pass", service({ "service.beta.kubernetes.io/aws-load-balancer-security-groups": "sg-01" }, { type: "LoadBalancer", clusterIP: "100.67.234.84" }), "pass"],
    ["anypattern_skip_error: service-public-fail", service({ "external-dns.alpha.kubernetes.io/hostname": "x" }, { type: "LoadBalancer", clusterIP: "100.67.234.84" }), "fail"],
    ["anypattern_skip_error: service-clusterip-skip", { metadata: { name: "s" }, spec: { type: "ClusterIP", ports: [{ port: 80 }] } }, "skip"],
  ])("%s", (_name, resource, want) => {
    expect(validateAnyPattern(resource, patterns).status).toBe(want);
  });

  it("fails when one pattern skips and another fails, with Kyverno's messages", () => {
    const result = validateAnyPattern({ spec: { type: "ClusterIP", x: "1" } }, [{ spec: { "<(type)": "LoadBalancer" } }, { spec: { x: "2" } }], { ruleName: "check" });
    expect(result).toEqual({ status: "fail", path: "/spec/x/", message: "rule check[1] failed at path /spec/x/" });
  });

  it("skips when every pattern skips", () => {
    const result = validateAnyPattern({ spec: { type: "ClusterIP" } }, [{ spec: { "(type)": "LoadBalancer" } }, { spec: { "<(type)": "NodePort" } }], { ruleName: "r" });
    expect(result.status).toBe("skip");
    expect(result.status === "skip" && result.message).toBe(
      "rule r[0] skipped: conditional anchor mismatch: resource value 'ClusterIP' does not match 'LoadBalancer' at path /spec/type/ rule r[1] skipped: global anchor mismatch: resource value 'ClusterIP' does not match 'NodePort' at path /spec/type/",
    );
  });

  it("lists every failure, those without a path with their error", () => {
    const result = validateAnyPattern({ m: [["a"]], b: 1 }, [{ b: 2 }, { m: [["a"], ["b"]] }], { ruleName: "r" });
    expect(result).toEqual({
      status: "fail",
      path: "/b/",
      message: "rule r[0] failed at path /b/ rule r[1] failed: validate Array failed, array length mismatch, resource Array len is 1 and pattern Array len is 2",
    });
  });

  it("passes as soon as a later pattern passes", () => {
    expect(validateAnyPattern({ a: 1 }, [{ a: 2 }, { "(b)": 1 }, { a: 1 }]).status).toBe("pass");
  });

  it("passes an empty list and refuses a malformed one", () => {
    expect(validateAnyPattern({ a: 1 }, []).status).toBe("pass");
    expect(validateAnyPattern({ a: 1 }, "x" as unknown as unknown[]).status).toBe("error");
    expect(validateAnyPattern({ a: 1 }, [{ a: 1 }, { "+(a)": 1 }]).status).toBe("error");
  });
});
