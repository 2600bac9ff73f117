import { respond } from "@/lib/api/operation";
import { agentDoorApi } from "@/lib/api/operations";
import { authenticateAgent } from "@/lib/http/agent-door";
import { handle, pathParams } from "@/lib/http/respond";
import { acknowledgeKill } from "@/lib/killswitch";

export const dynamic = "force-dynamic";

/** An agent that has stopped says so: the console shows the time it took. */
export async function POST(req: Request, route: { params: Promise<{ agentId: string }> }): Promise<Response> {
  return handle(req, async ({ requestId, sourceIp }) => {
    const { agentId } = await pathParams(route);
    const { db, identity } = await authenticateAgent(req, agentId);
    const acknowledged = await acknowledgeKill({
      ctx: { db, actor: { type: "agent", agentId, keyId: identity.keyId }, requestId, sourceIp },
      input: { agentId, atMs: Date.now() },
    });
    return respond(agentDoorApi.acknowledgeKill, 200, { agent_id: agentId, acknowledged });
  });
}
