import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { credentials } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { openCredentialSecret, sealCredentialSecret } from "../secrets";
import type { CredentialProvider, RotationClaim } from "./provider";
import { randomSecret } from "./random-secret";
import { underClaim } from "./under-claim";

export const hmacSecretConfigSchema = z.strictObject({
  /** What the agent signs with it, for people reading the inventory (e.g. "messages to billing-agent"). */
  purpose: z.string().trim().max(200, "purpose: at most 200 characters").optional(),
});
export type HmacSecretConfig = z.infer<typeof hmacSecretConfigSchema>;

/**
 * An HMAC signing secret the console issued the agent (the guide's signed agent messages). The
 * console is its system of record: revoking clears the secret it holds, applying stores the new one.
 * It cannot prove the old one refused: the agents that verify the signatures hold their own copy.
 */
export function hmacSecretProvider(db: Db): CredentialProvider<HmacSecretConfig> {
  const held = async (credentialId: string): Promise<string | null> => {
    const [row] = await db.select({ sealed: credentials.secretSealed }).from(credentials).where(eq(credentials.id, credentialId));
    if (!row) throw new AppError("NOT_FOUND", `No credential ${credentialId}`);
    return row.sealed === null ? null : openCredentialSecret(row.sealed, `credential ${credentialId}`);
  };
  const hold = (credentialId: string, sealed: string | null, claim: RotationClaim | undefined) =>
    underClaim(db, claim, (tx) => tx.update(credentials).set({ secretSealed: sealed, updatedAt: sql`now()` }).where(eq(credentials.id, credentialId)));

  return {
    kind: "hmac_secret",
    configSchema: hmacSecretConfigSchema,

    async revokeOld({ credentialId, claim }) {
      await hold(credentialId, null, claim);
      return true;
    },

    async create() {
      return { secret: randomSecret() };
    },

    async apply({ credentialId, newSecret, claim }) {
      await hold(credentialId, sealCredentialSecret(newSecret), claim);
    },

    async verify({ credentialId, newSecret }) {
      const current = await held(credentialId);
      if (current !== newSecret) throw new AppError("CONFLICT", "verify: the console does not hold the new signing secret");
      // The agents that check these signatures keep their own copy: whether they still accept the old one is theirs to say.
      return { newWorks: true, oldRefused: null };
    },
  };
}
