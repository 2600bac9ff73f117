import { respond } from "@/lib/api/operation";
import { rotationsApi } from "@/lib/api/operations";
import { authedRoute } from "@/lib/http/authed-route";
import { revealNewSecret } from "@/lib/rotation";

export const dynamic = "force-dynamic";

/** The rotated credential's new secret, once (responder+); 409 after that. Never cached. */
export const POST = authedRoute<{ rotationId: string; itemId: string }>(rotationsApi.reveal, async ({ ctx, params }) => {
  const res = respond(rotationsApi.reveal, 200, await revealNewSecret({ ctx, input: { runId: params.rotationId, itemId: params.itemId } }));
  res.headers.set("cache-control", "no-store");
  return res;
});
