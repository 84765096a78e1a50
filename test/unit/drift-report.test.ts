// The drift report: goldens for text, markdown and JSON, the schema, and the markdown budget always kept.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import schema from "../../schemas/drift.v1.json" with { type: "json" };
import type { DriftedObject, DriftReport, EnvironmentDrift, ObjectId } from "../../src/model.ts";
import { DRIFT_FORMATS, DRIFT_MARKDOWN_LEVELS, driftJson, driftMarkdown, driftMarkdownWithLevel, driftText } from "../../src/report/drift.ts";

const GOLDEN_DIR = path.resolve(import.meta.dirname, "../golden/drift");

/** Compares `actual` with test/golden/drift/NAME exactly; UPDATE_GOLDEN=1 rewrites the file first (as the report goldens do). */
function expectGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === "1") {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual, `golden ${name} (run with UPDATE_GOLDEN=1 to accept a change)`).toBe(readFileSync(file, "utf8"));
}

const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

function id(kind: string, name: string, namespace = "shop"): ObjectId {
  const group = kind === "Deployment" ? "apps" : "";
  return { group, version: "v1", kind, namespace, name };
}

function patchOf(name: string, lines: string[]): Pick<DriftedObject, "patch" | "linesAdded" | "linesRemoved"> {
  return {
    patch: `--- live/${name}\n+++ git/${name}\n${lines.join("\n")}\n`,
    linesAdded: lines.filter((line) => line.startsWith("+")).length,
    linesRemoved: lines.filter((line) => line.startsWith("-")).length,
  };
}

function changedDeployment(): DriftedObject {
  return {
    change: "changed",
    id: id("Deployment", "api"),
    ...patchOf("apps/Deployment/shop/api", ["@@ -6,7 +6,7 @@", "   namespace: shop", " spec:", "-  replicas: 5", "+  replicas: 3", "   selector:", "     matchLabels:", "       app: api"]),
    managers: ["kubectl-edit"],
    source: { file: "apps/shop/api.yaml", line: 1 },
  };
}

function missingConfigMap(): DriftedObject {
  const lines = ["@@ -0,0 +1,7 @@", "+apiVersion: v1", "+kind: ConfigMap", "+metadata:", "+  name: settings", "+  namespace: shop", "+data:", "+  mode: fast"];
  return {
    change: "missing",
    id: id("ConfigMap", "settings"),
    patch: `--- /dev/null\n+++ git/ConfigMap/shop/settings\n${lines.join("\n")}\n`,
    linesAdded: 7,
    linesRemoved: 0,
    source: { file: "apps/shop/settings.yaml", line: 1 },
  };
}

function changedSecret(): DriftedObject {
  return {
    change: "changed",
    id: id("Secret", "db"),
    ...patchOf("Secret/shop/db", ["@@ -5,5 +5,5 @@", "   namespace: shop", " data:", '-  password: "<secret: 23 bytes, fp 9ce29f0b>"', '+  password: "<secret: 28 bytes, fp d61e2c61>"', " type: Opaque"]),
    secretKeys: [{ key: "password", change: "changed", before: { length: 23, fingerprint: "9ce29f0b" }, after: { length: 28, fingerprint: "d61e2c61" } }],
    managers: ["kubectl-client-side-apply"],
    source: { file: "apps/shop/db-secret.yaml", line: 1 },
  };
}

function extraService(): DriftedObject {
  const lines = ["@@ -1,6 +0,0 @@", "-apiVersion: v1", "-kind: Service", "-metadata:", "-  name: api-old", "-  namespace: shop", "-spec: {}"];
  return { change: "extra", id: id("Service", "api-old"), patch: `--- live/Service/shop/api-old\n+++ /dev/null\n${lines.join("\n")}\n`, linesAdded: 0, linesRemoved: 6 };
}

function environmentDrift(name: string, status: EnvironmentDrift["status"], objects: DriftedObject[], inSync: number, message?: string): EnvironmentDrift {
  return {
    environment: { name, kind: "flux-kustomization", path: `apps/${name.split("/").pop()}`, cluster: "prod" },
    status,
    objects,
    inSync,
    ...(message ? { message } : {}),
  };
}

function reportOf(environments: EnvironmentDrift[]): DriftReport {
  const objects = environments.flatMap((environment) => environment.objects);
  const count = (status: EnvironmentDrift["status"]) => environments.filter((environment) => environment.status === status).length;
  const errors = count("error");
  const drifted = count("drifted");
  return {
    schemaVersion: 1,
    tool: { name: "gitops-verify", version: "0.0.0-test" },
    revision: { ref: "main", sha: "2222222222222222222222222222222222222222" },
    cluster: { server: "https://prod.example.com:6443", context: "prod-admin" },
    environments,
    result: errors > 0 ? "error" : drifted > 0 ? "drift" : "none",
    summary: {
      environments: environments.length,
      drifted,
      inSync: count("in-sync"),
      errors,
      skipped: count("skipped"),
      objects: {
        missing: objects.filter((object) => object.change === "missing").length,
        extra: objects.filter((object) => object.change === "extra").length,
        changed: objects.filter((object) => object.change === "changed").length,
      },
    },
    durationMs: 4321,
  };
}

function sampleReport(): DriftReport {
  return reportOf([
    environmentDrift("prod/Kustomization/flux-system/web", "in-sync", [], 12),
    environmentDrift("prod/Kustomization/flux-system/shop", "drifted", [missingConfigMap(), changedDeployment(), changedSecret(), extraService()], 9),
    environmentDrift("prod/Kustomization/flux-system/infra", "error", [], 0, 'render failed: kustomize build apps/infra: accumulating resources: "missing.yaml" not found'),
    environmentDrift("prod/Kustomization/flux-system/vendor", "skipped", [], 0, "its source is a Git repository outside this one"),
  ]);
}

/** Many drifted environments with long patches: far beyond any budget. */
function hugeReport(environments = 40, objectsEach = 30): DriftReport {
  const body = Array.from({ length: 60 }, (_, line) => `-  key${line}: ${"x".repeat(40)}`);
  return reportOf(
    Array.from({ length: environments }, (_, index) =>
      environmentDrift(
        `prod/Kustomization/flux-system/team-${String(index).padStart(2, "0")}`,
        "drifted",
        Array.from({ length: objectsEach }, (_, object) => ({
          change: "changed" as const,
          id: id("ConfigMap", `settings-${object}`, `team-${index}`),
          ...patchOf(`ConfigMap/team-${index}/settings-${object}`, ["@@ -1,60 +1,0 @@", ...body]),
          managers: ["kubectl-edit"],
        })),
        3,
      ),
    ),
  );
}

describe("drift goldens", () => {
  it("drift.txt", () => expectGolden("drift.txt", driftText(sampleReport())));
  it("drift.md", () => expectGolden("drift.md", driftMarkdown(sampleReport(), 65_000)));
  it("drift.json", () => expectGolden("drift.json", driftJson(sampleReport())));
  it("drift-cut.md: the largest diff left out", () => {
    const full = driftMarkdown(sampleReport(), 65_000);
    const result = driftMarkdownWithLevel(sampleReport(), full.length - 1);
    expect(result.level).toBe("cut-diffs");
    expectGolden("drift-cut.md", result.text);
  });
});

describe("driftText", () => {
  const text = driftText(sampleReport());

  it("names each drifted object, who edited it, and indents its patch", () => {
    expect(text).toContain("  changed Deployment shop/api (edited by kubectl-edit)  apps/shop/api.yaml:1\n    @@ -6,7 +6,7 @@\n");
    expect(text).toContain("    -  replicas: 5\n    +  replicas: 3\n");
  });

  it("gives errors their message and has no colour codes", () => {
    expect(text).toContain("── prod/Kustomization/flux-system/infra: error\n  render failed:");
    expect(text).not.toMatch(/\x1b/);
  });

  it("escapes control characters from names and messages", () => {
    const report = reportOf([environmentDrift("evil\x1b[2J", "error", [], 0, "line one\nline\x07two")]);
    const output = driftText(report);
    expect(output).not.toMatch(/[\x07\x1b]/);
    expect(output).toContain("evil\\u001b[2J");
    expect(output).toContain("  line one\n  line\\u0007two");
  });
});

describe("driftMarkdown", () => {
  it("a report without drift says so in its title", () => {
    const text = driftMarkdown(reportOf([environmentDrift("prod/web", "in-sync", [], 4)]), 65_000);
    expect(text.split("\n")[0]).toBe("### ✅ gitops-verify drift: no drift in 1 environment");
    expect(text).not.toContain("<details");
  });

  it("fits a huge report within 4,000 characters and says what it left out", () => {
    const { text, level } = driftMarkdownWithLevel(hugeReport(), 4_000);
    expect(text.length).toBeLessThanOrEqual(4_000);
    expect(level).toBe("object-list");
    expect(text).toContain("all diffs were left out, objects are listed");
    expect(text).toMatch(/…and \d+ more objects?/);
    expect(text).toMatch(/…and \d+ more environments? not (listed here|listed)/);
    expect(text).not.toContain("```diff");
  });

  it("keeps every budget, at every level", () => {
    const reports = [sampleReport(), hugeReport(3, 5), hugeReport()];
    const seen = new Set<string>();
    for (const report of reports) {
      const full = driftMarkdown(report, Number.MAX_SAFE_INTEGER).length;
      for (const budget of [0, 1, 10, 50, 120, 200, 300, 500, 800, 1_000, 1_500, 2_000, 3_000, 4_000, 8_000, 20_000, 65_000, full - 1, full]) {
        const { text, level } = driftMarkdownWithLevel(report, budget);
        expect(text.length, `budget ${budget}, level ${level}`).toBeLessThanOrEqual(Math.max(0, budget));
        seen.add(level);
      }
    }
    expect([...seen].sort()).toEqual([...DRIFT_MARKDOWN_LEVELS].sort());
  });

  it("the summary level counts the environments it leaves out of the table", () => {
    const { text, level } = driftMarkdownWithLevel(hugeReport(), 1_000);
    expect(level).toBe("summary");
    expect(text).toMatch(/_…and \d+ more environments not listed\._/);
  });

  it("a diff containing a fence cannot close the block", () => {
    const object = { ...changedDeployment(), ...patchOf("apps/Deployment/shop/api", ["@@ -1 +1 @@", "-  note: ```", "+  note: ````"]) };
    const text = driftMarkdown(reportOf([environmentDrift("prod/shop", "drifted", [object], 0)]), 65_000);
    expect(text).toContain("`````diff\n");
  });
});

describe("driftJson", () => {
  it("validates against schemas/drift.v1.json", () => {
    for (const report of [sampleReport(), hugeReport(2, 2), reportOf([])]) {
      const valid = validate(JSON.parse(driftJson(report)));
      expect(validate.errors ?? [], "schema errors").toEqual([]);
      expect(valid).toBe(true);
    }
  });

  it("drops what the model does not declare", () => {
    const report = sampleReport();
    (report.environments[1]!.objects[1] as unknown as Record<string, unknown>).live = { spec: { replicas: 5 } };
    (report as unknown as Record<string, unknown>).debug = true;
    const json = JSON.parse(driftJson(report)) as Record<string, unknown>;
    expect(json).not.toHaveProperty("debug");
    expect(JSON.stringify(json)).not.toContain('"live"');
    expect(validate(json)).toBe(true);
  });

  it("the schema rejects an unknown change kind", () => {
    const json = JSON.parse(driftJson(sampleReport())) as DriftReport;
    (json.environments[1]!.objects[0] as { change: string }).change = "added";
    expect(validate(json)).toBe(false);
  });
});

describe("DRIFT_FORMATS", () => {
  it("maps text, markdown and json to the renderers", () => {
    const report = sampleReport();
    expect(Object.keys(DRIFT_FORMATS)).toEqual(["text", "markdown", "json"]);
    expect(DRIFT_FORMATS.text(report)).toBe(driftText(report));
    expect(DRIFT_FORMATS.json(report)).toBe(driftJson(report));
    expect(DRIFT_FORMATS.markdown(report)).toBe(driftMarkdown(report, 65_000));
    expect(DRIFT_FORMATS.markdown(report, 500).length).toBeLessThanOrEqual(500);
  });
});

describe("many environments in sync", () => {
  it("are counted in one line rather than listed", () => {
    const report = reportOf([
      environmentDrift("prod/shop", "drifted", [changedDeployment()], 2),
      ...Array.from({ length: 25 }, (_, index) => environmentDrift(`prod/quiet-${index}`, "in-sync", [], 1)),
    ]);
    const text = driftMarkdown(report, 65_000);
    expect(text).toContain("| prod/shop | ⚠️ drifted | 0 | 0 | 1 |\n\n_…and 25 environments in sync._");
    expect(text).not.toContain("quiet-0");
  });
});
