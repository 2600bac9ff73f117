import { respond } from "@/lib/api/operation";
import { evidenceApi } from "@/lib/api/operations";
import { takeSnapshot, takeSnapshotQuota } from "@/lib/forensics/evidence";
import { authedRoute, readJson } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/**
 * Freezes the session as signed evidence: 201 with the new snapshot, or 200 with `existing: true` and
 * the snapshot already holding exactly this content. Optional body `{"agent_id"}`, needed when several
 * agents share the session id. Limited per person or token (429 with Retry-After).
 */
export const POST = authedRoute<{ sessionId: string }>(evidenceApi.take, async ({ req, ctx, params }) => {
  const body = await readJson(req);
  await takeSnapshotQuota(ctx);
  const snapshot = await takeSnapshot({ ctx, input: { sessionId: params.sessionId, body } });
  return respond(evidenceApi.take, snapshot.existing ? 200 : 201, snapshot);
});
