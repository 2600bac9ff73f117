import { sql } from "drizzle-orm";
import { check, integer, pgTable, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * This installation's identity: one row, made with the database. Every console instance on one
 * database shares it; a console on another database has another, which is how a console tells its
 * own marker in Redis from one written by a different installation sharing that Redis.
 */
export const installation = pgTable(
  "installation",
  {
    id: integer().primaryKey().default(1),
    installationId: uuid().notNull().defaultRandom(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("installation_one_row", sql`${t.id} = 1`)],
);
