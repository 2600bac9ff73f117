import { respond } from "@/lib/api/operation";
import { usersApi } from "@/lib/api/operations";
import { clearedSessionCookie, endUserSessions, listUserSessions } from "@/lib/auth";
import { authedRoute, isSecureRequest, readJson } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const GET = authedRoute<{ userId: string }>(usersApi.listSessions, async ({ ctx, params }) =>
  respond(usersApi.listSessions, 200, { sessions: await listUserSessions({ ctx, input: { userId: params.userId } }) }),
);

/** `{"reason"}`: every live session of the person ends. */
export const DELETE = authedRoute<{ userId: string }>(usersApi.endSessions, async ({ req, ctx, params }) => {
  const ended = await endUserSessions({ ctx, input: { userId: params.userId, body: await readJson(req) } });
  return respond(usersApi.endSessions, 200, ended, ended.signed_out ? { "set-cookie": clearedSessionCookie(isSecureRequest(req)) } : {});
});
