import { clearedSessionCookie, signOut } from "@/lib/auth";
import { authedRoute, isSecureRequest } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const POST = authedRoute("viewer", async ({ req, ctx }) => {
  await signOut({ ctx });
  return json({ signed_out: true }, 200, { "set-cookie": clearedSessionCookie(isSecureRequest(req)) });
});
