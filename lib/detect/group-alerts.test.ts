import { describe, expect, it } from "vitest";
import { type GroupableAlert, groupAlertsBySession } from "./group-alerts";

const alert = (id: number, over: Partial<GroupableAlert>): GroupableAlert => ({
  id,
  agent_id: "support-bot",
  session_id: "s1",
  severity: "low",
  first_event_at: "2026-12-05T13:03:00.000Z",
  last_event_at: "2026-12-05T13:03:00.000Z",
  created_at: "2026-12-05T13:48:00.000Z",
  last_seen_at: "2026-12-05T13:48:00.000Z",
  incident_id: null,
  ...over,
});

describe("groupAlertsBySession", () => {
  it("keeps the list's order of groups and alerts, and spans the group's event times and worst severity", () => {
    const groups = groupAlertsBySession([
      alert(5, { severity: "critical", session_id: "s2", last_event_at: "2026-12-05T13:04:10.000Z", incident_id: 1 }),
      alert(3, { severity: "high", session_id: "s1", first_event_at: "2026-12-05T13:03:05.000Z", last_event_at: "2026-12-05T13:03:50.000Z" }),
      alert(4, { severity: "medium", session_id: "s2", first_event_at: "2026-12-05T13:02:59.000Z", incident_id: 2 }),
      alert(6, { severity: "low", session_id: null, first_event_at: null, last_event_at: null }),
    ]);
    expect(groups.map((g) => [g.session_id, g.alerts.map((a) => a.id)])).toEqual([
      ["s2", [5, 4]],
      ["s1", [3]],
      [null, [6]],
    ]);
    expect(groups[0]).toMatchObject({ worst: "critical", first_at: "2026-12-05T13:02:59.000Z", last_at: "2026-12-05T13:04:10.000Z", incident_ids: [1, 2] });
    // Without events, the group says when the detector saw it.
    expect(groups[2]).toMatchObject({ first_at: "2026-12-05T13:48:00.000Z", last_at: "2026-12-05T13:48:00.000Z", incident_ids: [] });
  });

  it("does not merge two agents' sessions that share an id", () => {
    const groups = groupAlertsBySession([alert(1, { agent_id: "a" }), alert(2, { agent_id: "b" })]);
    expect(groups).toHaveLength(2);
  });
});
