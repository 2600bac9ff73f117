import { eq, sql } from "drizzle-orm";
import { agentBaselines, agents } from "@/db/schema";
import { agentIdSchema } from "@/lib/agents/schemas";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { type Baseline, baselineSchema } from "./baseline";
import { forgetDetectionProfile } from "./profile-cache";

/** Replaces an agent's configured baseline (admin); `null` removes it, leaving the learned one in effect. Audited with before and after. */
export async function setBaseline({ ctx, input }: { ctx: Ctx; input: { agentId: string; baseline: unknown } }): Promise<Baseline | null> {
  authorize(ctx, "admin", "change baselines");
  const agentId = parseOrThrow(agentIdSchema, input.agentId);
  const baseline = input.baseline === null ? null : parseOrThrow(baselineSchema, input.baseline);
  return ctx.db
    .transaction(async (tx) => {
      const [agent] = await tx.select({ id: agents.id }).from(agents).where(eq(agents.id, agentId));
      if (!agent) throw new AppError("NOT_FOUND", `Agent ${agentId} is not registered`);
      const [before] = await tx.select({ configured: agentBaselines.configured }).from(agentBaselines).where(eq(agentBaselines.agentId, agentId)).for("update");
      const values = { configured: baseline, configuredBy: actorId(ctx.actor), configuredAt: sql`now()` };
      await tx
        .insert(agentBaselines)
        .values({ agentId, ...values })
        .onConflictDoUpdate({ target: agentBaselines.agentId, set: values });
      await recordAudit(tx, ctx, {
        action: "baseline.set",
        targetType: "agent",
        targetId: agentId,
        before: { configured: before?.configured ?? null },
        after: { configured: baseline },
      });
      return baseline;
    })
    .finally(() => forgetDetectionProfile(agentId));
}
