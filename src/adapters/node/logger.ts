import type { Logger } from "../../ports.ts";

interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Messages on standard error, so standard output carries only the report. On a terminal, progress
 * rewrites one status line; in CI logs it prints a line every tenth of the way.
 */
export function consoleLogger(stream: Stream, options: { quiet: boolean; debug: boolean }): Logger {
  let statusShown = false;
  let lastTenth = -1;
  const clearStatus = () => {
    if (statusShown) stream.write("\r\x1b[K");
    statusShown = false;
  };
  return {
    info(message) {
      if (options.quiet) return;
      clearStatus();
      stream.write(`${message}\n`);
    },
    warn(message) {
      clearStatus();
      stream.write(`warning: ${message}\n`);
    },
    debug(message) {
      if (!options.debug) return;
      clearStatus();
      stream.write(`debug: ${message}\n`);
    },
    progress(done, total, what) {
      if (options.quiet || total === 0) return;
      if (stream.isTTY) {
        stream.write(`\r\x1b[Krendering ${done}/${total}: ${what}`);
        statusShown = done < total;
        if (done === total) stream.write("\r\x1b[K");
        return;
      }
      const tenth = Math.floor((done / total) * 10);
      if (tenth !== lastTenth || done === total) {
        lastTenth = tenth;
        stream.write(`rendered ${done}/${total} environments\n`);
      }
    },
  };
}
