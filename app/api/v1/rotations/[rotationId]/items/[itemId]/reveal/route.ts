import { revealNewSecret } from "@/lib/rotation";
import { authedRoute } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** The rotated credential's new secret, once (responder+); 409 after that. Never cached. */
export const POST = authedRoute<{ rotationId: string; itemId: string }>("responder", async ({ ctx, params }) => {
  const res = json(await revealNewSecret({ ctx, input: { runId: params.rotationId, itemId: params.itemId } }));
  res.headers.set("cache-control", "no-store");
  return res;
});
