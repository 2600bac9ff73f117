import { useState } from "react";
import type { TimelineEvent } from "@/lib/forensics/views";
import { formatCost, formatCount, formatDuration, formatRedactions, formatUtc } from "@/lib/format";
import { Badge } from "../ui/badge";

/** One event on the timeline: when, what, its findings and flags, and (opened) the findings' detail and its metadata. Log text as text. */
export function TimelineRow({
  event: e,
  index,
  start,
  measure,
  offsetS,
  marker,
}: {
  event: TimelineEvent;
  index: number;
  start: number;
  measure: (el: Element | null) => void;
  offsetS: number;
  marker: "injection" | "context" | null;
}) {
  const [open, setOpen] = useState(false);
  const redacted = formatRedactions(e.redactions);
  const worst = e.alerts.some((a) => a.severity === "critical")
    ? "critical"
    : e.alerts.some((a) => a.severity === "high")
      ? "high"
      : e.alerts.length > 0
        ? "medium"
        : null;
  return (
    <li
      ref={measure}
      data-index={index}
      id={`event-${e.event_id}`}
      data-event-id={e.event_id}
      className={["timeline-row", marker ? `marker-${marker}` : "", worst ? `anomaly sev-edge-${worst}` : "", open ? "open" : ""].join(" ")}
      style={{ transform: `translateY(${start}px)` }}
    >
      <div className="timeline-when">
        <span className="mono">+{offsetS.toFixed(1)}s</span>
        <span className="time">{formatUtc(e.time).slice(11, -4)}</span>
      </div>
      <div className="timeline-what">
        <div>
          {marker === "injection" && <Badge tone="sev-critical">likely injection point</Badge>}
          {marker === "context" && <Badge>context before injection</Badge>}
          <Badge tone={`type-${e.action_type}`}>{e.action_type}</Badge>
          <span className="mono">{e.tool_name ?? e.action_name}</span>
          {e.alerts.map((a, i) => (
            <Badge key={`${a.alert_id}-${a.type}-${i}`} tone={`sev-${a.severity}`} title={a.detail}>
              {a.type}
            </Badge>
          ))}
          {e.security_flags.map((f) => (
            <Badge key={f} tone="flag">
              {f}
            </Badge>
          ))}
          {redacted && <Badge tone="redacted">redacted: {redacted}</Badge>}
          <span className="timeline-meta">
            {formatDuration(e.duration_ms)}
            {e.cost_usd ? ` · ${formatCost(e.cost_usd)}` : ""}
            {e.token_count ? ` · ${formatCount(e.token_count)} tokens` : ""}
          </span>
          <button type="button" className="link-button" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? "less" : "more"}
          </button>
        </div>
        {e.alerts.length > 0 && open && (
          <ul className="timeline-findings">
            {e.alerts.map((a, i) => (
              <li key={`${a.alert_id}-${i}`} className="log-text">
                {a.severity} · {a.type}: {a.detail}
              </li>
            ))}
          </ul>
        )}
        {e.input_summary && (
          <p className="log-text clamp">
            <span className="log-label">in: </span>
            {e.input_summary}
          </p>
        )}
        {e.output_summary && (
          <p className="log-text clamp">
            <span className="log-label">out: </span>
            {e.output_summary}
          </p>
        )}
        {e.error && (
          <p className="log-text clamp" style={{ color: "var(--danger)" }}>
            <span className="log-label">error: </span>
            {e.error}
          </p>
        )}
        {open && e.metadata && <p className="log-text">metadata: {JSON.stringify(e.metadata)}</p>}
      </div>
    </li>
  );
}
