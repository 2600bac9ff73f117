import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { agents } from "./agents";

/** Per agent: the security policy in effect (the guide's AgentSecurityPolicy fields, as JSON), and its version. */
export const agentPolicies = pgTable("agent_policies", {
  agentId: text()
    .primaryKey()
    .references(() => agents.id, { onDelete: "cascade" }),
  policy: jsonb().$type<Record<string, unknown>>().notNull(),
  version: integer().notNull(),
  updatedBy: text().notNull(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** Every version an agent's policy has had; `policy` is null for a version that removed it. */
export const agentPolicyVersions = pgTable(
  "agent_policy_versions",
  {
    agentId: text()
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    version: integer().notNull(),
    policy: jsonb().$type<Record<string, unknown>>(),
    /** What this version changed from the one before (tools added and removed, fields before and after). */
    change: jsonb().$type<Record<string, unknown>>().notNull(),
    changedBy: text().notNull(),
    changedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    reason: text(),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.version] }), index().on(t.changedAt)],
);

/**
 * The capability registry: what one agent may ask another (the guide's AgentCapability). A pair
 * has at most one grant in force; a revoked grant stays, for the record.
 */
export const capabilityGrants = pgTable(
  "capability_grants",
  {
    id: uuid().primaryKey().defaultRandom(),
    sourceAgent: text().notNull(),
    targetAgent: text().notNull(),
    allowedActions: jsonb().$type<string[]>().notNull(),
    maxRequestsPerMinute: integer().notNull(),
    /** Null: no expiry (the guide's 0). */
    expiresAt: timestamp({ withTimezone: true }),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    revokedBy: text(),
    revokedAt: timestamp({ withTimezone: true }),
    revokeReason: text(),
  },
  (t) => [uniqueIndex("capability_grants_in_force_idx").on(t.sourceAgent, t.targetAgent).where(sql`${t.revokedAt} IS NULL`), index().on(t.targetAgent)],
);
