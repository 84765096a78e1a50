// The Http port over Node's global fetch: one GET, a timeout that covers the whole answer (headers and body), and a
// body size limit counted on the decoded bytes as they arrive (a compressed answer cannot expand past it).
import type { Http } from "../../ports.ts";

/** The largest body accepted. The largest Kubernetes schema (a standalone CRD) is a few MB. */
export const MAX_BODY_BYTES = 20 * 1024 * 1024;

class HttpTimeout extends Error {}

export class NodeHttp implements Http {
  constructor(private readonly maxBodyBytes: number = MAX_BODY_BYTES) {}

  async get(url: string, options: { timeoutMs: number }): Promise<{ status: number; body: string }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new HttpTimeout(`no answer within ${seconds(options.timeoutMs)}`)), options.timeoutMs);
    try {
      const response = await fetch(url, { signal: controller.signal, redirect: "follow", headers: { accept: "application/json, */*" } });
      const body = await this.readBody(response);
      return { status: response.status, body };
    } catch (error) {
      throw new Error(`GET ${displayUrl(url)}: ${reasonOf(error)}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  private async readBody(response: Response): Promise<string> {
    const limit = this.maxBodyBytes;
    const tooLarge = (size: string) => new Error(`the response body is larger than ${megabytes(limit)} (${size}): refused`);
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (Number.isFinite(declared) && declared > limit) {
      await response.body?.cancel().catch(() => {});
      throw tooLarge(`${declared} bytes announced`);
    }
    if (!response.body) return "";
    const reader = response.body.getReader();
    const decoder = new TextDecoder("utf-8");
    let text = "";
    let received = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > limit) {
        await reader.cancel().catch(() => {});
        throw tooLarge(`more than ${limit} bytes received`);
      }
      text += decoder.decode(value, { stream: true });
    }
    return text + decoder.decode();
  }
}

/** The most specific reason undici gives: "fetch failed" hides "connect ECONNREFUSED 127.0.0.1:1" in its cause. */
function reasonOf(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof HttpTimeout) return current.message;
    if (current instanceof AggregateError && current.errors.length > 0) {
      const parts = [...new Set(current.errors.map((inner) => (inner instanceof Error ? inner.message : String(inner))).filter(Boolean))];
      if (parts.length > 0) return parts.join("; ");
    }
    if (current.message && current.message !== "fetch failed") return current.message;
    current = current.cause;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The URL without a password, for messages. */
function displayUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, "$1***@");
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function megabytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MB` : `${bytes} bytes`;
}
