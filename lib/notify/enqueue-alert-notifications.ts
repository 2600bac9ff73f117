import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import type { OpenedAlert } from "@/lib/detect/types";
import { env } from "@/lib/env";
import { jsonAlertBody, slackAlertBody } from "./payloads";

/**
 * Called inside the transaction that opened the alerts, so a notification exists exactly when its
 * alert does: one delivery per (alert, enabled destination whose minimum severity it reaches), the
 * body built now. One statement whatever the number of alerts and destinations; with no
 * destinations it inserts nothing, so no cache is kept (a cache would miss destinations another
 * instance just added). Sending happens after commit: kickNotificationDelivery.
 */
export async function enqueueAlertNotifications(tx: Queryable, alerts: OpenedAlert[]): Promise<number> {
  if (alerts.length === 0) return 0;
  const publicUrl = env().SOC_PUBLIC_URL;
  const result = await tx.execute(sql`
    INSERT INTO notification_deliveries (destination_id, alert_id, event, payload)
    SELECT d.id, a.alert_id, 'alert.opened', CASE WHEN d.kind = 'slack' THEN a.slack::jsonb ELSE a.generic::jsonb END
    FROM unnest(${sql.param(alerts.map((a) => a.id))}::int8[], ${sql.param(alerts.map((a) => a.severity))}::alert_severity[],
      ${sql.param(alerts.map((a) => JSON.stringify(slackAlertBody(a, publicUrl))))}::text[],
      ${sql.param(alerts.map((a) => JSON.stringify(jsonAlertBody(a, publicUrl))))}::text[]) AS a(alert_id, severity, slack, generic)
    JOIN notification_destinations d ON d.enabled AND d.min_severity <= a.severity
    ORDER BY a.alert_id, d.id`);
  return result.rowCount ?? 0;
}
