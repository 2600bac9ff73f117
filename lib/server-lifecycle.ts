import { appDb, closeAppDb } from "@/db/client";
import { checkDatabaseRole } from "@/lib/audit";
import { refreshLearnedBaselines } from "@/lib/detect";
import { env } from "@/lib/env";
import { describeError } from "@/lib/errors";
import { maintainPartitions } from "@/lib/ingest/partitions";
import { CONSOLE_CHANNEL, closeKillEventBus } from "@/lib/killswitch";
import { KILLSWITCH_SYNC_MS, startKillSwitchSync, syncPassLogger } from "@/lib/killswitch/sync-loop";
import { runNotificationDelivery } from "@/lib/notify";
import { appRedis, closeAppRedis } from "@/lib/redis";
import { runRotations } from "@/lib/rotation";
import { ensureShippedRunbooks } from "@/lib/runbooks/store";
import { pruneExpiredToolTokens, sweepKilledAgentsTokens } from "@/lib/tool-tokens";

const HOUR_MS = 3_600_000;
const LEARN_BASELINES_MS = 10 * 60_000;
/** Retries fall due and other instances' kicks are missed; this bounds how late a due notification goes out. */
const NOTIFY_DELIVERY_MS = 2_000;
/** Rotation steps whose back-off ran out, and runs another instance started, are taken within this. */
const ROTATION_TICK_MS = 1_000;

function every(ms: number, task: () => Promise<void>): void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await task();
    } finally {
      running = false;
    }
  };
  void tick();
  setInterval(() => void tick(), ms).unref();
}

/** Server start-up: partition upkeep, kill-switch sync with Redis, and connections closed on shutdown. */
export function startServerLifecycle(): void {
  checkDatabaseRole(appDb()).then(
    (warning) => warning && console.error(`[database] WARNING: ${warning}`),
    (err: unknown) => console.error(`[database] could not check what the console's database role may do: ${describeError(err)}`),
  );

  every(HOUR_MS, async () => {
    try {
      const result = await maintainPartitions(
        { db: appDb(), actor: { type: "system", id: "retention" }, requestId: `retention-${Date.now()}`, sourceIp: null },
        { nowMs: Date.now(), retentionDays: env().SOC_RETENTION_DAYS },
      );
      if (result.droppedPartitions.length > 0) console.log(`[retention] dropped ${result.droppedPartitions.join(", ")}`);
    } catch (err) {
      console.error(`[retention] partition maintenance failed; retrying within the hour: ${describeError(err)}`);
    }
  });

  every(LEARN_BASELINES_MS, async () => {
    try {
      await refreshLearnedBaselines(appDb());
    } catch (err) {
      console.error(`[baselines] learning from history failed; retrying in 10 minutes: ${describeError(err)}`);
    }
  });

  every(NOTIFY_DELIVERY_MS, () => runNotificationDelivery(appDb()));

  // Also resumes the runs a stopped or crashed console left half done: their leases run out and they are taken again.
  every(ROTATION_TICK_MS, () => runRotations());

  ensureShippedRunbooks(appDb()).catch((err: unknown) =>
    console.error(`[runbooks] could not load the shipped runbooks; opening an incident loads them: ${describeError(err)}`),
  );

  const redis = appRedis();
  if (redis) startKillSwitchSync(appDb(), redis, KILLSWITCH_SYNC_MS, syncPassLogger());

  // A killed agent holds no live tool token: kills recorded from Redis, and revocations a crash cut short.
  every(KILLSWITCH_SYNC_MS, async () => {
    try {
      const revoked = await sweepKilledAgentsTokens(appDb());
      // Followers of the revocation list hear it from every instance, as they do after a console kill.
      if (revoked > 0) await redis?.publish(CONSOLE_CHANNEL, JSON.stringify({ action: "tool_tokens_revoked" })).catch(() => undefined);
    } catch (err) {
      console.error(`[tool-tokens] sweeping killed agents' tokens failed; retrying in a second: ${describeError(err)}`);
    }
  });
  every(HOUR_MS, async () => {
    await pruneExpiredToolTokens(appDb()).catch((err: unknown) => console.error(`[tool-tokens] pruning expired tokens failed: ${describeError(err)}`));
  });

  process.once("SIGTERM", () => {
    // Next.js stops taking requests on SIGTERM; closing the pools lets in-flight queries finish first.
    void Promise.allSettled([closeAppDb(), closeAppRedis(), closeKillEventBus()]);
  });
}
