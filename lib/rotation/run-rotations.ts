import { appDb } from "@/db/client";
import { credentialProviders } from "@/lib/credentials/providers";
import { env } from "@/lib/env";
import { kickNotificationDelivery } from "@/lib/notify";
import { serialPasses } from "@/lib/serial-passes";
import { DEFAULT_RETRY_POLICY } from "./policy";
import { CLAIM_BATCH, type RotationDeps, runDueRotationSteps } from "./worker";

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

const rotationPasses = serialPasses("rotation", "pass", async (deps: RotationDeps) => ({ more: (await runDueRotationSteps(deps)).claimed === CLAIM_BATCH }));

/**
 * Runs rotation passes until nothing more is due now, one at a time per process (serialPasses). A
 * step's own failures are recorded on its item; only a pass that could not run is logged.
 */
export function runRotations(deps: RotationDeps = appDeps()): Promise<void> {
  return rotationPasses(deps);
}

/** After a run is committed: start on it now rather than at the next tick. */
export function kickRotations(): void {
  void runRotations();
}
