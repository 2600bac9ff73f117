import { describe, expect, it } from "vitest";
import { isOverdue, parseDuration } from "./duration";

describe("parseDuration", () => {
  it("reads the guide's forms and the short ones", () => {
    expect(parseDuration("30 seconds")).toBe(30);
    expect(parseDuration("2 minutes")).toBe(120);
    expect(parseDuration("1 hour")).toBe(3600);
    expect(parseDuration("90s")).toBe(90);
    expect(parseDuration("5m")).toBe(300);
    expect(parseDuration("1h")).toBe(3600);
    expect(parseDuration(" 3 Days ")).toBe(259_200);
    expect(parseDuration("1 min")).toBe(60);
  });

  it("refuses what has no unit or no number", () => {
    for (const text of ["soon", "30", "", "1.5 hours", "-5m", "5 fortnights", "1h30m", "5 constructor", "5 toString"])
      expect(parseDuration(text), text).toBeNull();
  });
});

describe("isOverdue", () => {
  const started = new Date("2026-11-24T12:00:00Z");
  it("marks a step overdue only once its timeout has passed", () => {
    expect(isOverdue(started, 30, new Date("2026-11-24T12:00:30Z"))).toBe(false);
    expect(isOverdue(started, 30, new Date("2026-11-24T12:00:30.001Z"))).toBe(true);
    expect(isOverdue(started, null, new Date("2027-01-01T00:00:00Z"))).toBe(false);
  });
});
