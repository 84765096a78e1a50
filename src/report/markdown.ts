// The pull-request comment. It always fits its character budget, degrading in steps:
//   full diffs → the largest diffs cut → object list only → summary table only → one line.
// Every piece is rendered once; a level is chosen from the pieces' lengths, and only the chosen
// level is joined into the result.
import type { EnvironmentResult, Finding, ObjectDiff, RunReport } from "../model.ts";
import { formatLocation } from "../errors.ts";
import {
  clip,
  fenced,
  describeRevision,
  describeSecretKey,
  describeSource,
  diffTitle,
  GATE_WORDS,
  hasDetails,
  headline,
  isNotable,
  patchBody,
  plural,
  showsCounts,
  STATUS_WORDS,
  byCluster,
  hasClusters,
  pathBeside,
} from "./common.ts";

export interface MarkdownOptions {
  /** Largest result, in characters (UTF-16 code units, as `string.length` counts them). */
  budget: number;
  /** Where the full report can be read; named whenever something was cut. */
  fullReportUrl?: string;
  /** Placed first (to find the comment again), counted in the budget. */
  marker?: string;
}

/** The degradation steps, richest first. */
export const MARKDOWN_LEVELS = ["full", "cut-diffs", "object-list", "summary", "one-line"] as const;
export type MarkdownLevel = (typeof MARKDOWN_LEVELS)[number];

/** Up to this many quiet (unaffected or unchanged) environments get a table row each; more are counted. */
export const QUIET_ROWS = 20;
/** Findings listed per environment (and run-level); the rest are counted. */
const FINDINGS_SHOWN = 20;
/** A render error can be pages long: the comment shows its start, the full report all of it. */
const MESSAGE_CHARS = 500;
const REASON_CHARS = 300;
const UNREAD_FILES_SHOWN = 10;
const SEPARATOR = "\n\n";

export function renderMarkdown(report: RunReport, options: MarkdownOptions): string {
  return renderMarkdownWithLevel(report, options).text;
}

/** The comment and the level it was rendered at. */
export function renderMarkdownWithLevel(report: RunReport, options: MarkdownOptions): { text: string; level: MarkdownLevel } {
  const budget = Math.max(0, Math.floor(options.budget));
  const pieces = buildPieces(report, options);
  const attempts: Array<[MarkdownLevel, (pieces: Pieces, budget: number) => string | undefined]> = [
    ["full", fullLevel],
    ["cut-diffs", cutDiffsLevel],
    ["object-list", objectListLevel],
    ["summary", summaryLevel],
  ];
  for (const [level, attempt] of attempts) {
    const text = attempt(pieces, budget);
    if (text !== undefined && text.length <= budget) return { text, level };
  }
  return { text: oneLineLevel(report, options, pieces.where, budget), level: "one-line" };
}

// ── pieces ────────────────────────────────────────────────────────────────────

interface Pieces {
  head: string;
  runFindings: string;
  table: TablePieces;
  /** The table with every row, as the richer levels show it. */
  fullTable: string;
  sections: Section[];
  trailer: string;
  where: string;
}

interface TablePieces {
  header: string;
  rows: string[];
  /** The one line standing for many quiet environments, or "". */
  quietLine: string;
}

interface Section {
  /** `<details><summary>…</summary>` */
  open: string;
  findings: string;
  objects: ObjectBlocks[];
  /** Shown when the section has neither findings nor objects. */
  empty: string;
}

/** One object in each of the forms the levels use. */
interface ObjectBlocks {
  full: string;
  cut: string;
  item: string;
  patchSize: number;
}

function buildPieces(report: RunReport, options: MarkdownOptions): Pieces {
  const ordered = reviewOrder(report.environments);
  const table = tablePieces(ordered);
  return {
    head: head(report, options.marker),
    runFindings: report.findings.length ? `**Findings**\n${findingList(report.findings)}` : "",
    table,
    fullTable: tableWithin(table, Infinity)!,
    sections: ordered.filter(hasDetails).map(section),
    trailer: trailer(report.unreadChangedFiles),
    where: options.fullReportUrl ? `[the full report](${safeUrl(options.fullReportUrl)})` : "the job summary / report artifact",
  };
}

/**
 * Grouped by cluster; within a cluster failures first (they decide the gate), then changes, then quiet
 * environments; report order within each.
 */
function reviewOrder(environments: EnvironmentResult[]): EnvironmentResult[] {
  const rank = (result: EnvironmentResult) => (result.status === "failed" ? 0 : isNotable(result) ? 1 : 2);
  return byCluster([...environments].sort((a, b) => rank(a) - rank(b)));
}

function head(report: RunReport, marker: string | undefined): string {
  const icon = report.gate.result === "pass" ? "✅" : report.gate.result === "fail" ? "❌" : "⚠️";
  const title = `### ${icon} gitops-verify ${GATE_WORDS[report.gate.result]}: ${headline(report)}`;
  const compared = `Comparing ${escapeMarkdown(describeRevision(report.head))} with ${escapeMarkdown(describeRevision(report.base, "merge-base"))}: ${plural(report.changedFiles.length, "file")} changed.`;
  const reasons = report.gate.reasons.map((reason) => escapeMarkdown(clip(reason, REASON_CHARS)));
  const context = reasons.length ? `${compared}\n${reasons.join("; ")}.` : compared;
  return [...(marker ? [`${marker}\n${title}`] : [title]), context].join(SEPARATOR);
}

function tablePieces(ordered: EnvironmentResult[]): TablePieces {
  const quiet = ordered.filter((result) => !isNotable(result));
  const listed = quiet.length > QUIET_ROWS ? ordered.filter(isNotable) : ordered;
  const clusters = hasClusters(ordered);
  return {
    header: clusters
      ? "| Cluster | Environment | Status | Added | Changed | Removed |\n|---|---|---|--:|--:|--:|"
      : "| Environment | Status | Added | Changed | Removed |\n|---|---|--:|--:|--:|",
    rows: listed.map((result) => tableRow(result, clusters)),
    quietLine: quiet.length > QUIET_ROWS ? quietSummary(quiet) : "",
  };
}

function tableRow(result: EnvironmentResult, clusters: boolean): string {
  const status = result.status === "failed" ? "❌ failed" : STATUS_WORDS[result.status];
  const { added, changed, removed } = result.counts;
  const cells = showsCounts(result) ? [added, changed, removed] : ["", "", ""];
  const cluster = clusters ? `${escapeMarkdown(result.environment.cluster ?? "")} | ` : "";
  return `| ${cluster}${environmentCell(result)} | ${status} | ${cells.join(" | ")} |`;
}

/** The name a reviewer recognises, with the path it renders beside it. */
function environmentCell(result: EnvironmentResult): string {
  const beside = pathBeside(result);
  return `${escapeMarkdown(result.environment.name)}${beside ? ` <sub>${escapeMarkdown(beside)}</sub>` : ""}`;
}

function quietSummary(quiet: EnvironmentResult[]): string {
  const unaffected = quiet.filter((result) => result.status === "unaffected").length;
  const unchanged = quiet.length - unaffected;
  const parts = [];
  if (unaffected) parts.push(`${plural(unaffected, "environment")} not affected by this change`);
  if (unchanged) parts.push(`${plural(unchanged, "environment")} rendered with no change`);
  return `_${parts.join("; ")}._`;
}

function section(result: EnvironmentResult): Section {
  const counts = showsCounts(result) ? ` (+${result.counts.added} ~${result.counts.changed} -${result.counts.removed})` : "";
  const beside = pathBeside(result);
  const summary = `<b>${escapeMarkdown(result.environment.name)}</b>${beside ? ` <sub>${escapeMarkdown(beside)}</sub>` : ""}: ${STATUS_WORDS[result.status]}${counts}`;
  // a failure is what the reader must see: its section starts open
  const open = `<details${result.status === "failed" ? " open" : ""}><summary>${summary}</summary>`;
  return {
    open,
    findings: result.findings.length ? findingList(result.findings) : "",
    objects: result.diffs.map(objectBlocks),
    empty: result.status === "failed" ? "_The render failed without a message; see the job log._" : "_No object differs._",
  };
}

function findingList(findings: Finding[]): string {
  const shown = findings.slice(0, FINDINGS_SHOWN).map(findingItem);
  const more = findings.length > FINDINGS_SHOWN ? [`- _…and ${plural(findings.length - FINDINGS_SHOWN, "more finding")}_`] : [];
  return [...shown, ...more].join("\n");
}

function findingItem(finding: Finding): string {
  const where = formatLocation(finding.location);
  const place = where ? ` <code>${escapeMarkdown(where)}</code>` : "";
  return `- **${finding.severity}**${place}: ${escapeMarkdown(clip(finding.message, MESSAGE_CHARS))}`;
}

function objectBlocks(diff: ObjectDiff): ObjectBlocks {
  const source = describeSource(diff);
  const heading = `<code>${escapeMarkdown(diffTitle(diff))}</code>${source ? ` <sub>${escapeMarkdown(source)}</sub>` : ""}`;
  const secretKeys = (diff.secretKeys ?? []).map((key) => `- secret key ${escapeMarkdown(describeSecretKey(key))}`);
  const diffLines = patchBody(diff.patch).length;
  const fullBody = [...(secretKeys.length ? [secretKeys.join("\n")] : []), fenced(diff.patch)].join(SEPARATOR);
  const keyCount = diff.secretKeys?.length ? ` (${plural(diff.secretKeys.length, "secret key")} differ${diff.secretKeys.length === 1 ? "s" : ""})` : "";
  return {
    full: `<details><summary>${heading}</summary>${SEPARATOR}${fullBody}${SEPARATOR}</details>`,
    cut: [`- ${heading}: diff of ${plural(diffLines, "line")} omitted — see the full report`, ...secretKeys.map((line) => `  ${line}`)].join("\n"),
    item: `- ${heading}${keyCount}`,
    patchSize: diff.patch.length,
  };
}


function trailer(files: string[]): string {
  if (files.length === 0) return "";
  const shown = files.slice(0, UNREAD_FILES_SHOWN).map((file) => `<code>${escapeMarkdown(file)}</code>`).join(", ");
  const more = files.length > UNREAD_FILES_SHOWN ? ` and ${files.length - UNREAD_FILES_SHOWN} more` : "";
  return `<sub>Changed files no environment reads: ${shown}${more}.</sub>`;
}

function notice(level: Exclude<MarkdownLevel, "full" | "one-line">, cutCount: number, where: string): string {
  const what =
    level === "cut-diffs"
      ? cutCount === 1
        ? "the diff of the largest object was omitted"
        : `the diffs of the ${cutCount} largest objects were omitted`
      : level === "object-list"
        ? "all diffs were omitted, objects are listed"
        : "diffs and object lists were omitted, only the summary is shown";
  return `> [!NOTE]\n> Shortened to fit the comment size limit: ${what}. Everything is in ${where}.`;
}

// ── levels ────────────────────────────────────────────────────────────────────

function fullLevel(pieces: Pieces, budget: number): string | undefined {
  const blocks = pieces.sections.map((item) => item.objects.map((object) => object.full));
  if (everySectionLength(pieces, 0, blocks) > budget) return undefined;
  return everySection(pieces, "", blocks);
}

/** Replaces the largest diffs by a one-line note until the comment fits; at least one diff must stay. */
function cutDiffsLevel(pieces: Pieces, budget: number): string | undefined {
  const objects = pieces.sections.flatMap((item, sectionIndex) => item.objects.map((forms, objectIndex) => ({ forms, sectionIndex, objectIndex })));
  if (objects.length < 2) return undefined;
  const blocks = pieces.sections.map((item) => item.objects.map((object) => object.full));
  // the notice names how many were cut: reserve the longest it can be
  let length = everySectionLength(pieces, notice("cut-diffs", objects.length, pieces.where).length, blocks);
  let cutCount = 0;
  for (const { forms, sectionIndex, objectIndex } of [...objects].sort((a, b) => b.forms.patchSize - a.forms.patchSize)) {
    if (length <= budget) break;
    if (forms.cut.length >= forms.full.length) continue;
    blocks[sectionIndex]![objectIndex] = forms.cut;
    length -= forms.full.length - forms.cut.length;
    cutCount++;
  }
  if (length > budget || cutCount === objects.length) return undefined;
  return everySection(pieces, notice("cut-diffs", cutCount, pieces.where), blocks);
}

/** Length of a comment showing every section, objects in the forms given by `blocks[section][object]`. */
function everySectionLength(pieces: Pieces, noticeLength: number, blocks: string[][]): number {
  const sections = pieces.sections.map((item, index) => sectionLength(item, blocks[index]!.map((block) => block.length)));
  return documentLength([pieces.head.length, noticeLength, pieces.runFindings.length, pieces.fullTable.length, ...sections, pieces.trailer.length]);
}

function everySection(pieces: Pieces, noticeText: string, blocks: string[][]): string {
  const sections = pieces.sections.map((item, index) => sectionText(item, blocks[index]!));
  return assemble([pieces.head, noticeText, pieces.runFindings, pieces.fullTable, ...sections, pieces.trailer]);
}

/** Objects listed without diffs, as many environments and objects as fit; the rest are counted. */
function objectListLevel(pieces: Pieces, budget: number): string | undefined {
  if (pieces.sections.length === 0) return undefined;
  const fixed = [pieces.head, notice("object-list", 0, pieces.where), pieces.runFindings, pieces.fullTable];
  const room = budget - documentLength([...fixed.map((text) => text.length), pieces.trailer.length]) - SEPARATOR.length;
  const lists = sectionLists(pieces.sections, room);
  if (lists === undefined) return undefined;
  return assemble([...fixed, lists, pieces.trailer]);
}

/** The summary table alone, rows cut (and counted) when even it is too long. */
function summaryLevel(pieces: Pieces, budget: number): string | undefined {
  const fixed = [pieces.head, notice("summary", 0, pieces.where)];
  const room = budget - documentLength(fixed.map((text) => text.length)) - SEPARATOR.length;
  const table = tableWithin(pieces.table, room);
  if (table === undefined) return undefined;
  return assemble([...fixed, table]);
}

/** Below any useful comment: one line, and below that one line cut, keeping the marker only whole (a cut `<!--` hides what follows). */
function oneLineLevel(report: RunReport, options: MarkdownOptions, where: string, budget: number): string {
  const { added, changed, removed } = report.summary.objects;
  const status = `gitops-verify ${GATE_WORDS[report.gate.result]}`;
  const objects = `objects +${added} ~${changed} -${removed}`;
  const line = `**${status}**: ${headline(report)} (${objects}). Details omitted to fit the comment size limit; see ${where}.`;
  const withMarker = options.marker ? `${options.marker}\n${line}` : line;
  if (withMarker.length <= budget) return withMarker;
  const plain = `${status}: ${headline(report)}; details omitted, see ${options.fullReportUrl ?? "the job summary"}`;
  const markerPrefix = options.marker && options.marker.length + 1 < budget ? `${options.marker}\n` : "";
  return markerPrefix + clip(plain, budget - markerPrefix.length);
}

// ── fitting ───────────────────────────────────────────────────────────────────

/** Length of blocks joined by blank lines with a final newline; empty blocks are left out. */
function documentLength(lengths: number[]): number {
  const present = lengths.filter((length) => length > 0);
  return present.reduce((sum, length) => sum + length, 0) + Math.max(0, present.length - 1) * SEPARATOR.length + 1;
}

function assemble(blocks: string[]): string {
  return `${blocks.filter((block) => block !== "").join(SEPARATOR)}\n`;
}

const CLOSE = "</details>";

function sectionLength(item: Section, blockLengths: number[]): number {
  const body = [item.findings.length, ...blockLengths];
  const bodyLength = body.some((length) => length > 0) ? documentLength(body) - 1 : item.empty.length;
  return item.open.length + SEPARATOR.length + bodyLength + SEPARATOR.length + CLOSE.length;
}

function sectionText(item: Section, blocks: string[]): string {
  const body = [item.findings, ...blocks].filter((block) => block !== "");
  return [item.open, body.length ? body.join(SEPARATOR) : item.empty, CLOSE].join(SEPARATOR);
}

/**
 * The largest count in 0..max whose `total` length fits `room`, or -1 when none does. `total` grows with
 * the count, except that at `max` a closing "…and N more" line disappears: that case is tried first.
 */
function largestFitting(max: number, room: number, total: (count: number) => number): number {
  if (total(max) <= room) return max;
  let best = -1;
  for (let count = 0; count < max && total(count) <= room; count++) best = count;
  return best;
}

/** prefix[k] = sum of the first k lengths. */
function prefixSums(lengths: number[]): number[] {
  const sums = [0];
  for (const length of lengths) sums.push(sums[sums.length - 1]! + length);
  return sums;
}

/** The table within `room`: leading rows kept, the rest counted; undefined when not even the header fits. */
function tableWithin(table: TablePieces, room: number): string | undefined {
  const footer = (kept: number) => {
    const omitted = table.rows.length - kept;
    return [omittedRows(omitted, kept), table.quietLine].filter(Boolean).join("\n");
  };
  const rowLengths = prefixSums(table.rows.map((row) => row.length));
  const total = (kept: number) => {
    const footerLength = footer(kept).length;
    if (kept === 0 && table.rows.length > 0) return footerLength;
    return table.header.length + rowLengths[kept]! + kept + (footerLength ? SEPARATOR.length + footerLength : 0);
  };
  const kept = largestFitting(table.rows.length, room, total);
  if (kept < 0) return undefined;
  // a table without rows renders as an empty grid: then the counting lines stand alone
  if (kept === 0 && table.rows.length > 0) return footer(0);
  const rows = [table.header, ...table.rows.slice(0, kept)].join("\n");
  return footer(kept) ? `${rows}${SEPARATOR}${footer(kept)}` : rows;
}

function omittedRows(omitted: number, kept: number): string {
  if (omitted === 0) return "";
  return kept === 0 ? `_${plural(omitted, "environment")} changed or failed: not listed._` : `_…and ${plural(omitted, "more environment")}._`;
}

/** Sections as object lists within `room`, the environments left out counted; at least one must be shown. */
function sectionLists(sections: Section[], room: number): string | undefined {
  const moreEnvironments = (shown: number) =>
    shown < sections.length ? `_…and ${plural(sections.length - shown, "more environment")} not listed here._` : "";
  const shown: string[] = [];
  let used = 0;
  for (const item of sections) {
    // keep room for the line that would count the environments after this one
    const reserve = moreEnvironments(shown.length + 1).length;
    const separator = shown.length ? SEPARATOR.length : 0;
    const list = objectList(item, room - used - separator - (reserve ? SEPARATOR.length + reserve : 0));
    if (list === undefined) break;
    shown.push(list);
    used += separator + list.length;
  }
  if (shown.length === 0) return undefined;
  const more = moreEnvironments(shown.length);
  return [...shown, ...(more ? [more] : [])].join(SEPARATOR);
}

/** One section with its objects as list items, as many as fit `room`, the rest counted. */
function objectList(item: Section, room: number): string | undefined {
  const items = item.objects.map((blocks) => blocks.item);
  const moreObjects = (kept: number) => (kept < items.length ? `- _…and ${plural(items.length - kept, "more object")}_` : "");
  const itemLengths = prefixSums(items.map((text) => text.length));
  const listLength = (kept: number) => {
    const lines = kept + (moreObjects(kept) ? 1 : 0);
    return itemLengths[kept]! + moreObjects(kept).length + Math.max(0, lines - 1);
  };
  const kept = largestFitting(items.length, room, (count) => sectionLength(item, [listLength(count)]));
  if (kept < 0) return undefined;
  const list = [...items.slice(0, kept), moreObjects(kept)].filter(Boolean).join("\n");
  return sectionText(item, list ? [list] : []);
}

// ── escaping ──────────────────────────────────────────────────────────────────

/**
 * Text from the repository in paragraphs, table cells and HTML summaries: HTML, table pipes and code
 * spans are neutralised with character references, which GitHub decodes for display in all three.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "&#124;")
    .replace(/`/g, "&#96;")
    .replace(/[\r\n]+/g, " ");
}

/** Characters that would end or break a markdown link destination are percent-encoded. */
function safeUrl(url: string): string {
  return url.replace(/[\s()<>]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}
