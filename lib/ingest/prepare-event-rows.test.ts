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

  it("redacts agent-supplied names, flags, error and tool_args_hash too, counting what it found", () => {
    const row = prepareEventRow({
      ...event,
      tool_name: "notify 203.0.113.9",
      error: "refused for +44 20 7946 0958",
      tool_args_hash: "to=jane.doe@example.com ssn=123-45-6789 card 4111 1111 1111 1111",
    });
    expect(row.actionName).toBe("lookup for [EMAIL_REDACTED]");
    expect(row.securityFlags).toEqual(["pii seen: [SSN_REDACTED]"]);
    expect(row.toolName).toBe("notify [IP_ADDRESS_REDACTED]");
    expect(row.error).toBe("refused for [PHONE_REDACTED]");
    expect(row.toolArgsHash).toBe("to=[EMAIL_REDACTED] ssn=[SSN_REDACTED] card [CREDIT_CARD_REDACTED]");
    expect(row.redactions).toEqual({ email: 2, ssn: 2, ip_address: 1, phone: 1, credit_card: 1 });
  });

  it("keeps a real hash in tool_args_hash as sent", () => {
    const hashed = { ...event, action_name: "lookup", security_flags: null, tool_args_hash: "4f1d0c33ab9e2c71" };
    expect(prepareEventRow(hashed).toolArgsHash).toBe("4f1d0c33ab9e2c71");
    expect(prepareEventRow({ ...hashed, tool_args_hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" }).redactions).toBeNull();
  });

  it("derives a stable UUID from the content of an event sent without an id", () => {
    const id = contentEventId(event);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(contentEventId({ ...event })).toBe(id);
    expect(contentEventId({ ...event, timestamp: event.timestamp + 1 })).not.toBe(id);
    expect(prepareEventRow(event).eventId).toBe(id);
  });
});
