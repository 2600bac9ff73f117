import { respond } from "@/lib/api/operation";
import { incidentsApi } from "@/lib/api/operations";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { attachAlertsToIncident } from "@/lib/incidents";

export const dynamic = "force-dynamic";

/** `{alert_ids}`: adds them and their sessions' other alerts (responder+). */
export const POST = authedRoute<{ incidentId: string }>(incidentsApi.attachAlerts, async ({ req, ctx, params }) =>
  respond(incidentsApi.attachAlerts, 200, await attachAlertsToIncident({ ctx, input: { incidentId: params.incidentId, body: await readJson(req) } })),
);
