import { agentExists } from "@/db/queries/ingest-keys";
import { respond } from "@/lib/api/operation";
import { agentsApi } from "@/lib/api/operations";
import { AppError } from "@/lib/errors";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { loadKillPolicies, setKillPolicies } from "@/lib/killswitch";

export const dynamic = "force-dynamic";

export const GET = authedRoute<{ agentId: string }>(agentsApi.getKillPolicies, async ({ ctx, params }) => {
  if (!(await agentExists(ctx.db, params.agentId))) throw new AppError("NOT_FOUND", `Agent ${params.agentId} is not registered`);
  return respond(agentsApi.getKillPolicies, 200, { agent_id: params.agentId, policies: await loadKillPolicies(ctx.db, params.agentId, true) });
});

/** `{"policies": [{"rule": "canary_leak"|"critical_alert"|"session_cost_above", "enabled", "threshold_usd"?}]}` replaces them all. */
export const PUT = authedRoute<{ agentId: string }>(agentsApi.setKillPolicies, async ({ req, ctx, params }) => {
  if (!(await agentExists(ctx.db, params.agentId))) throw new AppError("NOT_FOUND", `Agent ${params.agentId} is not registered`);
  const policies = await setKillPolicies({ ctx, input: { agentId: params.agentId, policies: (await readJson(req)).policies } });
  return respond(agentsApi.setKillPolicies, 200, { agent_id: params.agentId, policies });
});
