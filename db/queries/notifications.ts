import { and, desc, eq, inArray, lt, type SQL, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { escalationRoleDestinations, notificationAttempts, notificationDeliveries, notificationDestinations } from "@/db/schema";
import { DESTINATION_TARGET } from "@/db/schema/notifications";
import type { NotificationKind } from "@/lib/notify/payloads";
import type { DeliveryFilters } from "@/lib/notify/schemas";
import type { AttemptView, DeliveryView, DestinationView, EscalationRolesView, PageDeliveryView } from "@/lib/notify/views";

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
      event: notificationDeliveries.event,
      payloadEvent: sql<string | null>`${notificationDeliveries.payload}->>'event'`,
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
      event: r.event ?? (r.alertId !== null ? "alert.opened" : r.payloadEvent === "credential_rotation.failed" ? r.payloadEvent : "test"),
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

/** The role → destination mappings, by role then destination name, and the roles runbooks name. */
export async function listEscalationRoles(db: Queryable): Promise<EscalationRolesView> {
  const [mappings, roles] = await Promise.all([
    db
      .select({
        id: escalationRoleDestinations.id,
        role: escalationRoleDestinations.role,
        destinationId: escalationRoleDestinations.destinationId,
        destinationName: notificationDestinations.name,
        destinationKind: notificationDestinations.kind,
        destinationEnabled: notificationDestinations.enabled,
        createdBy: escalationRoleDestinations.createdBy,
        createdAt: escalationRoleDestinations.createdAt,
      })
      .from(escalationRoleDestinations)
      .innerJoin(notificationDestinations, eq(notificationDestinations.id, escalationRoleDestinations.destinationId))
      .orderBy(escalationRoleDestinations.role, notificationDestinations.name, notificationDestinations.id),
    db.execute<{ role: string }>(sql`
      SELECT DISTINCT role FROM runbooks r JOIN runbook_versions v ON v.runbook_id = r.id AND v.version = r.latest_version,
        jsonb_array_elements_text(coalesce(v.definition->'escalationPath', '[]'::jsonb)) AS role
      ORDER BY role`),
  ]);
  return {
    mappings: mappings.map((m) => ({
      id: m.id,
      role: m.role,
      destination_id: m.destinationId,
      destination_name: m.destinationName,
      destination_kind: m.destinationKind,
      destination_enabled: m.destinationEnabled,
      created_by: m.createdBy,
      created_at: m.createdAt.toISOString(),
    })),
    runbook_roles: roles.rows.map((r) => r.role),
  };
}

/** For the incident page: the destinations each role would be paged through now. */
export async function destinationsForRoles(
  db: Queryable,
  roles: string[],
): Promise<Map<string, { id: string; name: string; kind: NotificationKind; enabled: boolean }[]>> {
  const out = new Map<string, { id: string; name: string; kind: NotificationKind; enabled: boolean }[]>();
  if (roles.length === 0) return out;
  const rows = await db
    .select({
      role: escalationRoleDestinations.role,
      id: notificationDestinations.id,
      name: notificationDestinations.name,
      kind: notificationDestinations.kind,
      enabled: notificationDestinations.enabled,
    })
    .from(escalationRoleDestinations)
    .innerJoin(notificationDestinations, eq(notificationDestinations.id, escalationRoleDestinations.destinationId))
    .where(inArray(escalationRoleDestinations.role, roles))
    .orderBy(notificationDestinations.name, notificationDestinations.id);
  for (const r of rows) out.set(r.role, [...(out.get(r.role) ?? []), { id: r.id, name: r.name, kind: r.kind, enabled: r.enabled }]);
  return out;
}

/** Where each of these deliveries stands; a delivery whose destination was removed since is left out. */
export async function deliveryStates(db: Queryable, ids: number[]): Promise<Map<number, PageDeliveryView>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({
      id: notificationDeliveries.id,
      destinationId: notificationDeliveries.destinationId,
      destinationName: notificationDestinations.name,
      status: notificationDeliveries.status,
      attempts: notificationDeliveries.attempts,
      lastError: notificationDeliveries.lastError,
      nextAttemptAt: notificationDeliveries.nextAttemptAt,
      deliveredAt: notificationDeliveries.deliveredAt,
    })
    .from(notificationDeliveries)
    .innerJoin(notificationDestinations, eq(notificationDestinations.id, notificationDeliveries.destinationId))
    .where(inArray(notificationDeliveries.id, ids));
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        destination_id: r.destinationId,
        destination_name: r.destinationName,
        status: r.status,
        attempts: r.attempts,
        last_error: r.lastError,
        next_attempt_at: r.status === "pending" ? r.nextAttemptAt.toISOString() : null,
        delivered_at: iso(r.deliveredAt),
      },
    ]),
  );
}
