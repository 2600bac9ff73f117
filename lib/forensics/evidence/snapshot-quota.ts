import { actorId, type Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { takeQuota } from "@/lib/ingest/rate-limit";
import { appRedis } from "@/lib/redis";

/** Each snapshot may read up to 200,000 events and hold 128 MiB in memory while it is built. */
export const SNAPSHOTS_PER_MINUTE = 10;

/**
 * Counts one snapshot request against the person's or token's quota for this minute (through Redis,
 * shared by every app instance), and refuses it with 429 and Retry-After past the limit.
 */
export async function takeSnapshotQuota(ctx: Ctx, nowMs: number = Date.now()): Promise<void> {
  const quota = await takeQuota(appRedis(), `snapshot:${actorId(ctx.actor)}`, 1, SNAPSHOTS_PER_MINUTE, nowMs);
  if (!quota.allowed) {
    throw new AppError(
      "RATE_LIMITED",
      `At most ${SNAPSHOTS_PER_MINUTE} evidence snapshots a minute per person or token; try again in ${quota.retryAfterSeconds} s`,
      {
        headers: { "Retry-After": String(quota.retryAfterSeconds) },
      },
    );
  }
}
