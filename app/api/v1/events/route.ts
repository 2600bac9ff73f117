import { listEvents, parseEventFilters } from "@/db/queries/events";
import { authedRoute } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const GET = authedRoute("viewer", async ({ req, ctx }) =>
  json(await listEvents(ctx.db, parseEventFilters(new URL(req.url).searchParams))),
);
