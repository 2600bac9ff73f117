import { listIncidents } from "@/db/queries/incidents";
import { respond } from "@/lib/api/operation";
import { incidentsApi } from "@/lib/api/operations";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { openIncident } from "@/lib/incidents";
import { parseIncidentListQuery } from "@/lib/incidents/schemas";

export const dynamic = "force-dynamic";

/** `?status=open|contained|eradicated|recovered|closed|active`, newest first. */
export const GET = authedRoute(incidentsApi.list, async ({ req, ctx }) =>
  respond(incidentsApi.list, 200, { incidents: await listIncidents(ctx.db, parseIncidentListQuery(new URL(req.url).searchParams).status ?? null) }),
);

/** `{title?, severity?, agent_ids, session_ids, alert_ids, runbook_id?}` (responder+). */
export const POST = authedRoute(incidentsApi.open, async ({ req, ctx }) =>
  respond(incidentsApi.open, 201, await openIncident({ ctx, input: await readJson(req) })),
);
