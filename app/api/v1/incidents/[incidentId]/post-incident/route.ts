import { respond } from "@/lib/api/operation";
import { incidentsApi } from "@/lib/api/operations";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { savePostIncidentNotes } from "@/lib/incidents";

export const dynamic = "force-dynamic";

/** `{notes}`: the post-incident review notes (responder+). */
export const PUT = authedRoute<{ incidentId: string }>(incidentsApi.postIncident, async ({ req, ctx, params }) =>
  respond(incidentsApi.postIncident, 200, await savePostIncidentNotes({ ctx, input: { incidentId: params.incidentId, body: await readJson(req) } })),
);
