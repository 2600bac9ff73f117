import { agentExists } from "@/db/queries/ingest-keys";
import { getPolicy } from "@/db/queries/policies";
import { respond } from "@/lib/api/operation";
import { policyApi } from "@/lib/api/operations";
import { AppError } from "@/lib/errors";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { removePolicy, setPolicy } from "@/lib/policy";

export const dynamic = "force-dynamic";

export const GET = authedRoute<{ agentId: string }>(policyApi.get, async ({ ctx, params }) => {
  if (!(await agentExists(ctx.db, params.agentId))) throw new AppError("NOT_FOUND", `Agent ${params.agentId} is not registered`);
  return respond(policyApi.get, 200, await getPolicy(ctx.db, params.agentId));
});

/** Body: the guide's AgentSecurityPolicy (`permissions: [{tool_name, allowed_actions, resource_scope, …}]`, …). */
export const PUT = authedRoute<{ agentId: string }>(policyApi.set, async ({ req, ctx, params }) => {
  await setPolicy({ ctx, input: { agentId: params.agentId, policy: await readJson(req) } });
  return respond(policyApi.set, 200, await getPolicy(ctx.db, params.agentId));
});

/** Body: `{"reason": "…"}`. */
export const DELETE = authedRoute<{ agentId: string }>(policyApi.remove, async ({ req, ctx, params }) => {
  await removePolicy({ ctx, input: { agentId: params.agentId, reason: (await readJson(req)).reason } });
  return respond(policyApi.remove, 200, await getPolicy(ctx.db, params.agentId));
});
