import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { toolTokens } from "@/db/schema";

/**
 * Revokes the tokens a kill stops, in the kill's own transaction: one agent's, or under a global kill
 * everyone's. Expired tokens are left as they are: their expiry already refuses them.
 */
export async function revokeToolTokens(tx: Tx, { agentId, reason, revokedBy }: { agentId: string | null; reason: string; revokedBy: string }): Promise<number> {
  const revoked = await tx
    .update(toolTokens)
    .set({ revokedAt: sql`now()`, revokedBy, revokeReason: reason })
    .where(and(isNull(toolTokens.revokedAt), gt(toolTokens.expiresAt, sql`now()`), agentId === null ? undefined : eq(toolTokens.agentId, agentId)))
    .returning({ jti: toolTokens.jti });
  return revoked.length;
}
