import { doublePrecision, index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const agents = pgTable("agents", {
  id: text().primaryKey(),
  displayName: text().notNull(),
  /** Events per minute; null means the configured default. */
  ingestRateLimitPerMin: integer(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  lastSeenAt: timestamp({ withTimezone: true }),
});

export const ingestKeys = pgTable(
  "ingest_keys",
  {
    id: uuid().primaryKey().defaultRandom(),
    agentId: text()
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    /** SHA-256 of the key: keys are 256-bit random, so a fast hash is enough and lookups stay O(1). */
    keyHash: text().notNull().unique(),
    keyPrefix: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    /** Requests refused because they carried this key after it was revoked: who still holds a rotated key. */
    refusedAfterRevokeCount: integer().notNull().default(0),
    lastRefusedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.agentId)],
);

/**
 * Further agents an ingest key may speak for, besides the one it was issued for: a process that
 * runs an orchestrator and its workers through one exporter. A record naming any other agent is
 * impersonation.
 */
export const ingestKeyAgents = pgTable(
  "ingest_key_agents",
  {
    keyId: uuid()
      .notNull()
      .references(() => ingestKeys.id, { onDelete: "cascade" }),
    agentId: text()
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    addedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.agentId] })],
);

/**
 * Prices an admin set per model, in USD per million tokens; they take precedence over the shipped
 * defaults (lib/model-prices/default-prices.ts). Used to cost LLM calls that arrive without a cost.
 */
export const modelPrices = pgTable("model_prices", {
  /** Matched as a prefix of the model a span names, longest first, case-insensitively. */
  model: text().primaryKey(),
  inputUsdPerMtok: doublePrecision().notNull(),
  outputUsdPerMtok: doublePrecision().notNull(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedBy: text().notNull(),
});
