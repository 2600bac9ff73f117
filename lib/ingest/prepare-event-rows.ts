import { randomUUID } from "node:crypto";
import { redactJson, redactText, type RedactionCounts } from "./redact-pii";
import type { AgentEvent } from "./schemas";

/** An event ready for storage: redacted, sanitised, with an id. Field names follow the database columns. */
export interface EventRow {
  ts: number;
  eventId: string;
  agentId: string;
  sessionId: string;
  actionType: AgentEvent["action_type"];
  actionName: string;
  inputSummary: string;
  outputSummary: string;
  durationMs: number;
  tokenCount: number | null;
  costUsd: number | null;
  toolName: string | null;
  toolArgsHash: string | null;
  error: string | null;
  securityFlags: string[];
  metadata: Record<string, unknown> | null;
  actionSequence: number | null;
  sessionElapsedS: number | null;
  sessionTotalCostUsd: number | null;
  redactions: RedactionCounts | null;
}

/** PostgreSQL refuses NUL characters and lone surrogates in text and jsonb; replace them rather than lose the event. */
export function sanitizeText(text: string): string {
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
  return wellFormed.includes("\u0000") ? wellFormed.replaceAll("\u0000", "\uFFFD") : wellFormed;
}

function sanitizeJson(value: unknown): unknown {
  if (typeof value === "string") return sanitizeText(value);
  if (Array.isArray(value)) return value.map(sanitizeJson);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[sanitizeText(key)] = sanitizeJson(inner);
    return out;
  }
  return value;
}

function clean(text: string, counts: RedactionCounts): string {
  return redactText(sanitizeText(text), counts);
}

export function prepareEventRow(event: AgentEvent): EventRow {
  const counts: RedactionCounts = {};
  const metadata =
    event.metadata == null ? null : (redactJson(sanitizeJson(event.metadata), counts) as Record<string, unknown>);
  const row: EventRow = {
    ts: event.timestamp,
    eventId: event.event_id ?? randomUUID(),
    agentId: sanitizeText(event.agent_id),
    sessionId: sanitizeText(event.session_id),
    actionType: event.action_type,
    actionName: sanitizeText(event.action_name),
    inputSummary: clean(event.input_summary, counts),
    outputSummary: clean(event.output_summary, counts),
    durationMs: event.duration_ms,
    tokenCount: event.token_count ?? null,
    costUsd: event.cost_usd ?? null,
    toolName: event.tool_name == null ? null : sanitizeText(event.tool_name),
    toolArgsHash: event.tool_args_hash == null ? null : sanitizeText(event.tool_args_hash),
    error: event.error == null ? null : clean(event.error, counts),
    securityFlags: (event.security_flags ?? []).map(sanitizeText),
    metadata,
    actionSequence: event.action_sequence ?? null,
    sessionElapsedS: event.session_elapsed_s ?? null,
    sessionTotalCostUsd: event.session_total_cost_usd ?? null,
    redactions: null,
  };
  row.redactions = Object.keys(counts).length > 0 ? counts : null;
  return row;
}
