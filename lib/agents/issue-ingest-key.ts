import { and, eq, isNull, sql } from "drizzle-orm";
import { agents, ingestKeys } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { authorize } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { generateIngestKey } from "@/lib/ingest/ingest-keys";
import { revokeKeyToolTokens } from "@/lib/tool-tokens/revoke";
import type { RegisteredAgent } from "./register-agent";
import { agentIdSchema } from "./schemas";

export interface IssueIngestKeyInput {
  agentId: string;
  reason?: string;
  /** Rotation: the agent's other live keys stop working in the same transaction. */
  revokeExisting?: boolean;
}

/** Adds a new ingest key to an existing agent; its other keys keep working unless revoked with it. */
export async function issueIngestKey({ ctx, input }: { ctx: Ctx; input: IssueIngestKeyInput }): Promise<RegisteredAgent> {
  authorize(ctx, "admin", "issue ingest keys");
  const parsed = agentIdSchema.safeParse(input.agentId);
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues.map((i) => i.message).join("; "));
  const agentId = parsed.data;
  const key = generateIngestKey();
  const { issued, revokedKeys } = await ctx.db.transaction(async (tx) => {
    const [agent] = await tx.select({ id: agents.id }).from(agents).where(eq(agents.id, agentId)).for("update");
    if (!agent) throw new AppError("NOT_FOUND", `Agent ${agentId} is not registered`);
    const revoked = input.revokeExisting
      ? await tx
          .update(ingestKeys)
          .set({ revokedAt: sql`now()` })
          .where(and(eq(ingestKeys.agentId, agentId), isNull(ingestKeys.revokedAt)))
          .returning({ id: ingestKeys.id, prefix: ingestKeys.keyPrefix })
      : [];
    const [keyRow] = await tx.insert(ingestKeys).values({ agentId, keyHash: key.hash, keyPrefix: key.prefix }).returning({ id: ingestKeys.id });
    await recordAudit(tx, ctx, {
      action: input.revokeExisting ? "ingest_key.rotate" : "ingest_key.issue",
      targetType: "agent",
      targetId: agentId,
      reason: input.reason ?? null,
      before: revoked.length > 0 ? { revoked_keys: revoked.map((k) => ({ id: k.id, prefix: k.prefix })) } : null,
      after: { ingest_key_id: keyRow?.id, ingest_key_prefix: key.prefix },
    });
    if (!keyRow) throw new Error("the ingest key insert returned no row");
    return { issued: { agent_id: agentId, ingest_key: key.key, ingest_key_id: keyRow.id }, revokedKeys: revoked.map((k) => k.id) };
  });
  for (const keyId of revokedKeys) await revokeKeyToolTokens(ctx.db, { keyId, reason: "its ingest key was rotated", revokedBy: actorId(ctx.actor) });
  return issued;
}
