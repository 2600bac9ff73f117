"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import type { EventPage, RawEventFilters } from "@/lib/events/views";
import { describeTimeRange } from "@/lib/time-range";
import { EventsTable } from "./events-table";
import { eventQueries } from "./queries";
import { TimeRange } from "./ui/time-range";

type RawFilters = RawEventFilters;

export function EventsExplorer({
  filters,
  initialPage,
  problem,
  canExport,
}: {
  filters: RawFilters;
  initialPage: EventPage | null;
  problem: string | null;
  canExport: boolean;
}) {
  const query = useInfiniteQuery({
    ...eventQueries.search(filters),
    initialData: initialPage ? { pages: [initialPage], pageParams: [null] } : undefined,
    enabled: problem === null,
    // Live while the analyst watches the newest events; once older pages are loaded, refetching all of them is waste.
    refetchInterval: (q) => ((q.state.data?.pages.length ?? 1) > 1 ? false : 10_000),
  });
  const events = query.data?.pages.flatMap((p) => p.events) ?? [];
  const window = query.data?.pages[0]?.window ?? null;
  const exportHref = (format: "ndjson" | "csv") => `/api/v1/events/export?${new URLSearchParams({ ...filters, format })}`;

  return (
    <>
      <search aria-label="Filter events">
        <form className="panel filters" method="get" action="/events">
          <label className="search-field">
            Search text
            <input name="q" type="search" defaultValue={filters.q} placeholder='ignore previous instructions, "exact phrase", -word' maxLength={200} />
          </label>
          <TimeRange value={filters} allowCustom allLabel="All time (a search: last 24 h)" />
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
          <button type="submit" className="primary">
            Apply filters
          </button>
          <a href="/events">Clear</a>
        </form>
      </search>

      {problem && (
        <div className="error-box" role="alert">
          {problem}
        </div>
      )}
      {query.error && (
        <div className="error-box" role="alert">
          Could not refresh: {query.error.message}
        </div>
      )}

      <div className="toolbar">
        <span data-testid="events-summary">
          {events.length} event{events.length === 1 ? "" : "s"} shown,{" "}
          {filters.q && !filters.range && !filters.since && !filters.until ? "last 24 h (a search's default)" : describeTimeRange(filters)}
          {window && ` (searched ${window.since.slice(0, 16).replace("T", " ")} to ${window.until.slice(0, 16).replace("T", " ")} UTC)`}
        </span>
        <span className="export-links">
          {canExport && problem === null && (
            <>
              <a href={exportHref("ndjson")} download>
                Export NDJSON
              </a>
              <a href={exportHref("csv")} download>
                Export CSV
              </a>
            </>
          )}
          {(query.data?.pages.length ?? 1) > 1 ? <span>paused while older events are shown</span> : <span className="live">live, refreshed every 10 s</span>}
        </span>
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
