import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { agents, canaries } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import type { CanaryView } from "@/lib/detect/views";
import { AppError } from "@/lib/errors";
import { forgetDetectionProfile } from "./profile-cache";
import { issueCanaryInput } from "./schemas";

/** The guide's format: "CANARY-" and 16 hex digits (64 random bits), which any CANARY- detector recognises. */
export function newCanaryToken(): string {
  return `CANARY-${randomBytes(8).toString("hex")}`;
}

/** Issues a canary for an agent (admin): a random token to plant, labelled with where it goes. Audited. */
export async function issueCanary({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<CanaryView> {
  authorize(ctx, "admin", "issue canaries");
  const { agent_id: agentId, placement, label } = parseOrThrow(issueCanaryInput, input);
  const canary = await ctx.db.transaction(async (tx) => {
    const [agent] = await tx.select({ id: agents.id }).from(agents).where(eq(agents.id, agentId));
    if (!agent) throw new AppError("NOT_FOUND", `Agent ${agentId} is not registered`);
    const [row] = await tx
      .insert(canaries)
      .values({ agentId, token: newCanaryToken(), placement, label, createdBy: actorId(ctx.actor) })
      .returning();
    if (!row) throw new Error("canary insert returned no row");
    await recordAudit(tx, ctx, { action: "canary.issue", targetType: "agent", targetId: agentId, after: { canary_id: row.id, placement, label } });
    return {
      id: row.id,
      agent_id: row.agentId,
      token: row.token,
      placement: row.placement,
      label: row.label,
      created_by: row.createdBy,
      created_at: row.createdAt.toISOString(),
      retired_at: null,
    };
  });
  forgetDetectionProfile(agentId);
  return canary;
}
