import { resetPassword } from "@/lib/auth";
import { authedRoute, readJson, reasonOf } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const POST = authedRoute<{ userId: string }>("admin", async ({ req, ctx, params }) => {
  return json(await resetPassword({ ctx, input: { userId: params.userId, reason: reasonOf(await readJson(req)) } }));
});
