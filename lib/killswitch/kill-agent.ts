import { agentExists } from "@/db/queries/ingest-keys";
import { agentIdSchema } from "@/lib/agents/schemas";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import {
  announceToConsoles,
  KILLSWITCH_LOCK,
  type KillSwitchSettings,
  killedByOf,
  recordChange,
  requireRedis,
  revokeTokensOfKill,
  writeRedis,
} from "./apply-change";
import { agentKey, agentKillFields, EVENTS_CHANNEL, eventMessage } from "./contract";
import { killInput } from "./schemas";

export interface KillResult {
  agent_id: string;
  killed: true;
  reason: string;
  killed_by: string;
  killed_at: string;
}

/**
 * Stops one agent. Redis is written first, inside the record's transaction: the agent stops as soon
 * as possible, and if the record then fails, the sync finds the kill in Redis and records it (a kill
 * errs on the safe side). If Redis refuses, nothing is recorded and the caller gets 503.
 */
export async function killAgent({
  ctx,
  settings,
  input,
}: {
  ctx: Ctx;
  settings: KillSwitchSettings;
  input: { agentId: string; reason: unknown };
}): Promise<KillResult> {
  authorize(ctx, "responder", "kill agents");
  const agentId = parseOrThrow(agentIdSchema, input.agentId);
  const { reason } = parseOrThrow(killInput, { reason: input.reason });
  // A typo at 3 a.m. must not look like a kill that worked.
  if (!(await agentExists(ctx.db, agentId))) throw new AppError("NOT_FOUND", `No agent ${agentId} is registered; check the id`);
  const redis = requireRedis(settings);
  const killedBy = killedByOf(ctx);
  const atMs = Date.now();
  await ctx.db.transaction(async (tx) => {
    await tx.execute(KILLSWITCH_LOCK);
    const key = agentKey(agentId);
    await writeRedis(tx, redis, (m) =>
      m
        .del(key)
        .hset(key, agentKillFields({ reason, killedBy, killedAtMs: atMs }))
        .publish(EVENTS_CHANNEL, eventMessage({ action: "kill", agent_id: agentId, reason, killed_by: killedBy })),
    );
    await recordChange(tx, ctx, { scope: "agent", agentId, killed: true, reason, killedBy, atMs, source: "console", action: "kill" });
  });
  await revokeTokensOfKill(ctx, agentId, reason, killedBy);
  await announceToConsoles(redis, { action: "kill", agent_id: agentId });
  return { agent_id: agentId, killed: true, reason, killed_by: killedBy, killed_at: new Date(atMs).toISOString() };
}
