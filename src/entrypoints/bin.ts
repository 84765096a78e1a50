#!/usr/bin/env node
// The executable (bundled as dist/cli.js): runs the command line and sets the exit code.
import { cleanUpOnInterrupt } from "../adapters/node/interrupt.ts";
import { runCli } from "./cli.ts";

cleanUpOnInterrupt();
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
});
