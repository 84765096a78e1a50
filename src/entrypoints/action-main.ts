// The action's executable (bundled as dist/action.js).
import { readFile } from "node:fs/promises";
import { killRunningChildren } from "../adapters/node/exec.ts";
import { disposeActiveCheckouts } from "../adapters/node/git.ts";
import { runAction } from "./action.ts";

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killRunningChildren();
    void disposeActiveCheckouts().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  });
}

process.exitCode = await runAction(process.env, async (file) => JSON.parse(await readFile(file, "utf8")) as unknown);
