import { respond } from "@/lib/api/operation";
import { incidentsApi } from "@/lib/api/operations";
import { setIncidentStatus } from "@/lib/incidents";
import { authedRoute, readJson } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** `{status, note?}` (responder+; closing and reopening need an admin). */
export const POST = authedRoute<{ incidentId: string }>(incidentsApi.setStatus, async ({ req, ctx, params }) =>
  respond(incidentsApi.setStatus, 200, await setIncidentStatus({ ctx, input: { incidentId: params.incidentId, body: await readJson(req) } })),
);
