import { and, eq, sql } from "drizzle-orm";
import type Redis from "ioredis";
import type { Tx } from "@/db/client";
import { killSwitches, killSwitchHistory, killSwitchSync } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { actorId, type Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { revokeToolTokens } from "@/lib/tool-tokens/revoke";
import { CONSOLE_CHANNEL, GENERATION_KEY } from "./contract";
import { unstorableTextProblem } from "./schemas";

export { KILLSWITCH_LOCK } from "@/db/queries/killswitch";

export interface KillSwitchSettings {
  /** Null when Redis is not configured. */
  redis: Redis | null;
}

/**
 * killed_by as agents read it: the person or token, or for an automatic kill the rule that fired.
 * Checked like the reason, before anything is written, so Redis and the record can never part over it.
 */
export function killedByOf(ctx: Ctx): string {
  const killedBy = ctx.actor.type === "system" ? ctx.actor.id : actorId(ctx.actor);
  const problem = unstorableTextProblem(killedBy);
  if (problem) throw new AppError("VALIDATION", `killed_by: ${problem}`, { details: { errors: [{ path: "killed_by", message: problem }] } });
  return killedBy;
}

export function requireRedis(settings: KillSwitchSettings): Redis {
  if (settings.redis) return settings.redis;
  throw new AppError(
    "UNAVAILABLE",
    "Redis is not configured, so no kill switch can be set: set REDIS_URL (or install redis-server and restart with npm start)",
  );
}

/** Tells open consoles that the record changed; best effort, the change itself is already done. */
export async function announceToConsoles(redis: Redis, change: { action: string; agent_id?: string }): Promise<void> {
  await redis.publish(CONSOLE_CHANNEL, JSON.stringify(change)).catch(() => undefined);
}

/**
 * Runs the Redis half of a change in the caller's PostgreSQL transaction; a failure rolls back the
 * PostgreSQL half, so nothing claims success. Each write also advances the generation count in both.
 */
export async function writeRedis(tx: Tx, redis: Redis, build: (multi: ReturnType<Redis["multi"]>) => void): Promise<void> {
  let generation: number;
  try {
    // A client that is not connected would reject each queued command on its own, outside this try.
    if (redis.status !== "ready") throw new Error(`Redis connection is ${redis.status}`);
    const multi = redis.multi();
    build(multi);
    multi.incr(GENERATION_KEY);
    const results = await multi.exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error("transaction discarded");
    generation = Number(results.at(-1)?.[1]);
  } catch (err) {
    throw new AppError("UNAVAILABLE", "Redis did not take the change, so nothing was changed; check Redis and try again", {
      headers: { "Retry-After": "2" },
      cause: err,
    });
  }
  await recordGeneration(tx, generation);
}

export async function recordGeneration(tx: Tx, generation: number): Promise<void> {
  await tx
    .insert(killSwitchSync)
    .values({ id: 1, generation })
    .onConflictDoUpdate({ target: killSwitchSync.id, set: { generation: sql`greatest(${killSwitchSync.generation}, ${generation})` } });
}

export interface StateChange {
  scope: "agent" | "global";
  agentId: string;
  killed: boolean;
  reason: string;
  killedBy: string;
  atMs: number;
  source: "console" | "redis";
  action: "kill" | "kill_all" | "revive" | "lift_all";
}

/** The PostgreSQL record of a change: state, history and audit row, in the caller's transaction. */
export async function recordChange(tx: Tx, ctx: Ctx, change: StateChange): Promise<void> {
  const [before] = await tx
    .select()
    .from(killSwitches)
    .where(and(eq(killSwitches.scope, change.scope), eq(killSwitches.agentId, change.agentId)));
  const at = new Date(change.atMs);
  const values = change.killed
    ? { killed: true, reason: change.reason, killedBy: change.killedBy, killedAt: at, acknowledgedAt: null, actionsAfterKill: 0, lastActionAfterKillAt: null }
    : { killed: false };
  await tx
    .insert(killSwitches)
    .values({ scope: change.scope, agentId: change.agentId, source: change.source, updatedAt: at, ...values, killed: change.killed })
    .onConflictDoUpdate({ target: [killSwitches.scope, killSwitches.agentId], set: { ...values, source: change.source, updatedAt: at } });
  await tx.insert(killSwitchHistory).values({
    action: change.action,
    agentId: change.scope === "agent" ? change.agentId : null,
    reason: change.reason,
    actor: change.killedBy,
    source: change.source,
    at,
  });
  // A kill also stops what the agent already holds: its tool tokens (under a global kill, everyone's).
  const tokensRevoked = change.killed
    ? await revokeToolTokens(tx, {
        agentId: change.scope === "agent" ? change.agentId : null,
        reason: `kill switch: ${change.reason}`,
        revokedBy: change.killedBy,
      })
    : 0;
  await recordAudit(tx, ctx, {
    action: `killswitch.${change.action}`,
    targetType: change.scope === "agent" ? "agent" : "killswitch",
    targetId: change.scope === "agent" ? change.agentId : "global",
    reason: change.reason,
    before: before ? { killed: before.killed, reason: before.reason, killed_by: before.killedBy } : { killed: false },
    after: { killed: change.killed, source: change.source, ...(change.killed ? { killed_by: change.killedBy, tool_tokens_revoked: tokensRevoked } : {}) },
  });
}

/** Revive and lift need something to undo: read under the caller's lock, so the answer holds until commit. */
export async function requireKilled(tx: Tx, scope: "agent" | "global", agentId: string, otherwise: string): Promise<void> {
  const [state] = await tx
    .select({ killed: killSwitches.killed })
    .from(killSwitches)
    .where(and(eq(killSwitches.scope, scope), eq(killSwitches.agentId, agentId)));
  if (!state?.killed) throw new AppError("CONFLICT", otherwise);
}
