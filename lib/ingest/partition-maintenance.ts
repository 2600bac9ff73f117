import { appDb } from "@/db/client";
import { env } from "@/lib/env";
import { maintainPartitions } from "./partitions";

const HOUR_MS = 3_600_000;

export function startPartitionMaintenance(): void {
  const run = async () => {
    try {
      const dropped = await maintainPartitions(
        { db: appDb(), actor: { type: "system", id: "retention" }, requestId: `retention-${Date.now()}`, sourceIp: null },
        Date.now(),
        env().SOC_RETENTION_DAYS,
      );
      if (dropped.length > 0) console.log(`[retention] dropped ${dropped.join(", ")}`);
    } catch (err) {
      console.error("[retention] partition maintenance failed; retrying within the hour:", err);
    }
  };
  void run();
  setInterval(() => void run(), HOUR_MS).unref();
}
