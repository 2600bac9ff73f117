import type { DASHBOARD_RANGES } from "@/db/queries/dashboard";
import type { Severity } from "@/lib/detect/types";
import type { IncidentStatus } from "@/lib/incidents/types";

export type ActivityPoint = {
  /** Bucket start, epoch ms. */
  t: number;
  llm_call: number;
  tool_call: number;
  decision: number;
  error: number;
  security: number;
};

export type DashboardRange = keyof typeof DASHBOARD_RANGES;

export interface Dashboard {
  range: DashboardRange;
  since: string;
  generated_at: string;
  bucket_seconds: number;
  /** Events per bucket by action type; buckets without events are absent (the chart fills them). */
  activity: ActivityPoint[];
  /** Most severe first (the worst severity an alert of the type reached in the range), then most frequent. */
  findings_by_type: { type: string; count: number; worst_severity: Severity }[];
  /** Incidents not closed, by status: open, contained, eradicated, recovered. */
  active_incidents: { status: Exclude<IncidentStatus, "closed">; count: number }[];
  open_alerts_by_severity: { severity: Severity; count: number }[];
  cost_by_agent: { agent_id: string; cost_usd: number }[];
  top_sessions: {
    agent_id: string;
    session_id: string;
    risk: number;
    alerts: number;
    findings: number;
    worst_severity: Severity;
    last_seen_at: string;
  }[];
  agents: { agent_id: string; killed: boolean; reason: string | null; killed_at: string | null; last_seen_at: string | null }[];
  global_kill: { killed: boolean; reason: string | null; killed_at: string | null };
}
