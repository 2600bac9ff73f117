import { authedRoute, readJson, reasonOf } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";
import { deleteDestination, updateDestination } from "@/lib/notify";

export const dynamic = "force-dynamic";

/** Any of `{"name", "min_severity", "enabled", "url"}`, and an optional `"reason"` → `{"destination"}`. */
export const PATCH = authedRoute<{ destinationId: string }>("admin", async ({ req, ctx, params }) =>
  json({ destination: await updateDestination({ ctx, input: { destinationId: params.destinationId, patch: await readJson(req) } }) }),
);

/** Optional `{"reason"}`. The destination's deliveries and their attempts go with it. */
export const DELETE = authedRoute<{ destinationId: string }>("admin", async ({ req, ctx, params }) =>
  json(await deleteDestination({ ctx, input: { destinationId: params.destinationId, reason: reasonOf(await readJson(req)) } })),
);
