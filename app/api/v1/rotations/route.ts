import { listRotationRuns } from "@/db/queries/rotations";
import { respond } from "@/lib/api/operation";
import { rotationsApi } from "@/lib/api/operations";
import { parseQuery } from "@/lib/auth/authorize";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { kickRotations, startRotation } from "@/lib/rotation";
import { rotationListQuery } from "@/lib/rotation/schemas";

export const dynamic = "force-dynamic";

/** `?agent_id=` or `?incident_id=`, newest first (analyst+). */
export const GET = authedRoute(rotationsApi.list, async ({ req, ctx }) => {
  const q = parseQuery(rotationListQuery, new URL(req.url).searchParams);
  return respond(rotationsApi.list, 200, { rotations: await listRotationRuns(ctx.db, { agentId: q.agent_id, incidentId: q.incident_id }) });
});

/** `{agent_id}` or `{credential_ids}`, optional `incident_id` (responder+) → 202 `{id}`; the run goes on in the background. */
export const POST = authedRoute(rotationsApi.start, async ({ req, ctx }) => {
  const started = await startRotation({ ctx, input: await readJson(req) });
  kickRotations();
  return respond(rotationsApi.start, 202, started);
});
