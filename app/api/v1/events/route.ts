import { respond } from "@/lib/api/operation";
import { eventsApi } from "@/lib/api/operations";
import { findEvents } from "@/lib/events/find-events";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const GET = authedRoute(eventsApi.list, async ({ req, ctx }) => respond(eventsApi.list, 200, await findEvents(ctx.db, new URL(req.url).searchParams)));
