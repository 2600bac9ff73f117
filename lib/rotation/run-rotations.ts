import { appDb } from "@/db/client";
import { credentialProviders } from "@/lib/credentials/providers";
import { env } from "@/lib/env";
import { describeError } from "@/lib/errors";
import { kickNotificationDelivery } from "@/lib/notify";
import { DEFAULT_RETRY_POLICY } from "./policy";
import { CLAIM_BATCH, runDueRotationSteps, type RotationDeps } from "./worker";

function appDeps(): RotationDeps {
  const db = appDb();
  const e = env();
  return {
    db,
    providers: credentialProviders(db, { postgresAdminUrl: e.SOC_ROTATION_PG_ADMIN_URL, redisAdminUrl: e.SOC_ROTATION_REDIS_ADMIN_URL }),
    policy: DEFAULT_RETRY_POLICY,
    onNotificationsQueued: kickNotificationDelivery,
  };
}

let pass: Promise<void> | null = null;
let again = false;
let lastProblem = "";

/**
 * Runs rotation passes until nothing more is due now, one at a time per process: a call during a
 * pass asks for one more after it. Failures are logged once per distinct problem, never thrown: the
 * periodic loop tries again, and a step's own failures are recorded on its item.
 */
export function runRotations(deps: RotationDeps = appDeps()): Promise<void> {
  if (pass) {
    again = true;
    return pass;
  }
  pass = (async () => {
    try {
      do {
        again = false;
        const report = await runDueRotationSteps(deps);
        if (report.claimed === CLAIM_BATCH) again = true;
      } while (again);
      lastProblem = "";
    } catch (err) {
      const problem = describeError(err);
      if (problem !== lastProblem) console.error(`[rotation] pass failed; retrying shortly: ${problem}`);
      lastProblem = problem;
    } finally {
      pass = null;
    }
  })();
  return pass;
}

/** After a run is committed: start on it now rather than at the next tick. */
export function kickRotations(): void {
  void runRotations();
}
