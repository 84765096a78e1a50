// One registry of report formats: a name picks a pure function from RunReport to text.
import { UserError } from "../errors.ts";
import type { RunReport } from "../model.ts";
import { renderCodeQuality } from "./codequality.ts";
import { renderJson } from "./json.ts";
import { renderJunit } from "./junit.ts";
import { renderMarkdown } from "./markdown.ts";
import { renderSarif } from "./sarif.ts";
import { renderText } from "./text.ts";

/** Options of every format in one bag; each renderer reads the ones it knows. */
export interface ReportOptions {
  /** text: ANSI colours. */
  color?: boolean;
  /** text: every diff in full. */
  verbose?: boolean;
  /** markdown: the largest comment, in characters. */
  budget?: number;
  /** markdown: where the full report is, linked when something was cut. */
  fullReportUrl?: string;
  /** markdown: first line of the comment, to find it again. */
  marker?: string;
}

/** GitHub's comment limit is 65,536 characters; the default keeps a margin. */
export const DEFAULT_MARKDOWN_BUDGET = 65_000;

const RENDERERS = {
  text: (report: RunReport, options: ReportOptions) => renderText(report, { color: Boolean(options.color), verbose: options.verbose }),
  markdown: (report: RunReport, options: ReportOptions) =>
    renderMarkdown(report, { budget: options.budget ?? DEFAULT_MARKDOWN_BUDGET, fullReportUrl: options.fullReportUrl, marker: options.marker }),
  json: (report: RunReport) => renderJson(report),
  sarif: (report: RunReport) => renderSarif(report),
  junit: (report: RunReport) => renderJunit(report),
  codequality: (report: RunReport) => renderCodeQuality(report),
} satisfies Record<string, (report: RunReport, options: ReportOptions) => string>;

export type ReportFormat = keyof typeof RENDERERS;
export const REPORT_FORMATS = Object.keys(RENDERERS) as ReportFormat[];

export function isReportFormat(name: string): name is ReportFormat {
  // own properties only: "toString" is not a format
  return Object.hasOwn(RENDERERS, name);
}

/** Renders `report` in the named format; an unknown name is a UserError listing the known ones. */
export function renderReport(format: string, report: RunReport, options: ReportOptions = {}): string {
  if (!isReportFormat(format)) throw new UserError(`unknown report format "${format}" (expected one of: ${REPORT_FORMATS.join(", ")})`);
  return RENDERERS[format](report, options);
}

export { renderCodeQuality, renderJson, renderJunit, renderMarkdown, renderSarif, renderText };
