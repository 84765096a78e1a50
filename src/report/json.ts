import type { RunReport } from "../model.ts";

/** The RunReport as documented JSON (schemas/report.v1.json); the model holds only publishable data. */
export function renderJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
