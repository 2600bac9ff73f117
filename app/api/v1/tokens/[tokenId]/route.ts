import { revokeApiToken } from "@/lib/auth";
import { authedRoute, readJson, reasonOf } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const DELETE = authedRoute<{ tokenId: string }>("admin", async ({ req, ctx, params }) => {
  return json(await revokeApiToken({ ctx, input: { tokenId: params.tokenId, reason: reasonOf(await readJson(req)) } }));
});
