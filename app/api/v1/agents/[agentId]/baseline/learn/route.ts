import { getBaseline } from "@/db/queries/detection";
import { agentExists } from "@/db/queries/ingest-keys";
import { learnBaseline } from "@/lib/detect";
import { AppError } from "@/lib/errors";
import { authedRoute } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Recomputes the learned baseline from the last 7 days now, instead of at the next periodic pass. */
export const POST = authedRoute<{ agentId: string }>("analyst", async ({ ctx, params }) => {
  if (!(await agentExists(ctx.db, params.agentId))) throw new AppError("NOT_FOUND", `Agent ${params.agentId} is not registered`);
  await learnBaseline({ ctx, input: { agentId: params.agentId } });
  return json(await getBaseline(ctx.db, params.agentId));
});
