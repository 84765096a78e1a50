// The RunReport as JSON (schemas/report.v1.json, docs/report-json.md). Objects are rebuilt field by field
// in the order src/model.ts declares them: the output does not depend on how the report was assembled,
// and carries nothing the model does not declare.
import type {
  Environment,
  EnvironmentResult,
  Finding,
  ObjectDiff,
  ObjectId,
  RevisionInfo,
  RunReport,
  RunSummary,
  SecretKeyChange,
  SourceLocation,
} from "../model.ts";

export function renderJson(report: RunReport): string {
  return `${JSON.stringify(canonicalReport(report), null, 2)}\n`;
}

/** A copy of the report with keys in declared order and undeclared properties dropped. */
export function canonicalReport(report: RunReport): RunReport {
  return {
    schemaVersion: report.schemaVersion,
    tool: { name: report.tool.name, version: report.tool.version },
    base: revision(report.base),
    head: revision(report.head),
    environments: report.environments.map(environmentResult),
    findings: report.findings.map(finding),
    changedFiles: [...report.changedFiles],
    unreadChangedFiles: [...report.unreadChangedFiles],
    summary: summary(report.summary),
    gate: { result: report.gate.result, reasons: [...report.gate.reasons] },
    durationMs: report.durationMs,
  };
}

/** `{ [key]: value }` when the value is present, so optional fields are absent rather than undefined. */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

function revision(value: RevisionInfo): RevisionInfo {
  return { ref: value.ref, sha: value.sha };
}

function environmentResult(result: EnvironmentResult): EnvironmentResult {
  const { added, changed, removed, unchanged } = result.counts;
  return {
    environment: environment(result.environment),
    status: result.status,
    diffs: result.diffs.map(objectDiff),
    findings: result.findings.map(finding),
    counts: { added, changed, removed, unchanged },
  };
}

export function environment(value: Environment): Environment {
  return {
    name: value.name,
    kind: value.kind,
    path: value.path,
    ...optional("cluster", value.cluster),
    ...optional("group", value.group),
    ...optional("definedAt", value.definedAt && location(value.definedAt)),
  };
}

function objectDiff(diff: ObjectDiff): ObjectDiff {
  return {
    change: diff.change,
    id: objectId(diff.id),
    ...optional("previousName", diff.previousName),
    patch: diff.patch,
    linesAdded: diff.linesAdded,
    linesRemoved: diff.linesRemoved,
    ...optional("secretKeys", diff.secretKeys?.map(secretKeyChange)),
    ...optional("source", diff.source && location(diff.source)),
  };
}

export function objectId(id: ObjectId): ObjectId {
  return { group: id.group, version: id.version, kind: id.kind, namespace: id.namespace, name: id.name };
}

export function secretKeyChange(change: SecretKeyChange): SecretKeyChange {
  return {
    key: change.key,
    change: change.change,
    ...optional("before", change.before && { length: change.before.length, fingerprint: change.before.fingerprint }),
    ...optional("after", change.after && { length: change.after.length, fingerprint: change.after.fingerprint }),
  };
}

function finding(value: Finding): Finding {
  return {
    ruleId: value.ruleId,
    severity: value.severity,
    message: value.message,
    ...optional("environment", value.environment),
    ...optional("object", value.object && objectId(value.object)),
    ...optional("path", value.path),
    ...optional("location", value.location && location(value.location)),
  };
}

export function location(value: SourceLocation): SourceLocation {
  return { file: value.file, ...optional("line", value.line), ...optional("column", value.column) };
}

function summary(value: RunSummary): RunSummary {
  const { objects, findings } = value;
  return {
    environments: value.environments,
    changed: value.changed,
    unchanged: value.unchanged,
    unaffected: value.unaffected,
    failed: value.failed,
    skipped: value.skipped,
    added: value.added,
    removed: value.removed,
    objects: { added: objects.added, changed: objects.changed, removed: objects.removed },
    findings: { error: findings.error, warning: findings.warning, notice: findings.notice },
  };
}
