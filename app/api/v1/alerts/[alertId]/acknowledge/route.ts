import { respond } from "@/lib/api/operation";
import { alertsApi } from "@/lib/api/operations";
import { acknowledgeAlert } from "@/lib/detect";
import { authedRoute, readJson } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** Optional body `{"note"}`. */
export const POST = authedRoute<{ alertId: string }>(alertsApi.acknowledge, async ({ req, ctx, params }) =>
  respond(alertsApi.acknowledge, 200, await acknowledgeAlert({ ctx, input: { alertId: params.alertId, body: await readJson(req) } })),
);
