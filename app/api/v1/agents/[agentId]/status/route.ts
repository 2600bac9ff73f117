import { respond } from "@/lib/api/operation";
import { agentDoorApi } from "@/lib/api/operations";
import { authenticateAgent } from "@/lib/http/agent-door";
import { handle, pathParams } from "@/lib/http/respond";
import { agentStatus } from "@/lib/killswitch";
import { appRedis } from "@/lib/redis";

export const dynamic = "force-dynamic";

/** For agents that cannot reach Redis: may I act? Answered with the agent's own ingest key. */
export async function GET(req: Request, route: { params: Promise<{ agentId: string }> }): Promise<Response> {
  return handle(req, async () => {
    const { agentId } = await pathParams(route);
    const { db } = await authenticateAgent(req, agentId);
    return respond(agentDoorApi.status, 200, await agentStatus(db, appRedis(), agentId));
  });
}
