import { respond } from "@/lib/api/operation";
import { notificationsApi } from "@/lib/api/operations";
import { authedRoute, readJson, reasonOf } from "@/lib/http/authed-route";
import { rotateSigningKey } from "@/lib/notify";

export const dynamic = "force-dynamic";

/** Optional `{"reason"}` → `{"destination_id", "signing_key_version", "signing_key"}`; the new key is shown this once. */
export const POST = authedRoute<{ destinationId: string }>(notificationsApi.rotateKey, async ({ req, ctx, params }) =>
  respond(
    notificationsApi.rotateKey,
    200,
    await rotateSigningKey({ ctx, input: { destinationId: params.destinationId, reason: reasonOf(await readJson(req)) } }),
  ),
);
