import { respond } from "@/lib/api/operation";
import { notificationsApi } from "@/lib/api/operations";
import { authedRoute, readJson, reasonOf } from "@/lib/http/authed-route";
import { deleteDestination, updateDestination } from "@/lib/notify";

export const dynamic = "force-dynamic";

/** Any of `{"name", "min_severity", "enabled", "url"}`, and an optional `"reason"` → `{"destination"}`. */
export const PATCH = authedRoute<{ destinationId: string }>(notificationsApi.updateDestination, async ({ req, ctx, params }) =>
  respond(notificationsApi.updateDestination, 200, {
    destination: await updateDestination({ ctx, input: { destinationId: params.destinationId, patch: await readJson(req) } }),
  }),
);

/** Optional `{"reason"}`. The destination's deliveries and their attempts go with it. */
export const DELETE = authedRoute<{ destinationId: string }>(notificationsApi.deleteDestination, async ({ req, ctx, params }) =>
  respond(
    notificationsApi.deleteDestination,
    200,
    await deleteDestination({ ctx, input: { destinationId: params.destinationId, reason: reasonOf(await readJson(req)) } }),
  ),
);
