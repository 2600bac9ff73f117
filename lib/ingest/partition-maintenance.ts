import { appDb, closeAppDb } from "@/db/client";
import { env } from "@/lib/env";
import { closeAppRedis } from "@/lib/redis";
import { maintainPartitions } from "./partitions";

const HOUR_MS = 3_600_000;

/** Server start-up: partition upkeep and retention now and hourly, and connections closed on shutdown. */
export function startServerLifecycle(): void {
  const run = async () => {
    try {
      const result = await maintainPartitions(
        { db: appDb(), actor: { type: "system", id: "retention" }, requestId: `retention-${Date.now()}`, sourceIp: null },
        Date.now(),
        env().SOC_RETENTION_DAYS,
      );
      if (result.droppedPartitions.length > 0) console.log(`[retention] dropped ${result.droppedPartitions.join(", ")}`);
    } catch (err) {
      console.error("[retention] partition maintenance failed; retrying within the hour:", err);
    }
  };
  void run();
  setInterval(() => void run(), HOUR_MS).unref();
  process.once("SIGTERM", () => {
    // Next.js stops taking requests on SIGTERM; closing the pools lets in-flight queries finish first.
    void Promise.allSettled([closeAppDb(), closeAppRedis()]);
  });
}
