import { setIncidentStatus } from "@/lib/incidents";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** `{status, note?}` (responder+; closing and reopening need an admin). */
export const POST = authedRoute<{ incidentId: string }>("responder", async ({ req, ctx, params }) =>
  json(await setIncidentStatus({ ctx, input: { incidentId: params.incidentId, body: await readJson(req) } })),
);
