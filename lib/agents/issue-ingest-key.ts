import { eq } from "drizzle-orm";
import { agents, ingestKeys } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { generateIngestKey } from "@/lib/ingest/ingest-keys";
import type { RegisteredAgent } from "./register-agent";
import { agentIdSchema } from "./schemas";

/** Adds a new ingest key to an existing agent; its other keys keep working until revoked. */
export async function issueIngestKey(ctx: Ctx, input: { agentId: string; reason?: string }): Promise<RegisteredAgent> {
  if (ctx.actor.type === "agent") throw new AppError("FORBIDDEN", "Agents cannot issue ingest keys");
  const parsed = agentIdSchema.safeParse(input.agentId);
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues.map((i) => i.message).join("; "));
  const agentId = parsed.data;
  const key = generateIngestKey();
  return ctx.db.transaction(async (tx) => {
    const [agent] = await tx.select({ id: agents.id }).from(agents).where(eq(agents.id, agentId)).for("update");
    if (!agent) throw new AppError("NOT_FOUND", `Agent ${agentId} is not registered`);
    const [keyRow] = await tx
      .insert(ingestKeys)
      .values({ agentId, keyHash: key.hash, keyPrefix: key.prefix })
      .returning({ id: ingestKeys.id });
    await recordAudit(tx, ctx, {
      action: "ingest_key.issue",
      targetType: "agent",
      targetId: agentId,
      reason: input.reason ?? null,
      after: { ingest_key_id: keyRow?.id, ingest_key_prefix: key.prefix },
    });
    return { agent_id: agentId, ingest_key: key.key };
  });
}
