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

export interface IngestKeyView {
  id: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export async function listIngestKeys(db: Queryable, agentId: string): Promise<IngestKeyView[]> {
  const rows = await db.select().from(ingestKeys).where(eq(ingestKeys.agentId, agentId)).orderBy(ingestKeys.createdAt);
  return rows.map((r) => ({
    id: r.id,
    prefix: r.keyPrefix,
    created_at: r.createdAt.toISOString(),
    last_used_at: r.lastUsedAt?.toISOString() ?? null,
    revoked_at: r.revokedAt?.toISOString() ?? null,
  }));
}
