import { createHash, randomBytes } from "node:crypto";
import type { Db } from "@/db/client";
import { findAgentByKeyHash, type KeyIdentity } from "@/db/queries/ingest-keys";
import { countRefusedIngestKey } from "@/lib/agents/ingest-key-rows";

export { recordKeyUse } from "@/lib/agents/ingest-key-rows";

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
  if (identity === null) await countRefusedIngestKey(db, keyHash);
  return identity;
}

/** Whether a key may act for an agent: the one it was issued for, or one of the further agents an admin let it speak for. */
export function keySpeaksFor(identity: KeyIdentity, agentId: string): boolean {
  return identity.agentId === agentId || identity.alsoSpeaksFor.some((a) => a.agentId === agentId);
}
