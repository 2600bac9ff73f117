import { respond } from "@/lib/api/operation";
import { alertsApi } from "@/lib/api/operations";
import { resolveAlert } from "@/lib/detect";
import { authedRoute, readJson } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** Body `{"note": "what was found and done"}`. */
export const POST = authedRoute<{ alertId: string }>(alertsApi.resolve, async ({ req, ctx, params }) =>
  respond(alertsApi.resolve, 200, await resolveAlert({ ctx, input: { alertId: params.alertId, body: await readJson(req) } })),
);
