import type { Severity } from "@/lib/detect/types";

/** An event as the API and the console show it: the ingest contract's field names, redacted content. */
export interface EventView {
  event_id: string;
  timestamp: number;
  time: string;
  agent_id: string;
  session_id: string;
  action_type: string;
  action_name: string;
  input_summary: string;
  output_summary: string;
  duration_ms: number;
  token_count: number | null;
  cost_usd: number | null;
  tool_name: string | null;
  tool_args_hash: string | null;
  error: string | null;
  security_flags: string[];
  metadata: Record<string, unknown> | null;
  action_sequence: number | null;
  session_elapsed_s: number | null;
  session_total_cost_usd: number | null;
  redactions: Record<string, number> | null;
  received_at: string;
}

/** What detection recorded about one event. */
export interface EventFinding {
  alert_id: number;
  type: string;
  severity: Severity;
  detail: string;
}

/** An event as the events list shows it: with its findings, most severe first. */
export type ListedEvent = EventView & { alerts: EventFinding[] };
