import { respond } from "@/lib/api/operation";
import { killSwitchApi } from "@/lib/api/operations";
import { readContainment } from "@/lib/containment";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** What a kill of the agent would stop, computed now. */
export const GET = authedRoute<{ agentId: string }>(killSwitchApi.containment, async ({ ctx, params }) =>
  respond(killSwitchApi.containment, 200, await readContainment({ ctx, input: { agentId: params.agentId } })),
);
