import { respond } from "@/lib/api/operation";
import { tokensApi } from "@/lib/api/operations";
import { revokeApiToken } from "@/lib/auth";
import { authedRoute, readJson, reasonOf } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const DELETE = authedRoute<{ tokenId: string }>(tokensApi.revoke, async ({ req, ctx, params }) => {
  return respond(tokensApi.revoke, 200, await revokeApiToken({ ctx, input: { tokenId: params.tokenId, reason: reasonOf(await readJson(req)) } }));
});
