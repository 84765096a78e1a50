// The PR comment: goldens per degradation level, the budget always kept, and markdown that cannot be broken.
import { describe, expect, it } from "vitest";
import type { Finding, RunReport } from "../../src/model.ts";
import { MARKDOWN_LEVELS, QUIET_ROWS, renderMarkdown, renderMarkdownWithLevel, type MarkdownLevel } from "../../src/report/markdown.ts";
import { environment, expectGolden, largeReport, objectDiff, report, sampleReport, sampleReportWithLargeDiffs } from "../helpers/report-builders.ts";

const MARKER = "<!-- gitops-verify -->";
const URL = "https://ci.example/run/1";
const DEFAULT_WHERE = "the job summary / report artifact";

/** Structural invariants every comment must keep, whatever was cut or however hostile the content. */
function expectWellFormed(text: string): void {
  const { outside, unclosedFence } = outsideCodeBlocks(text);
  expect(unclosedFence, "every fence closed").toBe(false);
  expect(count(outside, "<details"), "balanced <details>").toBe(count(outside, "</details>"));
  expect(count(outside, "<summary>"), "balanced <summary>").toBe(count(outside, "</summary>"));
}

/** The text outside fenced code blocks, read as CommonMark does: a fence closes on a line of at least as many backticks. */
function outsideCodeBlocks(text: string): { outside: string; unclosedFence: boolean } {
  const kept: string[] = [];
  let fence = 0;
  for (const line of text.split("\n")) {
    const run = /^ {0,3}(`{3,})/.exec(line)?.[1]?.length ?? 0;
    if (fence === 0 && run > 0) fence = run;
    else if (fence > 0 && run >= fence && /^ {0,3}`+\s*$/.test(line)) fence = 0;
    else if (fence === 0) kept.push(line);
  }
  return { outside: kept.join("\n"), unclosedFence: fence > 0 };
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe("markdown goldens", () => {
  it.each([
    { name: "markdown-full.md", build: sampleReport, budget: 65_536, level: "full", url: undefined },
    { name: "markdown-budget-8000.md", build: sampleReportWithLargeDiffs, budget: 8000, level: "cut-diffs", url: URL },
    { name: "markdown-budget-2000.md", build: sampleReportWithLargeDiffs, budget: 2000, level: "object-list", url: undefined },
    { name: "markdown-summary-only.md", build: sampleReportWithLargeDiffs, budget: 800, level: "summary", url: URL },
    { name: "markdown-one-line.md", build: sampleReportWithLargeDiffs, budget: 300, level: "one-line", url: undefined },
  ] as const)("$name ($level)", ({ name, build, budget, level, url }) => {
    const result = renderMarkdownWithLevel(build(), { budget, marker: MARKER, fullReportUrl: url });
    expect(result.level).toBe(level);
    expect(result.text.length).toBeLessThanOrEqual(budget);
    expectWellFormed(result.text);
    expectGolden(name, result.text);
  });
});

describe("markdown budget: always fits, degrading in steps", () => {
  const big = largeReport(30, 6, 80);

  it.each([
    { budget: 65_536, level: "cut-diffs" },
    { budget: 20_000, level: "object-list" },
    { budget: 8000, level: "object-list" },
    { budget: 3000, level: "object-list" },
    { budget: 1000, level: "summary" },
    { budget: 500, level: "summary" },
    { budget: 200, level: "one-line" },
  ] as const)("30 environments with large diffs, budget $budget → $level", ({ budget, level }) => {
    const { text, level: chosen } = renderMarkdownWithLevel(big, { budget, marker: MARKER });
    expect(text.length).toBeLessThanOrEqual(budget);
    expect(chosen).toBe(level);
    expect(text.startsWith(`${MARKER}\n`)).toBe(true);
    expect(text, "says where the full report is").toContain(DEFAULT_WHERE);
    expect(text, "says what was cut").toMatch(level === "one-line" ? /Details omitted/ : /Shortened to fit the comment size limit: .* omitted/);
    expectWellFormed(text);
  });

  it("renders everything when it fits", () => {
    const { text, level } = renderMarkdownWithLevel(big, { budget: 10_000_000 });
    expect(level).toBe("full");
    expect(text).not.toContain("Shortened");
    expect(count(text, "```diff")).toBe(180);
  });

  it("links the full report when its URL is given", () => {
    const text = renderMarkdown(big, { budget: 8000, fullReportUrl: URL });
    expect(text).toContain(`Everything is in [the full report](${URL}).`);
    expect(text).not.toContain(DEFAULT_WHERE);
  });

  it("keeps within budgets down to nothing, never cutting the marker", () => {
    for (const input of [sampleReportWithLargeDiffs(), largeReport(3, 3, 10)]) {
      for (let budget = 0; budget <= 700; budget++) {
        const { text } = renderMarkdownWithLevel(input, { budget, marker: MARKER });
        expect(text.length, `budget ${budget}`).toBeLessThanOrEqual(budget);
        // a cut "<!--" would hide the rest of the comment
        if (text.includes("<!--")) expect(text.startsWith(`${MARKER}\n`), `budget ${budget}`).toBe(true);
      }
    }
  });

  it("gives a minimal summary, not a cut line, from about 500 characters", () => {
    const { text, level } = renderMarkdownWithLevel(sampleReportWithLargeDiffs(), { budget: 500, marker: MARKER });
    expect(level).toBe("summary");
    expect(text).toContain("gitops-verify could not complete");
    expect(text).toContain("not listed");
  });

  it("never chooses a poorer level for a larger budget", () => {
    for (const input of [big, sampleReportWithLargeDiffs()]) {
      let previous = MARKDOWN_LEVELS.length - 1;
      for (let budget = 50; budget <= 1_000_000; budget = Math.ceil(budget * 1.1)) {
        const { text, level } = renderMarkdownWithLevel(input, { budget, marker: MARKER });
        expect(text.length).toBeLessThanOrEqual(budget);
        expect(MARKDOWN_LEVELS.indexOf(level), `budget ${budget}`).toBeLessThanOrEqual(previous);
        previous = MARKDOWN_LEVELS.indexOf(level);
      }
      expect(previous).toBe(0);
    }
  });

  it("cuts the largest diffs first and says how many", () => {
    const input = report([
      environment("apps/a", "changed", [objectDiff("Deployment", "small", { lines: 2 }), objectDiff("Deployment", "huge", { lines: 400 }), objectDiff("Deployment", "medium", { lines: 30 })]),
    ]);
    const { text, level } = renderMarkdownWithLevel(input, { budget: 4000 });
    expect(level).toBe("cut-diffs");
    expect(text).toContain("+  value1: new"); // the small diff is kept
    expect(text).toContain("+  value29: new"); // and the medium one
    expect(text).toContain("<code>~ Deployment huge</code> <sub>apps/base/huge.yaml:1</sub>: diff of 801 lines omitted — see the full report");
    expect(text).toContain("the diff of the largest object was omitted");
  });

  it("lists objects without diffs before giving up on them, counting what is left out", () => {
    const { text, level } = renderMarkdownWithLevel(big, { budget: 3000 });
    expect(level).toBe("object-list");
    expect(text).not.toContain("```");
    expect(text).toMatch(/- <code>~ Deployment env-0\/app-0<\/code>/);
    expect(text).toMatch(/_…and \d+ more environments not listed here\._/);
  });

  it("stays fast on a huge report: sizes are computed, not re-rendered", () => {
    const huge = largeReport(300, 10, 50);
    const started = performance.now();
    for (const budget of [65_536, 20_000, 1000]) expect(renderMarkdown(huge, { budget }).length).toBeLessThanOrEqual(budget);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe("markdown content", () => {
  it("puts the marker first and counts it", () => {
    const text = renderMarkdown(sampleReport(), { budget: 65_536, marker: MARKER });
    expect(text.split("\n")[0]).toBe(MARKER);
    expect(renderMarkdown(sampleReport(), { budget: 65_536 }).startsWith("### ")).toBe(true);
  });

  it("has a title with the gate result and a summary table", () => {
    const text = renderMarkdown(sampleReport(), { budget: 65_536 });
    expect(text.split("\n")[0]).toBe("### ⚠️ gitops-verify could not complete: 2 environments changed, 1 failed to render");
    expect(text).toContain("| Environment | Status | Added | Changed | Removed |");
    expect(text).toContain("| apps/production | changed | 0 | 2 | 1 |");
  });

  it("shows failed environments first, open, with their findings", () => {
    const text = renderMarkdown(sampleReport(), { budget: 65_536 });
    expect(text).toContain('<details open><summary><b>apps/broken</b>: failed</summary>\n\n- **error** <code>apps/broken/kustomization.yaml:4</code>: render failed: resources references "gone.yaml", which does not exist');
    expect(text.indexOf("| apps/broken |")).toBeLessThan(text.indexOf("| apps/preview |"));
  });

  it.each([
    { quiet: QUIET_ROWS, rows: true },
    { quiet: QUIET_ROWS + 1, rows: false },
  ])("$quiet quiet environments: a row each is $rows", ({ quiet, rows }) => {
    const environments = [environment("apps/web", "changed", [objectDiff("Deployment", "web")])];
    for (let index = 0; index < quiet; index++) environments.push(environment(`quiet/${String(index).padStart(2, "0")}`, index % 2 ? "unchanged" : "unaffected"));
    const text = renderMarkdown(report(environments), { budget: 65_536 });
    expect(text.includes("| quiet/00 |")).toBe(rows);
    if (!rows) expect(text).toContain(`_${Math.ceil(quiet / 2)} environments not affected by this change; ${Math.floor(quiet / 2)} environments rendered with no change._`);
  });

  it("shows Secret key changes, which carry only lengths and fingerprints", () => {
    const text = renderMarkdown(sampleReport(), { budget: 65_536 });
    expect(text).toContain("- secret key password: changed (16 bytes, fp 0a1b2c3d → 24 bytes, fp 9f8e7d6c)");
    expect(text).toContain("- secret key token: added (40 bytes, fp 11223344)");
  });

  it("shortens very long messages, and counts findings past the first twenty", () => {
    const findings: Finding[] = Array.from({ length: 25 }, (_, index) => ({ ruleId: "yaml-invalid", severity: "error", message: `bad ${index} ${"x".repeat(2000)}` }));
    const text = renderMarkdown(report([environment("apps/a", "failed", [], findings)]), { budget: 65_536 });
    expect(text).toContain("- _…and 5 more findings_");
    expect(text).not.toContain("x".repeat(500));
    expect(text).toContain(`${"x".repeat(400)}…`);
  });
});

describe("markdown safety", () => {
  it("a diff containing code fences cannot close its block", () => {
    const diff = objectDiff("ConfigMap", "readme");
    diff.patch = "--- a\n+++ b\n@@ -1,2 +1,2 @@\n-```\n+````js\n ```\n";
    const text = renderMarkdown(report([environment("docs", "changed", [diff])]), { budget: 65_536 });
    expect(text).toContain("`````diff\n--- a\n");
    expect(text).toContain(" ```\n`````\n");
    expectWellFormed(text);
  });

  it("escapes pipes, angle brackets and backticks in names and messages", () => {
    const finding: Finding = { ruleId: "render-failed", severity: "error", message: "bad | <b>thing</b> `code`" };
    const text = renderMarkdown(report([environment("apps/<script>|`x`", "failed", [], [finding])]), { budget: 65_536 });
    expect(text).not.toMatch(/<script>|<b>thing|`code`|`x`/);
    expect(text).toContain("| apps/&lt;script&gt;&#124;&#96;x&#96; | ❌ failed |  |  |  |");
    expect(text).toContain("<b>apps/&lt;script&gt;&#124;&#96;x&#96;</b>");
    expect(text).toContain("bad &#124; &lt;b&gt;thing&lt;/b&gt; &#96;code&#96;");
  });

  it("keeps a table row one line, whatever the name holds", () => {
    const text = renderMarkdown(report([environment("apps/a\nb|c", "changed", [objectDiff("Deployment", "web")])]), { budget: 65_536 });
    const row = text.split("\n").find((line) => line.startsWith("| apps/a"));
    expect(row).toBe("| apps/a b&#124;c | changed | 0 | 1 | 0 |");
  });

  it("encodes characters that would end the report link", () => {
    const text = renderMarkdown(largeReport(5, 3, 40), { budget: 3000, fullReportUrl: "https://ci.example/run (1)/<x>" });
    expect(text).toContain("[the full report](https://ci.example/run%20%281%29/%3Cx%3E)");
  });

  it.each(MARKDOWN_LEVELS)("level %s stays well-formed with hostile content", (level: MarkdownLevel) => {
    const hostile = objectDiff("ConfigMap", "x`</details>");
    hostile.patch = "--- a\n+++ b\n@@ -1 +1 @@\n-</details>\n+```\n";
    const input: RunReport = report([environment("a|<details>", "changed", [hostile, objectDiff("Deployment", "web", { lines: 200 })])]);
    const budgets: Record<MarkdownLevel, number> = { full: 65_536, "cut-diffs": 3000, "object-list": 700, summary: 450, "one-line": 200 };
    const result = renderMarkdownWithLevel(input, { budget: budgets[level] });
    expect(result.level).toBe(level);
    expectWellFormed(result.text);
    expect(result.text).not.toContain("<details>|");
  });
});

describe("markdown for the pullers' environments", () => {
  it("groups by cluster, with the path beside each name; skipped environments say why", () => {
    const inCluster = (name: string, cluster: string | undefined, path: string, status: Parameters<typeof environment>[1], findings: Finding[] = []) => {
      const result = environment(name, status, status === "changed" ? [objectDiff("Deployment", "web")] : [], findings);
      result.environment = { ...result.environment, kind: "flux-kustomization", path, ...(cluster ? { cluster } : {}) };
      return result;
    };
    const skippedNotice: Finding = { ruleId: "environment-skipped", severity: "notice", message: "no helm binary on PATH", environment: "staging/HelmRelease/podinfo/podinfo" };
    const text = renderMarkdown(
      report([
        inCluster("staging/Kustomization/flux-system/apps", "staging", "apps/staging", "changed"),
        inCluster("apps/overlays/dev", undefined, "apps/overlays/dev", "unaffected"),
        inCluster("production/Kustomization/flux-system/apps", "production", "apps/production", "changed"),
        inCluster("staging/HelmRelease/podinfo/podinfo", "staging", "https://stefanprodan.github.io/podinfo podinfo@6.5.0", "skipped", [skippedNotice]),
      ]),
      { budget: 65_000 },
    );
    const rows = text.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| Cluster"));
    expect(rows.map((row) => row.split(" | ").slice(0, 3).join(" | "))).toEqual([
      "|  | apps/overlays/dev | unaffected",
      "| production | production/Kustomization/flux-system/apps <sub>apps/production</sub> | changed",
      "| staging | staging/Kustomization/flux-system/apps <sub>apps/staging</sub> | changed",
      "| staging | staging/HelmRelease/podinfo/podinfo <sub>https://stefanprodan.github.io/podinfo podinfo@6.5.0</sub> | not rendered",
    ]);
    expect(text).toContain("| Cluster | Environment | Status | Added | Changed | Removed |");
    expect(text).toContain("no helm binary on PATH");
  });
});
