"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef } from "react";
import type { SessionTimeline } from "@/lib/forensics/session-timeline";
import type { TimelineEvent } from "@/lib/forensics/views";
import { formatCount } from "@/lib/format";
import { TimelineRow } from "./timeline-row";

export const ACTION_FILTERS = ["", "tool_call", "llm_call", "decision", "error", "security"] as const;
export type ActionFilter = (typeof ACTION_FILTERS)[number];

/**
 * Every loaded event of the session on a virtualised list (only the rows in view are in the page),
 * the next page loaded as the reader nears the end, and `target` scrolled to once it is loaded.
 */
export function Timeline({
  timeline,
  events,
  actionType,
  onActionType,
  target,
  onTarget,
  hasNextPage,
  isFetchingNextPage,
  fetchNextPage,
}: {
  timeline: SessionTimeline;
  events: TimelineEvent[];
  actionType: ActionFilter;
  onActionType: (type: ActionFilter) => void;
  target: string | null;
  onTarget: (eventId: string | null) => void;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => Promise<unknown>;
}) {
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

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= events.length - 50) void fetchNextPage();
  }, [lastIndex, events.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  // Loads pages until the target is there.
  useEffect(() => {
    if (!target || events.length === 0) return;
    const index = events.findIndex((e) => e.event_id === target);
    if (index >= 0) {
      virtualizer.scrollToIndex(index, { align: "center" });
      onTarget(null);
    } else if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
    else if (!hasNextPage) onTarget(null);
  }, [target, events, hasNextPage, isFetchingNextPage, fetchNextPage, virtualizer, onTarget]);

  const injectionId = timeline.injection_point?.event_id ?? null;
  const preceding = new Set(timeline.injection_point?.preceding_events ?? []);
  const startMs = Date.parse(timeline.start_time);

  return (
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
              onClick={() => onActionType(t)}
            >
              {t || "all"}
            </button>
          ))}
        </fieldset>
        <span>
          {actionType
            ? `${formatCount(events.length)} ${actionType} events loaded${hasNextPage ? " so far" : ""} · ${formatCount(timeline.event_count)} in the session`
            : `${formatCount(events.length)} of ${formatCount(timeline.event_count)} events loaded`}
          {timeline.anomalies.length > 0 && ` · ${formatCount(timeline.anomalies.length)} anomalies`}
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
  );
}
