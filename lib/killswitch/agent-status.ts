import type Redis from "ioredis";
import type { Db } from "@/db/client";
import { recordedKillState } from "@/db/queries/killswitch";
import { MARKER_KEY } from "./contract";
import { readAgentKill, readGlobalKill } from "./read-redis";

export interface AgentStatus {
  alive: boolean;
  reason: string;
  /** Where the answer came from: Redis, as agents read it, or PostgreSQL's record when Redis cannot be asked. */
  source: "redis" | "record";
}

/**
 * The answer an agent's own check would give (global first, then its own key). Without Redis the
 * record answers, and it never says alive for an agent the record says is killed.
 */
export async function agentStatus(db: Db, redis: Redis | null, agentId: string): Promise<AgentStatus> {
  if (redis) {
    try {
      const [global, own, marker] = await Promise.all([readGlobalKill(redis), readAgentKill(redis, agentId), redis.exists(MARKER_KEY)]);
      // Without the marker, Redis has lost its data and not yet been restored: only the record can be trusted.
      if (marker === 0) throw new Error("Redis not yet restored");
      if (global?.killed) return { alive: false, reason: `Global kill switch active: ${global.reason ?? "Unknown"}`, source: "redis" };
      if (own?.killed) return { alive: false, reason: `Agent killed: ${own.reason ?? "Unknown"}`, source: "redis" };
      return { alive: true, reason: "Agent is active", source: "redis" };
    } catch {
      // Fall through to the record.
    }
  }
  const recorded = await recordedKillState(db, agentId);
  return recorded.killed
    ? { alive: false, reason: recorded.reason ?? "killed", source: "record" }
    : { alive: true, reason: "Agent is active (Redis unreachable: answered from the record)", source: "record" };
}

export type RedisHealth = "ok" | "unreachable" | "not_configured";

export async function redisHealth(redis: Redis | null): Promise<RedisHealth> {
  if (!redis) return "not_configured";
  try {
    return (await Promise.race([redis.ping(), new Promise<string>((r) => setTimeout(() => r("timeout"), 1000))])) === "PONG" ? "ok" : "unreachable";
  } catch {
    return "unreachable";
  }
}
