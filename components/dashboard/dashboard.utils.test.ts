import { describe, expect, it } from "vitest";
import { activityRates, formatBucketTime } from "./dashboard.utils";

const point = (t: number, tool_call: number) => ({ t, llm_call: 0, tool_call, decision: 0, error: 0, security: 0 });

describe("activityRates", () => {
  it("fills quiet buckets with zero and keeps every bucket in the range", () => {
    const since = Date.UTC(2026, 10, 24, 10, 0);
    const rates = activityRates([point(since + 120_000, 6)], since, since + 240_000, 60);
    expect(rates.map((r) => r.t)).toEqual([0, 1, 2, 3, 4].map((i) => since + i * 60_000));
    expect(rates.map((r) => r.tool_call)).toEqual([0, 0, 6, 0, 0]);
  });

  it("turns a wide bucket's count into events per minute", () => {
    const since = Date.UTC(2026, 10, 24, 10, 0);
    const [first] = activityRates([point(since, 90)], since, since, 900);
    expect(first?.tool_call).toBe(6);
  });
});

describe("formatBucketTime", () => {
  it("shows minutes for short ranges and day and hour for the week", () => {
    const t = Date.UTC(2026, 10, 24, 9, 5);
    expect(formatBucketTime(t, 60)).toBe("09:05");
    expect(formatBucketTime(t, 3600)).toBe("11-24 09h");
  });
});
