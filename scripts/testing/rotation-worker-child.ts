import { appDb } from "@/db/client";
import { credentialProviders } from "@/lib/credentials/providers";
import { DEFAULT_RETRY_POLICY, runDueRotationSteps } from "@/lib/rotation";

// A console's rotation worker as its own process, for the test that kills it mid-step (SIGKILL).
const leaseMs = Number(process.argv[2]);
if (!Number.isFinite(leaseMs) || leaseMs <= 0) throw new Error("usage: rotation-worker-child <leaseMs>");
const db = appDb();
const deps = {
  db,
  providers: credentialProviders(db, { postgresAdminUrl: null, redisAdminUrl: null }),
  policy: { ...DEFAULT_RETRY_POLICY, leaseMs },
};
async function loop(): Promise<never> {
  for (;;) {
    await runDueRotationSteps(deps);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
void loop();
