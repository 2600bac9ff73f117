import { runStep } from "@/lib/incidents";
import { authedRoute } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";
import { appRedis } from "@/lib/redis";

export const dynamic = "force-dynamic";

/** Runs an automated step (responder+); 409 when it is already running or done. A failed run answers 200 with `outcome: "failed"` and why. */
export const POST = authedRoute<{ incidentId: string; stepId: string }>("responder", async ({ ctx, params }) =>
  json(await runStep({ ctx, settings: { redis: appRedis() }, input: { incidentId: params.incidentId, stepId: params.stepId } })),
);
