import { describe, expect, it } from "vitest";
import { dependentLine, dependentsLine, formatUntil, headline, rotationsLine, sessionsLine, tokensLine } from "./describe";
import type { Containment, ContainmentGrant } from "./schemas";

const NOW = Date.parse("2026-12-06T12:00:00.000Z");

function answer(over: Partial<Containment> = {}): Containment {
  return {
    agent_id: "billing-agent",
    killed: false,
    global_kill: false,
    windows: { sessions_in_flight_minutes: 15, requests_hours: 24 },
    sessions_in_flight_total: 0,
    sessions_in_flight: [],
    tool_tokens: { live: 0, last_expires_at: null, revoked_unexpired: 0, tokens: [] },
    dependents: [],
    depends_on: [],
    rotations: [],
    computed_at: new Date(NOW).toISOString(),
    ...over,
  };
}

function grant(over: Partial<ContainmentGrant>): ContainmentGrant {
  return {
    grant_id: "00000000-0000-4000-8000-000000000000",
    source_agent: "support-agent",
    target_agent: "billing-agent",
    allowed_actions: ["refund"],
    max_requests_per_minute: 10,
    expires_at: null,
    expired: false,
    requests_24h: 0,
    last_request_at: null,
    ...over,
  };
}

describe("the kill preview's lines", () => {
  it("says how long until a moment", () => {
    expect(formatUntil("2026-12-06T12:00:45.000Z", NOW)).toBe("in 45 s");
    expect(formatUntil("2026-12-06T12:04:31.000Z", NOW)).toBe("in 4 min");
    expect(formatUntil("2026-12-06T14:05:00.000Z", NOW)).toBe("in 2 h 5 min");
    expect(formatUntil("2026-12-06T13:00:00.000Z", NOW)).toBe("in 1 h");
    expect(formatUntil("2026-12-06T11:59:00.000Z", NOW)).toBe("now");
  });

  it("names the live tokens and when the last expires", () => {
    const tokens = { live: 3, last_expires_at: "2026-12-06T12:04:31.000Z", revoked_unexpired: 0, tokens: [] };
    expect(tokensLine(answer({ tool_tokens: tokens }), NOW)).toBe("3 tool tokens, the last expires 12:04:31 UTC (in 4 min); a kill revokes them at once.");
    expect(tokensLine(answer({ tool_tokens: { ...tokens, live: 1 } }), NOW)).toBe(
      "1 tool token, it expires 12:04:31 UTC (in 4 min); a kill revokes it at once.",
    );
    expect(tokensLine(answer({ tool_tokens: { live: 0, last_expires_at: null, revoked_unexpired: 2, tokens: [] } }), NOW)).toBe(
      "No live tool tokens. 2 revoked tokens not yet expired: tools that follow the revocation list refuse them.",
    );
  });

  it("warns of each dependent with its requests, and of none through an expired grant", () => {
    expect(dependentLine(grant({ requests_24h: 42 }), 24)).toBe("support-agent depends on it: 42 requests in 24 h.");
    expect(dependentLine(grant({ requests_24h: 1 }), 24)).toBe("support-agent depends on it: 1 request in 24 h.");
    expect(dependentLine(grant({ expired: true, requests_24h: 9 }), 24)).toMatch(/expired grant/);
    const c = answer({ dependents: [grant({ requests_24h: 4 }), grant({ source_agent: "b", expired: true })] });
    expect(dependentsLine(c)).toBe("1 agent depends on it through capability grants; 1 asked it in the last 24 h. Their requests fail once it stops.");
    expect(dependentsLine(answer())).toMatch(/No agent depends on it/);
  });

  it("counts sessions in flight with their window, and says what is stopped already", () => {
    expect(sessionsLine(answer())).toBe("No session in flight (none with an event in the last 15 min).");
    expect(sessionsLine(answer({ sessions_in_flight_total: 2 }))).toMatch(/^2 sessions in flight \(an event in the last 15 min\): a kill stops them/);
    expect(headline(answer())).toBeNull();
    expect(headline(answer({ killed: true }))).toMatch(/killed already/);
    expect(headline(answer({ killed: true, global_kill: true }))).toMatch(/global kill/);
  });

  it("says rotations carry on after a kill, and are withheld below analyst", () => {
    expect(rotationsLine(answer({ rotations: null }))).toMatch(/analysts and above/);
    const rotation = {
      credential_id: "00000000-0000-4000-8000-000000000001",
      name: "ingest key",
      kind: "ingest_key",
      automatic: true,
      next_due_at: null,
      step: "create",
      last_run_state: "rotating" as const,
      last_run_id: null,
      last_rotated_at: null,
    };
    expect(rotationsLine(answer({ rotations: [rotation] }))).toBe("1 credential; 1 rotation running: the worker carries it on after a kill.");
    expect(rotationsLine(answer({ rotations: [{ ...rotation, automatic: false, last_run_state: "rotated" }] }))).toMatch(/no rotation running/);
  });
});
