// Deterministic RunReports for report tests: fixed SHAs, durations and fingerprints.
import { buildReport } from "../../src/app/verify.ts";
import type { EnvironmentResult, EnvironmentStatus, Finding, ObjectDiff, RunReport } from "../../src/model.ts";

const BASE_SHA = "1111111111111111111111111111111111111111";
const HEAD_SHA = "2222222222222222222222222222222222222222";

export function objectDiff(kind: string, name: string, options: { change?: ObjectDiff["change"]; lines?: number; namespace?: string } = {}): ObjectDiff {
  const change = options.change ?? "changed";
  const lines = options.lines ?? 1;
  const body: string[] = [];
  for (let i = 0; i < lines; i++) {
    if (change !== "added") body.push(`-  value${i}: old`);
    if (change !== "removed") body.push(`+  value${i}: new`);
  }
  const label = `${kind} ${options.namespace ? `${options.namespace}/` : ""}${name}`;
  return {
    change,
    id: { group: kind === "Deployment" ? "apps" : "", version: "v1", kind, namespace: options.namespace ?? "", name },
    patch: `--- base: ${label}\n+++ head: ${label}\n@@ -1,${lines} +1,${lines} @@\n${body.join("\n")}\n`,
    linesAdded: change === "removed" ? 0 : lines,
    linesRemoved: change === "added" ? 0 : lines,
    source: { file: `apps/base/${name}.yaml`, line: 1 },
  };
}

export function environment(name: string, status: EnvironmentStatus, diffs: ObjectDiff[] = [], findings: Finding[] = []): EnvironmentResult {
  const counts = { added: 0, changed: 0, removed: 0, unchanged: 2 };
  for (const diff of diffs) counts[diff.change]++;
  return { environment: { name, kind: "kustomize", path: name }, status, diffs, findings, counts };
}

export function report(environments: EnvironmentResult[], extra: { changedFiles?: string[]; unread?: string[]; findings?: Finding[] } = {}): RunReport {
  return buildReport({
    base: { ref: "main", sha: BASE_SHA },
    head: { ref: "feature", sha: HEAD_SHA },
    environments,
    changedFiles: extra.changedFiles ?? ["apps/base/web.yaml"],
    unreadChangedFiles: extra.unread ?? [],
    findings: extra.findings,
    durationMs: 1234,
  });
}

/** A small report with every kind of content: changes, a Secret, a failure, quiet environments. */
export function sampleReport(): RunReport {
  const secretDiff: ObjectDiff = {
    ...objectDiff("Secret", "db-credentials-2bdd98khdd", { namespace: "production" }),
    previousName: "db-credentials-77f487d9c2",
    secretKeys: [
      { key: "password", change: "changed", before: { length: 16, fingerprint: "0a1b2c3d" }, after: { length: 24, fingerprint: "9f8e7d6c" } },
      { key: "token", change: "added", after: { length: 40, fingerprint: "11223344" } },
    ],
  };
  return report(
    [
      environment("apps/production", "changed", [objectDiff("Deployment", "web", { namespace: "production", lines: 2 }), secretDiff]),
      environment("apps/staging", "changed", [objectDiff("ConfigMap", "web-config", { change: "added", lines: 3, namespace: "staging" })]),
      environment("apps/broken", "failed", [], [
        { ruleId: "render-failed", severity: "error", environment: "apps/broken", message: 'render failed: resources references "gone.yaml", which does not exist', location: { file: "apps/broken/kustomization.yaml", line: 4 } },
      ]),
      environment("infrastructure/production", "unaffected"),
      environment("infrastructure/staging", "unchanged"),
    ],
    { changedFiles: ["apps/base/web.yaml", "README.md"], unread: ["README.md"] },
  );
}

/** Many environments with large diffs, for budget tests. */
export function largeReport(environments = 30, objectsEach = 6, linesEach = 80): RunReport {
  const results: EnvironmentResult[] = [];
  for (let e = 0; e < environments; e++) {
    const diffs = Array.from({ length: objectsEach }, (_, o) => objectDiff("Deployment", `app-${o}`, { namespace: `env-${e}`, lines: linesEach + o * 10 }));
    results.push(environment(`clusters/env-${String(e).padStart(2, "0")}`, "changed", diffs));
  }
  for (let q = 0; q < 25; q++) results.push(environment(`quiet/env-${String(q).padStart(2, "0")}`, "unaffected"));
  return report(results);
}
