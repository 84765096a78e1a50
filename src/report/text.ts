// The terminal report.
import type { ObjectDiff, RunReport } from "../model.ts";
import {
  countsText,
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

export interface TextOptions {
  color: boolean;
  /** Show every diff in full; otherwise diffs longer than `maxDiffLines` are summarised. */
  verbose?: boolean;
  maxDiffLines?: number;
}

const ANSI = { red: 31, green: 32, yellow: 33, cyan: 36, bold: 1, dim: 2 } as const;

export function renderText(report: RunReport, options: TextOptions): string {
  const paint = (code: keyof typeof ANSI, text: string) => (options.color ? `\x1b[${ANSI[code]}m${text}\x1b[0m` : text);
  const maxLines = options.verbose ? Infinity : (options.maxDiffLines ?? 200);
  const out: string[] = [];
  out.push(paint("bold", `gitops-verify: ${describeRevision(report.head)} against ${describeRevision(report.base, "merge-base")}`));
  out.push(`${plural(report.changedFiles.length, "file")} changed, ${plural(report.summary.environments, "environment")} found`);
  out.push("");

  const width = Math.max(0, ...report.environments.map((result) => result.environment.name.length));
  for (const result of report.environments) {
    const status = STATUS_WORDS[result.status];
    const colour = result.status === "failed" ? "red" : isNotable(result) ? "yellow" : "dim";
    const counts = isNotable(result) && result.status !== "failed" ? `  ${countsText(result)}` : "";
    out.push(`  ${result.environment.name.padEnd(width)}  ${paint(colour, status)}${counts}`);
  }

  for (const result of report.environments.filter(isNotable)) {
    out.push("", paint("bold", `── ${result.environment.name} (${STATUS_WORDS[result.status]})`));
    for (const finding of result.findings) out.push(`  ${paint(finding.severity === "error" ? "red" : "yellow", finding.severity)}: ${describeFinding(finding)}`);
    for (const diff of result.diffs) out.push(...objectSection(diff, maxLines, paint));
  }

  if (report.findings.length > 0) {
    out.push("", paint("bold", "Findings"));
    for (const finding of report.findings) out.push(`  ${finding.severity}: ${describeFinding(finding)}`);
  }
  if (report.unreadChangedFiles.length > 0) {
    out.push("", `Changed files no environment reads: ${report.unreadChangedFiles.join(", ")}`);
  }
  const gateColour = report.gate.result === "pass" ? "green" : "red";
  out.push("", `${paint(gateColour, GATE_WORDS[report.gate.result])}: ${headline(report)}${report.gate.reasons.length ? ` (${report.gate.reasons.join("; ")})` : ""}`);
  return `${out.join("\n")}\n`;
}

function objectSection(diff: ObjectDiff, maxLines: number, paint: (code: keyof typeof ANSI, text: string) => string): string[] {
  const colour = diff.change === "added" ? "green" : diff.change === "removed" ? "red" : "yellow";
  const source = diff.source ? paint("dim", `  (${diff.source.file}${diff.source.line ? `:${diff.source.line}` : ""})`) : "";
  const lines = [``, `  ${paint(colour, diffTitle(diff))}${source}`];
  if (diff.secretKeys) {
    for (const key of diff.secretKeys) lines.push(`    secret key ${describeSecretKey(key)}`);
    if (diff.change !== "changed") return lines;
  }
  const patchLines = diff.patch.replace(/\n$/, "").split("\n").slice(2); // file headers add nothing here
  if (patchLines.length > maxLines) {
    lines.push(`    (diff of ${patchLines.length} lines not shown: use --format json or --verbose)`);
    return lines;
  }
  for (const line of patchLines) {
    const painted = line.startsWith("+") ? paint("green", line) : line.startsWith("-") ? paint("red", line) : line.startsWith("@@") ? paint("cyan", line) : line;
    lines.push(`    ${painted}`);
  }
  return lines;
}

