import type Redis from "ioredis";

export interface RateDecision {
  allowed: boolean;
  retryAfterSeconds: number;
  /** False when Redis could not be asked; ingest then stays open rather than lose evidence. */
  enforced: boolean;
}

/** Fixed one-minute window of events per agent, shared by every app instance through Redis. */
export async function takeIngestQuota(
  redis: Redis,
  agentId: string,
  events: number,
  limitPerMinute: number,
  nowMs: number,
): Promise<RateDecision> {
  const window = Math.floor(nowMs / 60_000);
  const retryAfterSeconds = Math.max(1, Math.ceil(((window + 1) * 60_000 - nowMs) / 1000));
  const key = `agentsoc:ingest:rate:${agentId}:${window}`;
  try {
    const result = await redis.multi().incrby(key, events).expire(key, 120).exec();
    const used = Number(result?.[0]?.[1] ?? 0);
    return { allowed: used <= limitPerMinute, retryAfterSeconds, enforced: true };
  } catch {
    return { allowed: true, retryAfterSeconds, enforced: false };
  }
}
