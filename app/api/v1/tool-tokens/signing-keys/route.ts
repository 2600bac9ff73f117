import { respond } from "@/lib/api/operation";
import { toolTokensApi } from "@/lib/api/operations";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { rotateSigningKey, signingKeysView } from "@/lib/tool-tokens";

export const dynamic = "force-dynamic";

export const GET = authedRoute(toolTokensApi.signingKeys, async ({ ctx }) => respond(toolTokensApi.signingKeys, 200, await signingKeysView(ctx.db)));

/** Body: `{"reason": "…"}`. */
export const POST = authedRoute(toolTokensApi.rotateSigningKey, async ({ req, ctx }) =>
  respond(toolTokensApi.rotateSigningKey, 201, await rotateSigningKey(ctx, await readJson(req))),
);
