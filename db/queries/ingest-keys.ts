import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { agents, ingestKeyAgents, ingestKeys } from "@/db/schema";
import type { IngestKeyView } from "@/lib/agents/views";

export interface SpokenForAgent {
  agentId: string;
  /** Events per minute; null means the configured default. */
  rateLimitPerMin: number | null;
}

export interface KeyIdentity extends SpokenForAgent {
  keyId: string;
  /** Further agents the key may speak for, besides the one it was issued for. */
  alsoSpeaksFor: SpokenForAgent[];
}

/** The agent a live (unrevoked) ingest key belongs to, and the further agents it may speak for, looked up by the key's hash. */
export async function findAgentByKeyHash(db: Queryable, keyHash: string): Promise<KeyIdentity | null> {
  const [row] = await db
    .select({
      keyId: ingestKeys.id,
      agentId: ingestKeys.agentId,
      rateLimitPerMin: agents.ingestRateLimitPerMin,
      alsoSpeaksFor: sql<[string, number | null][]>`coalesce((
        SELECT json_agg(json_build_array(a.id, a.ingest_rate_limit_per_min) ORDER BY a.id)
        FROM ${ingestKeyAgents} k JOIN ${agents} a ON a.id = k.agent_id
        WHERE k.key_id = ${ingestKeys.id}), '[]')`,
    })
    .from(ingestKeys)
    .innerJoin(agents, eq(agents.id, ingestKeys.agentId))
    .where(and(eq(ingestKeys.keyHash, keyHash), isNull(ingestKeys.revokedAt)))
    .limit(1);
  if (!row) return null;
  return { ...row, alsoSpeaksFor: row.alsoSpeaksFor.map(([agentId, rateLimitPerMin]) => ({ agentId, rateLimitPerMin })) };
}

/** The further agents one key may speak for, by id. */
export async function keyAgentIds(db: Queryable, keyId: string): Promise<string[]> {
  const rows = await db
    .select({ agentId: ingestKeyAgents.agentId })
    .from(ingestKeyAgents)
    .where(eq(ingestKeyAgents.keyId, keyId))
    .orderBy(asc(ingestKeyAgents.agentId));
  return rows.map((r) => r.agentId);
}

export async function agentExists(db: Queryable, agentId: string): Promise<boolean> {
  const [row] = await db.select({ id: agents.id }).from(agents).where(eq(agents.id, agentId)).limit(1);
  return row !== undefined;
}

export async function listIngestKeys(db: Queryable, agentId: string): Promise<IngestKeyView[]> {
  const rows = await db
    .select({
      key: ingestKeys,
      speaksFor: sql<string[]>`coalesce((SELECT array_agg(k.agent_id ORDER BY k.agent_id) FROM ${ingestKeyAgents} k WHERE k.key_id = ${ingestKeys.id}), '{}')`,
    })
    .from(ingestKeys)
    .where(eq(ingestKeys.agentId, agentId))
    .orderBy(ingestKeys.createdAt);
  return rows.map(({ key: r, speaksFor }) => ({
    id: r.id,
    prefix: r.keyPrefix,
    speaks_for: speaksFor,
    created_at: r.createdAt.toISOString(),
    last_used_at: r.lastUsedAt?.toISOString() ?? null,
    revoked_at: r.revokedAt?.toISOString() ?? null,
  }));
}
