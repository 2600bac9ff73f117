import { respond } from "@/lib/api/operation";
import { notificationsApi } from "@/lib/api/operations";
import { authedRoute, readJson, reasonOf } from "@/lib/http/authed-route";
import { unmapEscalationRole } from "@/lib/notify";

export const dynamic = "force-dynamic";

/** Optional `{"reason"}`. */
export const DELETE = authedRoute<{ mappingId: string }>(notificationsApi.unmapEscalationRole, async ({ req, ctx, params }) =>
  respond(
    notificationsApi.unmapEscalationRole,
    200,
    await unmapEscalationRole({ ctx, input: { mappingId: params.mappingId, reason: reasonOf(await readJson(req)) } }),
  ),
);
