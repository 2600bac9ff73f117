import { and, eq, inArray, ne, or, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { type IncidentRow, incidentRef } from "@/db/queries/incidents";
import { alerts, incidents } from "@/db/schema";
import { INCIDENT_STATUSES } from "@/db/schema/incidents";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import type { Role } from "@/lib/auth/roles";
import { actorId, type Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { enqueuePage, kickNotificationDelivery, type QueuedPage } from "@/lib/notify";
import { actorName, lockAlertOwnership } from "./open-incident";
import { readIncident } from "./read-incident";
import { recordIncidentActivity } from "./record";
import { attachAlertsInput, commentInput, incidentIdSchema, notesInput, pageInput, statusInput } from "./schemas";
import type { IncidentView } from "./types";

/** Loads the incident, lets `change` write in one transaction with its activity row, and returns the new view. */
async function change(
  ctx: Ctx,
  incidentIdRaw: unknown,
  role: Role,
  what: string,
  apply: (tx: Tx, row: IncidentRow) => Promise<void>,
  { onClosed = false }: { onClosed?: boolean } = {},
): Promise<{ incident: IncidentView }> {
  authorize(ctx, role, what);
  const id = parseOrThrow(incidentIdSchema, incidentIdRaw);
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx.select().from(incidents).where(eq(incidents.id, id)).for("update");
    if (!row) throw new AppError("NOT_FOUND", `No incident ${incidentRef(id)}`);
    if (row.status === "closed" && !onClosed) throw new AppError("CONFLICT", `${incidentRef(id)} is closed; reopen it first`);
    await apply(tx, row);
  });
  return { incident: await readIncident(ctx, id) };
}

/** Moves the incident along open → contained → eradicated → recovered → closed (responder+; closing and reopening need an admin). */
export function setIncidentStatus({ ctx, input }: { ctx: Ctx; input: { incidentId: unknown; body: unknown } }) {
  const { status, note } = parseOrThrow(statusInput, input.body ?? {});
  return change(
    ctx,
    input.incidentId,
    "responder",
    "change an incident's status",
    async (tx, row) => {
      if (row.status === status) throw new AppError("CONFLICT", `${incidentRef(row.id)} is already ${status}`);
      // Responders move an incident forward; closing it, or moving it back, is an admin's call.
      const backwards = INCIDENT_STATUSES.indexOf(status) < INCIDENT_STATUSES.indexOf(row.status);
      if (status === "closed" || backwards)
        authorize(ctx, "admin", status === "closed" ? "close incidents" : `move ${incidentRef(row.id)} back from ${row.status} to ${status}`);
      await tx
        .update(incidents)
        .set({ status, closedAt: status === "closed" ? new Date() : null })
        .where(eq(incidents.id, row.id));
      await recordIncidentActivity(tx, ctx, row.id, {
        kind: "status",
        summary: `Status ${row.status} → ${status}${note ? `: ${note}` : ""}`,
        detail: { from: row.status, to: status, note: note ?? null },
        reason: note ?? null,
      });
    },
    { onClosed: true },
  );
}

/** Adds a comment to the activity timeline (analyst+). */
export function commentOnIncident({ ctx, input }: { ctx: Ctx; input: { incidentId: unknown; body: unknown } }) {
  const { text } = parseOrThrow(commentInput, input.body ?? {});
  return change(
    ctx,
    input.incidentId,
    "analyst",
    "comment on incidents",
    async (tx, row) => {
      await recordIncidentActivity(tx, ctx, row.id, { kind: "comment", summary: text });
    },
    { onClosed: true },
  );
}

/**
 * Pages a role of the escalation path (responder+): one delivery per enabled destination an admin
 * mapped to the role, queued in the transaction that records the page, and sent after commit. With
 * none, the page is only recorded ("marked paged") and the answer says so: `page.sent` is false.
 */
export async function pageEscalationRole({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: { incidentId: unknown; body: unknown };
}): Promise<{ incident: IncidentView; page: { sent: boolean; deliveries: QueuedPage[] } }> {
  const { role } = parseOrThrow(pageInput, input.body ?? {});
  let queued: QueuedPage[] = [];
  const { incident } = await change(ctx, input.incidentId, "responder", "page the escalation path", async (tx, row) => {
    if (!row.escalation.some((e) => e.role === role)) {
      throw new AppError("VALIDATION", `${role} is not on ${incidentRef(row.id)}'s escalation path (${row.escalation.map((e) => e.role).join(", ")})`, {
        details: { errors: [{ path: "role", message: "not on the escalation path" }] },
      });
    }
    const at = new Date();
    const by = actorId(ctx.actor);
    queued = await enqueuePage(tx, {
      incidentId: row.id,
      incidentRef: incidentRef(row.id),
      title: row.title,
      severity: row.severity,
      role,
      pagedBy: by,
      pagedAt: at,
    });
    const deliveryIds = queued.map((q) => q.delivery_id);
    const escalation = row.escalation.map((e) =>
      e.role === role ? { role, paged_at: at.toISOString(), paged_by: by, ...(queued.length > 0 ? { delivery_ids: deliveryIds } : {}) } : e,
    );
    await tx.update(incidents).set({ escalation }).where(eq(incidents.id, row.id));
    const names = queued.map((q) => q.destination_name);
    await recordIncidentActivity(tx, ctx, row.id, {
      kind: "paged",
      summary: queued.length > 0 ? `Paged ${role} through ${names.join(", ")}` : `Marked ${role} paged (no notification destination is mapped to the role)`,
      detail: {
        role,
        sent: queued.length > 0,
        delivery_ids: deliveryIds,
        destinations: queued.map((q) => ({ id: q.destination_id, name: q.destination_name })),
      },
    });
  });
  if (queued.length > 0) kickNotificationDelivery();
  return { incident, page: { sent: queued.length > 0, deliveries: queued } };
}

/** Saves the post-incident review notes (responder+). */
export function savePostIncidentNotes({ ctx, input }: { ctx: Ctx; input: { incidentId: unknown; body: unknown } }) {
  const { notes } = parseOrThrow(notesInput, input.body ?? {});
  return change(
    ctx,
    input.incidentId,
    "responder",
    "write post-incident notes",
    async (tx, row) => {
      await tx.update(incidents).set({ postIncidentNotes: notes }).where(eq(incidents.id, row.id));
      await recordIncidentActivity(tx, ctx, row.id, { kind: "post_incident", summary: "Post-incident notes saved", detail: { characters: notes.length } });
    },
    { onClosed: true },
  );
}

/** Makes the caller the incident's owner (responder+). */
export function takeIncidentOwnership({ ctx, input }: { ctx: Ctx; input: { incidentId: unknown } }) {
  return change(ctx, input.incidentId, "responder", "take incidents", async (tx, row) => {
    const name = actorName(ctx);
    if (row.ownerId === actorId(ctx.actor)) throw new AppError("CONFLICT", `You already own ${incidentRef(row.id)}`);
    await tx
      .update(incidents)
      .set({ ownerId: actorId(ctx.actor), ownerName: name })
      .where(eq(incidents.id, row.id));
    await recordIncidentActivity(tx, ctx, row.id, {
      kind: "owner",
      summary: `Owner ${row.ownerName} → ${name}`,
      detail: { from: row.ownerId, to: actorId(ctx.actor) },
    });
  });
}

/**
 * Adds alerts to an open incident (responder+), with every other alert of their sessions: a second
 * alert of a compromised session belongs to the incident already working it, not to a new one.
 * Alerts another open incident holds stay there; adding what the incident already holds changes nothing.
 */
export async function attachAlertsToIncident({ ctx, input }: { ctx: Ctx; input: { incidentId: unknown; body: unknown } }) {
  const { alert_ids } = parseOrThrow(attachAlertsInput, input.body ?? {});
  return change(ctx, input.incidentId, "responder", "add alerts to incidents", async (tx, row) => {
    const named = await tx.select({ id: alerts.id, agentId: alerts.agentId, sessionId: alerts.sessionId }).from(alerts).where(inArray(alerts.id, alert_ids));
    const missing = alert_ids.filter((id) => !named.some((a) => a.id === id));
    if (missing.length > 0) {
      throw new AppError("NOT_FOUND", `No alert ${missing.join(", ")}`, {
        details: { errors: [{ path: "alert_ids", message: `unknown: ${missing.join(", ")}` }] },
      });
    }
    // Session ids are chosen by each agent, so two agents can share one: a session is the agent's and its id.
    const sessions = [...new Map(named.flatMap((a) => (a.sessionId ? [[`${a.agentId}\u0000${a.sessionId}`, a] as const] : []))).values()];
    const siblings =
      sessions.length === 0
        ? []
        : await tx
            .select({ id: alerts.id })
            .from(alerts)
            .where(or(...sessions.map((a) => and(eq(alerts.agentId, a.agentId), eq(alerts.sessionId, a.sessionId ?? "")))));
    const wanted = [...new Set([...alert_ids, ...siblings.map((a) => a.id)])].filter((id) => !row.alertIds.includes(id));
    await lockAlertOwnership(tx);
    const heldElsewhere =
      wanted.length === 0
        ? []
        : await tx
            .select({ id: incidents.id, alertIds: incidents.alertIds })
            .from(incidents)
            .where(and(ne(incidents.status, "closed"), ne(incidents.id, row.id), sql`${incidents.alertIds} && ${sql.param(wanted)}::int8[]`));
    const elsewhere = new Set(heldElsewhere.flatMap((i) => i.alertIds));
    const added = wanted.filter((id) => !elsewhere.has(id));
    const refused = alert_ids.filter((id) => elsewhere.has(id));
    if (refused.length === alert_ids.length && added.length === 0) {
      const other = heldElsewhere[0];
      throw new AppError("CONFLICT", `Alert ${refused.join(", ")} belongs to ${other ? incidentRef(other.id) : "another open incident"}; work it there`, {
        details: other ? { incident_id: other.id, link: `/incidents/${other.id}` } : {},
      });
    }
    if (added.length === 0) return;
    const rows = await tx.select({ id: alerts.id, agentId: alerts.agentId, sessionId: alerts.sessionId }).from(alerts).where(inArray(alerts.id, added));
    const agentIds = [...new Set([...row.agentIds, ...rows.map((a) => a.agentId)])];
    const sessionIds = [...new Set([...row.sessionIds, ...rows.flatMap((a) => (a.sessionId ? [a.sessionId] : []))])];
    await tx
      .update(incidents)
      .set({ alertIds: [...row.alertIds, ...added], agentIds, sessionIds })
      .where(eq(incidents.id, row.id));
    await recordIncidentActivity(tx, ctx, row.id, {
      kind: "alerts_added",
      summary: `Added alert${added.length === 1 ? "" : "s"} ${added.map((id) => `#${id}`).join(", ")}${
        elsewhere.size > 0
          ? ` (left ${[...elsewhere]
              .filter((id) => wanted.includes(id))
              .map((id) => `#${id}`)
              .join(", ")} with their own incident)`
          : ""
      }`,
      detail: { alert_ids: added, agent_ids: agentIds, session_ids: sessionIds },
    });
  });
}
