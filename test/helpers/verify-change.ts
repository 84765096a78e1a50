// A repository committed on main, a change on a branch, and `gitops-verify verify --format json` run on it through
// the CLI's entry function: what the verify integration tests share. Repositories are removed by `disposeAll`.
import { runCli } from "../../src/entrypoints/cli.ts";
import type { RunReport } from "../../src/model.ts";
import { TempRepo } from "./repo.ts";

const repos: TempRepo[] = [];

export async function verifyChange(files: Record<string, string>, change: (repo: TempRepo) => void): Promise<{ code: number; report: RunReport }> {
  const repo = TempRepo.fromFiles(files);
  repos.push(repo);
  repo.branch("change");
  change(repo);
  let stdout = "";
  const code = await runCli(["verify", "--repo", repo.dir, "--base", "main", "--format", "json", "--quiet"], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: () => true },
    env: { GITOPS_VERIFY_FINGERPRINT_KEY: "test-key" },
    cwd: repo.dir,
  });
  return { code, report: JSON.parse(stdout) as RunReport };
}

export function disposeAll(): void {
  for (const repo of repos.splice(0)) repo.dispose();
}
