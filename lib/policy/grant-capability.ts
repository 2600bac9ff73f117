import { and, eq, isNull, sql } from "drizzle-orm";
import { capabilityGrants } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import { forgetDetectionProfile } from "@/lib/detect/profile-cache";
import { AppError } from "@/lib/errors";
import { grantCapabilityInput } from "./capabilities";
import { capabilityIdSchema, removePolicyBody } from "./schemas";

const revokeReason = removePolicyBody.shape.reason;

/** Registers what one agent may ask another (admin). A pair holds one grant in force: revoke it first to change it. */
export async function grantCapability({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<{ id: string }> {
  authorize(ctx, "admin", "grant capabilities");
  const grant = parseOrThrow(grantCapabilityInput, input);
  const row = {
    sourceAgent: grant.source_agent,
    targetAgent: grant.target_agent,
    allowedActions: [...new Set(grant.allowed_actions)].sort(),
    maxRequestsPerMinute: grant.max_requests_per_minute,
    expiresAt: grant.expires_at === 0 ? null : new Date(grant.expires_at * 1000),
    createdBy: actorId(ctx.actor),
  };
  return ctx.db
    .transaction(async (tx) => {
      const [created] = await tx.insert(capabilityGrants).values(row).onConflictDoNothing().returning({ id: capabilityGrants.id });
      if (!created) throw new AppError("CONFLICT", `${grant.source_agent} already holds a grant to ask ${grant.target_agent}: revoke it first`);
      await recordAudit(tx, ctx, {
        action: "capability.grant",
        targetType: "capability",
        targetId: created.id,
        after: { ...grant, allowed_actions: row.allowedActions },
      });
      return created;
    })
    .finally(() => {
      forgetDetectionProfile(grant.source_agent);
      forgetDetectionProfile(grant.target_agent);
    });
}

/** Revokes a grant in force (admin, with a reason); it stays in the registry as revoked. */
export async function revokeCapability({ ctx, input }: { ctx: Ctx; input: { id: string; reason: unknown } }): Promise<void> {
  authorize(ctx, "admin", "revoke capabilities");
  const reason = parseOrThrow(revokeReason, input.reason, "reason");
  const id = parseOrThrow(capabilityIdSchema, input.id, "capabilityId");
  const revoked = await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(capabilityGrants)
      .set({ revokedAt: sql`now()`, revokedBy: actorId(ctx.actor), revokeReason: reason })
      .where(and(eq(capabilityGrants.id, id), isNull(capabilityGrants.revokedAt)))
      .returning();
    if (!row) throw new AppError("NOT_FOUND", `No capability grant ${id} in force`);
    await recordAudit(tx, ctx, {
      action: "capability.revoke",
      targetType: "capability",
      targetId: id,
      reason,
      before: {
        source_agent: row.sourceAgent,
        target_agent: row.targetAgent,
        allowed_actions: row.allowedActions,
        max_requests_per_minute: row.maxRequestsPerMinute,
        expires_at: row.expiresAt?.toISOString() ?? null,
      },
    });
    return row;
  });
  forgetDetectionProfile(revoked.sourceAgent);
  forgetDetectionProfile(revoked.targetAgent);
}
