import { listCanaries } from "@/db/queries/detection";
import { agentIdSchema } from "@/lib/agents";
import { parseOrThrow } from "@/lib/auth/authorize";
import { issueCanary } from "@/lib/detect";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Tokens are readable from analyst up: a viewer who knew them could help an attacker strip them from what leaks. */
export const GET = authedRoute("analyst", async ({ req, ctx }) => {
  const params = new URL(req.url).searchParams;
  const agentId = params.get("agent_id");
  return json({ canaries: await listCanaries(ctx.db, agentId ? parseOrThrow(agentIdSchema, agentId) : null, params.get("include_retired") === "true") });
});

/** `{"agent_id", "placement": "system_prompt"|"document"|"tool", "label"}` → the new canary with its token. */
export const POST = authedRoute("admin", async ({ req, ctx }) => json(await issueCanary({ ctx, input: await readJson(req) }), 201));
