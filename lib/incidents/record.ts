import { eq } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { incidentRef } from "@/db/queries/incidents";
import { incidentActivity, incidents } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { actorId, type Ctx } from "@/lib/context";

/** One thing that happened to an incident: a line on its activity timeline and an audit row, in the caller's transaction. */
export async function recordIncidentActivity(
  tx: Tx,
  ctx: Ctx,
  incidentId: number,
  entry: { kind: string; summary: string; detail?: Record<string, unknown>; reason?: string | null },
): Promise<void> {
  await tx.insert(incidentActivity).values({ incidentId, actor: actorId(ctx.actor), kind: entry.kind, summary: entry.summary, detail: entry.detail ?? null });
  await tx.update(incidents).set({ updatedAt: new Date() }).where(eq(incidents.id, incidentId));
  await recordAudit(tx, ctx, {
    action: `incident.${entry.kind}`,
    targetType: "incident",
    targetId: incidentRef(incidentId),
    reason: entry.reason ?? null,
    after: { summary: entry.summary, ...entry.detail },
  });
}
