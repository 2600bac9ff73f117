import type { NotificationKind } from "@/lib/notify/payloads";
import type { PageDeliveryView } from "@/lib/notify/views";

/** One role of an incident's escalation path as its page shows it: who paged it, and where the page went. */
export interface EscalationView {
  role: string;
  paged_at: string | null;
  paged_by: string | null;
  /** Where a page to this role goes now (an admin maps them); a page to a role with no enabled one is only recorded. */
  destinations: { id: string; name: string; kind: NotificationKind; enabled: boolean }[];
  /** Whether the last page was sent through destinations (false: only recorded, "marked paged"). */
  sent: boolean;
  /** The last page's deliveries, one per destination; a destination removed since takes its deliveries with it. */
  deliveries: PageDeliveryView[];
}
