#!/usr/bin/env node
// The executable (bundled as dist/cli.js): runs the command line and sets the exit code.
import { killRunningChildren } from "../adapters/node/exec.ts";
import { disposeActiveCheckouts } from "../adapters/node/git.ts";
import { runCli } from "./cli.ts";

// Interrupted: stop kustomize and git (they run in their own process groups) and remove temporary worktrees.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killRunningChildren();
    void disposeActiveCheckouts().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  });
}

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
