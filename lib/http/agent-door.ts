import { appDb, type Db } from "@/db/client";
import type { KeyIdentity } from "@/db/queries/ingest-keys";
import { AppError } from "@/lib/errors";
import { bearerToken, findAgentByIngestKey, keySpeaksFor } from "@/lib/ingest/ingest-keys";

/** Any agent door: the caller must hold a live ingest key. */
export async function authenticateIngestKey(req: Request): Promise<{ db: Db; identity: KeyIdentity }> {
  const db = appDb();
  const key = bearerToken(req.headers.get("authorization"));
  const identity = key ? await findAgentByIngestKey(db, key) : null;
  if (!identity) {
    throw new AppError("UNAUTHENTICATED", "A valid ingest key is required: Authorization: Bearer <ingest key>", {
      headers: { "WWW-Authenticate": 'Bearer realm="agentsoc-ingest"' },
    });
  }
  return { db, identity };
}

/** The agent door: the caller must hold a live ingest key that speaks for the agent named in the path. */
export async function authenticateAgent(req: Request, agentId: string): Promise<{ db: Db; identity: KeyIdentity }> {
  const { db, identity } = await authenticateIngestKey(req);
  if (!keySpeaksFor(identity, agentId)) throw new AppError("FORBIDDEN", `This ingest key (of agent ${identity.agentId}) does not speak for agent ${agentId}`);
  return { db, identity };
}
