import { respond } from "@/lib/api/operation";
import { incidentsApi } from "@/lib/api/operations";
import { takeIncidentOwnership } from "@/lib/incidents";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** The caller takes ownership of the incident (responder+). */
export const POST = authedRoute<{ incidentId: string }>(incidentsApi.takeOwnership, async ({ ctx, params }) => respond(incidentsApi.takeOwnership, 200, await takeIncidentOwnership({ ctx, input: { incidentId: params.incidentId } })));
