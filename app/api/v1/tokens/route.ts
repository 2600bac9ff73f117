import { listApiTokens } from "@/db/queries/auth";
import { createApiToken } from "@/lib/auth";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const GET = authedRoute("admin", async ({ ctx }) => json({ tokens: await listApiTokens(ctx.db) }));

/** `{"name", "role", "expires_in_days"?}`; the answer holds the token, shown this once. */
export const POST = authedRoute("admin", async ({ req, ctx }) => {
  const body = await readJson(req);
  return json(await createApiToken({ ctx, input: { name: body.name, role: body.role, expiresInDays: body.expires_in_days } }), 201);
});
