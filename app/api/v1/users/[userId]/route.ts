import { respond } from "@/lib/api/operation";
import { usersApi } from "@/lib/api/operations";
import { updateUser } from "@/lib/auth";
import { authedRoute, readJson } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** `{"role"?, "disabled"?, "reason"?}` */
export const PATCH = authedRoute<{ userId: string }>(usersApi.update, async ({ req, ctx, params }) => {
  return respond(usersApi.update, 200, await updateUser({ ctx, input: { ...(await readJson(req)), userId: params.userId } }));
});
