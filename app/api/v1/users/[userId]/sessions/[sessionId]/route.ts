import { respond } from "@/lib/api/operation";
import { usersApi } from "@/lib/api/operations";
import { clearedSessionCookie, endUserSessions } from "@/lib/auth";
import { authedRoute, isSecureRequest, readJson } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** `{"reason"}`: the session's next request is refused. */
export const DELETE = authedRoute<{ userId: string; sessionId: string }>(usersApi.endSession, async ({ req, ctx, params }) => {
  const ended = await endUserSessions({ ctx, input: { userId: params.userId, sessionId: params.sessionId, body: await readJson(req) } });
  return respond(usersApi.endSession, 200, ended, ended.signed_out ? { "set-cookie": clearedSessionCookie(isSecureRequest(req)) } : {});
});
