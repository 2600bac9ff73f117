import type { z } from "zod";
import { agents, ingestKeys } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import { addIngestKeyCredential } from "@/lib/credentials/manage-credentials";
import { AppError } from "@/lib/errors";
import { generateIngestKey } from "@/lib/ingest/ingest-keys";
import { type RegisterAgentInput, registerAgentInput, type registeredAgentSchema } from "./schemas";

/** The ingest key is shown once: only its hash is stored. */
export type RegisteredAgent = z.infer<typeof registeredAgentSchema>;

export async function registerAgent({ ctx, input: raw }: { ctx: Ctx; input: RegisterAgentInput | Record<string, unknown> }): Promise<RegisteredAgent> {
  authorize(ctx, "admin", "register agents");
  const input = parseOrThrow(registerAgentInput, raw);
  const key = generateIngestKey();

  return ctx.db.transaction(async (tx) => {
    const created = await tx
      .insert(agents)
      .values({
        id: input.agentId,
        displayName: input.displayName ?? input.agentId,
        ingestRateLimitPerMin: input.ingestRateLimitPerMin ?? null,
      })
      .onConflictDoNothing()
      .returning({ id: agents.id });
    if (created.length === 0) throw new AppError("CONFLICT", `Agent ${input.agentId} is already registered`);

    const [keyRow] = await tx.insert(ingestKeys).values({ agentId: input.agentId, keyHash: key.hash, keyPrefix: key.prefix }).returning({ id: ingestKeys.id });
    await addIngestKeyCredential(tx, input.agentId, actorId(ctx.actor));
    await recordAudit(tx, ctx, {
      action: "agent.register",
      targetType: "agent",
      targetId: input.agentId,
      after: {
        display_name: input.displayName ?? input.agentId,
        ingest_rate_limit_per_min: input.ingestRateLimitPerMin ?? null,
        ingest_key_id: keyRow?.id,
        ingest_key_prefix: key.prefix,
      },
    });
    if (!keyRow) throw new Error("the ingest key insert returned no row");
    return { agent_id: input.agentId, ingest_key: key.key, ingest_key_id: keyRow.id };
  });
}
