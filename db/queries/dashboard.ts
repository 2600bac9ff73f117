import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import type { ActivityPoint, Dashboard, DashboardRange } from "@/lib/dashboard/views";
import type { Severity } from "@/lib/detect/types";
import type { IncidentStatus } from "@/lib/incidents/types";

export const DASHBOARD_RANGES = {
  "1h": { seconds: 3_600, bucketSeconds: 60, source: "minutely" },
  "24h": { seconds: 86_400, bucketSeconds: 900, source: "minutely" },
  "7d": { seconds: 604_800, bucketSeconds: 3_600, source: "hourly" },
} as const;
/** Every status but closed, in the order an incident moves through them. */
const ACTIVE_INCIDENT_STATUSES = ["open", "contained", "eradicated", "recovered"] as const satisfies readonly IncidentStatus[];

export const dashboardRangeSchema = z.enum(["1h", "24h", "7d"]).default("1h");

const RISK_WEIGHT = sql`CASE severity WHEN 'critical' THEN 30 WHEN 'high' THEN 10 WHEN 'medium' THEN 3 ELSE 1 END`;

/**
 * Everything the home page draws for one range, from rollups only (per-minute and hourly activity,
 * hourly findings, grouped alerts, session totals): no query here reads raw events.
 */
export async function getDashboard(db: Queryable, range: DashboardRange, nowMs = Date.now()): Promise<Dashboard> {
  const { seconds, bucketSeconds, source } = DASHBOARD_RANGES[range];
  const since = new Date(Math.floor((nowMs - seconds * 1000) / (bucketSeconds * 1000)) * bucketSeconds * 1000);
  const sinceHour = new Date(Math.floor(since.getTime() / 3_600_000) * 3_600_000);
  const bucket = sql`to_timestamp(floor(extract(epoch FROM ${sql.raw(source === "minutely" ? "minute" : "hour")}) / ${bucketSeconds}) * ${bucketSeconds})`;

  const activityQuery =
    source === "minutely"
      ? sql`SELECT (extract(epoch FROM ${bucket}) * 1000)::float8 AS t, sum(llm_calls)::int AS llm_call, sum(tool_calls)::int AS tool_call,
          sum(decisions)::int AS decision, sum(errors)::int AS error, sum(security_events)::int AS security
        FROM agent_activity_minutely WHERE minute >= ${since.toISOString()}::timestamptz GROUP BY 1 ORDER BY 1`
      : sql`SELECT (extract(epoch FROM ${bucket}) * 1000)::float8 AS t, sum(llm_calls)::int AS llm_call, sum(tool_calls)::int AS tool_call,
          sum(decisions)::int AS decision, sum(errors)::int AS error, sum(security_events)::int AS security
        FROM agent_activity_hourly WHERE hour >= ${since.toISOString()}::timestamptz GROUP BY 1 ORDER BY 1`;

  const [activity, findings, open, cost, top, agents, global, incidents] = await Promise.all([
    db.execute<ActivityPoint>(activityQuery),
    // The rollup counts findings per type; the worst severity an alert of that type reached in the range ranks them, so a rare critical finding is never listed below a common low one.
    db.execute<{ type: string; count: number; worst_severity: Severity }>(sql`
      SELECT f.type, sum(f.count)::int AS count,
        coalesce((SELECT max(a.severity) FROM alerts a WHERE a.type = f.type AND a.last_seen_at >= ${sinceHour.toISOString()}::timestamptz), 'low') AS worst_severity
      FROM findings_hourly f WHERE f.hour >= ${sinceHour.toISOString()}::timestamptz
      GROUP BY f.type ORDER BY worst_severity DESC, count DESC, f.type`),
    db.execute<{ severity: Severity; count: number }>(sql`
      SELECT severity, count(*)::int AS count FROM alerts WHERE status <> 'resolved' GROUP BY severity ORDER BY severity DESC`),
    db.execute<{ agent_id: string; cost_usd: number }>(sql`
      SELECT agent_id, sum(cost_usd)::float8 AS cost_usd FROM agent_activity_hourly WHERE hour >= ${sinceHour.toISOString()}::timestamptz
      GROUP BY agent_id HAVING sum(cost_usd) > 0 ORDER BY cost_usd DESC LIMIT 20`),
    db.execute<{ agent_id: string; session_id: string; risk: number; alerts: number; findings: number; worst_severity: Severity; last_seen_at: string }>(sql`
      SELECT agent_id, session_id, round(sum(${RISK_WEIGHT} * (1 + ln(count))))::int AS risk, count(*)::int AS alerts,
        sum(count)::int AS findings, max(severity) AS worst_severity, max(last_seen_at) AS last_seen_at
      FROM alerts WHERE session_id IS NOT NULL AND last_seen_at >= ${since.toISOString()}::timestamptz
      GROUP BY agent_id, session_id ORDER BY risk DESC, last_seen_at DESC LIMIT 10`),
    db.execute<{ agent_id: string; killed: boolean | null; reason: string | null; killed_at: string | null; last_seen_at: string | null }>(sql`
      SELECT a.id AS agent_id, coalesce(k.killed, false) AS killed, CASE WHEN k.killed THEN k.reason END AS reason,
        CASE WHEN k.killed THEN k.killed_at END AS killed_at, a.last_seen_at
      FROM agents a LEFT JOIN kill_switches k ON k.scope = 'agent' AND k.agent_id = a.id
      ORDER BY coalesce(k.killed, false) DESC, a.last_seen_at DESC NULLS LAST, a.id LIMIT 50`),
    db.execute<{ killed: boolean; reason: string | null; killed_at: string | null }>(sql`
      SELECT killed, reason, killed_at FROM kill_switches WHERE scope = 'global'`),
    db.execute<{ status: IncidentStatus; count: number }>(sql`
      SELECT status, count(*)::int AS count FROM incidents WHERE status <> 'closed' GROUP BY status`),
  ]);
  const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());
  const g = global.rows[0];
  return {
    range,
    since: since.toISOString(),
    generated_at: new Date(nowMs).toISOString(),
    bucket_seconds: bucketSeconds,
    activity: activity.rows,
    findings_by_type: findings.rows,
    open_alerts_by_severity: open.rows,
    cost_by_agent: cost.rows,
    top_sessions: top.rows.map((r) => ({ ...r, last_seen_at: new Date(r.last_seen_at).toISOString() })),
    agents: agents.rows.map((r) => ({ ...r, killed: r.killed === true, killed_at: iso(r.killed_at), last_seen_at: iso(r.last_seen_at) })),
    active_incidents: ACTIVE_INCIDENT_STATUSES.map((status) => ({ status, count: incidents.rows.find((r) => r.status === status)?.count ?? 0 })),
    global_kill: { killed: g?.killed ?? false, reason: g?.killed ? g.reason : null, killed_at: g?.killed ? iso(g.killed_at) : null },
  };
}
