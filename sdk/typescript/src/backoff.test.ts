import { describe, expect, it } from "vitest";
import { backoffDelay, MAX_RETRY_AFTER_MS, retryAfterMs, retryDelay } from "./backoff.js";

const options = { baseMs: 500, maxMs: 30_000 };

describe("backoff", () => {
  it("doubles from the base up to the cap, half of each step jittered", () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, options, () => 0))).toEqual([250, 500, 1000, 2000]);
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, options, () => 1))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(40, options, () => 1)).toBe(30_000);
    expect(backoffDelay(40, options, () => 0)).toBe(15_000);
  });

  it("reads Retry-After as seconds or an HTTP date, bounded, and never retries before it", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs("7", now)).toBe(7000);
    expect(retryAfterMs(" 1.5 ", now)).toBe(1500);
    expect(retryAfterMs("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("99999", now)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs("soon", now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
    expect(retryDelay(0, 12_000, options, () => 1)).toBe(12_000);
    expect(retryDelay(10, 1000, options, () => 0)).toBe(15_000);
  });
});
