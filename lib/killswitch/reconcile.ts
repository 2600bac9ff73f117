import { sql } from "drizzle-orm";
import type Redis from "ioredis";
import type { Db, Tx } from "@/db/client";
import { killSwitches, killSwitchSync } from "@/db/schema";
import { agentIdSchema } from "@/lib/agents/schemas";
import { recordAudit } from "@/lib/audit";
import type { Ctx } from "@/lib/context";
import { describeError } from "@/lib/errors";
import { recordChange, type StateChange } from "./apply-change";
import {
  agentIdOfKey,
  agentKey,
  agentKillFields,
  CONSOLE_CHANNEL,
  EVENTS_CHANNEL,
  eventMessage,
  GENERATION_KEY,
  GLOBAL_KEY,
  globalKillValue,
  KEY_PREFIX,
  MARKER_KEY,
} from "./contract";
import { claimUnnamedMarker, isShared, markerValue, type RedisSharing, readRedisSharing, signInToRedis } from "./ownership";
import { type KillState, readAgentKills, readGlobalKill, readString } from "./read-redis";
import { KILL_REASON_MAX, KILLED_BY_MAX, recordableText } from "./schemas";

export const BY_HAND = "redis (by hand)";

export interface ReconcileReport {
  skipped: boolean;
  restored: string[];
  handKills: string[];
  handRevives: string[];
  /** Keys under agent:killswitch: whose agent id no agent can have (shown safe to print): not read, not recorded. */
  ignoredKeys: string[];
  /** Changes found in Redis that could not be recorded this pass; the others were. */
  failed: { target: string; error: string }[];
  /** Set when another installation uses this Redis: then nothing found there is recorded. */
  sharing: RedisSharing | null;
}

type Row = typeof killSwitches.$inferSelect;

/** Every agent key in Redis, split into agents' ids and keys no agent can read (an id outside the agent id rules). */
async function scanAgentKeys(redis: Redis): Promise<{ agentIds: string[]; ignoredKeys: string[] }> {
  const agentIds = new Set<string>();
  const ignoredKeys = new Set<string>();
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${KEY_PREFIX}:*`, "COUNT", 1000);
    cursor = next;
    for (const key of keys) {
      const agentId = agentIdOfKey(key);
      if (agentId === null) continue;
      if (agentIdSchema.safeParse(agentId).success) agentIds.add(agentId);
      else ignoredKeys.add(recordableText(key, 200));
    }
  } while (cursor !== "0");
  return { agentIds: [...agentIds], ignoredKeys: [...ignoredKeys] };
}

/** A killed_at from Redis that PostgreSQL can store, or now. */
function plausibleTime(ms: number | undefined, nowMs: number): number {
  return ms !== undefined && ms > 0 && ms <= nowMs + 86_400_000 ? ms : nowMs;
}

/** What the record keeps of a kill written by hand: anything it could not store is replaced, and long values are cut. */
function handKill(state: NonNullable<KillState>, nowMs: number): { reason: string; killedBy: string; atMs: number } {
  return {
    reason: recordableText(state.reason ?? "", KILL_REASON_MAX) || "set in Redis by hand",
    killedBy: recordableText(state.killedBy ?? "", KILLED_BY_MAX) || BY_HAND,
    atMs: plausibleTime(state.killedAtMs, nowMs),
  };
}

/**
 * Writes recorded kills into Redis in one MULTI, with the generation count when given. A marker is
 * set in the same MULTI, only if still absent, so an agent's door never sees a marked Redis without
 * the kills; the answer says whether it was.
 */
async function writeKillsBack(redis: Redis, kills: Row[], nowMs: number, then: { marker?: string; generation?: number } = {}): Promise<boolean> {
  const multi = redis.multi();
  for (const row of kills) {
    const kill = { reason: row.reason ?? "", killedBy: row.killedBy ?? "", killedAtMs: row.killedAt?.getTime() ?? nowMs };
    if (row.scope === "global") {
      multi.set(GLOBAL_KEY, globalKillValue(kill));
      multi.publish(EVENTS_CHANNEL, eventMessage({ action: "kill_all", reason: kill.reason, killed_by: kill.killedBy }));
    } else {
      multi.del(agentKey(row.agentId)).hset(agentKey(row.agentId), agentKillFields(kill));
      multi.publish(EVENTS_CHANNEL, eventMessage({ action: "kill", agent_id: row.agentId, reason: kill.reason, killed_by: kill.killedBy }));
    }
  }
  if (then.generation !== undefined) multi.set(GENERATION_KEY, String(then.generation));
  if (then.marker !== undefined) multi.set(MARKER_KEY, then.marker, "NX");
  const results = await multi.exec();
  const failed = results?.find(([err]) => err);
  if (!results || failed) throw failed?.[0] ?? new Error("Redis discarded the restore");
  return then.marker !== undefined && results.at(-1)?.[1] === "OK";
}

async function auditRestore(tx: Tx, ctx: Ctx, restored: string[], reason: string): Promise<void> {
  if (restored.length === 0) return;
  await recordAudit(
    tx,
    { ...ctx, actor: { type: "system", id: "killswitch-restore" } },
    {
      action: "killswitch.restore",
      targetType: "killswitch",
      targetId: "redis",
      reason,
      after: { restored },
    },
  );
}

const restoredName = (row: Row) => (row.scope === "global" ? "global" : row.agentId);

/**
 * Puts PostgreSQL's record and Redis in agreement, once. Redis without the console's marker lost its
 * data: every recorded kill is written back. With the marker, a difference is a change made by hand
 * in Redis, and the record follows it, each change on its own (one that cannot be recorded is
 * reported and the rest still are). When another installation uses this Redis, nothing found there
 * is recorded, and only this installation's missing kills are written back. Runs under the same
 * lock as the console's own changes.
 */
export async function reconcileKillSwitches(db: Db, redis: Redis, nowMs = Date.now()): Promise<ReconcileReport> {
  const report: ReconcileReport = { skipped: false, restored: [], handKills: [], handRevives: [], ignoredKeys: [], failed: [], sharing: null };
  const messages: string[] = [];
  const ctx: Ctx = { db, actor: { type: "system", id: BY_HAND }, requestId: `killswitch-sync-${nowMs}`, sourceIp: null };
  await db.transaction(async (tx) => {
    const [lock] = (await tx.execute<{ locked: boolean }>(sql`SELECT pg_try_advisory_xact_lock(hashtext('agentsoc:killswitch')) AS locked`)).rows;
    if (!lock?.locked) {
      report.skipped = true;
      return;
    }
    const rows = await tx.select().from(killSwitches);
    const kills = rows.filter((r) => r.killed);
    const sharing = await readRedisSharing(db, redis);
    await signInToRedis(redis, sharing.installationId);
    const [recorded] = await tx.select({ generation: killSwitchSync.generation }).from(killSwitchSync);
    const expectedGeneration = recorded?.generation ?? 0;

    if (sharing.marker.kind === "unnamed") {
      if (!(await claimUnnamedMarker(redis, sharing.marker.raw, markerValue(sharing.installationId, nowMs)))) {
        report.skipped = true;
        return;
      }
      sharing.marker = { kind: "ours" };
    }

    if (sharing.marker.kind === "absent") {
      const claimed = await writeKillsBack(redis, kills, nowMs, { marker: markerValue(sharing.installationId, nowMs), generation: expectedGeneration });
      report.restored = kills.map(restoredName);
      await auditRestore(
        tx,
        ctx,
        report.restored,
        "Redis came back without the console's marker (emptied or restarted without persistence); recorded kills written back",
      );
      // Another console may have marked it first, or be using it too: these kills are this installation's own either way.
      const after = claimed && sharing.others.length === 0 ? null : await readRedisSharing(db, redis);
      report.sharing = after && isShared(after) ? after : null;
      return;
    }

    if (isShared(sharing)) {
      report.sharing = sharing;
      const { states, unread } = await readAgentKills(
        redis,
        kills.filter((r) => r.scope === "agent").map((r) => r.agentId),
      );
      const globalInRedis = await readGlobalKill(redis);
      const missing = kills.filter((r) => (r.scope === "global" ? !globalInRedis?.killed : !unread.includes(r.agentId) && !states.get(r.agentId)?.killed));
      if (missing.length > 0) await writeKillsBack(redis, missing, nowMs);
      report.restored = missing.map(restoredName);
      await auditRestore(
        tx,
        ctx,
        report.restored,
        "Redis is shared with another installation: this console's kills missing from it written back, nothing found there recorded",
      );
      return;
    }

    const generation = await readString(redis, GENERATION_KEY);
    // A count that is not a number (edited by hand) is put right by the restore, like one that is behind.
    const redisGeneration = generation.type === "none" ? 0 : /^\d{1,15}$/.test(generation.value ?? "") ? Number(generation.value) : -1;
    if (redisGeneration < expectedGeneration) {
      await writeKillsBack(redis, kills, nowMs, { generation: expectedGeneration });
      report.restored = kills.map(restoredName);
      await auditRestore(
        tx,
        ctx,
        report.restored,
        `Redis is behind the record (generation ${redisGeneration < 0 ? "unreadable" : redisGeneration} < ${expectedGeneration}: an old snapshot or a promoted replica); recorded kills written back`,
      );
      return;
    }

    const { agentIds, ignoredKeys } = await scanAgentKeys(redis);
    report.ignoredKeys = ignoredKeys;
    const recordedAgents = new Map(rows.filter((r) => r.scope === "agent").map((r) => [r.agentId, r]));
    const { states, unread } = await readAgentKills(redis, [...new Set([...agentIds, ...kills.filter((r) => r.scope === "agent").map((r) => r.agentId)])]);
    const globalInRedis = await readGlobalKill(redis);

    // Each change in its own savepoint: one the record cannot take is reported, and the others are still recorded.
    const record = async (target: string, change: StateChange, message: string, into: string[]) => {
      try {
        await tx.transaction((savepoint) => recordChange(savepoint, ctx, change));
        messages.push(message);
        into.push(target);
      } catch (err) {
        report.failed.push({ target, error: describeError(err) });
      }
    };

    for (const [agentId, state] of states) {
      if (!state?.killed || recordedAgents.get(agentId)?.killed) continue;
      const { reason, killedBy, atMs } = handKill(state, nowMs);
      await record(
        agentId,
        { scope: "agent", agentId, killed: true, reason, killedBy, atMs, source: "redis", action: "kill" },
        eventMessage({ action: "kill", agent_id: agentId, reason, killed_by: killedBy, source: "redis" }),
        report.handKills,
      );
    }
    for (const row of recordedAgents.values()) {
      if (!row.killed || unread.includes(row.agentId) || states.get(row.agentId)?.killed) continue;
      await record(
        row.agentId,
        {
          scope: "agent",
          agentId: row.agentId,
          killed: false,
          reason: "kill switch removed in Redis by hand",
          killedBy: BY_HAND,
          atMs: nowMs,
          source: "redis",
          action: "revive",
        },
        eventMessage({ action: "revive", agent_id: row.agentId, revived_by: BY_HAND, source: "redis" }),
        report.handRevives,
      );
    }

    const globalRow = rows.find((r) => r.scope === "global");
    if (globalInRedis?.killed && !globalRow?.killed) {
      const { reason, killedBy, atMs } = handKill(globalInRedis, nowMs);
      await record(
        "global",
        { scope: "global", agentId: "*", killed: true, reason, killedBy, atMs, source: "redis", action: "kill_all" },
        eventMessage({ action: "kill_all", reason, killed_by: killedBy, source: "redis" }),
        report.handKills,
      );
    } else if (!globalInRedis?.killed && globalRow?.killed) {
      await record(
        "global",
        {
          scope: "global",
          agentId: "*",
          killed: false,
          reason: "global kill removed in Redis by hand",
          killedBy: BY_HAND,
          atMs: nowMs,
          source: "redis",
          action: "lift_all",
        },
        eventMessage({ action: "lift_all", lifted_by: BY_HAND, source: "redis" }),
        report.handRevives,
      );
    }
  });
  // Told after the record is committed, so a console that refetches on the message sees the new state.
  for (const message of messages) await redis.publish(EVENTS_CHANNEL, message);
  if (messages.length > 0 || report.restored.length > 0) await redis.publish(CONSOLE_CHANNEL, JSON.stringify({ action: "sync" }));
  return report;
}
