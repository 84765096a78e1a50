// The terminal report: goldens with and without colour, diff length rules, and terminal safety.
import { describe, expect, it } from "vitest";
import type { ObjectDiff } from "../../src/model.ts";
import { DEFAULT_MAX_DIFF_LINES, renderText } from "../../src/report/text.ts";
import { environment, expectGolden, objectDiff, report, sampleReport } from "../helpers/report-builders.ts";

const ANSI = /\x1b\[/;

describe("text goldens", () => {
  it("text-nocolor.txt", () => expectGolden("text-nocolor.txt", renderText(sampleReport(), { color: false })));
  it("text-color.txt", () => expectGolden("text-color.txt", renderText(sampleReport(), { color: true })));
});

describe("text report", () => {
  it("starts with base → head, and ends with the summary and the gate", () => {
    const lines = renderText(sampleReport(), { color: false }).trimEnd().split("\n");
    expect(lines[0]).toBe("gitops-verify 0.0.0-test: main (111111111111) → feature (222222222222)");
    expect(lines.at(-2)).toBe("5 environments: 1 changed, 1 new, 1 failed, 1 no change, 1 unaffected; objects +1 ~2 -1; findings: 1 error, 1 warning (1.2 s)");
    expect(lines.at(-1)).toBe("gate: could not complete — 1 environment could not be rendered: apps/broken");
  });

  it("names the working tree instead of a SHA", () => {
    const input = { ...sampleReport(), head: { ref: "working tree", sha: "WORKTREE" } };
    expect(renderText(input, { color: false }).split("\n")[0]).toBe("gitops-verify 0.0.0-test: main (111111111111) → working tree");
  });

  it("has one line per environment with its status and counts", () => {
    const text = renderText(sampleReport(), { color: false });
    expect(text).toContain("  apps/production            changed     +0 ~2 -1\n");
    expect(text).toContain("  apps/broken                failed\n");
  });

  it("prints findings as file:line: severity: message, continuation lines indented", () => {
    const input = report([
      environment("apps/a", "failed", [], [{ ruleId: "render-failed", severity: "error", message: "kustomize failed:\nline two", location: { file: "apps/a/kustomization.yaml", line: 3 } }]),
    ]);
    expect(renderText(input, { color: false })).toContain("  apps/a/kustomization.yaml:3: error: kustomize failed:\n    line two\n");
  });

  it("shows run-level findings in their own block", () => {
    const input = report([], { findings: [{ ruleId: "config-invalid", severity: "warning", message: "unknown key", location: { file: ".gitops-verify.yaml", line: 2 } }] });
    expect(renderText(input, { color: false })).toContain("Findings\n  .gitops-verify.yaml:2: warning: unknown key\n");
  });

  it("shows Secret key changes: lengths and fingerprints only", () => {
    const text = renderText(sampleReport(), { color: false });
    expect(text).toContain("    secret key password: changed (16 bytes, fp 0a1b2c3d → 24 bytes, fp 9f8e7d6c)\n    secret key token: added (40 bytes, fp 11223344)\n");
  });
});

describe("text diffs", () => {
  const long = objectDiff("ConfigMap", "dashboards", { lines: 40 }); // 81 lines with the hunk header
  const input = report([environment("apps/a", "changed", [objectDiff("Deployment", "web", { lines: 2 }), long])]);

  it(`shows short diffs and summarises those over ${DEFAULT_MAX_DIFF_LINES} lines`, () => {
    const text = renderText(input, { color: false });
    expect(text).toContain("  ~ Deployment web  apps/base/web.yaml:1\n    @@ -1,2 +1,2 @@\n    -  value0: old\n");
    expect(text).toContain("  ~ ConfigMap dashboards  apps/base/dashboards.yaml:1\n    (diff of 81 lines not shown; the JSON report has it)\n");
    expect(text).not.toContain("--- base:");
  });

  it("shows every diff when verbose", () => {
    const text = renderText(input, { color: false, verbose: true });
    expect(text).toContain("    +  value39: new\n");
    expect(text).not.toContain("not shown");
  });

  it("takes the length limit as an option", () => {
    expect(renderText(input, { color: false, maxDiffLines: 2 })).toContain("(diff of 5 lines not shown; the JSON report has it)");
  });

  it("colours additions, removals and hunk headers only when asked", () => {
    const coloured = renderText(input, { color: true });
    expect(coloured).toContain("\x1b[36m@@ -1,2 +1,2 @@\x1b[0m");
    expect(coloured).toContain("\x1b[31m-  value0: old\x1b[0m");
    expect(coloured).toContain("\x1b[32m+  value0: new\x1b[0m");
    expect(renderText(input, { color: false })).not.toMatch(ANSI);
  });
});

describe("terminal safety", () => {
  it("escapes control characters and bidi overrides from the repository", () => {
    const diff: ObjectDiff = { ...objectDiff("ConfigMap", "evil\x1b]0;owned\x07"), patch: "--- a\n+++ b\n@@ -1 +1 @@\n-a: \x1b[2J\r\n+b: \u202e\n" };
    const input = report([environment("apps/\x1b[31mred", "changed", [diff], [{ ruleId: "x", severity: "warning", message: "bell\x07" }])]);
    const text = renderText(input, { color: false });
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u202e]/);
    expect(text).toContain("apps/\\u001b[31mred");
    expect(text).toContain("-a: \\u001b[2J\\u000d");
    expect(text).toContain("+b: \\u202e");
  });
});

describe("text for the pullers' environments", () => {
  it("lists environments under a heading per cluster, with the path beside the name", () => {
    const placed = (name: string, cluster: string | undefined, path: string) => {
      const result = environment(name, "unaffected");
      result.environment = { ...result.environment, path, ...(cluster ? { cluster } : {}) };
      return result;
    };
    const text = renderText(
      report([placed("staging/Kustomization/flux-system/apps", "staging", "apps/staging"), placed("apps/dev", undefined, "apps/dev"), placed("prod/Kustomization/flux-system/apps", "prod", "apps/prod")]),
      { color: false },
    );
    const list = text.split("\n").filter((line) => /^ {2}\S/.test(line) || /^ {4}\S/.test(line));
    expect(list.map((line) => line.trimEnd().replace(/\s+unaffected$/, ""))).toEqual([
      "  (no cluster)",
      "    apps/dev",
      "  cluster prod",
      "    prod/Kustomization/flux-system/apps (apps/prod)",
      "  cluster staging",
      "    staging/Kustomization/flux-system/apps (apps/staging)",
    ]);
  });
});
