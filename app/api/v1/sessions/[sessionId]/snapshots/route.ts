import { listSessionSnapshots } from "@/db/queries/evidence";
import { respond } from "@/lib/api/operation";
import { evidenceApi } from "@/lib/api/operations";
import { parseOrThrow, parseQuery } from "@/lib/auth/authorize";
import { snapshotListQuery, snapshotSessionIdSchema } from "@/lib/forensics/evidence";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** The session's snapshots, newest first; `?agent_id=` keeps one agent's. */
export const GET = authedRoute<{ sessionId: string }>(evidenceApi.list, async ({ req, ctx, params }) => {
  const sessionId = parseOrThrow(snapshotSessionIdSchema, params.sessionId);
  const query = parseQuery(snapshotListQuery, new URL(req.url).searchParams);
  return respond(evidenceApi.list, 200, { snapshots: await listSessionSnapshots(ctx.db, { sessionId, agentId: query.agent_id }) });
});
