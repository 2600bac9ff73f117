import { respond } from "@/lib/api/operation";
import { usersApi } from "@/lib/api/operations";
import { resetUserTotp } from "@/lib/auth";
import { authedRoute, readJson, reasonOf } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** `{"reason"}`: the person's authenticator and recovery codes are removed. */
export const DELETE = authedRoute<{ userId: string }>(usersApi.resetSecondFactor, async ({ req, ctx, params }) =>
  respond(usersApi.resetSecondFactor, 200, await resetUserTotp({ ctx, input: { userId: params.userId, reason: reasonOf(await readJson(req)) ?? "" } })),
);
