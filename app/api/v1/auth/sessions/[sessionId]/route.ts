import { respond } from "@/lib/api/operation";
import { authApi } from "@/lib/api/operations";
import { clearedSessionCookie, endOwnSession } from "@/lib/auth";
import { authedRoute, isSecureRequest } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** Ending the session that makes the request is a sign-out: the cookie is cleared too. */
export const DELETE = authedRoute<{ sessionId: string }>(authApi.endSession, async ({ req, ctx, params }) => {
  const ended = await endOwnSession({ ctx, input: { sessionId: params.sessionId } });
  return respond(authApi.endSession, 200, ended, ended.signed_out ? { "set-cookie": clearedSessionCookie(isSecureRequest(req)) } : {});
});
