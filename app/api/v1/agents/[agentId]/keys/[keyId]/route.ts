import { revokeIngestKey, setKeyAgents } from "@/lib/agents";
import { setKeyAgentsBody } from "@/lib/agents/schemas";
import { respond } from "@/lib/api/operation";
import { agentsApi } from "@/lib/api/operations";
import { parseOrThrow } from "@/lib/auth/authorize";
import { authedRoute, readJson, reasonOf } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const DELETE = authedRoute<{ agentId: string; keyId: string }>(agentsApi.revokeKey, async ({ req, ctx, params }) => {
  const body = await readJson(req);
  return respond(agentsApi.revokeKey, 200, await revokeIngestKey({ ctx, input: { agentId: params.agentId, keyId: params.keyId, reason: reasonOf(body) } }));
});

/** Sets the further agents this key may speak for: `{"speaks_for": ["worker-1", ...], "reason": "..."}`. */
export const PUT = authedRoute<{ agentId: string; keyId: string }>(agentsApi.setKeyAgents, async ({ req, ctx, params }) => {
  const body = parseOrThrow(setKeyAgentsBody, await readJson(req));
  return respond(
    agentsApi.setKeyAgents,
    200,
    await setKeyAgents({ ctx, input: { agentId: params.agentId, keyId: params.keyId, speaksFor: body.speaks_for, reason: body.reason } }),
  );
});
