import { describe, expect, it } from "vitest";
import { dayStart } from "./partitions";
import { contentEventId, prepareEventRow } from "./prepare-event-rows";
import type { AgentEvent } from "./schemas";

const event: AgentEvent = {
  timestamp: 1_794_182_399.9999998,
  agent_id: "a1",
  session_id: "s1",
  action_type: "tool_call",
  action_name: "lookup for jane@example.com",
  input_summary: "x",
  output_summary: "y",
  duration_ms: 1,
  security_flags: ["pii seen: 123-45-6789"],
};

describe("prepareEventRow", () => {
  it("rounds time to whole microseconds, the unit PostgreSQL stores, so both place it in the same day", () => {
    const row = prepareEventRow(event);
    expect(row.tsMicros).toBe(1_794_182_400_000_000);
    expect(dayStart(row.tsMicros / 1000)).toBe(1_794_182_400_000);
  });

  it("redacts agent-supplied names and flags too", () => {
    const row = prepareEventRow(event);
    expect(row.actionName).toBe("lookup for [EMAIL_REDACTED]");
    expect(row.securityFlags).toEqual(["pii seen: [SSN_REDACTED]"]);
    expect(row.redactions).toEqual({ email: 1, ssn: 1 });
  });

  it("derives a stable UUID from the content of an event sent without an id", () => {
    const id = contentEventId(event);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(contentEventId({ ...event })).toBe(id);
    expect(contentEventId({ ...event, timestamp: event.timestamp + 1 })).not.toBe(id);
    expect(prepareEventRow(event).eventId).toBe(id);
  });
});
