// The only part of promotion that touches files, through the Files port: reading an environment's inputs, and
// writing a plan's texts, all or nothing.
import type { Files } from "../ports.ts";
import { UserError } from "../errors.ts";
import { joinRepoPath } from "../util/paths.ts";
import type { SourceFile } from "./locate.ts";
import type { PromotionPlan } from "./plan.ts";

/**
 * Reads an environment's input files (repository-relative). Only regular files: a symlink is not followed, so an
 * edit never lands outside the file the environment names.
 */
export async function readSources(files: Files, root: string, inputs: Iterable<string>): Promise<SourceFile[]> {
  const result: SourceFile[] = [];
  for (const input of [...inputs].sort()) {
    const info = await files.stat(joinRepoPath(root, input));
    if (info?.type !== "file") continue;
    result.push({ path: input, text: await files.readText(joinRepoPath(root, input)) });
  }
  return result;
}

/**
 * Writes the plan's files. Every file is first checked to hold exactly the text the plan was made from (another
 * tool or promotion may have changed it since): if one does not, nothing is written.
 */
export async function applyPlan(plan: PromotionPlan, files: Files, root: string): Promise<string[]> {
  for (const change of plan.changes) {
    const now = await files.readText(joinRepoPath(root, change.file));
    if (now !== change.before) throw new UserError(`${change.file} changed since the promotion was planned; nothing was written`, { file: change.file });
  }
  for (const change of plan.changes) await files.writeText(joinRepoPath(root, change.file), change.after);
  return plan.changes.map((change) => change.file);
}
