/** In rising order; the database enum is declared in the same order so that it sorts alike. */
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALERT_TYPES = [
  "prompt_injection",
  "canary_leak",
  "forbidden_output",
  "pii_exposure",
  "unexpected_tool",
  "excessive_tool_calls",
  "excessive_llm_calls",
  "tool_call_rate_spike",
  "session_too_long",
  "session_cost_exceeded",
  "impersonation",
  "unknown_agent",
  "policy_violation",
  "unauthorized_agent_request",
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export type BaselineSource = "configured" | "learned";

/** One thing a detector noticed about one stored event. */
export interface Finding {
  type: AlertType;
  severity: Severity;
  /** Plain language, built from the console's own words and redacted content only. */
  detail: string;
  /** Index of the event in the batch the detector was given. */
  eventIndex: number;
  /** Null when the finding is about the agent rather than one session. */
  sessionId: string | null;
  baselineSource: BaselineSource | null;
  /** The label /metrics counts this finding under; null when the event itself is already counted. */
  metric: { family: "security_detected" | "anomaly"; label: string } | null;
}

/** An alert that a batch opened (not one it added to), as notifications and automatic responses see it. */
export interface OpenedAlert {
  id: number;
  agentId: string;
  sessionId: string | null;
  type: AlertType;
  severity: Severity;
  detail: string;
  count: number;
  firstEventId: string | null;
  firstEventAt: Date | null;
  createdAt: Date;
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}
