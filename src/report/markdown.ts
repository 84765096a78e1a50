// The pull-request comment. It always fits its character budget, degrading in steps:
// full diffs → the largest diffs cut → object list only → summary table only → one line.
import type { EnvironmentResult, Finding, ObjectDiff, RunReport } from "../model.ts";
import {
  describeFinding,
  describeSecretKey,
  diffTitle,
  GATE_WORDS,
  headline,
  isNotable,
  plural,
  describeRevision,
  STATUS_WORDS,
} from "./common.ts";

export interface MarkdownOptions {
  /** Largest result, in characters. */
  budget: number;
  /** Where the full report can be read, linked when something was cut. */
  fullReportUrl?: string;
  /** A hidden marker placed first (finding the comment again), counted in the budget. */
  marker?: string;
}

export type MarkdownLevel = "full" | "cut-diffs" | "object-list" | "summary" | "one-line";

/** Up to this many quiet (unaffected or unchanged) environments get a table row each. */
const QUIET_ROWS = 20;

export function renderMarkdown(report: RunReport, options: MarkdownOptions): string {
  return renderMarkdownWithLevel(report, options).text;
}

export function renderMarkdownWithLevel(report: RunReport, options: MarkdownOptions): { text: string; level: MarkdownLevel } {
  const budget = Math.max(0, Math.floor(options.budget));
  const where = options.fullReportUrl ? `[the full report](${options.fullReportUrl})` : "the full report (job summary or report artifact)";
  const head = [...(options.marker ? [options.marker] : []), title(report), context(report)].join("\n\n");
  const table = summaryTable(report);
  const tail = trailer(report);
  const notable = report.environments.filter(isNotable);
  const fits = (parts: string[]) => joinedLength(parts) <= budget;

  // 1. everything
  const sections = notable.map((result) => environmentSection(result, "full"));
  const full = [head, table, ...sections, tail];
  if (fits(full)) return { text: join(full), level: "full" };

  // 2. cut the largest diffs first until it fits
  const cut = cutLargestDiffs(notable, budget - joinedLength([head, table, tail, notice("cut-diffs", 0, where)]) - 2 * notable.length);
  if (cut) {
    const parts = [head, notice("cut-diffs", cut.omitted, where), table, ...cut.sections, tail];
    if (fits(parts)) return { text: join(parts), level: "cut-diffs" };
  }

  // 3. object lists, as many objects as fit
  const listNotice = notice("object-list", 0, where);
  const room = budget - joinedLength([head, listNotice, table, tail]) - 2;
  const lists = objectLists(notable, room);
  if (lists) {
    const parts = [head, listNotice, table, lists, tail];
    if (fits(parts)) return { text: join(parts), level: "object-list" };
  }

  // 4. the summary table only, rows cut when even that is too long
  const summaryNotice = notice("summary", 0, where);
  const tableRoom = budget - joinedLength([head, summaryNotice]) - 2;
  const shortTable = tableWithin(report, tableRoom);
  if (shortTable !== undefined) return { text: join([head, summaryNotice, shortTable]), level: "summary" };

  // 5. one line, cut to the budget if it must be
  const line = `${options.marker ? `${options.marker}\n` : ""}**gitops-verify ${GATE_WORDS[report.gate.result]}**: ${headline(report)}. See ${where}.`;
  return { text: line.length <= budget ? line : line.slice(0, budget), level: "one-line" };
}

function title(report: RunReport): string {
  const icon = report.gate.result === "pass" ? "✅" : report.gate.result === "fail" ? "❌" : "⚠️";
  return `### ${icon} gitops-verify ${GATE_WORDS[report.gate.result]}: ${escapeText(headline(report))}`;
}

function context(report: RunReport): string {
  const lines = [
    `Comparing ${escapeText(describeRevision(report.head))} with ${escapeText(describeRevision(report.base, "merge-base"))}: ${plural(report.changedFiles.length, "file")} changed.`,
  ];
  if (report.gate.reasons.length > 0) lines.push(`${report.gate.reasons.map(escapeText).join("; ")}.`);
  for (const finding of report.findings) lines.push(`- **${finding.severity}**: ${escapeText(describeFinding(finding))}`);
  return lines.join("\n");
}

function summaryTable(report: RunReport): string {
  return tableWithin(report, Infinity)!;
}

/** The summary table within `room` characters (rows cut, with a count), or undefined when not even its head fits. */
function tableWithin(report: RunReport, room: number): string | undefined {
  const notable = report.environments.filter(isNotable);
  const quiet = report.environments.filter((result) => !isNotable(result));
  const rows = notable.map(row);
  if (quiet.length <= QUIET_ROWS) rows.push(...quiet.map(row));
  const header = "| Environment | Status | Added | Changed | Removed |\n|---|---|--:|--:|--:|";
  const quietLine = quiet.length > QUIET_ROWS ? quietSummary(quiet) : "";
  const footer = (omitted: number) =>
    [omitted > 0 ? `_…and ${plural(omitted, "more environment")} with changes._` : "", quietLine].filter(Boolean).join("\n");
  let length = header.length;
  let kept = 0;
  for (const line of rows) {
    const footerLength = footer(rows.length - kept - 1).length;
    if (length + 1 + line.length + (footerLength ? footerLength + 2 : 0) > room) break;
    length += 1 + line.length;
    kept++;
  }
  const text = [header, ...rows.slice(0, kept)].join("\n");
  const rest = footer(rows.length - kept);
  const result = rest ? `${text}\n\n${rest}` : text;
  return result.length <= room ? result : undefined;
}

function quietSummary(quiet: EnvironmentResult[]): string {
  const unaffected = quiet.filter((result) => result.status === "unaffected").length;
  const unchanged = quiet.length - unaffected;
  const parts = [];
  if (unaffected) parts.push(`${plural(unaffected, "environment")} not affected by this change`);
  if (unchanged) parts.push(`${plural(unchanged, "environment")} rendered with no change`);
  return `_${parts.join("; ")}._`;
}

function row(result: EnvironmentResult): string {
  const status = result.status === "failed" ? "❌ failed" : STATUS_WORDS[result.status];
  const cells = isNotable(result) && result.status !== "failed" ? [result.counts.added, result.counts.changed, result.counts.removed] : ["", "", ""];
  return `| ${escapeText(result.environment.name)} | ${status} | ${cells.join(" | ")} |`;
}

function trailer(report: RunReport): string {
  if (report.unreadChangedFiles.length === 0) return "";
  const files = report.unreadChangedFiles;
  const shown = files.slice(0, 10).map((file) => `\`${escapeCode(file)}\``).join(", ");
  return `<sub>Changed files no environment reads: ${shown}${files.length > 10 ? ` and ${files.length - 10} more` : ""}.</sub>`;
}

function notice(level: MarkdownLevel, omitted: number, where: string): string {
  const what =
    level === "cut-diffs"
      ? `the diffs of the ${plural(omitted, "largest object")} were left out`
      : level === "object-list"
        ? "diffs were left out, objects are listed"
        : "only the summary is shown";
  return `> [!NOTE]\n> This comment was shortened to fit: ${what}. Everything is in ${where}.`;
}

type BlockKind = "full" | "cut" | "item";

function environmentSection(result: EnvironmentResult, kind: BlockKind, blocks?: string[]): string {
  const summary = `<b>${escapeHtml(result.environment.name)}</b>: ${STATUS_WORDS[result.status]}${result.status === "failed" ? "" : ` (+${result.counts.added} ~${result.counts.changed} -${result.counts.removed})`}`;
  const body = [
    ...findingLines(result.findings),
    ...(blocks ?? result.diffs.map((diff) => objectBlock(diff, kind))),
  ];
  return `<details><summary>${summary}</summary>\n\n${body.join("\n")}\n</details>`;
}

function findingLines(findings: Finding[]): string[] {
  return findings.map((finding) => `- **${finding.severity}**: ${escapeText(describeFinding(finding))}`).concat(findings.length ? [""] : []);
}

function objectBlock(diff: ObjectDiff, kind: BlockKind): string {
  const source = diff.source ? ` <sub>${escapeHtml(diff.source.file)}${diff.source.line ? `:${diff.source.line}` : ""}</sub>` : "";
  const heading = `<code>${escapeHtml(diffTitle(diff))}</code>${source}`;
  const secrets = (diff.secretKeys ?? []).map((key) => `- secret key ${escapeText(describeSecretKey(key))}`);
  if (kind === "item") return `- ${heading}${diff.secretKeys ? ` (${plural(diff.secretKeys.length, "secret key")})` : ""}`;
  const lines = diff.linesAdded + diff.linesRemoved;
  const content = kind === "cut" ? `_Diff of ${plural(lines, "changed line")} left out to fit._` : fenced(diff.patch);
  return `<details><summary>${heading}</summary>\n\n${[...secrets, ...(secrets.length ? [""] : []), content].join("\n")}\n</details>\n`;
}

/** A fence longer than any backtick run inside, so a diff cannot close it. */
function fenced(patch: string): string {
  const longest = Math.max(0, ...[...patch.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}diff\n${patch.replace(/\n$/, "")}\n${fence}`;
}

/**
 * Replaces full diffs by one-line notes, largest first, until the sections fit `room`.
 * Returns undefined when even all of them cut do not fit.
 */
function cutLargestDiffs(notable: EnvironmentResult[], room: number): { sections: string[]; omitted: number } | undefined {
  const blocks = notable.map((result) => result.diffs.map((diff) => ({ diff, full: objectBlock(diff, "full"), cut: objectBlock(diff, "cut") })));
  const chosen = blocks.map((list) => list.map((block) => block.full));
  const sectionOverhead = notable.map((result) => environmentSection(result, "full", []).length);
  let total = sectionOverhead.reduce((sum, size) => sum + size, 0) + chosen.flat().reduce((sum, text) => sum + text.length + 1, 0);
  const bySaving = blocks
    .flatMap((list, env) => list.map((block, index) => ({ env, index, saving: block.full.length - block.cut.length })))
    .sort((a, b) => b.saving - a.saving);
  let omitted = 0;
  for (const candidate of bySaving) {
    if (total <= room) break;
    if (candidate.saving <= 0) continue;
    chosen[candidate.env]![candidate.index] = blocks[candidate.env]![candidate.index]!.cut;
    total -= candidate.saving;
    omitted++;
  }
  if (total > room) return undefined;
  return { sections: notable.map((result, env) => environmentSection(result, "cut", chosen[env])), omitted };
}

/** Object lists within `room`; objects and environments past it are counted, not listed. */
function objectLists(notable: EnvironmentResult[], room: number): string | undefined {
  const MORE_LINE = 48; // room kept for an "…and N more" line
  const sections: string[] = [];
  let used = 0;
  for (const result of notable) {
    const emptyLength = environmentSection(result, "item", []).length;
    if (used + emptyLength + 2 + MORE_LINE * 2 > room) break;
    const items: string[] = [];
    let length = emptyLength;
    for (const diff of result.diffs) {
      const item = objectBlock(diff, "item");
      if (used + length + item.length + 1 + 2 + MORE_LINE * 2 > room) break;
      items.push(item);
      length += item.length + 1;
    }
    const missing = result.diffs.length - items.length;
    if (missing > 0) items.push(`- _…and ${plural(missing, "more object")}_`);
    const section = environmentSection(result, "item", items);
    sections.push(section);
    used += section.length + 2;
  }
  if (sections.length === 0 && notable.length > 0) return undefined;
  const left = notable.length - sections.length;
  if (left > 0) sections.push(`_…and ${plural(left, "more environment")} with changes._`);
  const text = sections.join("\n\n");
  return text.length <= room ? text : undefined;
}

function joinedLength(parts: string[]): number {
  const present = parts.filter(Boolean);
  return present.reduce((sum, part) => sum + part.length, 0) + Math.max(0, present.length - 1) * 2 + 1;
}

function join(parts: string[]): string {
  return `${parts.filter(Boolean).join("\n\n")}\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escapeCode(text: string): string {
  return text.replace(/`/g, "'").replace(/\|/g, "\\|");
}

/** Text in markdown paragraphs and table cells: no HTML, no table breaks, no stray code spans. */
function escapeText(text: string): string {
  return escapeHtml(text).replace(/\|/g, "\\|").replace(/`/g, "\\`").replace(/\n/g, " ");
}
