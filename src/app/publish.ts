// After verify: the same RunReport goes to files, the pull/merge request comment and the commit status.
import path from "node:path";
import type { RunReport } from "../model.ts";
import type { Annotation, Files, Logger, ReviewHost, StatusResult } from "../ports.ts";
import { allFindings } from "../report/fingerprint.ts";
import { headline } from "../report/common.ts";
import { renderReport } from "../report/index.ts";
import { renderMarkdown } from "../report/markdown.ts";

export type CommentMode = "always" | "on-change" | "never";

export const DEFAULT_MARKER = "<!-- gitops-verify -->";
/** GitHub's step summary holds up to 1 MiB. */
export const SUMMARY_BUDGET = 1024 * 1024 - 4096;

export interface PublishSettings {
  /** Where report files are written (absolute), or undefined for none. */
  outputDir?: string;
  commentMode: CommentMode;
  /** Identifies this tool's comment; a second configuration in the same repository uses another. */
  marker: string;
  /** Stable check name for branch protection. */
  checkName: string;
  /** The commit the status belongs to; no status without it. */
  sha?: string;
  publishStatus: boolean;
  fullReportUrl?: string;
  detailsUrl?: string;
}

export interface PublishResult {
  files: Partial<Record<ReportFile, string>>;
  comment?: { action: "created" | "updated" | "skipped"; url?: string };
  status?: StatusResult;
  /** The full report in markdown, for a job summary. */
  summary: string;
}

export const REPORT_FILES = {
  json: "report.json",
  markdown: "report.md",
  sarif: "report.sarif",
  junit: "junit.xml",
  codequality: "gl-code-quality-report.json",
} as const;
type ReportFile = keyof typeof REPORT_FILES;

export async function publish(report: RunReport, host: ReviewHost | undefined, settings: PublishSettings, ports: { files: Files; logger: Logger }): Promise<PublishResult> {
  const summary = renderMarkdown(report, { budget: SUMMARY_BUDGET, marker: settings.marker });
  const result: PublishResult = { files: {}, summary };

  if (settings.outputDir) {
    for (const [format, name] of Object.entries(REPORT_FILES) as Array<[ReportFile, string]>) {
      const file = path.join(settings.outputDir, name);
      await ports.files.writeText(file, format === "markdown" ? summary : renderReport(format, report));
      result.files[format] = file;
    }
    ports.logger.info(`reports written to ${settings.outputDir}`);
  }
  if (!host) return result;

  if (settings.commentMode !== "never") {
    // an existing comment is always updated, so it says "no changes" instead of going stale
    const worthCreating = settings.commentMode === "always" || hasSomethingToSay(report);
    result.comment = await host.upsertComment(
      settings.marker,
      (budget) => renderMarkdown(report, { budget, marker: settings.marker, fullReportUrl: settings.fullReportUrl }),
      worthCreating,
    );
    if (result.comment.action !== "skipped") ports.logger.info(`${result.comment.action} the ${host.name === "github" ? "pull request comment" : "merge request note"}${result.comment.url ? `: ${result.comment.url}` : ""}`);
  }
  if (settings.publishStatus && settings.sha) {
    result.status = await host.publishStatus({
      name: settings.checkName,
      sha: settings.sha,
      result: report.gate.result,
      title: `${headline(report)}${report.gate.reasons.length ? ` — ${report.gate.reasons.join("; ")}` : ""}`,
      summary: renderMarkdown(report, { budget: 60_000, fullReportUrl: settings.fullReportUrl }),
      annotations: annotationsOf(report),
      detailsUrl: settings.detailsUrl,
    });
  }
  return result;
}

function hasSomethingToSay(report: RunReport): boolean {
  const { summary } = report;
  return summary.changed + summary.added + summary.removed + summary.failed > 0 || report.gate.result !== "pass";
}

/** Findings with a file, as annotations on the pull request's files. */
export function annotationsOf(report: RunReport): Annotation[] {
  const levels = { error: "failure", warning: "warning", notice: "notice" } as const;
  return allFindings(report)
    .filter((finding) => finding.location)
    .map((finding) => ({
      file: finding.location!.file,
      line: finding.location!.line ?? 1,
      level: levels[finding.severity],
      title: `gitops-verify: ${finding.ruleId}`,
      message: finding.environment ? `${finding.environment}: ${finding.message}` : finding.message,
    }));
}
