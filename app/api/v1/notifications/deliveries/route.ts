import { listDeliveries } from "@/db/queries/notifications";
import { respond } from "@/lib/api/operation";
import { notificationsApi } from "@/lib/api/operations";
import { parseOrThrow } from "@/lib/auth/authorize";
import { authedRoute } from "@/lib/http/authed-route";
import { deliveryFiltersSchema } from "@/lib/notify";

export const dynamic = "force-dynamic";

/** Newest first, with each attempt. Query: `destination_id`, `status` (pending|delivered|failed), `before_id`, `limit` (≤ 200). */
export const GET = authedRoute(notificationsApi.deliveries, async ({ req, ctx }) =>
  respond(
    notificationsApi.deliveries,
    200,
    await listDeliveries(ctx.db, parseOrThrow(deliveryFiltersSchema, Object.fromEntries(new URL(req.url).searchParams))),
  ),
);
