import type { SessionTimeline } from "@/lib/forensics/session-timeline";
import { formatUtc } from "@/lib/format";
import { Badge } from "../ui/badge";

/** Where the session most likely went wrong, why, and how many events before it are marked as its context. */
export function InjectionPanel({ timeline, onShow }: { timeline: SessionTimeline; onShow: (eventId: string) => void }) {
  const point = timeline.injection_point;
  return (
    <section className={`panel stack injection-panel${point ? " found" : ""}`} aria-label="Injection point">
      <h2>Injection point</h2>
      {point ? (
        <>
          <p>
            <button type="button" onClick={() => onShow(point.event_id)}>
              Show event at {formatUtc(point.timestamp)}
            </button>{" "}
            <Badge>rule: {point.rule.replaceAll("_", " ")}</Badge>
          </p>
          <p className="log-text">{point.reason}</p>
          {point.preceding_events.length > 0 && (
            <p className="muted">
              {point.preceding_events.length} preceding event{point.preceding_events.length === 1 ? "" : "s"} marked as context on the timeline.
            </p>
          )}
        </>
      ) : (
        <p className="muted">
          {timeline.anomalies.length === 0 ? "No anomaly in this session: nothing points at a compromise." : "No injection point could be placed."}
        </p>
      )}
    </section>
  );
}
