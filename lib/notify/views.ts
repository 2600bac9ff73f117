import type { DELIVERY_STATUSES, NOTIFICATION_KINDS } from "@/db/schema/notifications";
import type { Severity } from "@/lib/detect/types";

/** A destination as the API and the console show it: the URL itself never leaves the server, only its scheme and host. */
export interface DestinationView {
  id: string;
  name: string;
  kind: (typeof NOTIFICATION_KINDS)[number];
  url_hint: string;
  min_severity: Severity;
  enabled: boolean;
  signing_key_version: number;
  created_by: string;
  created_at: string;
  /** The latest audited change (update, rotation, test), from the audit log. */
  changed_by: string | null;
  changed_at: string | null;
  changed_action: string | null;
}

export interface AttemptView {
  attempt: number;
  at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface DeliveryView {
  id: number;
  destination_id: string;
  destination_name: string;
  /** Null for a test notification. */
  alert_id: number | null;
  event: "alert.opened" | "test";
  status: (typeof DELIVERY_STATUSES)[number];
  attempts: number;
  /** When the next try is due; null once delivered or given up. */
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  attempt_log: AttemptView[];
}
