import { listApiTokens } from "@/db/queries/auth";
import { respond } from "@/lib/api/operation";
import { tokensApi } from "@/lib/api/operations";
import { createApiToken } from "@/lib/auth";
import { parseOrThrow } from "@/lib/auth/authorize";
import { createApiTokenBody } from "@/lib/auth/schemas";
import { authedRoute, readJson } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const GET = authedRoute(tokensApi.list, async ({ ctx }) => respond(tokensApi.list, 200, { tokens: await listApiTokens(ctx.db) }));

/** `{"name", "role", "expires_in_days"?}`; the answer holds the token, shown this once. */
export const POST = authedRoute(tokensApi.create, async ({ req, ctx }) => {
  const body = parseOrThrow(createApiTokenBody, await readJson(req));
  return respond(tokensApi.create, 201, await createApiToken({ ctx, input: { name: body.name, role: body.role, expiresInDays: body.expires_in_days } }));
});
