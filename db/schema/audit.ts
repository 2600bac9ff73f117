import { sql } from "drizzle-orm";
import { bigint, check, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Append-only. Each row's `hash` covers its content and the previous row's hash, so altering or
 * removing a row breaks the chain at that row (`npm run soc -- audit verify`).
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint({ mode: "number" }).primaryKey(),
    at: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    actorType: text({ enum: ["user", "api_token", "cli", "system", "agent", "anonymous"] }).notNull(),
    actorId: text().notNull(),
    action: text().notNull(),
    targetType: text().notNull(),
    targetId: text().notNull(),
    reason: text(),
    before: jsonb(),
    after: jsonb(),
    requestId: text(),
    sourceIp: text(),
    /** hmac-sha256 keyed with SOC_SECRET, or sha256 when the console had no secret. */
    hashAlg: text({ enum: ["hmac-sha256", "sha256"] }).notNull(),
    prevHash: text().notNull(),
    hash: text().notNull(),
  },
  (t) => [
    index().on(t.at),
    index().on(t.targetType, t.targetId),
    index().on(t.actorId),
    index().on(t.action),
    // The chain starts at 1: a row slipped in below it would be listed but never verified.
    check("audit_log_id_positive", sql`${t.id} > 0`),
  ],
);
