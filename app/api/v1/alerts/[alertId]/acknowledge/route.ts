import { acknowledgeAlert } from "@/lib/detect";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Optional body `{"note"}`. */
export const POST = authedRoute<{ alertId: string }>("analyst", async ({ req, ctx, params }) =>
  json(await acknowledgeAlert({ ctx, input: { alertId: params.alertId, body: await readJson(req) } })),
);
