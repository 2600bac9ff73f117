import { respond } from "@/lib/api/operation";
import { notificationsApi } from "@/lib/api/operations";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { mapEscalationRole, readEscalationRoles } from "@/lib/notify";

export const dynamic = "force-dynamic";

export const GET = authedRoute(notificationsApi.escalationRoles, async ({ ctx }) =>
  respond(notificationsApi.escalationRoles, 200, await readEscalationRoles({ ctx })),
);

/** `{"role", "destination_id", "reason"?}`: pages to the role go to that destination too. */
export const POST = authedRoute(notificationsApi.mapEscalationRole, async ({ req, ctx }) =>
  respond(notificationsApi.mapEscalationRole, 201, await mapEscalationRole({ ctx, input: await readJson(req) })),
);
