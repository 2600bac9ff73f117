import { agentExists, listIngestKeys } from "@/db/queries/ingest-keys";
import { issueIngestKey } from "@/lib/agents";
import { AppError } from "@/lib/errors";
import { authedRoute, readJson, reasonOf } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const GET = authedRoute<{ agentId: string }>("admin", async ({ ctx, params }) => {
  if (!(await agentExists(ctx.db, params.agentId))) throw new AppError("NOT_FOUND", `Agent ${params.agentId} is not registered`);
  return json({ agent_id: params.agentId, keys: await listIngestKeys(ctx.db, params.agentId) });
});

/** Issues a key (`{"rotate": true}` also revokes the agent's other keys); the answer shows it once. */
export const POST = authedRoute<{ agentId: string }>("admin", async ({ req, ctx, params }) => {
  const body = await readJson(req);
  const issued = await issueIngestKey({
    ctx,
    input: { agentId: params.agentId, revokeExisting: body.rotate === true, reason: reasonOf(body) },
  });
  return json(issued, 201);
});
