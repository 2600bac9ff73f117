import { completeStep } from "@/lib/incidents";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** `{note}`: checks off a step done by a person (responder+). */
export const POST = authedRoute<{ incidentId: string; stepId: string }>("responder", async ({ req, ctx, params }) =>
  json(await completeStep({ ctx, input: { incidentId: params.incidentId, stepId: params.stepId, body: await readJson(req) } })),
);
