import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { findAgentByKeyHash, type KeyIdentity } from "@/db/queries/ingest-keys";
import { agents, ingestKeys } from "@/db/schema";

const KEY_PREFIX = "soc_ik_";

export function generateIngestKey(): { key: string; hash: string; prefix: string } {
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { key, hash: hashIngestKey(key), prefix: ingestKeyPrefix(key) };
}

/** What is shown of a key after it is issued: enough to tell keys apart, too little to use. */
export function ingestKeyPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 6);
}

/** Keys are 256-bit random, so a fast hash is enough to store them, and lookups stay one index probe. */
export function hashIngestKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export function bearerToken(authorization: string | null): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  return match?.[1] ?? null;
}

/**
 * The agent a live key belongs to. A revoked key is refused and the refusal counted on its row: a
 * rotated key still in use is a deployment not yet updated, or someone holding a stolen key.
 */
export async function findAgentByIngestKey(db: Db, key: string): Promise<KeyIdentity | null> {
  const keyHash = hashIngestKey(key);
  const identity = await findAgentByKeyHash(db, keyHash);
  if (identity === null) {
    // SKIP LOCKED: a flood of requests with one revoked key must not queue on its row (and hold the pool); the count is then a floor.
    await db.execute(sql`
      UPDATE ingest_keys SET refused_after_revoke_count = refused_after_revoke_count + 1, last_refused_at = now()
      WHERE id = (SELECT id FROM ingest_keys WHERE key_hash = ${keyHash} AND revoked_at IS NOT NULL FOR UPDATE SKIP LOCKED)`);
  }
  return identity;
}

/** Key last-used and agent last-seen times to ten seconds are enough, and save two writes per request. */
export async function recordKeyUse(db: Db, identity: KeyIdentity): Promise<void> {
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

/** Whether a key may act for an agent: the one it was issued for, or one of the further agents an admin let it speak for. */
export function keySpeaksFor(identity: KeyIdentity, agentId: string): boolean {
  return identity.agentId === agentId || identity.alsoSpeaksFor.some((a) => a.agentId === agentId);
}
