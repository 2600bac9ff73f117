import type { ListedEvent } from "@/lib/ingest/views";

/** One page of the events list, as the API answers and the Events page shows it. */
export interface EventPage {
  events: ListedEvent[];
  next_cursor: string | null;
  /** With a text search: the window searched (ISO times), the range asked for cut at the retention window. */
  window: { since: string; until: string } | null;
}

/** The URL parameters of the Events page: each filter, the search and the range, so a link reproduces the view. */
export const EVENT_FILTER_KEYS = ["q", "agent_id", "session_id", "action_type", "tool_name", "range", "since", "until"] as const;
export type RawEventFilters = Partial<Record<(typeof EVENT_FILTER_KEYS)[number], string>>;
