import { respond } from "@/lib/api/operation";
import { incidentsApi } from "@/lib/api/operations";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { skipStep } from "@/lib/incidents";

export const dynamic = "force-dynamic";

/** `{reason}`: skips a pending or failed step (responder+). */
export const POST = authedRoute<{ incidentId: string; stepId: string }>(incidentsApi.skipStep, async ({ req, ctx, params }) =>
  respond(incidentsApi.skipStep, 200, await skipStep({ ctx, input: { incidentId: params.incidentId, stepId: params.stepId, body: await readJson(req) } })),
);
