import { and, eq, inArray, sql } from "drizzle-orm";
import { type AlertView, getAlert } from "@/db/queries/detection";
import { alerts } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { acknowledgeAlertInput, alertIdSchema, resolveAlertInput } from "./schemas";

async function conflictOrMissing(ctx: Ctx, id: number, wanted: string): Promise<never> {
  const current = await getAlert(ctx.db, id);
  if (!current) throw new AppError("NOT_FOUND", `Alert ${id} does not exist`);
  throw new AppError("CONFLICT", `Alert ${id} is ${current.status}; it cannot be ${wanted}`, { details: { status: current.status } });
}

/** An analyst takes an open alert (analyst+). Settled in SQL: only an open alert can be acknowledged. Audited. */
export async function acknowledgeAlert({ ctx, input }: { ctx: Ctx; input: { alertId: unknown; body?: unknown } }): Promise<AlertView> {
  authorize(ctx, "analyst", "acknowledge alerts");
  const id = parseOrThrow(alertIdSchema, input.alertId, "alertId");
  const { note } = parseOrThrow(acknowledgeAlertInput, input.body ?? {});
  const updated = await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(alerts)
      .set({ status: "acknowledged", acknowledgedBy: actorId(ctx.actor), acknowledgedAt: sql`now()` })
      .where(and(eq(alerts.id, id), eq(alerts.status, "open")))
      .returning({ id: alerts.id, agentId: alerts.agentId });
    if (!row) return false;
    await recordAudit(tx, ctx, {
      action: "alert.acknowledge",
      targetType: "alert",
      targetId: String(id),
      reason: note ?? null,
      before: { status: "open" },
      after: { status: "acknowledged" },
    });
    return true;
  });
  if (!updated) await conflictOrMissing(ctx, id, "acknowledged");
  const view = await getAlert(ctx.db, id);
  if (!view) throw new AppError("NOT_FOUND", `Alert ${id} does not exist`);
  return view;
}

/** Closes an alert with a note saying why (analyst+). A finding after this opens a new alert. Audited. */
export async function resolveAlert({ ctx, input }: { ctx: Ctx; input: { alertId: unknown; body: unknown } }): Promise<AlertView> {
  authorize(ctx, "analyst", "resolve alerts");
  const id = parseOrThrow(alertIdSchema, input.alertId, "alertId");
  const { note } = parseOrThrow(resolveAlertInput, input.body);
  const before = await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ status: alerts.status })
      .from(alerts)
      .where(and(eq(alerts.id, id), inArray(alerts.status, ["open", "acknowledged"])))
      .for("update");
    if (!row) return null;
    await tx
      .update(alerts)
      .set({ status: "resolved", resolvedBy: actorId(ctx.actor), resolvedAt: sql`now()`, resolutionNote: note })
      .where(eq(alerts.id, id));
    await recordAudit(tx, ctx, {
      action: "alert.resolve",
      targetType: "alert",
      targetId: String(id),
      reason: note,
      before: { status: row.status },
      after: { status: "resolved" },
    });
    return row.status;
  });
  if (!before) await conflictOrMissing(ctx, id, "resolved");
  const view = await getAlert(ctx.db, id);
  if (!view) throw new AppError("NOT_FOUND", `Alert ${id} does not exist`);
  return view;
}
