import { listAgents } from "@/db/queries/agents";
import { registerAgent } from "@/lib/agents";
import { registerAgentBody } from "@/lib/agents/schemas";
import { respond } from "@/lib/api/operation";
import { agentsApi } from "@/lib/api/operations";
import { parseOrThrow } from "@/lib/auth/authorize";
import { authedRoute, readJson } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const GET = authedRoute(agentsApi.list, async ({ ctx }) => respond(agentsApi.list, 200, { agents: await listAgents(ctx.db) }));

/** Registers an agent; the answer holds its ingest key, shown this once. */
export const POST = authedRoute(agentsApi.register, async ({ req, ctx }) => {
  const body = parseOrThrow(registerAgentBody, await readJson(req));
  const registered = await registerAgent({
    ctx,
    input: { agentId: body.agent_id, displayName: body.display_name, ingestRateLimitPerMin: body.ingest_rate_limit_per_min },
  });
  return respond(agentsApi.register, 201, registered);
});
