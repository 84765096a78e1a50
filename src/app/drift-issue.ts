// The one tracking issue of a drift check: opened when drift is found, updated while it stays, closed when it is
// gone. One issue per cluster context, found again by a hidden marker in its body.
import type { DriftReport } from "../model.ts";
import type { IssueTracker } from "../ports.ts";

export interface TrackOptions {
  title: string;
  labels: string[];
  /** The report as markdown within a character budget. */
  render: (budget: number) => string;
  /** Set when every drifted environment was re-applied (--heal): the issue is closed after saying so. */
  healed?: boolean;
  /** A link to the run that found it (the CI job). */
  runUrl?: string;
}

export type TrackAction = { action: "created" | "updated" | "closed" | "none"; url?: string; reason?: string };

export function driftMarker(report: DriftReport): string {
  return `<!-- gitops-verify:drift context=${report.cluster.context} -->`;
}

export async function trackDrift(report: DriftReport, tracker: IssueTracker, options: TrackOptions): Promise<TrackAction> {
  const marker = driftMarker(report);
  // with environments that could not be checked nothing can be concluded: the issue stays as it is
  if (report.result === "error") return { action: "none", reason: "some environments could not be checked" };
  const open = await tracker.findOpenIssue(marker);
  const when = `${report.revision.sha.slice(0, 12)}${options.runUrl ? ` ([run](${options.runUrl}))` : ""}`;
  if (report.result === "none") {
    if (!open) return { action: "none" };
    await tracker.closeIssue(open.number, `No drift found any more at ${when}: closing.`);
    return { action: "closed", url: open.url };
  }
  const footer = `\n\n${marker}\n`;
  const header = options.runUrl ? `Found by [this run](${options.runUrl}).\n\n` : "";
  const body = header + options.render(tracker.bodyLimit - footer.length - header.length) + footer;
  const title = `${options.title} (${report.cluster.context})`;
  const issue = open ? await tracker.updateIssue(open.number, { title, body }) : await tracker.createIssue({ title, body, labels: options.labels });
  if (options.healed) {
    await tracker.closeIssue(issue.number, `Healed: every drifted environment was re-applied from ${when}.`);
    return { action: "closed", url: issue.url };
  }
  return { action: open ? "updated" : "created", url: issue.url };
}
