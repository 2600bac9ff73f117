import { listDestinations } from "@/db/queries/notifications";
import { respond } from "@/lib/api/operation";
import { notificationsApi } from "@/lib/api/operations";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { createDestination } from "@/lib/notify";

export const dynamic = "force-dynamic";

export const GET = authedRoute(notificationsApi.listDestinations, async ({ ctx }) =>
  respond(notificationsApi.listDestinations, 200, { destinations: await listDestinations(ctx.db) }),
);

/**
 * `{"name", "kind": "slack"|"json", "url", "min_severity": "low"|"medium"|"high"|"critical", "enabled"?}`
 * → `{"destination", "signing_key"}`; the key (JSON destinations only) is shown this once.
 */
export const POST = authedRoute(notificationsApi.createDestination, async ({ req, ctx }) =>
  respond(notificationsApi.createDestination, 201, await createDestination({ ctx, input: await readJson(req) })),
);
