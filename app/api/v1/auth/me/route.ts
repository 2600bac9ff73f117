import { respond } from "@/lib/api/operation";
import { authApi } from "@/lib/api/operations";
import { ROLE_RIGHTS } from "@/lib/auth";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const GET = authedRoute(authApi.me, async ({ ctx }) => {
  const actor = ctx.actor;
  if (actor.type === "user") return respond(authApi.me, 200, { kind: "user", email: actor.email, role: actor.role, rights: ROLE_RIGHTS[actor.role] });
  if (actor.type === "api_token") return respond(authApi.me, 200, { kind: "api_token", name: actor.name, role: actor.role, rights: ROLE_RIGHTS[actor.role] });
  return respond(authApi.me, 200, { kind: actor.type });
});
