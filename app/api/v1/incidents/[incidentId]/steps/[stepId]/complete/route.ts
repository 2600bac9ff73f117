import { respond } from "@/lib/api/operation";
import { incidentsApi } from "@/lib/api/operations";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { completeStep } from "@/lib/incidents";

export const dynamic = "force-dynamic";

/** `{note}`: checks off a step done by a person (responder+). */
export const POST = authedRoute<{ incidentId: string; stepId: string }>(incidentsApi.completeStep, async ({ req, ctx, params }) =>
  respond(
    incidentsApi.completeStep,
    200,
    await completeStep({ ctx, input: { incidentId: params.incidentId, stepId: params.stepId, body: await readJson(req) } }),
  ),
);
