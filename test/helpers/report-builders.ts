// Deterministic RunReports for report tests: fixed SHAs, tool version, durations and fingerprints,
// so golden files do not change with the clock or a release.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { buildReport } from "../../src/app/verify.ts";
import type { EnvironmentResult, EnvironmentStatus, Finding, ObjectDiff, ObjectId, RunReport } from "../../src/model.ts";
import { objectLabel } from "../../src/model.ts";

const BASE_SHA = "1111111111111111111111111111111111111111";
const HEAD_SHA = "2222222222222222222222222222222222222222";
export const FIXED_TOOL_VERSION = "0.0.0-test";
export const FIXED_DURATION_MS = 1234;

const GOLDEN_DIR = path.resolve(import.meta.dirname, "../golden/report");

/** Compares `actual` with test/golden/report/NAME exactly; UPDATE_GOLDEN=1 rewrites the file first. */
export function expectGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === "1") {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual, `golden ${name} (run with UPDATE_GOLDEN=1 to accept a change)`).toBe(readFileSync(file, "utf8"));
}

export function objectId(kind: string, name: string, namespace = ""): ObjectId {
  const group = kind === "Deployment" ? "apps" : kind === "Ingress" ? "networking.k8s.io" : "";
  return { group, version: "v1", kind, namespace, name };
}

/** A unified diff as src/diff writes it, with the line counts the model carries. */
export function unifiedPatch(change: ObjectDiff["change"], id: ObjectId, hunks: Array<{ header: string; lines: string[] }>): Pick<ObjectDiff, "patch" | "linesAdded" | "linesRemoved"> {
  const label = objectLabel(id);
  const from = change === "added" ? "/dev/null" : `base: ${label}`;
  const to = change === "removed" ? "/dev/null" : `head: ${label}`;
  const lines = hunks.flatMap((hunk) => [hunk.header, ...hunk.lines]);
  return {
    patch: `--- ${from}\n+++ ${to}\n${lines.join("\n")}\n`,
    linesAdded: lines.filter((line) => line.startsWith("+")).length,
    linesRemoved: lines.filter((line) => line.startsWith("-")).length,
  };
}

/** A synthetic object diff of `lines` changed values (each one line removed and one added for "changed"). */
export function objectDiff(kind: string, name: string, options: { change?: ObjectDiff["change"]; lines?: number; namespace?: string } = {}): ObjectDiff {
  const change = options.change ?? "changed";
  const lines = options.lines ?? 1;
  const id = objectId(kind, name, options.namespace);
  const body: string[] = [];
  for (let i = 0; i < lines; i++) {
    if (change !== "added") body.push(`-  value${i}: old`);
    if (change !== "removed") body.push(`+  value${i}: new`);
  }
  const header = change === "added" ? `@@ -0,0 +1,${lines} @@` : change === "removed" ? `@@ -1,${lines} +0,0 @@` : `@@ -1,${lines} +1,${lines} @@`;
  return { change, id, ...unifiedPatch(change, id, [{ header, lines: body }]), source: { file: `apps/base/${name}.yaml`, line: 1 } };
}

export function environment(name: string, status: EnvironmentStatus, diffs: ObjectDiff[] = [], findings: Finding[] = []): EnvironmentResult {
  const counts = { added: 0, changed: 0, removed: 0, unchanged: status === "failed" || status === "unaffected" ? 0 : 2 };
  for (const diff of diffs) counts[diff.change]++;
  return { environment: { name, kind: "kustomize", path: name }, status, diffs, findings, counts };
}

/** A RunReport through the real summary and gate, with what varies between runs fixed. */
export function report(environments: EnvironmentResult[], extra: { changedFiles?: string[]; unread?: string[]; findings?: Finding[] } = {}): RunReport {
  const built = buildReport({
    base: { ref: "main", sha: BASE_SHA },
    head: { ref: "feature", sha: HEAD_SHA },
    environments,
    changedFiles: extra.changedFiles ?? ["apps/base/web.yaml"],
    unreadChangedFiles: extra.unread ?? [],
    findings: extra.findings,
    durationMs: FIXED_DURATION_MS,
  });
  return { ...built, tool: { name: "gitops-verify", version: FIXED_TOOL_VERSION } };
}

function imageBump(): ObjectDiff {
  const id = objectId("Deployment", "web", "production");
  return {
    change: "changed",
    id,
    ...unifiedPatch("changed", id, [
      {
        header: "@@ -18,7 +18,7 @@",
        lines: ["   template:", "     spec:", "       containers:", "-      - image: ghcr.io/example/web:1.4.2", "+      - image: ghcr.io/example/web:1.5.0", "         name: web", "         ports:"],
      },
    ]),
    source: { file: "apps/base/web/deployment.yaml", line: 1 },
  };
}

/** A generated Secret whose hash suffix changed: matched across the rename, values masked. */
function rotatedSecret(): ObjectDiff {
  const id = objectId("Secret", "db-credentials-2bdd98khdd", "production");
  return {
    change: "changed",
    id,
    previousName: "db-credentials-77f487d9c2",
    ...unifiedPatch("changed", id, [
      {
        header: "@@ -1,7 +1,8 @@",
        lines: [
          " apiVersion: v1",
          " data:",
          "-  password: <secret: 16 bytes, fp 0a1b2c3d>",
          "+  password: <secret: 24 bytes, fp 9f8e7d6c>",
          "+  token: <secret: 40 bytes, fp 11223344>",
          " kind: Secret",
          " metadata:",
          "-  name: db-credentials-77f487d9c2",
          "+  name: db-credentials-2bdd98khdd",
        ],
      },
    ]),
    secretKeys: [
      { key: "password", change: "changed", before: { length: 16, fingerprint: "0a1b2c3d" }, after: { length: 24, fingerprint: "9f8e7d6c" } },
      { key: "token", change: "added", after: { length: 40, fingerprint: "11223344" } },
    ],
    source: { file: "apps/overlays/production/kustomization.yaml", line: 12 },
  };
}

/** A small report with every kind of content: changes, a Secret, a failure, findings, quiet environments. */
export function sampleReport(): RunReport {
  return report(sampleEnvironments(), { changedFiles: ["apps/base/web/deployment.yaml", "README.md"], unread: ["README.md"] });
}

/** The sample report plus a monitoring environment with two large ConfigMap diffs: what budgets cut first. */
export function sampleReportWithLargeDiffs(): RunReport {
  const monitoring = environment("apps/monitoring", "changed", [
    objectDiff("ConfigMap", "grafana-dashboards", { namespace: "monitoring", lines: 120 }),
    objectDiff("ConfigMap", "alert-rules", { namespace: "monitoring", lines: 40 }),
  ]);
  const environments = sampleEnvironments();
  environments.splice(2, 0, monitoring);
  return report(environments, { changedFiles: ["apps/base/web/deployment.yaml", "apps/base/monitoring/dashboards.json", "README.md"], unread: ["README.md"] });
}

function sampleEnvironments(): EnvironmentResult[] {
  return [
      environment("apps/broken", "failed", [], [
        { ruleId: "render-failed", severity: "error", environment: "apps/broken", message: 'render failed: resources references "gone.yaml", which does not exist', location: { file: "apps/broken/kustomization.yaml", line: 4 } },
      ]),
      environment("apps/preview", "added", [objectDiff("ConfigMap", "preview-config", { change: "added", lines: 2, namespace: "preview" })]),
      environment("apps/production", "changed", [imageBump(), rotatedSecret(), objectDiff("Service", "web-legacy", { change: "removed", lines: 2, namespace: "production" })]),
      environment("apps/staging", "unchanged", [], [
        { ruleId: "remote-resource", severity: "warning", environment: "apps/staging", message: "remote base github.com/example/base is not fetched", location: { file: "apps/staging/kustomization.yaml", line: 7 } },
      ]),
    environment("infrastructure/production", "unaffected"),
  ];
}

/** Many environments with large diffs, for budget tests; quiet environments beyond the table's row limit. */
export function largeReport(environments = 30, objectsEach = 6, linesEach = 80): RunReport {
  const results: EnvironmentResult[] = [];
  for (let e = 0; e < environments; e++) {
    const diffs = Array.from({ length: objectsEach }, (_, o) => objectDiff("Deployment", `app-${o}`, { namespace: `env-${e}`, lines: linesEach + o * 10 }));
    results.push(environment(`clusters/env-${String(e).padStart(2, "0")}`, "changed", diffs));
  }
  for (let q = 0; q < 25; q++) results.push(environment(`quiet/env-${String(q).padStart(2, "0")}`, "unaffected"));
  return report(results);
}
