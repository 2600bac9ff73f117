import { ROLE_RIGHTS } from "@/lib/auth";
import { authedRoute } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const GET = authedRoute("viewer", async ({ ctx }) => {
  const actor = ctx.actor;
  if (actor.type === "user") return json({ kind: "user", email: actor.email, role: actor.role, rights: ROLE_RIGHTS[actor.role] });
  if (actor.type === "api_token") return json({ kind: "api_token", name: actor.name, role: actor.role, rights: ROLE_RIGHTS[actor.role] });
  return json({ kind: actor.type });
});
