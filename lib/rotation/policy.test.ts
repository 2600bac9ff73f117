import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_POLICY, retryDelayMs } from "./policy";

describe("retryDelayMs", () => {
  it("starts at 10 s, doubles, and stops at 5 minutes", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 40].map((n) => retryDelayMs(n, DEFAULT_RETRY_POLICY) / 1000);
    expect(delays).toEqual([10, 20, 40, 80, 160, 300, 300, 300]);
  });

  it("gives up after the sum of the waits is about ten minutes", () => {
    const waits = Array.from({ length: DEFAULT_RETRY_POLICY.maxAttempts - 1 }, (_, i) => retryDelayMs(i + 1, DEFAULT_RETRY_POLICY));
    expect(waits.reduce((a, b) => a + b, 0) / 60_000).toBeCloseTo(10.17, 1);
  });
});
