import { respond } from "@/lib/api/operation";
import { incidentsApi } from "@/lib/api/operations";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { pageEscalationRole } from "@/lib/incidents";

export const dynamic = "force-dynamic";

/** `{role}`: records that the caller paged that role of the escalation path (responder+). */
export const POST = authedRoute<{ incidentId: string }>(incidentsApi.page, async ({ req, ctx, params }) =>
  respond(incidentsApi.page, 200, await pageEscalationRole({ ctx, input: { incidentId: params.incidentId, body: await readJson(req) } })),
);
