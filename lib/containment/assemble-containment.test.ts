import { describe, expect, it } from "vitest";
import type { GrantTrafficRow } from "@/db/queries/containment";
import { assembleContainment, type ContainmentRows } from "./assemble-containment";

const NOW = new Date("2026-12-06T12:00:00.000Z");

function rows(over: Partial<ContainmentRows> = {}): ContainmentRows {
  return {
    agentId: "billing",
    now: NOW,
    kill: { exists: true, killed: false, globalKill: false },
    sessions: { total: 0, rows: [] },
    tokens: { live: 0, lastExpiresAt: null, revokedUnexpired: 0, rows: [] },
    grants: [],
    rotations: null,
    ...over,
  };
}

function grant(over: Partial<GrantTrafficRow>): GrantTrafficRow {
  return {
    id: "00000000-0000-4000-8000-000000000000",
    sourceAgent: "support",
    targetAgent: "billing",
    allowedActions: ["refund"],
    maxRequestsPerMinute: 10,
    expiresAt: null,
    bySource: 0,
    byTarget: 0,
    lastRequestAt: null,
    ...over,
  };
}

describe("assembleContainment", () => {
  it("splits grants by side, counts each exchange once from the larger account, and puts the busiest dependent first", () => {
    const c = assembleContainment(
      rows({
        grants: [
          grant({ id: "a", sourceAgent: "quiet", bySource: 1, byTarget: 0 }),
          grant({ id: "b", sourceAgent: "busy", bySource: 40, byTarget: 42 }),
          grant({ id: "c", sourceAgent: "lapsed", bySource: 99, expiresAt: new Date(NOW.getTime() - 1) }),
          grant({ id: "d", sourceAgent: "billing", targetAgent: "ledger", bySource: 5, byTarget: 7 }),
        ],
      }),
    );
    expect(c.dependents.map((g) => [g.source_agent, g.requests_24h, g.expired])).toEqual([
      ["busy", 42, false],
      ["quiet", 1, false],
      ["lapsed", 99, true],
    ]);
    expect(c.depends_on.map((g) => [g.target_agent, g.requests_24h])).toEqual([["ledger", 7]]);
  });

  it("calls a credential's rotation automatic only while its run is live, and withholds rotations when not read", () => {
    expect(assembleContainment(rows()).rotations).toBeNull();
    const next = new Date(NOW.getTime() + 10_000);
    const c = assembleContainment(
      rows({
        rotations: [
          {
            credentialId: "1",
            name: "key",
            kind: "ingest_key",
            latest: { runId: "r1", state: "retrying", step: "verify", nextAttemptAt: next },
            lastRotatedAt: null,
          },
          {
            credentialId: "2",
            name: "db",
            kind: "postgres_role",
            latest: { runId: "r2", state: "failed", step: "verify", nextAttemptAt: next },
            lastRotatedAt: null,
          },
          { credentialId: "3", name: "hmac", kind: "hmac_secret", latest: null, lastRotatedAt: null },
        ],
      }),
    );
    expect(c.rotations?.map((r) => [r.name, r.automatic, r.last_run_state, r.step, r.next_due_at])).toEqual([
      ["key", true, "rotating", "verify", next.toISOString()],
      ["db", false, "failed", null, null],
      ["hmac", false, "never_rotated", null, null],
    ]);
  });

  it("states its windows and when it was computed", () => {
    const c = assembleContainment(rows({ kill: { exists: true, killed: true, globalKill: true } }));
    expect(c).toMatchObject({
      killed: true,
      global_kill: true,
      windows: { sessions_in_flight_minutes: 15, requests_hours: 24 },
      computed_at: NOW.toISOString(),
    });
  });
});
