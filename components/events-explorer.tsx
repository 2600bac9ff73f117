"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import type { EventView } from "@/lib/ingest/views";
import { EventsTable } from "./events-table";

export type RawFilters = Partial<Record<"agent_id" | "session_id" | "action_type" | "tool_name" | "since" | "until", string>>;

interface Page {
  events: EventView[];
  next_cursor: string | null;
}

async function fetchPage(filters: RawFilters, cursor: string | null): Promise<Page> {
  const params = new URLSearchParams({ ...filters, limit: "100" });
  if (cursor) params.set("cursor", cursor);
  const res = await fetch(`/api/v1/events?${params}`, { headers: { accept: "application/json" } });
  const body = (await res.json()) as Page & { error?: { message: string } };
  if (!res.ok) throw new Error(body.error?.message ?? `events API answered ${res.status}`);
  return body;
}

export function EventsExplorer({ filters, initialPage, problem }: { filters: RawFilters; initialPage: Page | null; problem: string | null }) {
  const query = useInfiniteQuery({
    queryKey: ["events", filters],
    queryFn: ({ pageParam }) => fetchPage(filters, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    initialData: initialPage ? { pages: [initialPage], pageParams: [null] } : undefined,
    enabled: problem === null,
    // Live while the analyst watches the newest events; once older pages are loaded, refetching all of them is waste.
    refetchInterval: (q) => ((q.state.data?.pages.length ?? 1) > 1 ? false : 10_000),
  });
  const events = query.data?.pages.flatMap((p) => p.events) ?? [];

  return (
    <>
      <form className="panel filters" method="get" action="/events" role="search" aria-label="Filter events">
        <label>
          Agent
          <input name="agent_id" defaultValue={filters.agent_id} placeholder="support-agent-v1" />
        </label>
        <label>
          Session
          <input name="session_id" defaultValue={filters.session_id} placeholder="sess_…" />
        </label>
        <label>
          Action type
          <select name="action_type" defaultValue={filters.action_type ?? ""}>
            <option value="">any</option>
            {["llm_call", "tool_call", "decision", "error", "security"].map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tool
          <input name="tool_name" defaultValue={filters.tool_name} placeholder="customer_lookup" />
        </label>
        <label>
          Since (ISO or epoch s)
          <input name="since" defaultValue={filters.since} placeholder="2026-11-24T08:00Z" />
        </label>
        <label>
          Until
          <input name="until" defaultValue={filters.until} placeholder="now" />
        </label>
        <button type="submit" className="primary">
          Apply filters
        </button>
        <a href="/events">Clear</a>
      </form>

      {problem && <div className="error-box" role="alert">{problem}</div>}
      {query.error && <div className="error-box" role="alert">Could not refresh: {query.error.message}</div>}

      <div className="toolbar">
        <span>
          {events.length} event{events.length === 1 ? "" : "s"} shown
        </span>
        {(query.data?.pages.length ?? 1) > 1 ? (
          <span>paused while older events are shown</span>
        ) : (
          <span className="live">live, refreshed every 10 s</span>
        )}
      </div>
      <div className="panel">
        <EventsTable events={events} mode="explorer" />
      </div>
      {query.hasNextPage && (
        <div className="toolbar">
          <button type="button" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
            {query.isFetchingNextPage ? "Loading…" : "Load older events"}
          </button>
        </div>
      )}
    </>
  );
}
