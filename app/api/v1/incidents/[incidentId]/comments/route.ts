import { respond } from "@/lib/api/operation";
import { incidentsApi } from "@/lib/api/operations";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { commentOnIncident } from "@/lib/incidents";

export const dynamic = "force-dynamic";

/** `{text}`: a comment on the activity timeline (analyst+). */
export const POST = authedRoute<{ incidentId: string }>(incidentsApi.comment, async ({ req, ctx, params }) =>
  respond(incidentsApi.comment, 200, await commentOnIncident({ ctx, input: { incidentId: params.incidentId, body: await readJson(req) } })),
);
