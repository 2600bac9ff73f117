import { updateUser } from "@/lib/auth";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** `{"role"?, "disabled"?, "reason"?}` */
export const PATCH = authedRoute<{ userId: string }>("admin", async ({ req, ctx, params }) => {
  return json(await updateUser({ ctx, input: { ...(await readJson(req)), userId: params.userId } }));
});
