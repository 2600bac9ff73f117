import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { env } from "@/lib/env";
import { jsonRotationFailedBody, type RotationFailure, slackRotationFailedBody } from "./payloads";

/**
 * Queues the urgent notice of a failed credential rotation to every enabled destination, in the
 * transaction that marked it failed; sent after commit like alerts (kickNotificationDelivery).
 */
export async function enqueueRotationFailure(tx: Queryable, failure: RotationFailure): Promise<number> {
  const publicUrl = env().SOC_PUBLIC_URL;
  const result = await tx.execute(sql`
    INSERT INTO notification_deliveries (destination_id, alert_id, event, payload)
    SELECT d.id, NULL, 'credential_rotation.failed', CASE WHEN d.kind = 'slack' THEN ${JSON.stringify(slackRotationFailedBody(failure, publicUrl))}::jsonb
      ELSE ${JSON.stringify(jsonRotationFailedBody(failure, publicUrl))}::jsonb END
    FROM notification_destinations d WHERE d.enabled ORDER BY d.id`);
  return result.rowCount ?? 0;
}
