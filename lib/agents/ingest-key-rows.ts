import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import type { KeyIdentity } from "@/db/queries/ingest-keys";
import { agents, ingestKeys } from "@/db/schema";
import { revokeKeyToolTokens } from "@/lib/tool-tokens/revoke";

/** Every live ingest key of the agent stops working (a credential rotation's first step). */
export async function revokeLiveIngestKeys(db: Queryable, agentId: string): Promise<void> {
  const revoked = await db
    .update(ingestKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(ingestKeys.agentId, agentId), isNull(ingestKeys.revokedAt)))
    .returning({ id: ingestKeys.id });
  // The tool tokens those keys asked for go with them.
  for (const { id } of revoked) await revokeKeyToolTokens(db, { keyId: id, reason: "its ingest key was rotated", revokedBy: "system:rotation" });
}

/** A new live key for the agent, stored as its hash; the same key again (a step repeated after a crash) changes nothing. */
export async function addIngestKey(db: Queryable, key: { agentId: string; hash: string; prefix: string }): Promise<void> {
  await db.insert(ingestKeys).values({ agentId: key.agentId, keyHash: key.hash, keyPrefix: key.prefix }).onConflictDoNothing({ target: ingestKeys.keyHash });
}

/**
 * A revoked key was presented: the refusal is counted on its row (a rotated key still in use is a
 * deployment not yet updated, or someone holding a stolen key). SKIP LOCKED: a flood of requests with
 * one revoked key must not queue on its row (and hold the pool); the count is then a floor.
 */
export async function countRefusedIngestKey(db: Queryable, keyHash: string): Promise<void> {
  await db.execute(sql`
    UPDATE ingest_keys SET refused_after_revoke_count = refused_after_revoke_count + 1, last_refused_at = now()
    WHERE id = (SELECT id FROM ingest_keys WHERE key_hash = ${keyHash} AND revoked_at IS NOT NULL FOR UPDATE SKIP LOCKED)`);
}

/** Key last-used and agent last-seen times to ten seconds are enough, and save two writes per request. */
export async function recordKeyUse(db: Queryable, identity: KeyIdentity): Promise<void> {
  const stale = sql`now() - interval '10 seconds'`;
  await db
    .update(ingestKeys)
    .set({ lastUsedAt: sql`now()` })
    .where(and(eq(ingestKeys.id, identity.keyId), or(isNull(ingestKeys.lastUsedAt), lt(ingestKeys.lastUsedAt, stale))));
  await db
    .update(agents)
    .set({ lastSeenAt: sql`now()` })
    .where(and(eq(agents.id, identity.agentId), or(isNull(agents.lastSeenAt), lt(agents.lastSeenAt, stale))));
}
