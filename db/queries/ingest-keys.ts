import { and, eq, isNull } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { agents, ingestKeys } from "@/db/schema";

export interface KeyIdentity {
  keyId: string;
  agentId: string;
  rateLimitPerMin: number | null;
}

/** The agent a live (unrevoked) ingest key belongs to, looked up by the key's hash. */
export async function findAgentByKeyHash(db: Queryable, keyHash: string): Promise<KeyIdentity | null> {
  const [row] = await db
    .select({ keyId: ingestKeys.id, agentId: ingestKeys.agentId, rateLimitPerMin: agents.ingestRateLimitPerMin })
    .from(ingestKeys)
    .innerJoin(agents, eq(agents.id, ingestKeys.agentId))
    .where(and(eq(ingestKeys.keyHash, keyHash), isNull(ingestKeys.revokedAt)))
    .limit(1);
  return row ?? null;
}

export async function agentExists(db: Queryable, agentId: string): Promise<boolean> {
  const [row] = await db.select({ id: agents.id }).from(agents).where(eq(agents.id, agentId)).limit(1);
  return row !== undefined;
}
