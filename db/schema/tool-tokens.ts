import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { agents, ingestKeys } from "./agents";

/**
 * Every short-lived tool token the console issued: what it grants and until when, never the token
 * itself (it is signed, not stored). A kill sets revoked_at on the agent's tokens that have not expired.
 */
export const toolTokens = pgTable(
  "tool_tokens",
  {
    jti: uuid().primaryKey(),
    agentId: text()
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    /** The ingest key that asked for it. */
    keyId: uuid().references(() => ingestKeys.id, { onDelete: "set null" }),
    sessionId: text(),
    tools: jsonb().$type<string[]>().notNull(),
    permissions: jsonb().$type<string[]>().notNull(),
    toolPermissions: jsonb().$type<Record<string, string[]>>().notNull(),
    alg: text().notNull(),
    /** The signing key's id (JWK thumbprint); null for HS256. */
    kid: text(),
    policyVersion: integer().notNull(),
    issuedAt: timestamp({ withTimezone: true }).notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    revokedAt: timestamp({ withTimezone: true }),
    revokedBy: text(),
    revokeReason: text(),
  },
  (t) => [index().on(t.agentId, t.expiresAt), index("tool_tokens_revoked_idx").on(t.revokedAt).where(sql`${t.revokedAt} IS NOT NULL`)],
);

/**
 * Generations of the token-signing key. The keys are derived from SOC_SECRET and the generation, not
 * stored; a rotation starts the next generation, and the JWKS keeps publishing a retired one until
 * the tokens it signed have expired. No row means generation 1.
 */
export const toolTokenKeys = pgTable("tool_token_keys", {
  generation: integer().primaryKey(),
  kid: text().notNull(),
  createdBy: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  retiredAt: timestamp({ withTimezone: true }),
});
