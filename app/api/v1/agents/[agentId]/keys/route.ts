import { agentExists, listIngestKeys } from "@/db/queries/ingest-keys";
import { issueIngestKey } from "@/lib/agents";
import { issueIngestKeyBody } from "@/lib/agents/schemas";
import { respond } from "@/lib/api/operation";
import { agentsApi } from "@/lib/api/operations";
import { parseOrThrow } from "@/lib/auth/authorize";
import { AppError } from "@/lib/errors";
import { authedRoute, readJson } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const GET = authedRoute<{ agentId: string }>(agentsApi.listKeys, async ({ ctx, params }) => {
  if (!(await agentExists(ctx.db, params.agentId))) throw new AppError("NOT_FOUND", `Agent ${params.agentId} is not registered`);
  return respond(agentsApi.listKeys, 200, { agent_id: params.agentId, keys: await listIngestKeys(ctx.db, params.agentId) });
});

/** Issues a key (`{"rotate": true}` also revokes the agent's other keys); the answer shows it once. */
export const POST = authedRoute<{ agentId: string }>(agentsApi.issueKey, async ({ req, ctx, params }) => {
  const body = parseOrThrow(issueIngestKeyBody, await readJson(req));
  const issued = await issueIngestKey({
    ctx,
    input: { agentId: params.agentId, revokeExisting: body.rotate === true, reason: body.reason },
  });
  return respond(agentsApi.issueKey, 201, issued);
});
