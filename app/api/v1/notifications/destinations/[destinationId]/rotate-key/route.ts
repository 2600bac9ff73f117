import { authedRoute, readJson, reasonOf } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";
import { rotateSigningKey } from "@/lib/notify";

export const dynamic = "force-dynamic";

/** Optional `{"reason"}` → `{"destination_id", "signing_key_version", "signing_key"}`; the new key is shown this once. */
export const POST = authedRoute<{ destinationId: string }>("admin", async ({ req, ctx, params }) =>
  json(await rotateSigningKey({ ctx, input: { destinationId: params.destinationId, reason: reasonOf(await readJson(req)) } })),
);
