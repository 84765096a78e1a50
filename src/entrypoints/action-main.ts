// The action's executable (bundled as dist/action.js).
import { readFile } from "node:fs/promises";
import { cleanUpOnInterrupt } from "../adapters/node/interrupt.ts";
import { runAction } from "./action.ts";

cleanUpOnInterrupt();
process.exitCode = await runAction(process.env, async (file) => JSON.parse(await readFile(file, "utf8")) as unknown);
