import type { ListedEvent } from "@/lib/ingest/views";

export const EXPORT_FORMATS = ["ndjson", "csv"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: "application/x-ndjson; charset=utf-8",
  csv: "text/csv; charset=utf-8",
};

/** One event per line, with its findings: the API's own shape, so a line reads like a list entry. */
export function eventNdjsonLine(event: ListedEvent): string {
  return `${JSON.stringify(event)}\n`;
}

/**
 * A cell a spreadsheet shows as text. Log content is written by whoever talks to the agent: a cell
 * starting with = + - @ tab or CR would run as a formula in Excel, LibreOffice or Sheets, so it
 * gets a leading apostrophe (OWASP's CSV injection guidance). Quotes, commas and line breaks are
 * quoted as RFC 4180 says.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const EVENT_CSV_COLUMNS = [
  "time",
  "event_id",
  "agent_id",
  "session_id",
  "action_type",
  "action_name",
  "tool_name",
  "input_summary",
  "output_summary",
  "error",
  "findings",
  "security_flags",
  "redactions",
  "duration_ms",
  "token_count",
  "cost_usd",
  "metadata",
] as const;

export function csvHeader(): string {
  return `${EVENT_CSV_COLUMNS.join(",")}\r\n`;
}

/** One event as a CSV row; findings read "severity type: detail", most severe first, separated by " | ". */
export function eventCsvRow(e: ListedEvent): string {
  const cells: Record<(typeof EVENT_CSV_COLUMNS)[number], string | number | null> = {
    time: e.time,
    event_id: e.event_id,
    agent_id: e.agent_id,
    session_id: e.session_id,
    action_type: e.action_type,
    action_name: e.action_name,
    tool_name: e.tool_name,
    input_summary: e.input_summary,
    output_summary: e.output_summary,
    error: e.error,
    findings: e.alerts.map((a) => `${a.severity} ${a.type}: ${a.detail}`).join(" | "),
    security_flags: e.security_flags.join(" | "),
    redactions: e.redactions
      ? Object.entries(e.redactions)
          .map(([kind, n]) => `${kind}=${n}`)
          .join(" ")
      : null,
    duration_ms: e.duration_ms,
    token_count: e.token_count,
    cost_usd: e.cost_usd,
    metadata: e.metadata ? JSON.stringify(e.metadata) : null,
  };
  return `${EVENT_CSV_COLUMNS.map((c) => csvCell(cells[c])).join(",")}\r\n`;
}
