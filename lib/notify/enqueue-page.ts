import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { env } from "@/lib/env";
import { type IncidentPage, jsonIncidentPagedBody, slackIncidentPagedBody } from "./payloads";

export interface QueuedPage {
  delivery_id: number;
  destination_id: string;
  destination_name: string;
}

/**
 * Queues a page to every enabled destination mapped to the role, in the caller's transaction (the
 * one that records the page), so a page is recorded as sent exactly when its deliveries exist.
 * Sent after commit: kickNotificationDelivery. An empty answer means nothing was sent.
 */
export async function enqueuePage(tx: Queryable, page: IncidentPage): Promise<QueuedPage[]> {
  const publicUrl = env().SOC_PUBLIC_URL;
  const result = await tx.execute<{ id: string; destination_id: string; name: string }>(sql`
    WITH queued AS (
      INSERT INTO notification_deliveries (destination_id, alert_id, event, payload)
      SELECT d.id, NULL, 'incident.paged', CASE WHEN d.kind = 'slack' THEN ${JSON.stringify(slackIncidentPagedBody(page, publicUrl))}::jsonb
        ELSE ${JSON.stringify(jsonIncidentPagedBody(page, publicUrl))}::jsonb END
      FROM escalation_role_destinations m JOIN notification_destinations d ON d.id = m.destination_id
      WHERE m.role = ${page.role} AND d.enabled
      ORDER BY d.name, d.id
      RETURNING id, destination_id)
    SELECT q.id, q.destination_id, d.name FROM queued q JOIN notification_destinations d ON d.id = q.destination_id ORDER BY q.id`);
  return result.rows.map((r) => ({ delivery_id: Number(r.id), destination_id: r.destination_id, destination_name: r.name }));
}
