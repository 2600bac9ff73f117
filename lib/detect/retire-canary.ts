import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { canaries } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { forgetDetectionProfile } from "./profile-cache";

/** Stops watching for a canary (admin). A retired token seen later is still flagged, as an unregistered marker. Audited. */
export async function retireCanary({ ctx, input }: { ctx: Ctx; input: { canaryId: string } }): Promise<void> {
  authorize(ctx, "admin", "retire canaries");
  const canaryId = parseOrThrow(z.uuid("canary id: expected a UUID"), input.canaryId);
  const agentId = await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(canaries)
      .set({ retiredAt: sql`now()` })
      .where(and(eq(canaries.id, canaryId), isNull(canaries.retiredAt)))
      .returning({ agentId: canaries.agentId, label: canaries.label });
    if (!row) throw new AppError("NOT_FOUND", `No live canary ${canaryId}`);
    await recordAudit(tx, ctx, { action: "canary.retire", targetType: "agent", targetId: row.agentId, before: { canary_id: canaryId, label: row.label } });
    return row.agentId;
  });
  forgetDetectionProfile(agentId);
}
