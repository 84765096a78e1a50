// The JSON report against its schema (schemas/report.v1.json), its key order, and the format registry.
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import schema from "../../schemas/report.v1.json" with { type: "json" };
import { UserError } from "../../src/errors.ts";
import type { Finding, ObjectDiff, RunReport } from "../../src/model.ts";
import { REPORT_FORMATS, renderReport } from "../../src/report/index.ts";
import { canonicalReport, renderJson } from "../../src/report/json.ts";
import { renderMarkdown } from "../../src/report/markdown.ts";
import { renderText } from "../../src/report/text.ts";
import { environment, expectGolden, largeReport, objectDiff, objectId, report, sampleReport, sampleReportWithLargeDiffs } from "../helpers/report-builders.ts";

const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

/** Every optional field of the model set at least once. */
function reportWithEveryField(): RunReport {
  const finding: Finding = {
    ruleId: "remote-resource",
    severity: "notice",
    message: "m",
    environment: "clusters/prod",
    object: objectId("Secret", "creds-abc", "prod"),
    path: "data.k",
    location: { file: "clusters/prod/kustomization.yaml", line: 2, column: 5 },
  };
  const diff: ObjectDiff = {
    ...objectDiff("Secret", "creds-abc", { namespace: "prod" }),
    previousName: "creds-xyz",
    secretKeys: [{ key: "k", change: "changed", before: { length: 3, fingerprint: "abcdef01" }, after: { length: 4, fingerprint: "01abcdef" } }],
    source: { file: "clusters/prod/secret.yaml", line: 1, column: 1 },
  };
  const result = environment("clusters/prod", "changed", [diff], [finding]);
  result.environment = { ...result.environment, cluster: "prod-eu", group: "production", definedAt: { file: "clusters/prod-eu/apps.yaml", line: 3, column: 1 } };
  return { ...report([result], { findings: [finding], unread: ["README.md"] }), head: { ref: "working tree", sha: "WORKTREE" } };
}

function expectValid(value: unknown): void {
  const ok = validate(value);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

/** All property names a JSON value uses, with their path (array indexes left out). */
function keyPaths(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => keyPaths(item, prefix));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) => [`${prefix}${key}`, ...keyPaths(child, `${prefix}${key}.`)]);
}

/** All property names the schema declares, resolving its $refs. */
function schemaPaths(node: Record<string, unknown>, prefix = "", seen = new Set<string>()): string[] {
  const ref = node.$ref as string | undefined;
  if (ref) {
    const name = ref.replace("#/definitions/", "");
    return seen.has(`${prefix}${name}`) ? [] : schemaPaths((schema.definitions as Record<string, Record<string, unknown>>)[name]!, prefix, new Set(seen).add(`${prefix}${name}`));
  }
  if (node.items) return schemaPaths(node.items as Record<string, unknown>, prefix, seen);
  const properties = (node.properties ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(properties).flatMap(([key, child]) => [`${prefix}${key}`, ...schemaPaths(child, `${prefix}${key}.`, seen)]);
}

describe("JSON report", () => {
  it("report.json golden", () => expectGolden("report.json", renderJson(sampleReport())));

  it.each([
    { name: "the sample", build: sampleReport },
    { name: "large diffs", build: sampleReportWithLargeDiffs },
    { name: "many environments", build: () => largeReport(3, 2, 2) },
    { name: "every optional field", build: reportWithEveryField },
    { name: "no environments", build: () => report([]) },
  ])("validates against schemas/report.v1.json: $name", ({ build }) => {
    expectValid(JSON.parse(renderJson(build())));
  });

  it("the schema declares exactly the fields of the model", () => {
    const used = new Set(keyPaths(JSON.parse(renderJson(reportWithEveryField()))));
    expect(new Set(schemaPaths(schema as Record<string, unknown>))).toEqual(used);
  });

  it.each([
    { name: "an unknown field", change: (value: Record<string, unknown>) => Object.assign(value, { extra: 1 }) },
    { name: "an unknown status", change: (value: Record<string, unknown>) => Object.assign((value.environments as Array<Record<string, unknown>>)[0]!, { status: "exploded" }) },
    { name: "another schema version", change: (value: Record<string, unknown>) => Object.assign(value, { schemaVersion: 2 }) },
    { name: "a missing gate", change: (value: Record<string, unknown>) => delete value.gate },
    { name: "a fingerprint that is not 8 hex digits", change: (value: Record<string, unknown>) => Object.assign(((value.environments as Array<{ diffs: Array<{ secretKeys: Array<{ before: object }> }> }>)[0]!.diffs[0]!.secretKeys[0]!.before), { fingerprint: "secret!!" }) },
  ])("the schema rejects $name", ({ change }) => {
    const value = JSON.parse(renderJson(reportWithEveryField())) as Record<string, unknown>;
    change(value);
    expect(validate(value)).toBe(false);
  });

  it("orders keys as the model declares them, however the report was assembled", () => {
    const original = reportWithEveryField();
    const shuffled = JSON.parse(JSON.stringify(original), (_key, value: unknown) =>
      value && typeof value === "object" && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).reverse()) : value,
    ) as RunReport;
    expect(Object.keys(shuffled)[0]).toBe("durationMs");
    expect(renderJson(shuffled)).toBe(renderJson(original));
    expect(Object.keys(JSON.parse(renderJson(shuffled)))).toEqual(["schemaVersion", "tool", "base", "head", "environments", "findings", "changedFiles", "unreadChangedFiles", "summary", "gate", "durationMs"]);
  });

  it("drops what the model does not declare and keeps everything it does", () => {
    const original = reportWithEveryField();
    const withExtra = { ...original, debug: { token: "x" }, environments: original.environments.map((result) => ({ ...result, internal: true })) } as RunReport;
    expect(renderJson(withExtra)).not.toMatch(/debug|internal/);
    expect(canonicalReport(withExtra)).toEqual(original);
  });

  it("is pretty-printed with a final newline", () => {
    const text = renderJson(sampleReport());
    expect(text.startsWith('{\n  "schemaVersion": 1,\n  "tool": {\n')).toBe(true);
    expect(text.endsWith("}\n")).toBe(true);
  });
});

describe("report registry", () => {
  it("renders each built-in format by name", () => {
    const input = sampleReport();
    expect(renderReport("json", input)).toBe(renderJson(input));
    expect(renderReport("text", input, { color: true })).toBe(renderText(input, { color: true }));
    expect(renderReport("markdown", input, { budget: 2000, marker: "<!-- m -->" })).toBe(renderMarkdown(input, { budget: 2000, marker: "<!-- m -->" }));
    expect(REPORT_FORMATS).toEqual(expect.arrayContaining(["text", "json", "markdown"]));
  });

  it("rejects an unknown format, naming the known ones", () => {
    expect(() => renderReport("xml", sampleReport())).toThrow(UserError);
    expect(() => renderReport("xml", sampleReport())).toThrow(`unknown report format "xml" (expected one of: ${REPORT_FORMATS.join(", ")})`);
    // names of Object.prototype are not formats
    expect(() => renderReport("toString", sampleReport())).toThrow(/unknown report format "toString"/);
  });
});
