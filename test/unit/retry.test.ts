import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY, retryDelay, withRetry, type HttpFailure } from "../../src/adapters/http/retry.ts";

const options = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 10_000 };
const failure = (status: number, headers: Record<string, string> = {}, message = ""): HttpFailure => ({ status, headers, message });

describe("retryDelay", () => {
  it.each([
    { name: "a 502 backs off exponentially", failure: failure(502), attempt: 2, expected: 400 },
    { name: "a 500 on the first attempt", failure: failure(500), attempt: 0, expected: 100 },
    { name: "a 429 honours Retry-After", failure: failure(429, { "retry-after": "3" }), attempt: 0, expected: 3000 },
    { name: "Retry-After is capped", failure: failure(503, { "retry-after": "3600" }), attempt: 0, expected: 10_000 },
    { name: "a secondary rate limit (403 with that message)", failure: failure(403, {}, "You have exceeded a secondary rate limit"), attempt: 1, expected: 200 },
    { name: "a primary rate limit waits for the reset", failure: failure(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 2) }), attempt: 0, expected: "about 2 s" },
    { name: "a plain 403 is final", failure: failure(403, {}, "Resource not accessible by integration"), attempt: 0, expected: undefined },
    { name: "a 404 is final", failure: failure(404), attempt: 0, expected: undefined },
    { name: "a 422 is final (the caller shrinks instead)", failure: failure(422), attempt: 0, expected: undefined },
  ])("$name", ({ failure: given, attempt, expected }) => {
    const delay = retryDelay(given, attempt, options);
    if (expected === "about 2 s") {
      expect(delay).toBeGreaterThan(500);
      expect(delay).toBeLessThanOrEqual(2000);
    } else {
      expect(delay).toBe(expected);
    }
  });
});

describe("withRetry", () => {
  it("retries up to the limit, then gives up with the last error", async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const operation = async () => {
      calls++;
      throw Object.assign(new Error("bad gateway"), { status: 502 });
    };
    await expect(withRetry(operation, { ...options, retries: 3, sleep: async (ms) => void sleeps.push(ms) })).rejects.toThrow("bad gateway");
    expect(calls).toBe(4);
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it("returns the first success", async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 2) throw Object.assign(new Error("unavailable"), { response: { status: 503, headers: {} } });
        return "ok";
      },
      { ...options, sleep: async () => {} },
    );
    expect([result, calls]).toEqual(["ok", 2]);
  });

  it("does not retry errors that carry no HTTP status", async () => {
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new TypeError("fetch failed");
    };
    await expect(withRetry(failing, { ...options, sleep: async () => {} })).rejects.toThrow("fetch failed");
    expect(calls).toBe(1);
  });
});
