import { respond } from "@/lib/api/operation";
import { rotationsApi } from "@/lib/api/operations";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { resolveFailedItem } from "@/lib/rotation";

export const dynamic = "force-dynamic";

/** `{note}` (responder+): a failed credential dealt with by hand; it leaves the top of its incident's page. */
export const POST = authedRoute<{ rotationId: string; itemId: string }>(rotationsApi.resolve, async ({ req, ctx, params }) =>
  respond(rotationsApi.resolve, 200, {
    rotation: await resolveFailedItem({ ctx, input: { runId: params.rotationId, itemId: params.itemId, body: await readJson(req) } }),
  }),
);
