import { type SQL, sql } from "drizzle-orm";
import type { Db, Queryable } from "@/db/client";

/** Rows one statement revokes: each batch is short, so a fleet's worth never holds a lock for long. */
const BATCH = 5000;
/**
 * Verifiers accept a token a few seconds past `exp` (clock skew); tokens that expired this recently
 * are still revoked and listed.
 */
export const EXPIRY_GRACE = sql`interval '60 seconds'`;

/**
 * Revokes the live tokens `match` selects (over `t`, the tool_tokens row), batch by batch, each its
 * own statement. `revoked_at` is the statement's clock, so the revocation feed reads it in the order
 * revocations happen.
 */
async function revokeWhere(db: Queryable, match: SQL, reason: string, revokedBy: string): Promise<number> {
  let total = 0;
  for (;;) {
    const revoked = await db.execute(sql`
      UPDATE tool_tokens SET revoked_at = clock_timestamp(), revoked_by = ${revokedBy}, revoke_reason = ${reason}
      WHERE jti IN (
        SELECT t.jti FROM tool_tokens t
        WHERE t.revoked_at IS NULL AND t.expires_at > now() - ${EXPIRY_GRACE} AND ${match}
        LIMIT ${BATCH} FOR UPDATE SKIP LOCKED
      )`);
    total += revoked.rowCount ?? 0;
    if ((revoked.rowCount ?? 0) < BATCH) return total;
  }
}

/** A kill's revocation: one agent's live tokens, or under a global kill (`agentId` null) everyone's. */
export function revokeAgentToolTokens(db: Db, { agentId, reason, revokedBy }: { agentId: string | null; reason: string; revokedBy: string }): Promise<number> {
  return revokeWhere(db, agentId === null ? sql`true` : sql`t.agent_id = ${agentId}`, reason, revokedBy);
}

/** The tokens an ingest key asked for, when the key is revoked: whoever holds the key may hold them too. */
export function revokeKeyToolTokens(db: Queryable, { keyId, reason, revokedBy }: { keyId: string; reason: string; revokedBy: string }): Promise<number> {
  return revokeWhere(db, sql`t.key_id = ${keyId}`, reason, revokedBy);
}

export function revokeToolToken(db: Db, { jti, reason, revokedBy }: { jti: string; reason: string; revokedBy: string }): Promise<number> {
  return revokeWhere(db, sql`t.jti = ${jti}`, reason, revokedBy);
}

/**
 * The invariant behind every kill, kept each second by the kill-switch sync: no live token belongs
 * to a killed agent, or to anyone under a global kill. It catches kills made by hand in Redis (once
 * recorded) and a revocation a crash cut short.
 */
export async function sweepKilledAgentsTokens(db: Db): Promise<number> {
  const reason = "kill switch (recorded by the kill-switch sync)";
  const by = "system:killswitch-sync";
  const global = await db.execute(sql`SELECT 1 FROM kill_switches WHERE scope = 'global' AND killed`);
  if ((global.rowCount ?? 0) > 0) return revokeWhere(db, sql`true`, reason, by);
  // Killed agents are few: each one's live tokens are found through the (agent_id, expires_at) index.
  return revokeWhere(db, sql`t.agent_id IN (SELECT k.agent_id FROM kill_switches k WHERE k.scope = 'agent' AND k.killed)`, reason, by);
}

/** Rows of tokens expired a day ago: nothing refers to them any more, and the list and sweep stay small. */
export async function pruneExpiredToolTokens(db: Db): Promise<number> {
  const pruned = await db.execute(sql`DELETE FROM tool_tokens WHERE expires_at < now() - interval '1 day'`);
  return pruned.rowCount ?? 0;
}
