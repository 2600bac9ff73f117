import { and, eq, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import { keyAgentIds } from "@/db/queries/ingest-keys";
import { agents, ingestKeyAgents, ingestKeys } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { setKeyAgentsBody } from "./schemas";

const setKeyAgentsInput = z.object({
  keyId: z.uuid({ message: "keyId: expected an ingest key id (UUID)" }),
  speaksFor: setKeyAgentsBody.shape.speaks_for,
});

export interface SetKeyAgentsInput {
  agentId: string;
  keyId: string;
  /** The further agents the key may speak for, replacing the current set; [] leaves it its own agent only. */
  speaksFor: unknown;
  reason?: string;
}

/**
 * Sets which registered agents an ingest key may speak for besides the one it was issued for (a
 * process running an orchestrator and its workers through one exporter). Records naming any other
 * agent stay impersonation.
 */
export async function setKeyAgents({ ctx, input }: { ctx: Ctx; input: SetKeyAgentsInput }) {
  authorize(ctx, "admin", "set the agents an ingest key speaks for");
  const parsed = parseOrThrow(setKeyAgentsInput, { keyId: input.keyId, speaksFor: input.speaksFor });
  const speaksFor = [...new Set(parsed.speaksFor)].filter((id) => id !== input.agentId).sort();
  return ctx.db.transaction(async (tx) => {
    const [key] = await tx
      .select({ id: ingestKeys.id, prefix: ingestKeys.keyPrefix })
      .from(ingestKeys)
      .where(and(eq(ingestKeys.id, parsed.keyId), eq(ingestKeys.agentId, input.agentId), isNull(ingestKeys.revokedAt)))
      .for("update");
    if (!key) throw new AppError("NOT_FOUND", `Agent ${input.agentId} has no live ingest key ${parsed.keyId}`);
    const registered = speaksFor.length === 0 ? [] : await tx.select({ id: agents.id }).from(agents).where(inArray(agents.id, speaksFor));
    const unknown = speaksFor.filter((id) => !registered.some((r) => r.id === id));
    if (unknown.length > 0) throw new AppError("VALIDATION", `speaks_for: not registered agents: ${unknown.join(", ")}`);
    const before = await keyAgentIds(tx, key.id);
    await tx.delete(ingestKeyAgents).where(eq(ingestKeyAgents.keyId, key.id));
    if (speaksFor.length > 0) await tx.insert(ingestKeyAgents).values(speaksFor.map((agentId) => ({ keyId: key.id, agentId })));
    await recordAudit(tx, ctx, {
      action: "ingest_key.speaks_for",
      targetType: "agent",
      targetId: input.agentId,
      reason: input.reason ?? null,
      before: { ingest_key_id: key.id, ingest_key_prefix: key.prefix, speaks_for: before },
      after: { speaks_for: speaksFor },
    });
    return { agent_id: input.agentId, key_id: key.id, speaks_for: speaksFor };
  });
}
