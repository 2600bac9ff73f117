import { respond } from "@/lib/api/operation";
import { incidentsApi } from "@/lib/api/operations";
import { authedRoute } from "@/lib/http/authed-route";
import { takeIncidentOwnership } from "@/lib/incidents";

export const dynamic = "force-dynamic";

/** The caller takes ownership of the incident (responder+). */
export const POST = authedRoute<{ incidentId: string }>(incidentsApi.takeOwnership, async ({ ctx, params }) =>
  respond(incidentsApi.takeOwnership, 200, await takeIncidentOwnership({ ctx, input: { incidentId: params.incidentId } })),
);
