import { describe, expect, it } from "vitest";
import { describeTimeRange, parseInstant, parseRelativeRange, resolveTimeRange, timeRangeParams } from "./time-range";

const NOW = Date.UTC(2026, 11, 5, 21, 30);

describe("parseRelativeRange", () => {
  it("reads minutes, hours and days", () => {
    expect(parseRelativeRange("15m")).toBe(15 * 60_000);
    expect(parseRelativeRange("1h")).toBe(3_600_000);
    expect(parseRelativeRange(" 24h ")).toBe(86_400_000);
    expect(parseRelativeRange("7d")).toBe(7 * 86_400_000);
  });

  it("refuses what is not a positive span up to ten years", () => {
    for (const bad of ["", "0m", "15", "h", "1w", "-1h", "1.5h", "3651d", "99999d", "1h; drop table events", "%", "1h\u0000"]) {
      expect(parseRelativeRange(bad), bad).toBeNull();
    }
  });
});

describe("parseInstant", () => {
  it("reads ISO 8601 and epoch seconds", () => {
    expect(parseInstant("2026-12-05T21:00:00Z")?.toISOString()).toBe("2026-12-05T21:00:00.000Z");
    expect(parseInstant("1700000000.5")?.getTime()).toBe(1_700_000_000_500);
  });

  it("refuses nonsense and times outside 1970 to 9999", () => {
    for (const bad of ["", "last tuesday", "99999999999999999999", "-5", "NaN"]) expect(parseInstant(bad), bad).toBeNull();
  });
});

describe("resolveTimeRange", () => {
  it("puts a relative range at now", () => {
    const r = resolveTimeRange({ range: "1h" }, NOW);
    expect(r).toEqual({ ok: true, value: { since: new Date(NOW - 3_600_000), until: new Date(NOW), relative: "1h" } });
  });

  it("takes absolute bounds, either one alone, or none", () => {
    const r = resolveTimeRange({ since: "2026-12-05T20:00Z", until: "2026-12-05T21:00Z" }, NOW);
    expect(r.ok && [r.value.since?.toISOString(), r.value.until?.toISOString(), r.value.relative]).toEqual([
      "2026-12-05T20:00:00.000Z",
      "2026-12-05T21:00:00.000Z",
      null,
    ]);
    expect(resolveTimeRange({ since: "2026-12-05T20:00Z" }, NOW)).toMatchObject({ ok: true, value: { until: null } });
    expect(resolveTimeRange({}, NOW)).toEqual({ ok: true, value: { since: null, until: null, relative: null } });
    expect(resolveTimeRange({ range: "", since: " " }, NOW)).toEqual({ ok: true, value: { since: null, until: null, relative: null } });
  });

  it("names the field that is wrong", () => {
    expect(resolveTimeRange({ range: "1w" }, NOW)).toMatchObject({ ok: false, field: "range" });
    expect(resolveTimeRange({ range: "1h", since: "2026-12-05T20:00Z" }, NOW)).toMatchObject({ ok: false, field: "range" });
    expect(resolveTimeRange({ since: "yesterday" }, NOW)).toMatchObject({ ok: false, field: "since" });
    expect(resolveTimeRange({ until: "soon" }, NOW)).toMatchObject({ ok: false, field: "until" });
    expect(resolveTimeRange({ since: "2026-12-05T21:00Z", until: "2026-12-05T20:00Z" }, NOW)).toMatchObject({
      ok: false,
      field: "until",
      message: "until is before since",
    });
  });
});

describe("timeRangeParams and describeTimeRange", () => {
  it("keep only what is set, so a link carries the range and nothing else", () => {
    expect(timeRangeParams({ range: "24h", since: "", until: undefined })).toEqual({ range: "24h" });
    expect(timeRangeParams({ since: " 2026-12-05T20:00Z " })).toEqual({ since: "2026-12-05T20:00Z" });
  });

  it("say the range in words", () => {
    expect(describeTimeRange({ range: "15m" })).toBe("last 15 min");
    expect(describeTimeRange({ range: "90m" })).toBe("last 90m");
    expect(describeTimeRange({ since: "2026-12-05T20:00Z", until: "2026-12-05T21:00Z" })).toBe("from 2026-12-05 20:00 UTC to 2026-12-05 21:00 UTC");
    expect(describeTimeRange({})).toBe("all time");
  });
});
