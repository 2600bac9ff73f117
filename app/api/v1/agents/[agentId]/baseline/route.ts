import { getBaseline } from "@/db/queries/detection";
import { agentExists } from "@/db/queries/ingest-keys";
import { respond } from "@/lib/api/operation";
import { baselineApi } from "@/lib/api/operations";
import { setBaseline } from "@/lib/detect";
import { AppError } from "@/lib/errors";
import { authedRoute, readJsonOrNull } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const GET = authedRoute<{ agentId: string }>(baselineApi.get, async ({ ctx, params }) => {
  if (!(await agentExists(ctx.db, params.agentId))) throw new AppError("NOT_FOUND", `Agent ${params.agentId} is not registered`);
  return respond(baselineApi.get, 200, await getBaseline(ctx.db, params.agentId));
});

/** Body: the guide's AgentBehaviorBaseline fields (`expected_tools`, `max_tool_calls_per_session`, …), or `null` to remove it. */
export const PUT = authedRoute<{ agentId: string }>(baselineApi.set, async ({ req, ctx, params }) => {
  await setBaseline({ ctx, input: { agentId: params.agentId, baseline: await readJsonOrNull(req) } });
  return respond(baselineApi.set, 200, await getBaseline(ctx.db, params.agentId));
});
