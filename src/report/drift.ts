// The drift report (`gitops-verify drift`): pure functions DriftReport → terminal text, the tracking issue's
// markdown within a character budget, and JSON (schemas/drift.v1.json). Patches arrive masked from src/drift.
import type { DriftedObject, DriftReport, EnvironmentDrift, EnvironmentDriftStatus } from "../model.ts";
import { objectLabel } from "../model.ts";
import { formatLocation } from "../errors.ts";
import { clean, cleanLines, clip, describeRevision, describeSecretKey, fenced, patchBody, plural } from "./common.ts";
import { DEFAULT_MARKDOWN_BUDGET } from "./index.ts";
import { escapeMarkdown } from "./markdown.ts";
import { environment, location, objectId, optional, secretKeyChange } from "./json.ts";

/** The drift formats by name (the verify registry, index.ts, is for RunReports). markdown's budget excludes the caller's marker line. */
export const DRIFT_FORMATS = {
  text: (report: DriftReport) => driftText(report),
  markdown: (report: DriftReport, budget: number = DEFAULT_MARKDOWN_BUDGET) => driftMarkdown(report, budget),
  json: (report: DriftReport) => driftJson(report),
} satisfies Record<string, (report: DriftReport, budget?: number) => string>;

export type DriftFormat = keyof typeof DRIFT_FORMATS;

const STATUS_WORDS: Record<EnvironmentDriftStatus, string> = { "in-sync": "in sync", drifted: "drifted", error: "error", skipped: "skipped" };
const RESULT_WORDS: Record<DriftReport["result"], string> = { none: "no drift", drift: "drift", error: "could not complete" };
/** Errors first (they need a person), then drift, then the rest; report order within each. */
const STATUS_RANK: Record<EnvironmentDriftStatus, number> = { error: 0, drifted: 1, skipped: 2, "in-sync": 3 };

// ── shared words ──────────────────────────────────────────────────────────────

function counts(environment: EnvironmentDrift): { missing: number; extra: number; changed: number } {
  const tally = { missing: 0, extra: 0, changed: 0 };
  for (const object of environment.objects) tally[object.change]++;
  return tally;
}

/** "1 missing, 0 extra, 2 changed" */
function countsText(environment: EnvironmentDrift): string {
  const { missing, extra, changed } = counts(environment);
  return `${missing} missing, ${extra} extra, ${changed} changed`;
}

/** "changed Deployment shop/api" */
function objectTitle(object: DriftedObject): string {
  return `${object.change} ${objectLabel(object.id)}`;
}

/** "1 of 4 environments drifted, 1 could not be checked, 1 skipped", or "no drift in 3 environments". */
function headline(report: DriftReport): string {
  const { summary } = report;
  const parts = [];
  if (summary.drifted > 0) parts.push(`${summary.drifted} of ${plural(summary.environments, "environment")} drifted`);
  if (summary.errors > 0) parts.push(`${summary.errors} could not be checked`);
  if (parts.length === 0) parts.push(`no drift in ${plural(summary.environments - summary.skipped, "environment")}`);
  if (summary.skipped > 0) parts.push(`${summary.skipped} skipped`);
  return parts.join(", ");
}

/** "4 environments: 1 drifted, 1 in sync, 1 error, 1 skipped" (zero counts left out). */
function statusLine(report: DriftReport): string {
  const { summary } = report;
  const statuses = (
    [
      [summary.drifted, "drifted"],
      [summary.inSync, "in sync"],
      [summary.errors, summary.errors === 1 ? "error" : "errors"],
      [summary.skipped, "skipped"],
    ] as const
  )
    .filter(([count]) => count > 0)
    .map(([count, word]) => `${count} ${word}`);
  return `${plural(summary.environments, "environment")}${statuses.length ? `: ${statuses.join(", ")}` : ""}`;
}

function objectsLine(report: DriftReport): string {
  const { missing, extra, changed } = report.summary.objects;
  return `objects: ${missing} missing, ${extra} extra, ${changed} changed; ${plural(inSyncObjects(report), "object")} in sync`;
}

function inSyncObjects(report: DriftReport): number {
  return report.environments.reduce((sum, environment) => sum + environment.inSync, 0);
}

function reviewOrder(environments: EnvironmentDrift[]): EnvironmentDrift[] {
  return environments
    .map((environment, index) => ({ environment, index }))
    .sort((a, b) => STATUS_RANK[a.environment.status] - STATUS_RANK[b.environment.status] || a.index - b.index)
    .map(({ environment }) => environment);
}

// ── text ──────────────────────────────────────────────────────────────────────

/** The terminal report: a line per environment, then each drifted object with its patch, and the messages of errors. No colours. */
export function driftText(report: DriftReport): string {
  const blocks = [
    textHeader(report),
    environmentLines(report.environments),
    ...report.environments.filter((environment) => environment.status !== "in-sync").map(environmentDetails),
    `result: ${RESULT_WORDS[report.result]} (${(report.durationMs / 1000).toFixed(1)} s)`,
  ];
  return `${blocks.filter((block) => block !== "").join("\n\n")}\n`;
}

function textHeader(report: DriftReport): string {
  const { cluster } = report;
  return [
    `gitops-verify ${clean(report.tool.version)} drift: context ${clean(cluster.context)} (${clean(cluster.server)}) against ${clean(describeRevision(report.revision))}`,
    `${statusLine(report)}; ${objectsLine(report)}`,
  ].join("\n");
}

function environmentLines(environments: EnvironmentDrift[]): string {
  if (environments.length === 0) return "";
  const names = environments.map((environment) => clean(environment.environment.name));
  const nameWidth = Math.max(...names.map((name) => name.length));
  const statusWidth = Math.max(...environments.map((environment) => STATUS_WORDS[environment.status].length));
  return environments
    .map((environment, index) => {
      const status = STATUS_WORDS[environment.status];
      const detail =
        environment.status === "drifted"
          ? `${countsText(environment)}, ${environment.inSync} in sync`
          : environment.status === "in-sync"
            ? `${plural(environment.inSync, "object")}`
            : "";
      return `  ${names[index]!.padEnd(nameWidth)}  ${detail ? `${status.padEnd(statusWidth)}  ${detail}` : status}`;
    })
    .join("\n");
}

function environmentDetails(environment: EnvironmentDrift): string {
  const countsPart = environment.status === "drifted" ? ` (${countsText(environment)})` : "";
  const title = `── ${clean(environment.environment.name)}: ${STATUS_WORDS[environment.status]}${countsPart}`;
  const message = environment.message ? [`  ${cleanLines(environment.message, "  ")}`] : [];
  const objects = environment.objects.map(objectDetails);
  return [[title, ...message].join("\n"), ...objects].join("\n\n");
}

function objectDetails(object: DriftedObject): string {
  const managers = object.managers?.length ? ` (edited by ${object.managers.join(", ")})` : "";
  const source = formatLocation(object.source);
  const title = `  ${clean(`${objectTitle(object)}${managers}`)}${source ? `  ${clean(source)}` : ""}`;
  const secretKeys = (object.secretKeys ?? []).map((key) => `    secret key ${clean(describeSecretKey(key))}`);
  const patch = patchBody(object.patch).map((line) => `    ${clean(line)}`);
  return [title, ...secretKeys, ...patch].join("\n");
}



// ── markdown ──────────────────────────────────────────────────────────────────
//
// The tracking issue's body. It always fits its budget, shrinking in steps as the pull-request comment does:
//   every patch → the largest patches left out → objects listed, as many as fit → the table alone → one line.
// Pieces are rendered once; a step is chosen from their lengths, and only the chosen step is joined.

export const DRIFT_MARKDOWN_LEVELS = ["full", "cut-diffs", "object-list", "summary", "one-line"] as const;
export type DriftMarkdownLevel = (typeof DRIFT_MARKDOWN_LEVELS)[number];

const SEPARATOR = "\n\n";
const CLOSE = "</details>";
const MESSAGE_CHARS = 500;
/** Up to this many in-sync environments get a table row each; more are counted in one line. */
export const DRIFT_QUIET_ROWS = 20;

interface Pieces {
  head: string;
  tableHeader: string;
  rows: string[];
  /** In-sync environments counted in one line rather than listed (when there are many), or 0. */
  quietCount: number;
  sections: Section[];
}

interface Section {
  open: string;
  /** An error's or skip's message, or "". */
  message: string;
  objects: ObjectForms[];
}

interface ObjectForms {
  full: string;
  cut: string;
  item: string;
  patchSize: number;
}

/** The tracking issue's body (without the marker line, which the caller adds), at most `budget` characters. */
export function driftMarkdown(report: DriftReport, budget: number): string {
  return driftMarkdownWithLevel(report, budget).text;
}

/** The body and the step it was rendered at. */
export function driftMarkdownWithLevel(report: DriftReport, budget: number): { text: string; level: DriftMarkdownLevel } {
  const room = Math.max(0, Math.floor(budget));
  const pieces = markdownPieces(report);
  const attempts: Array<[DriftMarkdownLevel, (pieces: Pieces, room: number) => string | undefined]> = [
    ["full", fullLevel],
    ["cut-diffs", cutDiffsLevel],
    ["object-list", objectListLevel],
    ["summary", summaryLevel],
  ];
  for (const [level, attempt] of attempts) {
    const text = attempt(pieces, room);
    if (text !== undefined && text.length <= room) return { text, level };
  }
  return { text: oneLineLevel(report, room), level: "one-line" };
}

function markdownPieces(report: DriftReport): Pieces {
  const ordered = reviewOrder(report.environments);
  const quiet = ordered.filter((environment) => environment.status === "in-sync");
  const icon = report.result === "none" ? "✅" : report.result === "drift" ? "⚠️" : "❌";
  const { cluster } = report;
  const title = `### ${icon} gitops-verify drift: ${escapeMarkdown(headline(report))}`;
  const against = `Cluster <code>${escapeMarkdown(cluster.context)}</code> (<code>${escapeMarkdown(cluster.server)}</code>) against ${escapeMarkdown(describeRevision(report.revision))}; ${escapeMarkdown(objectsLine(report))}.`;
  return {
    head: `${title}${SEPARATOR}${against}`,
    tableHeader: "| Environment | Status | Missing | Extra | Changed |\n|---|---|---:|---:|---:|",
    rows: (quiet.length > DRIFT_QUIET_ROWS ? ordered.filter((environment) => environment.status !== "in-sync") : ordered).map(tableRow),
    quietCount: quiet.length > DRIFT_QUIET_ROWS ? quiet.length : 0,
    sections: ordered.filter((environment) => environment.status !== "in-sync").map(section),
  };
}

function tableRow(environment: EnvironmentDrift): string {
  const status = environment.status === "error" ? "❌ error" : environment.status === "drifted" ? "⚠️ drifted" : STATUS_WORDS[environment.status];
  const { missing, extra, changed } = counts(environment);
  const cells = environment.status === "drifted" ? [missing, extra, changed] : ["", "", ""];
  return `| ${escapeMarkdown(environment.environment.name)} | ${status} | ${cells.join(" | ")} |`;
}

function section(environment: EnvironmentDrift): Section {
  const countsPart = environment.status === "drifted" ? ` (${countsText(environment)})` : "";
  // an error is what the reader must see: its section starts open
  const open = `<details${environment.status === "error" ? " open" : ""}><summary><b>${escapeMarkdown(environment.environment.name)}</b>: ${STATUS_WORDS[environment.status]}${countsPart}</summary>`;
  const message = environment.message ? `> ${escapeMarkdown(clip(environment.message, MESSAGE_CHARS))}` : "";
  return { open, message, objects: environment.objects.map(objectForms) };
}

function objectForms(object: DriftedObject): ObjectForms {
  const managers = object.managers?.length ? ` edited by ${object.managers.map((manager) => `<code>${escapeMarkdown(manager)}</code>`).join(", ")}` : "";
  const source = formatLocation(object.source);
  const heading = `<code>${escapeMarkdown(objectTitle(object))}</code>${managers}${source ? ` <sub>${escapeMarkdown(source)}</sub>` : ""}`;
  const secretKeys = (object.secretKeys ?? []).map((key) => `- secret key ${escapeMarkdown(describeSecretKey(key))}`);
  const body = [...(secretKeys.length ? [secretKeys.join("\n")] : []), fenced(object.patch)].join(SEPARATOR);
  const lines = patchBody(object.patch).length;
  return {
    full: `<details><summary>${heading}</summary>${SEPARATOR}${body}${SEPARATOR}</details>`,
    cut: [`- ${heading}: diff of ${plural(lines, "line")} left out`, ...secretKeys.map((line) => `  ${line}`)].join("\n"),
    item: `- ${heading}`,
    patchSize: object.patch.length,
  };
}


function notice(what: string): string {
  return `> [!NOTE]\n> Shortened to fit the issue size limit: ${what}. The JSON report of the drift run has everything.`;
}

function fullLevel(pieces: Pieces, room: number): string | undefined {
  const blocks = pieces.sections.map((item) => item.objects.map((object) => object.full));
  if (withSectionsLength(pieces, 0, blocks) > room) return undefined;
  return withSections(pieces, "", blocks);
}

/** The largest patches replaced by a line saying so, until the body fits; at least one patch stays. */
function cutDiffsLevel(pieces: Pieces, room: number): string | undefined {
  const objects = pieces.sections.flatMap((item, sectionIndex) => item.objects.map((forms, objectIndex) => ({ forms, sectionIndex, objectIndex })));
  if (objects.length < 2) return undefined;
  const blocks = pieces.sections.map((item) => item.objects.map((object) => object.full));
  let length = withSectionsLength(pieces, cutNotice(objects.length).length, blocks);
  let cut = 0;
  for (const { forms, sectionIndex, objectIndex } of [...objects].sort((a, b) => b.forms.patchSize - a.forms.patchSize)) {
    if (length <= room) break;
    if (forms.cut.length >= forms.full.length) continue;
    blocks[sectionIndex]![objectIndex] = forms.cut;
    length -= forms.full.length - forms.cut.length;
    cut++;
  }
  if (length > room || cut === objects.length) return undefined;
  return withSections(pieces, cutNotice(cut), blocks);
}

function cutNotice(count: number): string {
  return notice(count === 1 ? "the diff of the largest object was left out" : `the diffs of the ${count} largest objects were left out`);
}

function withSectionsLength(pieces: Pieces, noticeLength: number, blocks: string[][]): number {
  const sections = pieces.sections.map((item, index) => sectionLength(item, blocks[index]!.map((block) => block.length)));
  return documentLength([pieces.head.length, noticeLength, tableLength(pieces, pieces.rows.length), ...sections]);
}

function withSections(pieces: Pieces, noticeText: string, blocks: string[][]): string {
  const sections = pieces.sections.map((item, index) => sectionText(item, blocks[index]!));
  return assemble([pieces.head, noticeText, tableText(pieces, pieces.rows.length), ...sections]);
}

/** Objects listed without diffs, as many environments and objects as fit; what is left out is counted. */
function objectListLevel(pieces: Pieces, room: number): string | undefined {
  if (pieces.sections.length === 0) return undefined;
  const fixed = [pieces.head, notice("all diffs were left out, objects are listed"), tableText(pieces, pieces.rows.length)];
  let left = room - documentLength(fixed.map((text) => text.length)) - SEPARATOR.length;
  const shown: string[] = [];
  for (const [index, item] of pieces.sections.entries()) {
    const more = moreEnvironments(pieces.sections.length - index - 1);
    const reserve = more ? SEPARATOR.length + more.length : 0;
    const list = objectList(item, left - (shown.length ? SEPARATOR.length : 0) - reserve);
    if (list === undefined) break;
    left -= (shown.length ? SEPARATOR.length : 0) + list.length;
    shown.push(list);
  }
  if (shown.length === 0) return undefined;
  const more = moreEnvironments(pieces.sections.length - shown.length);
  return assemble([...fixed, [...shown, ...(more ? [more] : [])].join(SEPARATOR)]);
}

function moreEnvironments(count: number): string {
  return count > 0 ? `_…and ${plural(count, "more environment")} not listed here._` : "";
}

/** One section with as many objects as list items as fit `room` (none at worst), the rest counted; undefined when even that does not fit. */
function objectList(item: Section, room: number): string | undefined {
  const items = item.objects.map((forms) => forms.item);
  const more = (kept: number) => (kept < items.length ? `- _…and ${plural(items.length - kept, "more object")}_` : "");
  const sums = [0];
  for (const text of items) sums.push(sums[sums.length - 1]! + text.length);
  const listLength = (kept: number) => {
    const lines = kept + (more(kept) ? 1 : 0);
    return sums[kept]! + more(kept).length + Math.max(0, lines - 1);
  };
  const total = (kept: number) => sectionLength(item, [listLength(kept)]);
  // the length grows with the count, but at the end the "…and N more" line goes: the whole list is tried first
  let kept = -1;
  if (total(items.length) <= room) kept = items.length;
  else for (let count = 0; count < items.length && total(count) <= room; count++) kept = count;
  if (kept < 0) return undefined;
  const list = [...items.slice(0, kept), more(kept)].filter(Boolean).join("\n");
  return sectionText(item, list ? [list] : []);
}

/** The table alone, rows left out (and counted) when even it is too long. */
function summaryLevel(pieces: Pieces, room: number): string | undefined {
  const fixed = [pieces.head, notice("diffs and object lists were left out, only the summary is shown")];
  const left = room - documentLength(fixed.map((text) => text.length)) - SEPARATOR.length;
  for (let kept = pieces.rows.length; kept >= 0; kept--) {
    if (tableLength(pieces, kept) <= left) return assemble([...fixed, tableText(pieces, kept)]);
  }
  return undefined;
}

function oneLineLevel(report: DriftReport, room: number): string {
  const { missing, extra, changed } = report.summary.objects;
  const line = `**gitops-verify drift: ${escapeMarkdown(headline(report))}** (objects: ${missing} missing, ${extra} extra, ${changed} changed). Details left out to fit the issue size limit; the JSON report of the drift run has everything.`;
  if (line.length + 1 <= room) return `${line}\n`;
  return clip(`gitops-verify drift: ${headline(report)}; objects ${missing} missing, ${extra} extra, ${changed} changed`, room);
}

/** The table with its first `kept` rows; a line counts the rest (and the in-sync environments, when many). */
function tableText(pieces: Pieces, kept: number): string {
  const omitted = pieces.rows.length - kept;
  const table = kept > 0 ? [pieces.tableHeader, ...pieces.rows.slice(0, kept)].join("\n") : "";
  const footer = omitted > 0 ? `_${kept > 0 ? "…and " : ""}${plural(omitted, kept > 0 ? "more environment" : "environment")} not listed._` : "";
  const quiet = pieces.quietCount > 0 ? `_${kept > 0 ? "…and " : ""}${plural(pieces.quietCount, "environment")} in sync._` : "";
  return [table, [footer, quiet].filter(Boolean).join("\n")].filter(Boolean).join(SEPARATOR);
}

function tableLength(pieces: Pieces, kept: number): number {
  return tableText(pieces, kept).length;
}

/** Length of blocks joined by blank lines with a final newline; empty blocks are left out. */
function documentLength(lengths: number[]): number {
  const present = lengths.filter((length) => length > 0);
  return present.reduce((sum, length) => sum + length, 0) + Math.max(0, present.length - 1) * SEPARATOR.length + 1;
}

function assemble(blocks: string[]): string {
  return `${blocks.filter((block) => block !== "").join(SEPARATOR)}\n`;
}

function sectionLength(item: Section, blockLengths: number[]): number {
  const body = [item.message.length, ...blockLengths].filter((length) => length > 0);
  const bodyLength = body.reduce((sum, length) => sum + length, 0) + Math.max(0, body.length - 1) * SEPARATOR.length;
  return item.open.length + SEPARATOR.length + (body.length ? bodyLength + SEPARATOR.length : 0) + CLOSE.length;
}

function sectionText(item: Section, blocks: string[]): string {
  return [item.open, item.message, ...blocks, CLOSE].filter((block) => block !== "").join(SEPARATOR);
}

// ── JSON ──────────────────────────────────────────────────────────────────────

/** Pretty JSON (schemas/drift.v1.json): objects rebuilt field by field in the order model.ts declares them, nothing undeclared. */
export function driftJson(report: DriftReport): string {
  return `${JSON.stringify(canonicalDriftReport(report), null, 2)}\n`;
}

export function canonicalDriftReport(report: DriftReport): DriftReport {
  const { summary } = report;
  return {
    schemaVersion: report.schemaVersion,
    tool: { name: report.tool.name, version: report.tool.version },
    revision: { ref: report.revision.ref, sha: report.revision.sha },
    cluster: { server: report.cluster.server, context: report.cluster.context },
    environments: report.environments.map(environmentDrift),
    result: report.result,
    summary: {
      environments: summary.environments,
      drifted: summary.drifted,
      inSync: summary.inSync,
      errors: summary.errors,
      skipped: summary.skipped,
      objects: { missing: summary.objects.missing, extra: summary.objects.extra, changed: summary.objects.changed },
    },
    durationMs: report.durationMs,
  };
}


function environmentDrift(value: EnvironmentDrift): EnvironmentDrift {
  return {
    environment: environment(value.environment),
    status: value.status,
    objects: value.objects.map(driftedObject),
    inSync: value.inSync,
    ...optional("message", value.message),
  };
}

function driftedObject(object: DriftedObject): DriftedObject {
  return {
    change: object.change,
    id: objectId(object.id),
    patch: object.patch,
    linesAdded: object.linesAdded,
    linesRemoved: object.linesRemoved,
    ...optional("secretKeys", object.secretKeys?.map(secretKeyChange)),
    ...optional("managers", object.managers && [...object.managers]),
    ...optional("source", object.source && location(object.source)),
  };
}



