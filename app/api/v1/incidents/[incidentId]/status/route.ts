import { respond } from "@/lib/api/operation";
import { incidentsApi } from "@/lib/api/operations";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { setIncidentStatus } from "@/lib/incidents";

export const dynamic = "force-dynamic";

/** `{status, note?}` (responder+; closing and reopening need an admin). */
export const POST = authedRoute<{ incidentId: string }>(incidentsApi.setStatus, async ({ req, ctx, params }) =>
  respond(incidentsApi.setStatus, 200, await setIncidentStatus({ ctx, input: { incidentId: params.incidentId, body: await readJson(req) } })),
);
