import { pageEscalationRole } from "@/lib/incidents";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** `{role}`: records that the caller paged that role of the escalation path (responder+). */
export const POST = authedRoute<{ incidentId: string }>("responder", async ({ req, ctx, params }) =>
  json(await pageEscalationRole({ ctx, input: { incidentId: params.incidentId, body: await readJson(req) } })),
);
