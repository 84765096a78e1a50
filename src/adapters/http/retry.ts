import { ToolError } from "../../errors.ts";

// Retries a platform API call on server errors and rate limits, with exponential backoff.

export interface RetryOptions {
  retries: number;
  /** First backoff; doubled each time. */
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  onRetry?: (attempt: number, status: number, delayMs: number) => void;
}

export const DEFAULT_RETRY: RetryOptions = {
  retries: 4,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface HttpFailure {
  status: number;
  headers: Record<string, string | undefined>;
  message: string;
}

/** The status, headers and message of an SDK error, whichever SDK threw it. */
export function httpFailure(error: unknown): HttpFailure | undefined {
  const value = error as {
    status?: unknown;
    message?: unknown;
    response?: { status?: unknown; headers?: unknown };
    cause?: { response?: { status?: unknown; headers?: unknown } };
  };
  const response = value?.response ?? value?.cause?.response;
  const status = typeof value?.status === "number" ? value.status : typeof response?.status === "number" ? response.status : undefined;
  if (status === undefined) return undefined;
  return { status, headers: headerRecord(response?.headers), message: String(value?.message ?? "") };
}

function headerRecord(headers: unknown): Record<string, string | undefined> {
  if (!headers) return {};
  if (typeof (headers as Headers).get === "function" && typeof (headers as Headers).forEach === "function") {
    const record: Record<string, string> = {};
    (headers as Headers).forEach((value, key) => (record[key.toLowerCase()] = value));
    return record;
  }
  return Object.fromEntries(Object.entries(headers as Record<string, unknown>).map(([key, value]) => [key.toLowerCase(), value === undefined ? undefined : String(value)]));
}

/** Whether a failure is worth another try, and how long to wait first. */
export function retryDelay(failure: HttpFailure, attempt: number, options: RetryOptions): number | undefined {
  const rateLimited =
    failure.status === 429 ||
    (failure.status === 403 && (failure.headers["x-ratelimit-remaining"] === "0" || /secondary rate limit|rate limit exceeded/i.test(failure.message)));
  if (failure.status < 500 && !rateLimited) return undefined;
  const retryAfter = Number(failure.headers["retry-after"]);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return Math.min(retryAfter * 1000, options.maxDelayMs);
  const reset = Number(failure.headers["x-ratelimit-reset"]);
  if (rateLimited && Number.isFinite(reset) && reset > 0) return Math.min(Math.max(0, reset * 1000 - Date.now()), options.maxDelayMs);
  return Math.min(options.baseDelayMs * 2 ** attempt, options.maxDelayMs);
}

/**
 * Turns an SDK's failure into a ToolError that says which API answered what; the HTTP status stays
 * readable (`status`) so callers can still react to it (a 422 is shrunk and retried).
 */
export function apiErrorFor(platform: string): (error: unknown) => Error {
  return (error) => {
    const failure = httpFailure(error);
    if (!failure) return error instanceof Error ? error : new Error(String(error));
    const wrapped = new ToolError(`the ${platform} API answered ${failure.status}: ${failure.message.slice(0, 300)}`, platform.toLowerCase());
    Object.assign(wrapped, { status: failure.status, response: { status: failure.status, headers: failure.headers } });
    return wrapped;
  };
}

export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const failure = httpFailure(error);
      const delay = failure && attempt < options.retries ? retryDelay(failure, attempt, options) : undefined;
      if (delay === undefined || !failure) throw error;
      options.onRetry?.(attempt + 1, failure.status, delay);
      await options.sleep(delay);
    }
  }
}
