import type { Severity } from "./types";
import { SEVERITIES } from "./types";

/** The fields grouping needs (AlertView has them; kept structural so this stays a pure word of lib/detect). */
export interface GroupableAlert {
  id: number;
  agent_id: string;
  session_id: string | null;
  severity: Severity;
  first_event_at: string | null;
  last_event_at: string | null;
  created_at: string;
  last_seen_at: string;
  incident_id: number | null;
}

export interface AlertGroup<A extends GroupableAlert> {
  key: string;
  agent_id: string;
  session_id: string | null;
  alerts: A[];
  worst: Severity;
  /** When the first and last events of the group's alerts happened (detection time when no event is known). */
  first_at: string;
  last_at: string;
  incident_ids: number[];
}

export const alertFirstAt = (a: GroupableAlert) => a.first_event_at ?? a.created_at;
export const alertLastAt = (a: GroupableAlert) => a.last_event_at ?? a.last_seen_at;

/**
 * One group per session (whole-agent alerts: one per agent), in the order the list brought them, so a
 * list sorted worst-first stays worst-first; inside a group the alerts keep their order.
 */
export function groupAlertsBySession<A extends GroupableAlert>(alerts: A[]): AlertGroup<A>[] {
  const groups = new Map<string, AlertGroup<A>>();
  for (const a of alerts) {
    const key = a.session_id === null ? `agent:${a.agent_id}` : `session:${a.agent_id}:${a.session_id}`;
    const group = groups.get(key);
    if (!group) {
      groups.set(key, {
        key,
        agent_id: a.agent_id,
        session_id: a.session_id,
        alerts: [a],
        worst: a.severity,
        first_at: alertFirstAt(a),
        last_at: alertLastAt(a),
        incident_ids: a.incident_id === null ? [] : [a.incident_id],
      });
      continue;
    }
    group.alerts.push(a);
    if (SEVERITIES.indexOf(a.severity) > SEVERITIES.indexOf(group.worst)) group.worst = a.severity;
    if (alertFirstAt(a) < group.first_at) group.first_at = alertFirstAt(a);
    if (alertLastAt(a) > group.last_at) group.last_at = alertLastAt(a);
    if (a.incident_id !== null && !group.incident_ids.includes(a.incident_id)) group.incident_ids.push(a.incident_id);
  }
  return [...groups.values()];
}
