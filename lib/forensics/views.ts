import type { EventFinding, EventView } from "@/lib/ingest/views";

export type TimelineEvent = EventView & { alerts: EventFinding[] };
