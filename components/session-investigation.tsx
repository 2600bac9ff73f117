"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import Link from "next/link";
import { useEffect, useMemo, useRef, useState } from "react";
import type { SessionTimeline } from "@/lib/forensics/session-timeline";
import type { TimelineEvent } from "@/lib/forensics/views";
import { formatCost, formatCount, formatDuration, formatRedactions, formatUtc } from "@/lib/format";
import { sessionQueries } from "./queries";

const ACTION_FILTERS = ["", "tool_call", "llm_call", "decision", "error", "security"] as const;
const PAGE = 1000;

/**
 * The investigation view of one agent's session: the injection point with its context, the blast
 * radius, and every event on a virtualised timeline with its findings marked in place. All log
 * content is rendered as text.
 */
export function SessionInvestigation({ sessionId, agentId }: { sessionId: string; agentId: string }) {
  const [actionType, setActionType] = useState<(typeof ACTION_FILTERS)[number]>("");
  const [target, setTarget] = useState<string | null>(null);
  const query = useInfiniteQuery(sessionQueries.timeline(sessionId, agentId, actionType, PAGE));
  const first = query.data?.pages[0];
  const events = useMemo(() => query.data?.pages.flatMap((p) => p.events) ?? [], [query.data]);

  const listRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: events.length,
    getScrollElement: () => listRef.current,
    estimateSize: () => 76,
    overscan: 12,
    getItemKey: (i) => events[i]?.event_id ?? i,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;

  // Load the next page as the reader nears the end of what is loaded.
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= events.length - 50) void fetchNextPage();
  }, [lastIndex, events.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  // Links to an event (#event-<id>, the alerts' links) and "show" buttons scroll to it, loading pages until it is there.
  useEffect(() => {
    const follow = () => {
      // Event ids are UUIDs: anything else in the hash is not a link of ours.
      const id = /^#event-([0-9a-f-]{36})$/.exec(window.location.hash)?.[1];
      if (id) setTarget(id);
    };
    follow();
    window.addEventListener("hashchange", follow);
    return () => window.removeEventListener("hashchange", follow);
  }, []);
  useEffect(() => {
    if (!target || events.length === 0) return;
    const index = events.findIndex((e) => e.event_id === target);
    if (index >= 0) {
      virtualizer.scrollToIndex(index, { align: "center" });
      setTarget(null);
    } else if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
    else if (!hasNextPage) setTarget(null);
  }, [target, events, hasNextPage, isFetchingNextPage, fetchNextPage, virtualizer]);

  if (query.isError)
    return (
      <p className="error-box" role="alert">
        The timeline could not be loaded: {query.error.message}
      </p>
    );
  // The first page carries the analysis of the whole session.
  if (!first || !("anomalies" in first)) return <p className="empty">Rebuilding the session…</p>;

  const injectionId = first.injection_point?.event_id ?? null;
  const preceding = new Set(first.injection_point?.preceding_events ?? []);
  const startMs = Date.parse(first.start_time);

  return (
    <div className="investigation">
      {first.analysis_truncated && (
        <p className="notice" role="status">
          This session is longer than the analysis reads: the injection point, blast radius and anomalies cover its first 200,000 events.
        </p>
      )}
      <InjectionPanel timeline={first} onShow={setTarget} />
      <BlastRadiusPanel timeline={first} onShow={setTarget} />
      <ResourcesPanel timeline={first} />

      <section className="panel" aria-label="Timeline">
        <div className="toolbar timeline-toolbar">
          <fieldset className="range-picker">
            <legend className="sr-only">Filter by action type</legend>
            {ACTION_FILTERS.map((t) => (
              <button
                key={t || "all"}
                type="button"
                aria-pressed={actionType === t}
                className={actionType === t ? "primary" : ""}
                onClick={() => setActionType(t)}
              >
                {t || "all"}
              </button>
            ))}
          </fieldset>
          <span>
            {actionType
              ? `${formatCount(events.length)} ${actionType} events loaded${hasNextPage ? " so far" : ""} · ${formatCount(first.event_count)} in the session`
              : `${formatCount(events.length)} of ${formatCount(first.event_count)} events loaded`}
            {first.anomalies.length > 0 && ` · ${formatCount(first.anomalies.length)} anomalies`}
            {isFetchingNextPage && " · loading…"}
          </span>
        </div>
        {events.length === 0 ? (
          <p className="empty">No events of this type.</p>
        ) : (
          <div ref={listRef} className="timeline-scroll" data-testid="timeline-scroll">
            <ol aria-label="Session timeline" className="timeline-list" style={{ height: virtualizer.getTotalSize() }}>
              {items.map((item) => {
                const e = events[item.index];
                if (!e) return null;
                return (
                  <TimelineRow
                    key={item.key}
                    event={e}
                    index={item.index}
                    start={item.start}
                    measure={virtualizer.measureElement}
                    offsetS={(Date.parse(e.time) - startMs) / 1000}
                    marker={e.event_id === injectionId ? "injection" : preceding.has(e.event_id) ? "context" : null}
                  />
                );
              })}
            </ol>
          </div>
        )}
      </section>
    </div>
  );
}

function TimelineRow({
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
          {marker === "injection" && <span className="badge sev-critical">likely injection point</span>}
          {marker === "context" && <span className="badge">context before injection</span>}
          <span className={`badge type-${e.action_type}`}>{e.action_type}</span>
          <span className="mono">{e.tool_name ?? e.action_name}</span>
          {e.alerts.map((a, i) => (
            <span key={`${a.alert_id}-${a.type}-${i}`} className={`badge sev-${a.severity}`} title={a.detail}>
              {a.type}
            </span>
          ))}
          {e.security_flags.map((f) => (
            <span key={f} className="badge flag">
              {f}
            </span>
          ))}
          {redacted && <span className="badge redacted">redacted: {redacted}</span>}
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

function InjectionPanel({ timeline, onShow }: { timeline: SessionTimeline; onShow: (eventId: string) => void }) {
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
            <span className="badge">rule: {point.rule.replaceAll("_", " ")}</span>
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

function BlastRadiusPanel({ timeline, onShow }: { timeline: SessionTimeline; onShow: (eventId: string) => void }) {
  const blast = timeline.blast_radius;
  if (!blast) return null;
  const tools = blast.tools_used.map((t) => t.tool);
  const unexpected = new Set(blast.unexpected_tools?.map((t) => t.tool) ?? []);
  return (
    <section className="panel stack blast-panel" aria-label="Blast radius">
      <h2>Blast radius</h2>
      <p className="muted">What happened from the injection point on ({formatCount(blast.events_after)} events, the injection point included).</p>
      <figure className="flow" aria-label="Agent, tools and other agents">
        <div className="flow-col">
          <span className="badge">{timeline.agent_id}</span>
        </div>
        <div className="flow-arrow">→</div>
        <div className="flow-col">
          {tools.map((t) => (
            <span
              key={t}
              className={`badge${unexpected.has(t) ? " sev-high" : ""}`}
              title={unexpected.has(t) ? "not in the baseline's expected tools" : undefined}
            >
              {t}
            </span>
          ))}
        </div>
        <div className="flow-arrow">→</div>
        <div className="flow-col">
          {blast.agents_contacted.length === 0 ? (
            <span className="muted">no other agent</span>
          ) : (
            blast.agents_contacted.map((a) => (
              <Link key={`${a.direction}-${a.agent_id}`} className="badge" href={`/agents/${encodeURIComponent(a.agent_id)}`}>
                {a.direction === "sent" ? "→" : "←"} {a.agent_id} ×{a.count}
              </Link>
            ))
          )}
        </div>
      </figure>
      <dl className="blast-grid">
        <div>
          <dt>Unexpected tools</dt>
          <dd>
            {blast.unexpected_tools === null
              ? "no baseline lists expected tools"
              : blast.unexpected_tools.length === 0
                ? "none"
                : blast.unexpected_tools.map((t) => (
                    <button key={t.tool} type="button" className="link-button" onClick={() => onShow(t.first_event_id)}>
                      {t.tool} ×{t.count}
                    </button>
                  ))}
          </dd>
        </div>
        <div>
          <dt>Data leaving (PII to tools, canaries)</dt>
          <dd>
            {blast.exfiltration.length === 0
              ? "none seen"
              : blast.exfiltration.map((x) => (
                  <p key={`${x.event_id}-${x.type}`} className="log-text">
                    <button type="button" className="link-button" onClick={() => onShow(x.event_id)}>
                      {x.tool ?? x.type}
                    </button>{" "}
                    {x.detail}
                  </p>
                ))}
          </dd>
        </div>
        <div>
          <dt>Credentials and secrets read</dt>
          <dd>
            {blast.credentials_read.length === 0
              ? "none seen"
              : blast.credentials_read.map((c) => (
                  <p key={c.event_id} className="log-text">
                    <button type="button" className="link-button" onClick={() => onShow(c.event_id)}>
                      {c.tool}
                    </button>{" "}
                    {c.reason}
                  </p>
                ))}
          </dd>
        </div>
        <div>
          <dt>Resources touched</dt>
          <dd>
            {blast.resources_touched.length === 0
              ? "none named"
              : blast.resources_touched.slice(0, 50).map((r) => (
                  <p key={`${r.key}-${r.name}`} className="log-text">
                    {r.key}: {r.name} ×{r.count}
                  </p>
                ))}
          </dd>
        </div>
      </dl>
    </section>
  );
}

function ResourcesPanel({ timeline }: { timeline: SessionTimeline }) {
  if (timeline.affected_resources.length === 0) return null;
  return (
    <details className="panel stack resources-panel">
      <summary>Everything the session used ({formatCount(timeline.affected_resources.length)} tools and resources)</summary>
      <table aria-label="Affected resources">
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Name</th>
            <th scope="col">Uses</th>
            <th scope="col">First</th>
            <th scope="col">Last</th>
          </tr>
        </thead>
        <tbody>
          {timeline.affected_resources.map((r) => (
            <tr key={`${r.kind}-${r.key}-${r.name}`}>
              <td>{r.kind === "tool" ? "tool" : r.key}</td>
              <td className="log-text">{r.name}</td>
              <td className="num">{formatCount(r.count)}</td>
              <td className="time">{formatUtc(r.first_at)}</td>
              <td className="time">{formatUtc(r.last_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
