import { skipStep } from "@/lib/incidents";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** `{reason}`: skips a pending or failed step (responder+). */
export const POST = authedRoute<{ incidentId: string; stepId: string }>("responder", async ({ req, ctx, params }) =>
  json(await skipStep({ ctx, input: { incidentId: params.incidentId, stepId: params.stepId, body: await readJson(req) } })),
);
