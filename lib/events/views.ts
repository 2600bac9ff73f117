import type { ListedEvent } from "@/lib/ingest/views";

/** One page of the events list, as the API answers and the Events page shows it. */
export interface EventPage {
  events: ListedEvent[];
  next_cursor: string | null;
  /** With a text search: the window searched (ISO times), the range asked for cut at the retention window. */
  window: { since: string; until: string } | null;
}
