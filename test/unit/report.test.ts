import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import schema from "../../schemas/report.v1.json" with { type: "json" };
import { renderReport } from "../../src/report/index.ts";
import { renderMarkdownWithLevel } from "../../src/report/markdown.ts";
import { renderText } from "../../src/report/text.ts";
import { largeReport, objectDiff, report, environment, sampleReport } from "../helpers/report-builders.ts";

const GOLDEN = path.resolve(import.meta.dirname, "../golden/report");

/** Compares with a golden file; UPDATE_GOLDEN=1 rewrites it. */
function expectGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === "1") {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual).toBe(readFileSync(file, "utf8"));
}

describe("report goldens", () => {
  it.each([
    { name: "markdown-full.md", render: () => renderReport("markdown", sampleReport(), { budget: 65_000, marker: "<!-- gitops-verify -->" }) },
    { name: "markdown-cut-diffs.md", render: () => renderReport("markdown", largeReport(3, 3, 40), { budget: 6000, fullReportUrl: "https://ci.example/run/1" }) },
    { name: "markdown-object-list.md", render: () => renderReport("markdown", largeReport(4, 3, 40), { budget: 2500 }) },
    { name: "markdown-summary.md", render: () => renderReport("markdown", largeReport(12, 3, 40), { budget: 1500 }) },
    { name: "text-nocolor.txt", render: () => renderText(sampleReport(), { color: false }) },
    { name: "text-color.txt", render: () => renderText(sampleReport(), { color: true }) },
    { name: "report.json", render: () => renderReport("json", sampleReport()) },
  ])("$name", ({ name, render }) => {
    expectGolden(name, render());
  });
});

describe("markdown budget: always fits, degrading in steps", () => {
  const big = largeReport(30, 6, 80);
  it.each([
    { budget: 1_000_000, level: "full" },
    { budget: 65_536, level: "cut-diffs" },
    { budget: 20_000, level: "object-list" },
    { budget: 8_000, level: "object-list" },
    { budget: 3_000, level: "object-list" },
    { budget: 1_000, level: "summary" },
    { budget: 500, level: "summary" },
    { budget: 200, level: "one-line" },
    { budget: 40, level: "one-line" },
  ])("budget $budget → $level", ({ budget, level }) => {
    const { text, level: chosen } = renderMarkdownWithLevel(big, { budget, marker: "<!-- gitops-verify -->" });
    expect(text.length).toBeLessThanOrEqual(budget);
    expect(chosen).toBe(level);
    if (chosen !== "full" && budget >= 200) expect(text).toMatch(/full report/);
  });

  it("never chooses a poorer level for a larger budget", () => {
    const order = ["full", "cut-diffs", "object-list", "summary", "one-line"];
    let previous = order.length - 1;
    for (let budget = 100; budget <= 120_000; budget = Math.ceil(budget * 1.15)) {
      const { text, level } = renderMarkdownWithLevel(big, { budget });
      expect(text.length).toBeLessThanOrEqual(budget);
      expect(order.indexOf(level), `budget ${budget}`).toBeLessThanOrEqual(previous);
      previous = order.indexOf(level);
    }
  });

  it("cuts the largest diffs first", () => {
    const result = report([
      environment("a", "changed", [objectDiff("Deployment", "small", { lines: 2 }), objectDiff("Deployment", "huge", { lines: 400 })]),
    ]);
    const { text, level } = renderMarkdownWithLevel(result, { budget: 4000 });
    expect(level).toBe("cut-diffs");
    expect(text).toContain("+  value1: new"); // the small diff is kept
    expect(text).toContain("Diff of 800 changed lines left out to fit");
    expect(text).toMatch(/diffs of the 1 largest object were left out/);
  });

  it("is fast on a huge report", () => {
    const huge = largeReport(300, 10, 50);
    const started = performance.now();
    for (const budget of [65_536, 10_000, 1_000]) expect(renderMarkdownWithLevel(huge, { budget }).text.length).toBeLessThanOrEqual(budget);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe("markdown safety", () => {
  it("a diff containing a code fence cannot close the block", () => {
    const diff = objectDiff("ConfigMap", "readme");
    diff.patch = "--- a\n+++ b\n@@ -1 +1 @@\n-```\n+````js\n";
    const text = renderReport("markdown", report([environment("docs", "changed", [diff])]), { budget: 65_000 });
    expect(text).toContain("`````diff\n");
  });

  it("escapes HTML and table pipes in names and messages", () => {
    const text = renderReport(
      "markdown",
      report([environment("apps/<script>|x", "failed", [], [{ ruleId: "render-failed", severity: "error", message: "bad | <b>thing</b>" }])]),
      { budget: 65_000 },
    );
    expect(text).not.toContain("<script>");
    expect(text).not.toContain("<b>thing");
    expect(text).toContain("bad \\| &lt;b&gt;thing&lt;/b&gt;");
  });
});

describe("JSON report", () => {
  it("validates against schemas/report.v1.json", () => {
    const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
    for (const sample of [sampleReport(), largeReport(2, 2, 2)]) {
      const ok = validate(JSON.parse(renderReport("json", sample)));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it("rejects unknown formats, naming the known ones", () => {
    expect(() => renderReport("xml", sampleReport())).toThrow('unknown report format "xml" (expected one of: text, markdown, json, sarif, junit, codequality)');
  });
});
