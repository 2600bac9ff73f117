import { bigserial, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    actorType: text({ enum: ["user", "api_token", "cli", "system", "agent"] }).notNull(),
    actorId: text().notNull(),
    action: text().notNull(),
    targetType: text().notNull(),
    targetId: text().notNull(),
    reason: text(),
    before: jsonb(),
    after: jsonb(),
    requestId: text(),
    sourceIp: text(),
  },
  (t) => [index().on(t.at), index().on(t.targetType, t.targetId)],
);
