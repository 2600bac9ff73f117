import { commentOnIncident } from "@/lib/incidents";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** `{text}`: a comment on the activity timeline (analyst+). */
export const POST = authedRoute<{ incidentId: string }>("analyst", async ({ req, ctx, params }) =>
  json(await commentOnIncident({ ctx, input: { incidentId: params.incidentId, body: await readJson(req) } })),
);
