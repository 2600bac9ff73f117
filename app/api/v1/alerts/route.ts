import { listAlerts, parseAlertFilters } from "@/db/queries/detection";
import { respond } from "@/lib/api/operation";
import { alertsApi } from "@/lib/api/operations";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** `?agent_id=&session_id=&type=&severity=&status=open|acknowledged|resolved|unresolved&before_id=&limit=`, newest first. */
export const GET = authedRoute(alertsApi.list, async ({ req, ctx }) =>
  respond(alertsApi.list, 200, await listAlerts(ctx.db, parseAlertFilters(new URL(req.url).searchParams))),
);
