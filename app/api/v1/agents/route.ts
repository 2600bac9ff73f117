import { listAgents } from "@/db/queries/agents";
import { registerAgent } from "@/lib/agents";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const GET = authedRoute("viewer", async ({ ctx }) => json({ agents: await listAgents(ctx.db) }));

/** Registers an agent; the answer holds its ingest key, shown this once. */
export const POST = authedRoute("admin", async ({ req, ctx }) => {
  const body = await readJson(req);
  const registered = await registerAgent({
    ctx,
    input: { agentId: body.agent_id, displayName: body.display_name, ingestRateLimitPerMin: body.ingest_rate_limit_per_min },
  });
  return json(registered, 201);
});
