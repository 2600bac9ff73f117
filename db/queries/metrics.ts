import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import type { MetricFamily } from "@/lib/metrics/prometheus";
import { readAuditChainHead } from "./audit";

/** A session counts as live while its last event is this recent; agent_session_cost_usd reports live sessions only. */
export const LIVE_SESSION_MINUTES = 15;
/**
 * Agents name their own tools and security reports: past this many names per agent and family, the
 * least counted are summed under "other", so one agent cannot flood the scrape with series.
 */
export const NAMED_SERIES_PER_AGENT = 100;
export const OTHER_LABEL = "other";
/** agent_session_cost_usd shows each agent's costliest live sessions, this many at most. */
export const LIVE_SESSIONS_PER_AGENT = 50;

/**
 * The families of ARCHITECTURE.md, read from counters kept in PostgreSQL by the ingest transaction,
 * so they survive restarts and agree across instances. Security events are the agents' own reports
 * (action_type "security", by action_name) plus the console's detections.
 */
export async function readMetrics(db: Queryable): Promise<MetricFamily[]> {
  const [counters, costs, openAlerts, chainHead] = await Promise.all([
    db.execute<{ family: string; agent_id: string; label: string; value: string }>(sql`
      WITH merged AS (
        SELECT CASE WHEN family IN ('security_reported', 'security_detected') THEN 'security' ELSE family END AS family,
          agent_id, label, sum(value) AS value,
          -- The console's detections and anomaly types are a fixed set and always shown.
          bool_and(family IN ('tool_calls', 'security_reported')) AS agent_named
        FROM metric_counters GROUP BY 1, 2, 3
      ), ranked AS (
        SELECT *, row_number() OVER (PARTITION BY family, agent_id, agent_named ORDER BY value DESC, label) AS rank FROM merged
      )
      SELECT family, agent_id, CASE WHEN agent_named AND rank > ${NAMED_SERIES_PER_AGENT} THEN ${OTHER_LABEL} ELSE label END AS label,
        sum(value)::text AS value
      FROM ranked GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`),
    db.execute<{ agent_id: string; session_id: string; cost_usd: number }>(sql`
      SELECT agent_id, session_id, cost_usd FROM (
        SELECT agent_id, session_id, cost_usd,
          row_number() OVER (PARTITION BY agent_id ORDER BY cost_usd DESC, last_event_at DESC, session_id) AS rank
        FROM sessions WHERE last_event_at > now() - ${`${LIVE_SESSION_MINUTES} minutes`}::interval
      ) live
      WHERE rank <= ${LIVE_SESSIONS_PER_AGENT}
      ORDER BY agent_id, session_id`),
    db.execute<{ severity: string; count: number }>(sql`
      SELECT s.severity::text AS severity, count(a.id)::int AS count
      FROM unnest(enum_range(NULL::alert_severity)) AS s(severity)
      LEFT JOIN alerts a ON a.severity = s.severity AND a.status <> 'resolved'
      GROUP BY s.severity ORDER BY s.severity`),
    readAuditChainHead(db),
  ]);
  const samplesOf = (family: string, labelName: string) =>
    counters.rows.filter((r) => r.family === family).map((r) => ({ labels: { agent_id: r.agent_id, [labelName]: r.label }, value: Number(r.value) }));
  return [
    {
      name: "agent_security_events_total",
      help: `Security events per agent: the console's detections, and the agent's own reports by action_name (its ${NAMED_SERIES_PER_AGENT} most frequent, the rest summed under event_type="${OTHER_LABEL}").`,
      type: "counter",
      samples: samplesOf("security", "event_type"),
    },
    {
      name: "agent_anomaly_events_total",
      help: "Departures from an agent's baseline, by anomaly type.",
      type: "counter",
      samples: samplesOf("anomaly", "type"),
    },
    {
      name: "agent_tool_calls_total",
      help: `Tool calls per agent and tool: an agent's ${NAMED_SERIES_PER_AGENT} most called tools, the rest summed under tool_name="${OTHER_LABEL}".`,
      type: "counter",
      samples: samplesOf("tool_calls", "tool_name"),
    },
    {
      name: "agent_session_cost_usd",
      help: `Cost so far of each live session (an event within the last ${LIVE_SESSION_MINUTES} minutes): each agent's ${LIVE_SESSIONS_PER_AGENT} costliest.`,
      type: "gauge",
      samples: costs.rows.map((r) => ({ labels: { agent_id: r.agent_id, session_id: r.session_id }, value: r.cost_usd })),
    },
    {
      name: "agentsoc_alerts_open",
      help: "Alerts not yet resolved, by severity.",
      type: "gauge",
      samples: openAlerts.rows.map((r) => ({ labels: { severity: r.severity }, value: r.count })),
    },
    // Scraped and kept outside the console, these show rows cut from the chain's end, which the chain itself cannot.
    {
      name: "agentsoc_audit_chain_length",
      help: "Rows in the audit log's hash chain. It only ever grows: a decrease means rows were cut from its end.",
      type: "gauge",
      samples: [{ labels: {}, value: chainHead?.id ?? 0 }],
    },
    {
      name: "agentsoc_audit_chain_head_info",
      help: "The newest audit row's number and hash. A row's hash never changes: GET /api/v1/audit?before_id=<id+1>&limit=1 must show it again later.",
      type: "gauge",
      samples: chainHead ? [{ labels: { id: String(chainHead.id), hash: chainHead.hash }, value: 1 }] : [],
    },
    {
      name: "agentsoc_audit_chain_head_timestamp_seconds",
      help: "When the newest audit row was written (Unix seconds).",
      type: "gauge",
      samples: chainHead ? [{ labels: {}, value: Date.parse(chainHead.at) / 1000 }] : [],
    },
  ];
}
