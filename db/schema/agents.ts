import { index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

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
