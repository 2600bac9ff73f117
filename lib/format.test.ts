import { describe, expect, it } from "vitest";
import { formatAgo, formatCost, formatDuration, formatRedactions, formatUtc } from "./format";

describe("format helpers", () => {
  it("formats durations at the right unit", () => {
    expect(formatDuration(0.5)).toBe("0.50 ms");
    expect(formatDuration(340.4)).toBe("340 ms");
    expect(formatDuration(2345)).toBe("2.35 s");
    expect(formatDuration(30_000)).toBe("30.0 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
  });

  it("formats costs with enough digits for cheap calls", () => {
    expect(formatCost(null)).toBe("—");
    expect(formatCost(0)).toBe("$0");
    expect(formatCost(0.0042)).toBe("$0.0042");
    expect(formatCost(1.5)).toBe("$1.50");
  });

  it("shows times in UTC with milliseconds and relative ages", () => {
    expect(formatUtc("2026-11-24T23:41:07.123Z")).toBe("2026-11-24 23:41:07.123 UTC");
    const now = Date.parse("2026-11-24T12:00:00Z");
    expect(formatAgo(null, now)).toBe("never");
    expect(formatAgo("2026-11-24T11:59:30Z", now)).toBe("30 s ago");
    expect(formatAgo("2026-11-24T09:00:00Z", now)).toBe("3 h ago");
    expect(formatAgo("2026-11-20T12:00:00Z", now)).toBe("4 d ago");
  });

  it("summarises redaction counts without values", () => {
    expect(formatRedactions(null)).toBeNull();
    expect(formatRedactions({ ssn: 1, email: 2 })).toBe("ssn×1, email×2");
  });
});
