// What both code hosts' adapters do around every API call: retry, name the failure, and shrink a body
// the host refuses as too long.
import { apiErrorFor, DEFAULT_RETRY, httpFailure, withRetry, type RetryOptions } from "./retry.ts";

export type ApiCall = <T>(operation: () => Promise<T>) => Promise<T>;

/** Retried on 5xx and rate limits; a final failure becomes a ToolError naming the platform and status. */
export function apiCaller(platform: string, retry: RetryOptions = DEFAULT_RETRY, log?: (message: string) => void): ApiCall {
  const options: RetryOptions = {
    ...retry,
    onRetry: (attempt, status, delay) => log?.(`${platform} answered ${status}; retrying in ${Math.round(delay / 1000)} s (attempt ${attempt})`),
  };
  const toError = apiErrorFor(platform);
  return async (operation) => {
    try {
      return await withRetry(operation, options);
    } catch (error) {
      throw toError(error);
    }
  };
}

/**
 * Sends a body rendered within a budget; when the host refuses it as too long (one of `tooLong`), renders
 * again below half of what was refused, however large the budget was, a few times at most.
 */
export async function sendShrinking<T>(options: {
  budget: number;
  render: (budget: number) => string;
  send: (body: string) => Promise<T>;
  tooLong: number[];
  what: string;
  log?: (message: string) => void;
}): Promise<T> {
  let budget = options.budget;
  for (let attempt = 0; ; attempt++) {
    const body = options.render(budget);
    try {
      return await options.send(body);
    } catch (error) {
      const status = httpFailure(error)?.status;
      if (status === undefined || !options.tooLong.includes(status) || attempt >= 6 || budget < 1000) throw error;
      budget = Math.floor(Math.min(budget, body.length) / 2);
      options.log?.(`${options.what} was refused (${status}); retrying with ${budget} characters`);
    }
  }
}
