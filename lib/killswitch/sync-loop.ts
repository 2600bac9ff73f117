import type Redis from "ioredis";
import type { Db } from "@/db/client";
import { reconcileKillSwitches, type ReconcileReport } from "./reconcile";

/** Runs the Redis ↔ record sync every `intervalMs`, one pass at a time; returns a stop function. */
export function startKillSwitchSync(
  db: Db,
  redis: Redis,
  intervalMs: number,
  onPass: (result: { report?: ReconcileReport; error?: unknown }) => void = () => undefined,
): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      onPass({ report: await reconcileKillSwitches(db, redis) });
    } catch (error) {
      onPass({ error });
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
