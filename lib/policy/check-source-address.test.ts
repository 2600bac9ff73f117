import { describe, expect, it } from "vitest";
import { checkSourceAddress } from "./check-source-address";

const ev = (index: number, sessionId: string, tsMicros: number) => ({ index, row: { sessionId, tsMicros } });
const events = [ev(0, "a", 30), ev(1, "a", 10), ev(2, "b", 20), ev(3, "a", 40)];

describe("checkSourceAddress", () => {
  it("raises nothing when the list is empty or the address is inside a range", () => {
    expect(checkSourceAddress({ ranges: [], address: "203.0.113.9", events })).toEqual([]);
    expect(checkSourceAddress({ ranges: [], address: null, events })).toEqual([]);
    expect(checkSourceAddress({ ranges: ["10.0.0.0/8"], address: "10.2.3.4", events })).toEqual([]);
    expect(checkSourceAddress({ ranges: ["10.0.0.0/8"], address: "::ffff:10.2.3.4", events })).toEqual([]);
  });

  it("raises one violation per session, on its earliest event, naming the address and the ranges", () => {
    const found = checkSourceAddress({ ranges: ["10.0.0.0/8", "2001:db8::/32"], address: "203.0.113.9", events });
    expect(found).toEqual([
      {
        eventIndex: 1,
        sessionId: "a",
        detail: 'A batch reached the console from "203.0.113.9", outside the policy\'s allowed_ip_ranges (10.0.0.0/8, 2001:db8::/32)',
      },
      {
        eventIndex: 2,
        sessionId: "b",
        detail: 'A batch reached the console from "203.0.113.9", outside the policy\'s allowed_ip_ranges (10.0.0.0/8, 2001:db8::/32)',
      },
    ]);
  });

  it("skips sessions already told, and says so when the address is unknown", () => {
    expect(checkSourceAddress({ ranges: ["10.0.0.0/8"], address: "203.0.113.9", events, alreadyTold: new Set(["a"]) }).map((v) => v.sessionId)).toEqual(["b"]);
    expect(checkSourceAddress({ ranges: ["10.0.0.0/8"], address: null, events })[0]?.detail).toBe(
      "A batch reached the console from an address it could not determine, outside the policy's allowed_ip_ranges (10.0.0.0/8)",
    );
  });

  it("quotes a hostile address as data, cut short", () => {
    const found = checkSourceAddress({ ranges: ["10.0.0.0/8"], address: `<img src=x>%00${"A".repeat(200)}`, events: [ev(0, "s", 1)] });
    expect(found[0]?.detail).toContain('"<img src=x>%00AAAA');
    expect(found[0]?.detail.length).toBeLessThan(200);
  });
});
