import { respond } from "@/lib/api/operation";
import { usersApi } from "@/lib/api/operations";
import { resetPassword } from "@/lib/auth";
import { authedRoute, readJson, reasonOf } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const POST = authedRoute<{ userId: string }>(usersApi.resetPassword, async ({ req, ctx, params }) => {
  return respond(usersApi.resetPassword, 200, await resetPassword({ ctx, input: { userId: params.userId, reason: reasonOf(await readJson(req)) } }));
});
