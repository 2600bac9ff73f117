import Link from "next/link";
import { formatCost, formatCount, formatDuration, formatRedactions, formatUtc } from "@/lib/format";
import type { EventFinding, EventView } from "@/lib/ingest/views";

interface EventsTableProps {
  /** With `alerts`, each row shows what detection found on it. */
  events: (EventView & { alerts?: EventFinding[] })[];
  /** The session view shows seconds since the session's first event instead of agent and session columns. */
  mode: "explorer" | "session";
  sessionStartMs?: number;
  /** In a session written by more than one agent, each row says whose it is. */
  showAgent?: boolean;
}

/** Log content is untrusted: every field is rendered as React text, never as HTML. */
export function EventsTable({ events, mode, sessionStartMs, showAgent = false }: EventsTableProps) {
  if (events.length === 0) return <p className="empty">No events match.</p>;
  return (
    <table className="events-table" aria-label={mode === "session" ? "Session events" : "Events"}>
      <thead>
        <tr>
          <th scope="col">Time (UTC)</th>
          {mode === "session" ? <th scope="col">+s</th> : <th scope="col">Agent / session</th>}
          {mode === "session" && showAgent && <th scope="col">Agent</th>}
          <th scope="col">Action</th>
          <th scope="col">Content</th>
          <th scope="col">Duration</th>
          <th scope="col">Cost</th>
          <th scope="col">Tokens</th>
          <th scope="col">Findings and flags</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => {
          const redacted = formatRedactions(e.redactions);
          return (
            <tr key={`${e.time}:${e.agent_id}:${e.event_id}`} id={`event-${e.event_id}`} data-event-id={e.event_id}>
              <td className="time" data-label="Time (UTC)">
                {formatUtc(e.time).slice(0, -4)}
              </td>
              {mode === "session" ? (
                <td className="num mono" data-label="+s">
                  {sessionStartMs === undefined ? "" : ((Date.parse(e.time) - sessionStartMs) / 1000).toFixed(1)}
                </td>
              ) : (
                <td data-label="Agent / session">
                  <Link href={`/events?agent_id=${encodeURIComponent(e.agent_id)}`}>{e.agent_id}</Link>
                  <br />
                  <Link className="mono" href={`/sessions/${encodeURIComponent(e.session_id)}`}>
                    {e.session_id}
                  </Link>
                </td>
              )}
              {mode === "session" && showAgent && (
                <td className="mono" data-label="Agent">
                  {e.agent_id}
                </td>
              )}
              <td data-label="Action">
                <span className={`badge type-${e.action_type}`}>{e.action_type}</span>
                <div className="mono">{e.tool_name ?? e.action_name}</div>
              </td>
              <td className="content-cell" data-label="Content">
                {e.input_summary && (
                  <p className="log-text">
                    <span className="log-label">in: </span>
                    {e.input_summary}
                  </p>
                )}
                {e.output_summary && (
                  <p className="log-text">
                    <span className="log-label">out: </span>
                    {e.output_summary}
                  </p>
                )}
                {e.error && (
                  <p className="log-text" style={{ color: "var(--danger)" }}>
                    <span className="log-label">error: </span>
                    {e.error}
                  </p>
                )}
              </td>
              <td className="num" data-label="Duration">
                {formatDuration(e.duration_ms)}
              </td>
              <td className="num" data-label="Cost" data-empty={e.cost_usd === null || undefined}>
                {formatCost(e.cost_usd)}
              </td>
              <td className="num" data-label="Tokens" data-empty={e.token_count === null || undefined}>
                {formatCount(e.token_count)}
              </td>
              <td
                className="flags-cell"
                data-label="Findings and flags"
                data-empty={(!e.alerts?.length && e.security_flags.length === 0 && !redacted) || undefined}
              >
                {e.alerts?.map((f) => (
                  <div key={`${f.alert_id}:${f.type}`} className="finding" data-finding={f.type}>
                    <span className={`badge sev-${f.severity}`}>{f.severity}</span>
                    <span className="finding-type">{f.type.replaceAll("_", " ")}</span>
                    <p className="finding-detail">{f.detail}</p>
                  </div>
                ))}
                {e.security_flags.map((f) => (
                  <span key={f} className="badge flag">
                    {f}
                  </span>
                ))}
                {redacted && (
                  <span className="badge redacted" title="PII and secrets removed before storage">
                    redacted: {redacted}
                  </span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
