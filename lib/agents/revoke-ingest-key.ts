import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { ingestKeys } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { revokeKeyToolTokens } from "@/lib/tool-tokens/revoke";

/** The key stops working at once: the next request with it gets 401. */
export async function revokeIngestKey({ ctx, input }: { ctx: Ctx; input: { agentId: string; keyId: string; reason?: string } }) {
  authorize(ctx, "admin", "revoke ingest keys");
  const keyId = parseOrThrow(z.uuid({ message: "keyId: expected an ingest key id (UUID)" }), input.keyId);
  const result = await ctx.db.transaction(async (tx) => {
    const [revoked] = await tx
      .update(ingestKeys)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(ingestKeys.id, keyId), eq(ingestKeys.agentId, input.agentId), isNull(ingestKeys.revokedAt)))
      .returning({ id: ingestKeys.id, prefix: ingestKeys.keyPrefix });
    if (!revoked) throw new AppError("NOT_FOUND", `Agent ${input.agentId} has no live ingest key ${keyId}`);
    await recordAudit(tx, ctx, {
      action: "ingest_key.revoke",
      targetType: "agent",
      targetId: input.agentId,
      reason: input.reason ?? null,
      before: { ingest_key_id: revoked.id, ingest_key_prefix: revoked.prefix, revoked: false },
      after: { revoked: true },
    });
    return { agent_id: input.agentId, key_id: revoked.id, revoked: true as const };
  });
  // Whoever holds the key may hold the tool tokens it asked for.
  await revokeKeyToolTokens(ctx.db, { keyId: result.key_id, reason: "its ingest key was revoked", revokedBy: actorId(ctx.actor) });
  return result;
}
