// The terminal report: a line per environment, then the objects of each environment that changed,
// with their diffs when short, the findings, and the gate result last (what a terminal shows at the end).
import { formatLocation } from "../errors.ts";
import type { EnvironmentResult, Finding, ObjectDiff, RunReport } from "../model.ts";
import {
  clean,
  cleanLines,
  countsText,
  describeRevision,
  describeSecretKey,
  describeSource,
  diffTitle,
  GATE_WORDS,
  hasDetails,
  isNotable,
  patchBody,
  plural,
  showsCounts,
  STATUS_WORDS,
  byCluster,
  hasClusters,
  pathBeside,
  summaryLine,
} from "./common.ts";

export interface TextOptions {
  /** ANSI colours; the caller decides (TTY, NO_COLOR). */
  color: boolean;
  /** Show every diff in full, however long. */
  verbose?: boolean;
  /** Without verbose, diffs longer than this are summarised in one line. */
  maxDiffLines?: number;
}

export const DEFAULT_MAX_DIFF_LINES = 60;
/** Changed files no environment reads: listed up to this many. */
const UNREAD_FILES_SHOWN = 20;

const STYLES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 } as const;
type Style = keyof typeof STYLES;
type Paint = (style: Style, text: string) => string;

export function renderText(report: RunReport, options: TextOptions): string {
  const paint = painter(options.color);
  const maxDiffLines = options.verbose ? Infinity : (options.maxDiffLines ?? DEFAULT_MAX_DIFF_LINES);
  const blocks = [
    header(report, paint),
    environmentList(report.environments, paint),
    ...report.environments.filter(hasDetails).map((result) => environmentDetails(result, maxDiffLines, paint)),
    runFindings(report.findings, paint),
    unreadFiles(report.unreadChangedFiles),
    footer(report, paint),
  ];
  return `${blocks.filter((block) => block !== "").join("\n\n")}\n`;
}

function painter(color: boolean): Paint {
  return color ? (style, text) => `\x1b[${STYLES[style]}m${text}\x1b[0m` : (_style, text) => text;
}



function header(report: RunReport, paint: Paint): string {
  const compared = `${clean(describeRevision(report.base))} → ${clean(describeRevision(report.head))}`;
  return [
    paint("bold", `gitops-verify ${clean(report.tool.version)}: ${compared}`),
    `${plural(report.changedFiles.length, "file")} changed, ${plural(report.environments.length, "environment")}`,
  ].join("\n");
}

/** One line per environment; grouped under a heading per cluster when the pullers name clusters. */
function environmentList(unordered: EnvironmentResult[], paint: Paint): string {
  const grouped = hasClusters(unordered);
  const environments = grouped ? byCluster(unordered) : unordered;
  const names = environments.map((result) => {
    const beside = pathBeside(result);
    return clean(beside ? `${result.environment.name} (${beside})` : result.environment.name);
  });
  const nameWidth = Math.max(0, ...names.map((name) => name.length));
  const statusWidth = Math.max(0, ...environments.map((result) => STATUS_WORDS[result.status].length));
  const lines: string[] = [];
  let cluster: string | undefined | null = null;
  environments.forEach((result, index) => {
    if (grouped && result.environment.cluster !== cluster) {
      cluster = result.environment.cluster;
      lines.push(paint("bold", `  ${cluster === undefined ? "(no cluster)" : `cluster ${clean(cluster)}`}`));
    }
    const status = STATUS_WORDS[result.status];
    // padding is measured on the plain word: escape codes would count toward the width
    const counts = showsCounts(result) ? `${" ".repeat(statusWidth - status.length)}  ${countsText(result)}` : "";
    lines.push(`${grouped ? "    " : "  "}${names[index]!.padEnd(nameWidth)}  ${paint(statusStyle(result), status)}${counts}`);
  });
  return lines.join("\n");
}

function statusStyle(result: EnvironmentResult): Style {
  if (result.status === "failed") return "red";
  return isNotable(result) ? "yellow" : "dim";
}

function environmentDetails(result: EnvironmentResult, maxDiffLines: number, paint: Paint): string {
  const counts = showsCounts(result) ? ` (${countsText(result)})` : "";
  const title = paint("bold", `── ${clean(result.environment.name)}: ${STATUS_WORDS[result.status]}${counts}`);
  const findings = result.findings.map((finding) => `  ${findingLine(finding, paint)}`);
  const objects = result.diffs.map((diff) => objectDetails(diff, maxDiffLines, paint));
  return [[title, ...findings].join("\n"), ...objects].join("\n\n");
}

/** "file:line: error: message", the form editors and terminals turn into links. */
function findingLine(finding: Finding, paint: Paint): string {
  const where = formatLocation(finding.location);
  const severity = paint(finding.severity === "error" ? "red" : finding.severity === "warning" ? "yellow" : "cyan", finding.severity);
  return `${where ? `${clean(where)}: ` : ""}${severity}: ${cleanLines(finding.message, "    ")}`;
}

function objectDetails(diff: ObjectDiff, maxDiffLines: number, paint: Paint): string {
  const source = describeSource(diff);
  const title = `  ${paint(changeStyle(diff), clean(diffTitle(diff)))}${source ? paint("dim", `  ${clean(source)}`) : ""}`;
  const secretKeys = (diff.secretKeys ?? []).map((key) => `    secret key ${clean(describeSecretKey(key))}`);
  return [title, ...secretKeys, ...patchLines(diff, maxDiffLines, paint)].join("\n");
}

function changeStyle(diff: ObjectDiff): Style {
  return diff.change === "added" ? "green" : diff.change === "removed" ? "red" : "yellow";
}

function patchLines(diff: ObjectDiff, maxDiffLines: number, paint: Paint): string[] {
  const body = patchBody(diff.patch);
  if (body.length > maxDiffLines) return [paint("dim", `    (diff of ${plural(body.length, "line")} not shown; the JSON report has it)`)];
  return body.map((line) => `    ${paintPatchLine(clean(line), paint)}`);
}

function paintPatchLine(line: string, paint: Paint): string {
  if (line.startsWith("@@")) return paint("cyan", line);
  if (line.startsWith("+")) return paint("green", line);
  if (line.startsWith("-")) return paint("red", line);
  return line;
}

function runFindings(findings: Finding[], paint: Paint): string {
  if (findings.length === 0) return "";
  return [paint("bold", "Findings"), ...findings.map((finding) => `  ${findingLine(finding, paint)}`)].join("\n");
}

function unreadFiles(files: string[]): string {
  if (files.length === 0) return "";
  const shown = files.slice(0, UNREAD_FILES_SHOWN).map(clean).join(", ");
  const more = files.length > UNREAD_FILES_SHOWN ? ` and ${files.length - UNREAD_FILES_SHOWN} more` : "";
  return `Changed files no environment reads: ${shown}${more}`;
}

function footer(report: RunReport, paint: Paint): string {
  const seconds = `${(report.durationMs / 1000).toFixed(1)} s`;
  const { result, reasons } = report.gate;
  const gate = paint(result === "pass" ? "green" : result === "fail" ? "red" : "yellow", `gate: ${GATE_WORDS[result]}`);
  return [`${summaryLine(report)} (${seconds})`, `${gate}${reasons.length ? ` — ${clean(reasons.join("; "))}` : ""}`].join("\n");
}
