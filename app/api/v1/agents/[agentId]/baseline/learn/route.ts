import { getBaseline } from "@/db/queries/detection";
import { agentExists } from "@/db/queries/ingest-keys";
import { respond } from "@/lib/api/operation";
import { baselineApi } from "@/lib/api/operations";
import { learnBaseline } from "@/lib/detect";
import { AppError } from "@/lib/errors";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** Recomputes the learned baseline from the last 7 days now, instead of at the next periodic pass. */
export const POST = authedRoute<{ agentId: string }>(baselineApi.learn, async ({ ctx, params }) => {
  if (!(await agentExists(ctx.db, params.agentId))) throw new AppError("NOT_FOUND", `Agent ${params.agentId} is not registered`);
  await learnBaseline({ ctx, input: { agentId: params.agentId } });
  return respond(baselineApi.learn, 200, await getBaseline(ctx.db, params.agentId));
});
