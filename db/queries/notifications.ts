import { and, desc, eq, inArray, lt, type SQL, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { notificationAttempts, notificationDeliveries, notificationDestinations } from "@/db/schema";
import { DESTINATION_TARGET } from "@/db/schema/notifications";
import type { DeliveryFilters } from "@/lib/notify/schemas";
import type { AttemptView, DeliveryView, DestinationView } from "@/lib/notify/views";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function listDestinations(db: Queryable, only?: { id: string }): Promise<DestinationView[]> {
  const rows = await db
    .select({
      id: notificationDestinations.id,
      name: notificationDestinations.name,
      kind: notificationDestinations.kind,
      urlHint: notificationDestinations.urlHint,
      minSeverity: notificationDestinations.minSeverity,
      enabled: notificationDestinations.enabled,
      signingKeyVersion: notificationDestinations.signingKeyVersion,
      createdBy: notificationDestinations.createdBy,
      createdAt: notificationDestinations.createdAt,
      lastChange: sql<{ by: string; at: string; action: string } | null>`(SELECT json_build_object('by', a.actor_id, 'at', a.at, 'action', a.action)
        FROM audit_log a WHERE a.target_type = ${DESTINATION_TARGET} AND a.target_id = notification_destinations.id::text
        ORDER BY a.id DESC LIMIT 1)`,
    })
    .from(notificationDestinations)
    .where(only ? eq(notificationDestinations.id, only.id) : undefined)
    .orderBy(notificationDestinations.name, notificationDestinations.id);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    url_hint: r.urlHint,
    min_severity: r.minSeverity,
    enabled: r.enabled,
    signing_key_version: r.signingKeyVersion,
    created_by: r.createdBy,
    created_at: r.createdAt.toISOString(),
    changed_by: r.lastChange?.by ?? null,
    changed_at: r.lastChange ? new Date(r.lastChange.at).toISOString() : null,
    changed_action: r.lastChange?.action ?? null,
  }));
}

export async function getDestination(db: Queryable, id: string): Promise<DestinationView | null> {
  const [row] = await listDestinations(db, { id });
  return row ?? null;
}

/** Newest first, each with its attempts in order; `next_before_id` pages back. */
export async function listDeliveries(db: Queryable, f: DeliveryFilters): Promise<{ deliveries: DeliveryView[]; next_before_id: number | null }> {
  const limit = f.limit ?? 50;
  const where: (SQL | undefined)[] = [
    f.destination_id ? eq(notificationDeliveries.destinationId, f.destination_id) : undefined,
    f.status ? eq(notificationDeliveries.status, f.status) : undefined,
    f.before_id ? lt(notificationDeliveries.id, f.before_id) : undefined,
  ];
  const rows = await db
    .select({
      id: notificationDeliveries.id,
      destinationId: notificationDeliveries.destinationId,
      destinationName: notificationDestinations.name,
      alertId: notificationDeliveries.alertId,
      status: notificationDeliveries.status,
      attempts: notificationDeliveries.attempts,
      nextAttemptAt: notificationDeliveries.nextAttemptAt,
      lastError: notificationDeliveries.lastError,
      createdAt: notificationDeliveries.createdAt,
      deliveredAt: notificationDeliveries.deliveredAt,
    })
    .from(notificationDeliveries)
    .innerJoin(notificationDestinations, eq(notificationDestinations.id, notificationDeliveries.destinationId))
    .where(and(...where))
    .orderBy(desc(notificationDeliveries.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const attempts =
    page.length === 0
      ? []
      : await db
          .select()
          .from(notificationAttempts)
          .where(
            inArray(
              notificationAttempts.deliveryId,
              page.map((r) => r.id),
            ),
          )
          .orderBy(notificationAttempts.deliveryId, notificationAttempts.attempt, notificationAttempts.id);
  const byDelivery = new Map<number, AttemptView[]>();
  for (const a of attempts) {
    const list = byDelivery.get(a.deliveryId) ?? [];
    list.push({ attempt: a.attempt, at: a.at.toISOString(), status_code: a.statusCode, error: a.error, duration_ms: a.durationMs });
    byDelivery.set(a.deliveryId, list);
  }
  return {
    deliveries: page.map((r) => ({
      id: r.id,
      destination_id: r.destinationId,
      destination_name: r.destinationName,
      alert_id: r.alertId,
      event: r.alertId === null ? "test" : "alert.opened",
      status: r.status,
      attempts: r.attempts,
      next_attempt_at: r.status === "pending" ? r.nextAttemptAt.toISOString() : null,
      last_error: r.lastError,
      created_at: r.createdAt.toISOString(),
      delivered_at: iso(r.deliveredAt),
      attempt_log: byDelivery.get(r.id) ?? [],
    })),
    next_before_id: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
  };
}
