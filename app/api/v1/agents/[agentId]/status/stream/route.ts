import { authenticateAgent } from "@/lib/http/agent-door";
import { handle, pathParams } from "@/lib/http/respond";
import { sseStream } from "@/lib/http/sse";
import { bearerToken, hashIngestKey } from "@/lib/ingest/ingest-keys";
import { takeStreamSlot, watchAgentStatus } from "@/lib/killswitch/status-hub";
import { appRedis } from "@/lib/redis";

export const dynamic = "force-dynamic";

/**
 * The agent's status now, and again on every kill-switch change and every 10 s; the key is checked
 * again each time, so revoking it ends the stream. At most STREAMS_PER_KEY streams per key (429).
 */
export async function GET(req: Request, route: { params: Promise<{ agentId: string }> }): Promise<Response> {
  return handle(req, async () => {
    const { agentId } = await pathParams(route);
    const { db, identity } = await authenticateAgent(req, agentId);
    const keyHash = hashIngestKey(bearerToken(req.headers.get("authorization")) ?? "");
    const release = takeStreamSlot(identity.keyId);
    return sseStream(req.signal, async ({ send, close }) => {
      try {
        const stop = await watchAgentStatus(db, appRedis(), agentId, {
          keyId: identity.keyId,
          keyHash,
          onStatus: (status) => send(status, "status"),
          onRevoked: () => {
            send({ error: "ingest key revoked" }, "revoked");
            close();
          },
        });
        return () => {
          stop();
          release();
        };
      } catch (err) {
        release();
        throw err;
      }
    });
  });
}
