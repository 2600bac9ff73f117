import { createHash } from "node:crypto";
import { type PiiType, type RedactionCounts, redactJson, redactText } from "./redact-pii";
import type { AgentEvent } from "./schemas";

/** An event ready for storage: redacted, sanitised, with an id. Field names follow the database columns. */
export interface EventRow {
  /** Event time in whole microseconds since the epoch: the unit PostgreSQL stores, so both sides agree on its day. */
  tsMicros: number;
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
  /** Not stored: which kinds of PII redaction took out of the input and output summaries, for the detectors. */
  piiFound: { input: PiiType[]; output: PiiType[] };
}

/**
 * An event sent without an id gets one derived from its content, so a client that retries the same
 * record after a lost answer does not store it twice (formatted as a version 8 UUID).
 */
export function contentEventId(event: AgentEvent): string {
  const hex = createHash("sha256").update(JSON.stringify(event)).digest("hex");
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function prepareEventRow(event: AgentEvent): EventRow {
  const counts: RedactionCounts = {};
  const inputCounts: RedactionCounts = {};
  const outputCounts: RedactionCounts = {};
  // The event passed agentEventSchema: its text is storable already.
  const clean = (text: string, into: RedactionCounts = counts) => redactText(text, into);
  const metadata = event.metadata == null ? null : (redactJson(event.metadata, counts) as Record<string, unknown>);
  const row: EventRow = {
    tsMicros: Math.round(event.timestamp * 1e6),
    eventId: event.event_id ?? contentEventId(event),
    agentId: event.agent_id,
    sessionId: event.session_id,
    actionType: event.action_type,
    actionName: clean(event.action_name),
    inputSummary: clean(event.input_summary, inputCounts),
    outputSummary: clean(event.output_summary, outputCounts),
    durationMs: event.duration_ms,
    tokenCount: event.token_count ?? null,
    costUsd: event.cost_usd ?? null,
    toolName: event.tool_name == null ? null : clean(event.tool_name),
    toolArgsHash: event.tool_args_hash == null ? null : clean(event.tool_args_hash),
    error: event.error == null ? null : clean(event.error),
    securityFlags: (event.security_flags ?? []).map((flag) => clean(flag)),
    metadata,
    actionSequence: event.action_sequence ?? null,
    sessionElapsedS: event.session_elapsed_s ?? null,
    sessionTotalCostUsd: event.session_total_cost_usd ?? null,
    redactions: null,
    piiFound: { input: Object.keys(inputCounts) as PiiType[], output: Object.keys(outputCounts) as PiiType[] },
  };
  for (const part of [inputCounts, outputCounts]) {
    for (const [type, n] of Object.entries(part) as [PiiType, number][]) counts[type] = (counts[type] ?? 0) + n;
  }
  row.redactions = Object.keys(counts).length > 0 ? counts : null;
  return row;
}
