import type { DELIVERY_EVENTS, DELIVERY_STATUSES, NOTIFICATION_KINDS } from "@/db/schema/notifications";
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
  /** Null for anything but an alert. */
  alert_id: number | null;
  event: (typeof DELIVERY_EVENTS)[number];
  status: (typeof DELIVERY_STATUSES)[number];
  attempts: number;
  /** When the next try is due; null once delivered or given up. */
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  attempt_log: AttemptView[];
}

/** One role → destination mapping: a page to the role is sent to the destination (while it is enabled). */
export interface EscalationRoleMappingView {
  id: string;
  role: string;
  destination_id: string;
  destination_name: string;
  destination_kind: (typeof NOTIFICATION_KINDS)[number];
  destination_enabled: boolean;
  created_by: string;
  created_at: string;
}

/** The mappings, and the role names the runbooks' escalation paths use (so an admin can pick one not yet mapped). */
export interface EscalationRolesView {
  mappings: EscalationRoleMappingView[];
  runbook_roles: string[];
}

/** Where one delivery of a page stands, as the incident page shows it. */
export interface PageDeliveryView {
  id: number;
  destination_id: string;
  destination_name: string;
  status: (typeof DELIVERY_STATUSES)[number];
  attempts: number;
  last_error: string | null;
  next_attempt_at: string | null;
  delivered_at: string | null;
}
