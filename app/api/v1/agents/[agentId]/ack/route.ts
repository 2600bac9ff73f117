import { authenticateAgent } from "@/lib/http/agent-door";
import { handle, json } from "@/lib/http/respond";
import { acknowledgeKill } from "@/lib/killswitch";

export const dynamic = "force-dynamic";

/** An agent that has stopped says so: the console shows the time it took. */
export async function POST(req: Request, route: { params: Promise<{ agentId: string }> }): Promise<Response> {
  return handle(req, async () => {
    const { agentId } = await route.params;
    const { db } = await authenticateAgent(req, agentId);
    const acknowledged = await acknowledgeKill(db, agentId, Date.now());
    return json({ agent_id: agentId, acknowledged });
  });
}
