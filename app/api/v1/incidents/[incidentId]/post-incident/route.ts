import { savePostIncidentNotes } from "@/lib/incidents";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** `{notes}`: the post-incident review notes (responder+). */
export const PUT = authedRoute<{ incidentId: string }>("responder", async ({ req, ctx, params }) =>
  json(await savePostIncidentNotes({ ctx, input: { incidentId: params.incidentId, body: await readJson(req) } })),
);
