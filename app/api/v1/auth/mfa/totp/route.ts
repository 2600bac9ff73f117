import { respond } from "@/lib/api/operation";
import { authApi } from "@/lib/api/operations";
import { removeOwnTotp } from "@/lib/auth";
import { authedRoute, readJson } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** `{"code"}` or `{"recovery_code"}`. */
export const DELETE = authedRoute(authApi.removeTotp, async ({ req, ctx }) => {
  await removeOwnTotp({ ctx, input: await readJson(req) });
  return respond(authApi.removeTotp, 200, { removed: true });
});
