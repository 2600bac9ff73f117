import type { Severity } from "@/lib/detect/types";
import type { EventView } from "@/lib/ingest/views";

export type TimelineEvent = EventView & { alerts: { alert_id: number; type: string; severity: Severity; detail: string }[] };
