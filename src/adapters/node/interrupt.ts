import { killRunningChildren } from "./exec.ts";
import { disposeActiveCheckouts } from "./git.ts";

/** On SIGINT/SIGTERM: stop kustomize and git (they run in their own process groups) and remove temporary worktrees. */
export function cleanUpOnInterrupt(): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      killRunningChildren();
      void disposeActiveCheckouts().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
    });
  }
}
