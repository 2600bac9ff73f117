import { respond } from "@/lib/api/operation";
import { authApi } from "@/lib/api/operations";
import { changeOwnPassword } from "@/lib/auth";
import { authedRoute, readJson } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** `{"current_password", "new_password"}` (at least 12 characters). */
export const POST = authedRoute(authApi.changePassword, async ({ req, ctx }) => {
  await changeOwnPassword({ ctx, input: await readJson(req) });
  return respond(authApi.changePassword, 200, { changed: true });
});
