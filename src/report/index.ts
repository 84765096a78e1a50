// One registry of report formats: a name picks a pure function from RunReport to text.
import { UserError } from "../errors.ts";
import type { RunReport } from "../model.ts";
import { renderCodeQuality } from "./codequality.ts";
import { renderJson } from "./json.ts";
import { renderJunit } from "./junit.ts";
import { renderSarif } from "./sarif.ts";
import { renderMarkdown } from "./markdown.ts";
import { renderText } from "./text.ts";

export interface ReportOptions {
  color?: boolean;
  verbose?: boolean;
  /** Character budget of the markdown report. */
  budget?: number;
  fullReportUrl?: string;
  marker?: string;
}

const RENDERERS = {
  text: (report: RunReport, options: ReportOptions) => renderText(report, { color: Boolean(options.color), verbose: options.verbose }),
  markdown: (report: RunReport, options: ReportOptions) =>
    renderMarkdown(report, { budget: options.budget ?? 65_000, fullReportUrl: options.fullReportUrl, marker: options.marker }),
  json: (report: RunReport) => renderJson(report),
  sarif: (report: RunReport) => renderSarif(report),
  junit: (report: RunReport) => renderJunit(report),
  codequality: (report: RunReport) => renderCodeQuality(report),
} satisfies Record<string, (report: RunReport, options: ReportOptions) => string>;

export type ReportFormat = keyof typeof RENDERERS;
export const REPORT_FORMATS = Object.keys(RENDERERS) as ReportFormat[];

export function renderReport(format: string, report: RunReport, options: ReportOptions = {}): string {
  if (!(format in RENDERERS)) throw new UserError(`unknown report format "${format}" (expected one of: ${REPORT_FORMATS.join(", ")})`);
  return RENDERERS[format as ReportFormat](report, options);
}

export { renderCodeQuality, renderJson, renderJunit, renderMarkdown, renderSarif, renderText };
