import { resolveFailedItem } from "@/lib/rotation";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** `{note}` (responder+): a failed credential dealt with by hand; it leaves the top of its incident's page. */
export const POST = authedRoute<{ rotationId: string; itemId: string }>("responder", async ({ req, ctx, params }) =>
  json({ rotation: await resolveFailedItem({ ctx, input: { runId: params.rotationId, itemId: params.itemId, body: await readJson(req) } }) }),
);
