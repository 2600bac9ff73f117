import { respond } from "@/lib/api/operation";
import { incidentsApi } from "@/lib/api/operations";
import { authedRoute } from "@/lib/http/authed-route";
import { runStep } from "@/lib/incidents";
import { appRedis } from "@/lib/redis";
import { kickRotations } from "@/lib/rotation";

export const dynamic = "force-dynamic";

/**
 * Runs an automated step (responder+); 409 when it is already running or done. A failed run answers
 * 200 with `outcome: "failed"` and why; a rotation step answers `outcome: "running"` and finishes with its run.
 */
export const POST = authedRoute<{ incidentId: string; stepId: string }>(incidentsApi.runStep, async ({ ctx, params }) => {
  const result = await runStep({ ctx, settings: { redis: appRedis() }, input: { incidentId: params.incidentId, stepId: params.stepId } });
  if (result.outcome === "running") kickRotations();
  return respond(incidentsApi.runStep, 200, result);
});
