import type Redis from "ioredis";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { killSwitches, killSwitchSync } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import type { Ctx } from "@/lib/context";
import { recordChange } from "./apply-change";
import {
  agentIdOfKey,
  agentKey,
  agentKillFields,
  CONSOLE_CHANNEL,
  EVENTS_CHANNEL,
  GENERATION_KEY,
  eventMessage,
  GLOBAL_KEY,
  globalKillValue,
  KEY_PREFIX,
  MARKER_KEY,
  parseAgentHash,
  parseGlobalValue,
} from "./contract";

export const BY_HAND = "redis (by hand)";

export interface ReconcileReport {
  skipped: boolean;
  restored: string[];
  handKills: string[];
  handRevives: string[];
}

async function scanAgentKeys(redis: Redis): Promise<Map<string, Record<string, string>>> {
  const found = new Map<string, Record<string, string>>();
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${KEY_PREFIX}:*`, "COUNT", 1000);
    cursor = next;
    for (const key of keys) {
      const agentId = agentIdOfKey(key);
      if (!agentId) continue;
      try {
        found.set(agentId, await redis.hgetall(key));
      } catch {
        // Not a hash (a mistyped SET by hand): agents reading it fail too, so count it as a kill, not a stop of the sync.
        found.set(agentId, { killed: "true", reason: `unreadable kill switch key ${key} (not a hash)` });
      }
    }
  } while (cursor !== "0");
  return found;
}

/**
 * Puts PostgreSQL's record and Redis in agreement, once. Redis without the console's marker lost its
 * data: every recorded kill is written back. With the marker, a difference is a change made by hand
 * in Redis, and the record follows it. Runs under the same lock as the console's own changes.
 */
export async function reconcileKillSwitches(db: Db, redis: Redis, nowMs = Date.now()): Promise<ReconcileReport> {
  const report: ReconcileReport = { skipped: false, restored: [], handKills: [], handRevives: [] };
  const messages: string[] = [];
  const ctx: Ctx = { db, actor: { type: "system", id: BY_HAND }, requestId: `killswitch-sync-${nowMs}`, sourceIp: null };
  await db.transaction(async (tx) => {
    const [lock] = (await tx.execute<{ locked: boolean }>(sql`SELECT pg_try_advisory_xact_lock(hashtext('agentsoc:killswitch')) AS locked`)).rows;
    if (!lock?.locked) {
      report.skipped = true;
      return;
    }
    const rows = await tx.select().from(killSwitches);
    const [marker, redisGenerationRaw] = await Promise.all([redis.get(MARKER_KEY), redis.get(GENERATION_KEY)]);
    const [recorded] = await tx.select({ generation: killSwitchSync.generation }).from(killSwitchSync);
    const expectedGeneration = recorded?.generation ?? 0;
    const redisBehind = Number(redisGenerationRaw ?? 0) < expectedGeneration;

    if (marker === null || redisBehind) {
      const multi = redis.multi();
      for (const row of rows.filter((r) => r.killed)) {
        const kill = { reason: row.reason ?? "", killedBy: row.killedBy ?? "", killedAtMs: row.killedAt?.getTime() ?? nowMs };
        if (row.scope === "global") {
          multi.set(GLOBAL_KEY, globalKillValue(kill));
          multi.publish(EVENTS_CHANNEL, eventMessage({ action: "kill_all", reason: kill.reason, killed_by: kill.killedBy }));
        } else {
          multi.del(agentKey(row.agentId)).hset(agentKey(row.agentId), agentKillFields(kill));
          multi.publish(EVENTS_CHANNEL, eventMessage({ action: "kill", agent_id: row.agentId, reason: kill.reason, killed_by: kill.killedBy }));
        }
        report.restored.push(row.scope === "global" ? "global" : row.agentId);
      }
      multi.set(MARKER_KEY, JSON.stringify({ set_at: new Date(nowMs).toISOString() }));
      multi.set(GENERATION_KEY, String(expectedGeneration));
      await multi.exec();
      if (report.restored.length > 0) {
        await recordAudit(tx, { ...ctx, actor: { type: "system", id: "killswitch-restore" } }, {
          action: "killswitch.restore",
          targetType: "killswitch",
          targetId: "redis",
          reason:
            marker === null
              ? "Redis came back without the console's marker (emptied or restarted without persistence); recorded kills written back"
              : `Redis is behind the record (generation ${redisGenerationRaw ?? 0} < ${expectedGeneration}: an old snapshot or a promoted replica); recorded kills written back`,
          after: { restored: report.restored },
        });
      }
      return;
    }

    const inRedis = await scanAgentKeys(redis);
    const recordedAgents = new Map(rows.filter((r) => r.scope === "agent").map((r) => [r.agentId, r]));
    const globalInRedis = parseGlobalValue(await redis.get(GLOBAL_KEY));

    for (const [agentId, fields] of inRedis) {
      const hand = parseAgentHash(fields);
      if (!hand?.killed || recordedAgents.get(agentId)?.killed) continue;
      const change = {
        scope: "agent" as const,
        agentId,
        killed: true,
        reason: hand.reason ?? "set in Redis by hand",
        killedBy: hand.killedBy ?? BY_HAND,
        atMs: hand.killedAtMs ?? nowMs,
        source: "redis" as const,
        action: "kill" as const,
      };
      await recordChange(tx, ctx, change);
      messages.push(eventMessage({ action: "kill", agent_id: agentId, reason: change.reason, killed_by: change.killedBy, source: "redis" }));
      report.handKills.push(agentId);
    }
    for (const row of recordedAgents.values()) {
      if (!row.killed || parseAgentHash(inRedis.get(row.agentId) ?? {})?.killed) continue;
      await recordChange(tx, ctx, {
        scope: "agent",
        agentId: row.agentId,
        killed: false,
        reason: "kill switch removed in Redis by hand",
        killedBy: BY_HAND,
        atMs: nowMs,
        source: "redis",
        action: "revive",
      });
      messages.push(eventMessage({ action: "revive", agent_id: row.agentId, revived_by: BY_HAND, source: "redis" }));
      report.handRevives.push(row.agentId);
    }

    const globalRow = rows.find((r) => r.scope === "global");
    if (globalInRedis?.killed && !globalRow?.killed) {
      const reason = globalInRedis.reason ?? "set in Redis by hand";
      const killedBy = globalInRedis.killedBy ?? BY_HAND;
      await recordChange(tx, ctx, { scope: "global", agentId: "*", killed: true, reason, killedBy, atMs: globalInRedis.killedAtMs ?? nowMs, source: "redis", action: "kill_all" });
      messages.push(eventMessage({ action: "kill_all", reason, killed_by: killedBy, source: "redis" }));
      report.handKills.push("global");
    } else if (!globalInRedis?.killed && globalRow?.killed) {
      await recordChange(tx, ctx, { scope: "global", agentId: "*", killed: false, reason: "global kill removed in Redis by hand", killedBy: BY_HAND, atMs: nowMs, source: "redis", action: "lift_all" });
      messages.push(eventMessage({ action: "lift_all", lifted_by: BY_HAND, source: "redis" }));
      report.handRevives.push("global");
    }
  });
  // Told after the record is committed, so a console that refetches on the message sees the new state.
  for (const message of messages) await redis.publish(EVENTS_CHANNEL, message);
  if (messages.length > 0 || report.restored.length > 0) await redis.publish(CONSOLE_CHANNEL, JSON.stringify({ action: "sync" }));
  return report;
}
