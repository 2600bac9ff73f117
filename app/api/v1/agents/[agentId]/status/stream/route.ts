import { authenticateAgent } from "@/lib/http/agent-door";
import { handle } from "@/lib/http/respond";
import { sseStream } from "@/lib/http/sse";
import { bearerToken, findAgentByIngestKey, keySpeaksFor } from "@/lib/ingest/ingest-keys";
import { agentStatus, subscribeKillEvents } from "@/lib/killswitch";
import { appRedis } from "@/lib/redis";

export const dynamic = "force-dynamic";

/**
 * The agent's status now, and again on every kill-switch change and every 10 s; the key is checked
 * again each time, so revoking it ends the stream.
 */
export async function GET(req: Request, route: { params: Promise<{ agentId: string }> }): Promise<Response> {
  return handle(req, async () => {
    const { agentId } = await route.params;
    const { db } = await authenticateAgent(req, agentId);
    const key = bearerToken(req.headers.get("authorization")) ?? "";
    const redis = appRedis();
    return sseStream(req.signal, async ({ send, close }) => {
      const push = async () => {
        try {
          const identity = await findAgentByIngestKey(db, key);
          if (!identity || !keySpeaksFor(identity, agentId)) {
            send({ error: "ingest key revoked" }, "revoked");
            close();
            return;
          }
          send(await agentStatus(db, redis, agentId), "status");
        } catch {
          send({ alive: false, reason: "status unavailable: neither Redis nor the record could be read; stop to be safe", source: "none" }, "status");
        }
      };
      await push();
      const unsubscribe = subscribeKillEvents(redis, () => void push());
      const poll = setInterval(() => void push(), 10_000);
      return () => {
        unsubscribe();
        clearInterval(poll);
      };
    });
  });
}
