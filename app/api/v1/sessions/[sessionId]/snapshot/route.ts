import { takeSnapshot } from "@/lib/forensics/evidence";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Freezes the session as signed evidence. Optional body `{"agent_id"}`, needed when several agents share the session id. */
export const POST = authedRoute<{ sessionId: string }>("analyst", async ({ req, ctx, params }) =>
  json(await takeSnapshot({ ctx, input: { sessionId: params.sessionId, body: await readJson(req) } }), 201),
);
