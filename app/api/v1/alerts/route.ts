import { listAlerts, parseAlertFilters } from "@/db/queries/detection";
import { authedRoute } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** `?agent_id=&session_id=&type=&severity=&status=open|acknowledged|resolved|unresolved&before_id=&limit=`, newest first. */
export const GET = authedRoute("viewer", async ({ req, ctx }) => json(await listAlerts(ctx.db, parseAlertFilters(new URL(req.url).searchParams))));
