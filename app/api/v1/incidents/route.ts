import { listIncidents } from "@/db/queries/incidents";
import { parseIncidentListQuery } from "@/lib/incidents/schemas";
import { openIncident } from "@/lib/incidents";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** `?status=open|contained|eradicated|recovered|closed|active`, newest first. */
export const GET = authedRoute("viewer", async ({ req, ctx }) =>
  json({ incidents: await listIncidents(ctx.db, parseIncidentListQuery(new URL(req.url).searchParams).status ?? null) }),
);

/** `{title?, severity?, agent_ids, session_ids, alert_ids, runbook_id?}` (responder+). */
export const POST = authedRoute("responder", async ({ req, ctx }) => json(await openIncident({ ctx, input: await readJson(req) }), 201));
