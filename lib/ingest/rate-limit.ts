import type Redis from "ioredis";

export interface RateDecision {
  allowed: boolean;
  retryAfterSeconds: number;
  /** False when Redis could not be asked; ingest then stays open rather than lose evidence. */
  enforced: boolean;
}

// Takes the quota only when all of it fits, so a refused request does not use up the window for the next one.
const TAKE_QUOTA = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local want = tonumber(ARGV[1])
if used + want > tonumber(ARGV[2]) then return 0 end
redis.call('INCRBY', KEYS[1], want)
redis.call('EXPIRE', KEYS[1], 120)
return 1`;

/** A fixed one-minute window per key, shared by every app instance through Redis; open when Redis cannot be asked. */
export async function takeQuota(redis: Redis | null, scope: string, amount: number, limitPerMinute: number, nowMs: number): Promise<RateDecision> {
  const window = Math.floor(nowMs / 60_000);
  const retryAfterSeconds = Math.max(1, Math.ceil(((window + 1) * 60_000 - nowMs) / 1000));
  if (!redis) return { allowed: true, retryAfterSeconds, enforced: false };
  try {
    const allowed = await redis.eval(TAKE_QUOTA, 1, `agentsoc:rate:${scope}:${window}`, amount, limitPerMinute);
    return { allowed: allowed === 1, retryAfterSeconds, enforced: true };
  } catch {
    return { allowed: true, retryAfterSeconds, enforced: false };
  }
}

/** Events per agent per minute. */
export function takeIngestQuota(redis: Redis | null, agentId: string, events: number, limitPerMinute: number, nowMs: number): Promise<RateDecision> {
  return takeQuota(redis, `ingest:${agentId}`, events, limitPerMinute, nowMs);
}

/** Gives back what takeIngestQuota took in the same window, when the request it was for is refused after all. */
export async function returnIngestQuota(redis: Redis | null, agentId: string, events: number, nowMs: number): Promise<void> {
  if (!redis) return;
  await redis.decrby(`agentsoc:rate:ingest:${agentId}:${Math.floor(nowMs / 60_000)}`, events).catch(() => undefined);
}
