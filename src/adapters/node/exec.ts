import { spawn } from "node:child_process";
import { access, constants } from "node:fs/promises";
import path from "node:path";
import type { Exec, ExecOptions, ExecResult } from "../../ports.ts";

const DEFAULT_MAX_OUTPUT = 256 * 1024 * 1024;

/** Process groups still running: children are detached, so Ctrl-C on our process does not reach them. */
const running = new Set<number>();

/** Kills every child process group still running (on SIGINT/SIGTERM of our own process). */
export function killRunningChildren(): void {
  for (const pid of running) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  running.clear();
}

/**
 * Runs binaries without a shell, each in its own process group, so that a timeout kills the
 * process and every child it started (kustomize plugins, git helpers) rather than leaving them behind.
 */
export class NodeExec implements Exec {
  run(command: string, args: string[], options: ExecOptions): Promise<ExecResult> {
    const started = performance.now();
    const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env ? { ...process.env, ...options.env } : process.env,
        detached: true, // its own process group: kill(-pid) reaches the grandchildren too
        stdio: ["pipe", "pipe", "pipe"],
      });
      if (child.pid !== undefined) running.add(child.pid);
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let outBytes = 0;
      let timedOut = false;
      let outputTooLarge = false;
      const killGroup = () => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
      }, options.timeoutMs);
      child.stdout.on("data", (chunk: Buffer) => {
        outBytes += chunk.length;
        if (outBytes > maxOutput) {
          outputTooLarge = true;
          killGroup();
          return;
        }
        stdout.push(chunk);
      });
      child.stderr.on("data", (chunk: Buffer) => {
        if (stderr.reduce((n, b) => n + b.length, 0) < 1024 * 1024) stderr.push(chunk);
      });
      child.on("error", (error) => {
        clearTimeout(timer);
        if (child.pid !== undefined) running.delete(child.pid);
        reject(error);
      });
      child.on("close", (exitCode, signal) => {
        clearTimeout(timer);
        killGroup(); // children that outlived their parent
        if (child.pid !== undefined) running.delete(child.pid);
        resolve({
          exitCode,
          signal,
          stdout: Buffer.concat(stdout).toString("utf8"),
          stderr: Buffer.concat(stderr).toString("utf8"),
          timedOut,
          outputTooLarge,
          durationMs: performance.now() - started,
        });
      });
      child.stdin.on("error", () => {
        // the process may exit before reading its input
      });
      child.stdin.end(options.input ?? "");
    });
  }

  async which(command: string): Promise<string | undefined> {
    if (command.includes("/")) return (await isExecutable(command)) ? path.resolve(command) : undefined;
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
      if (!dir) continue;
      const candidate = path.join(dir, command);
      if (await isExecutable(candidate)) return candidate;
    }
    return undefined;
  }
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
