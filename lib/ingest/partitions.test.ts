import { describe, expect, it } from "vitest";
import { dayStart, partitionDay, partitionName } from "./partitions";

describe("partition naming", () => {
  it("names a UTC day and reads it back", () => {
    const day = dayStart(Date.parse("2026-11-24T23:59:59.999Z"));
    expect(new Date(day).toISOString()).toBe("2026-11-24T00:00:00.000Z");
    expect(partitionName(day)).toBe("events_p20261124");
    expect(partitionDay("events_p20261124")).toBe(day);
  });

  it("ignores tables that are not day partitions", () => {
    expect(partitionDay("events")).toBeNull();
    expect(partitionDay("events_p2026112")).toBeNull();
  });
});
