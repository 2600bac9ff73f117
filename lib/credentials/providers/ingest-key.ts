import { and, eq, isNull, ne } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { ingestKeys } from "@/db/schema";
import { addIngestKey, revokeLiveIngestKeys } from "@/lib/agents/ingest-key-rows";
import { AppError } from "@/lib/errors";
import { findAgentByIngestKey, generateIngestKey, hashIngestKey, ingestKeyPrefix } from "@/lib/ingest/ingest-keys";
import type { CredentialProvider } from "./provider";
import { underClaim } from "./under-claim";

export const ingestKeyConfigSchema = z.strictObject({});
export type IngestKeyConfig = z.infer<typeof ingestKeyConfigSchema>;

/**
 * The agent's own ingest keys. Revoking comes first: every live key of the agent stops working, so
 * a stolen key is dead before the new one exists. Verification goes through the same lookup that
 * ingest uses: the new key finds the agent, and no other key of the agent is live.
 */
export function ingestKeyProvider(db: Db): CredentialProvider<IngestKeyConfig> {
  return {
    kind: "ingest_key",
    configSchema: ingestKeyConfigSchema,

    async revokeOld({ agentId, claim }) {
      await underClaim(db, claim, (tx) => revokeLiveIngestKeys(tx, agentId));
      return true;
    },

    async create() {
      return { secret: generateIngestKey().key };
    },

    async apply({ agentId, newSecret, claim }) {
      // The same key again after a crash finds its row already there.
      await underClaim(db, claim, (tx) => addIngestKey(tx, { agentId, hash: hashIngestKey(newSecret), prefix: ingestKeyPrefix(newSecret) }));
    },

    async verify({ agentId, newSecret }) {
      const identity = await findAgentByIngestKey(db, newSecret);
      if (identity?.agentId !== agentId) throw new AppError("CONFLICT", `verify: the new ingest key does not authenticate agent ${agentId}`);
      const others = await db
        .select({ prefix: ingestKeys.keyPrefix })
        .from(ingestKeys)
        .where(and(eq(ingestKeys.agentId, agentId), isNull(ingestKeys.revokedAt), ne(ingestKeys.keyHash, hashIngestKey(newSecret))));
      if (others.length > 0) {
        throw new AppError("CONFLICT", `verify: agent ${agentId} still has other live ingest keys (${others.map((k) => `${k.prefix}…`).join(", ")})`);
      }
      return { newWorks: true, oldRefused: true };
    },
  };
}
