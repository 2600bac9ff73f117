import { listEvents, parseEventFilters } from "@/db/queries/events";
import { respond } from "@/lib/api/operation";
import { eventsApi } from "@/lib/api/operations";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const GET = authedRoute(eventsApi.list, async ({ req, ctx }) =>
  respond(eventsApi.list, 200, await listEvents(ctx.db, parseEventFilters(new URL(req.url).searchParams))),
);
