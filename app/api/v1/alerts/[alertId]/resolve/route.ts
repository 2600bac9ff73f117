import { resolveAlert } from "@/lib/detect";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Body `{"note": "what was found and done"}`. */
export const POST = authedRoute<{ alertId: string }>("analyst", async ({ req, ctx, params }) =>
  json(await resolveAlert({ ctx, input: { alertId: params.alertId, body: await readJson(req) } })),
);
