import { changeOwnPassword } from "@/lib/auth";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** `{"current_password", "new_password"}` (at least 12 characters). */
export const POST = authedRoute("viewer", async ({ req, ctx }) => {
  await changeOwnPassword({ ctx, input: await readJson(req) });
  return json({ changed: true });
});
