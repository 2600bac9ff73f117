import type Redis from "ioredis";
import type { Db } from "@/db/client";
import { describeError } from "@/lib/errors";
import { sharingProblem } from "./ownership";
import { type ReconcileReport, reconcileKillSwitches } from "./reconcile";

/** How often the server syncs Redis and the record: a change made in Redis by hand is recorded within about this. */
export const KILLSWITCH_SYNC_MS = 1_000;
/** A problem that lasts is said again this often, so it cannot scroll out of sight. */
const REMIND_MS = 10 * 60_000;

export type SyncPass = { report?: ReconcileReport; error?: unknown };

/** Runs the Redis ↔ record sync every `intervalMs`, one pass at a time; returns a stop function. */
export function startKillSwitchSync(db: Db, redis: Redis, intervalMs: number, onPass: (pass: SyncPass) => void = () => undefined): () => void {
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

/**
 * What the server log says about the sync: each restore, and each problem when it starts, every
 * ten minutes while it lasts, and when it ends, instead of once a second.
 */
export function syncPassLogger(log: { log: (line: string) => void; error: (line: string) => void } = console, nowMs = () => Date.now()) {
  const said = new Map<string, { line: string; at: number }>();
  return ({ report, error }: SyncPass): void => {
    if (report?.restored.length) log.log(`[killswitch] recorded kills written back to Redis: ${report.restored.join(", ")}`);
    const problems = new Map<string, string>();
    if (error) problems.set("sync", `cannot sync with Redis: ${describeError(error)}`);
    const shared = report?.sharing ? sharingProblem(report.sharing) : null;
    if (shared) problems.set("shared", `WARNING ${shared}`);
    if (report?.ignoredKeys.length)
      problems.set("ignored", `keys no agent can read (the agent id breaks the id rules), left alone: ${report.ignoredKeys.join(", ")}`);
    for (const f of report?.failed ?? [])
      problems.set(`failed:${f.target}`, `could not record the change of ${f.target} found in Redis (tried again each pass): ${f.error}`);
    for (const [key, line] of problems) {
      const last = said.get(key);
      if (last?.line === line && nowMs() - last.at < REMIND_MS) continue;
      log.error(`[killswitch] ${line}`);
      said.set(key, { line, at: nowMs() });
    }
    for (const key of said.keys()) {
      if (problems.has(key)) continue;
      said.delete(key);
      if (key === "shared") log.log("[killswitch] Redis is no longer shared with another installation");
    }
  };
}
