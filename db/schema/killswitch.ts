import { bigint, bigserial, boolean, index, integer, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * PostgreSQL's record of every kill switch, the source of truth Redis is restored from.
 * One row per agent ever killed, and one row with scope 'global' (agent_id '*').
 */
export const killSwitches = pgTable(
  "kill_switches",
  {
    scope: text({ enum: ["agent", "global"] }).notNull(),
    agentId: text().notNull(),
    killed: boolean().notNull(),
    reason: text(),
    killedBy: text(),
    killedAt: timestamp({ withTimezone: true, precision: 3 }),
    /** Who made the latest change: the console (UI, API, CLI, policy) or someone writing Redis by hand. */
    source: text({ enum: ["console", "redis"] }).notNull(),
    acknowledgedAt: timestamp({ withTimezone: true, precision: 3 }),
    actionsAfterKill: integer().notNull().default(0),
    lastActionAfterKillAt: timestamp({ withTimezone: true, precision: 3 }),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex().on(t.scope, t.agentId)],
);

export const killSwitchHistory = pgTable(
  "kill_switch_history",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    at: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    action: text({ enum: ["kill", "kill_all", "revive", "lift_all", "restore", "ack"] }).notNull(),
    agentId: text(),
    reason: text(),
    actor: text().notNull(),
    source: text({ enum: ["console", "redis"] }).notNull(),
  },
  (t) => [index().on(t.agentId, t.at)],
);

/**
 * How many changes the console has written to Redis, as Redis counted them. Redis holding a lower
 * count than this has lost recent writes (a replica promoted, an old snapshot restored) even if its
 * marker survived: its missing kills are data loss, not revives by hand.
 */
export const killSwitchSync = pgTable("kill_switch_sync", {
  id: integer().primaryKey(),
  generation: bigint({ mode: "number" }).notNull(),
});

export const KILL_POLICY_RULES = ["canary_leak", "critical_alert", "session_cost_above"] as const;

export const killPolicies = pgTable(
  "kill_policies",
  {
    agentId: text().notNull(),
    rule: text({ enum: KILL_POLICY_RULES }).notNull(),
    /** For session_cost_above: the hard limit in USD. */
    threshold: text(),
    enabled: boolean().notNull().default(true),
    updatedBy: text().notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex().on(t.agentId, t.rule)],
);
