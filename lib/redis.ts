import Redis from "ioredis";
import { env } from "@/lib/env";
import { describeError } from "@/lib/errors";

export function createRedis(url: string): Redis {
  const redis = new Redis(url, {
    // Fail fast instead of queueing commands forever while Redis is down: callers decide what to do.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    // A hung Redis must fail like a refused one: kills answer 503 and the agent door falls back to the record.
    commandTimeout: 2_000,
    lazyConnect: false,
  });
  redis.on("error", (err: Error) => console.error(`[redis] ${describeError(err)}`));
  return redis;
}

const globalForRedis = globalThis as unknown as { agentsocRedis?: Redis };

/** The process-wide Redis client, or null when REDIS_URL is not configured. */
export function appRedis(): Redis | null {
  const url = env().REDIS_URL;
  if (!url) return null;
  globalForRedis.agentsocRedis ??= createRedis(url);
  return globalForRedis.agentsocRedis;
}

export async function closeAppRedis(): Promise<void> {
  const redis = globalForRedis.agentsocRedis;
  globalForRedis.agentsocRedis = undefined;
  await redis?.quit().catch(() => redis.disconnect());
}
