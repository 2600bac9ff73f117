import { respond } from "@/lib/api/operation";
import { authApi } from "@/lib/api/operations";
import { clearedSessionCookie, signOut } from "@/lib/auth";
import { authedRoute, isSecureRequest } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const POST = authedRoute(authApi.signOut, async ({ req, ctx }) => {
  await signOut({ ctx });
  return respond(authApi.signOut, 200, { signed_out: true }, { "set-cookie": clearedSessionCookie(isSecureRequest(req)) });
});
