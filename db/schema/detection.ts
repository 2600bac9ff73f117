import { sql } from "drizzle-orm";
import { bigint, bigserial, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { SEVERITIES } from "../../lib/detect/types";
import { agents } from "./agents";

export const alertSeverity = pgEnum("alert_severity", SEVERITIES);

export const ALERT_STATUSES = ["open", "acknowledged", "resolved"] as const;
export const BASELINE_SOURCES = ["configured", "learned"] as const;
export const CANARY_PLACEMENTS = ["system_prompt", "document", "tool"] as const;

/**
 * One row per finding group: repeated findings of one type and severity in one session (or, for
 * agent-wide findings, one agent) add to `count` while the alert is not resolved.
 */
export const alerts = pgTable(
  "alerts",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    agentId: text().notNull(),
    /** Null for findings about the agent rather than one session (unknown_agent). */
    sessionId: text(),
    type: text().notNull(),
    severity: alertSeverity().notNull(),
    status: text({ enum: ALERT_STATUSES }).notNull().default("open"),
    detail: text().notNull(),
    count: integer().notNull(),
    baselineSource: text({ enum: BASELINE_SOURCES }),
    firstEventId: uuid(),
    firstEventAt: timestamp({ withTimezone: true, precision: 6 }),
    lastEventId: uuid(),
    lastEventAt: timestamp({ withTimezone: true, precision: 6 }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    acknowledgedBy: text(),
    acknowledgedAt: timestamp({ withTimezone: true }),
    resolvedBy: text(),
    resolvedAt: timestamp({ withTimezone: true }),
    resolutionNote: text(),
  },
  (t) => [
    uniqueIndex("alerts_open_group_idx").on(t.agentId, sql`coalesce(${t.sessionId}, '')`, t.type, t.severity).where(sql`${t.status} <> 'resolved'`),
    index().on(t.status, t.severity),
    index().on(t.agentId, t.id),
    index().on(t.sessionId),
    index().on(t.lastSeenAt),
  ],
);

/** Per agent: the baseline an admin configured and the one the console learned from history. JSON uses the guide's field names. */
export const agentBaselines = pgTable("agent_baselines", {
  agentId: text()
    .primaryKey()
    .references(() => agents.id, { onDelete: "cascade" }),
  configured: jsonb().$type<Record<string, unknown>>(),
  configuredBy: text(),
  configuredAt: timestamp({ withTimezone: true }),
  learned: jsonb().$type<Record<string, unknown>>(),
  learnedEvidence: jsonb().$type<Record<string, unknown>>(),
  learnedAt: timestamp({ withTimezone: true }),
});

export const canaries = pgTable(
  "canaries",
  {
    id: uuid().primaryKey().defaultRandom(),
    agentId: text()
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    token: text().notNull().unique(),
    placement: text({ enum: CANARY_PLACEMENTS }).notNull(),
    label: text().notNull(),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    retiredAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.agentId)],
);

/**
 * Monotonic totals behind /metrics, kept in PostgreSQL so they survive restarts and agree across
 * instances. Each family is written by one ingest statement only, which keeps row-lock order fixed.
 */
export const METRIC_FAMILIES = ["tool_calls", "security_reported", "security_detected", "anomaly"] as const;
export const metricCounters = pgTable(
  "metric_counters",
  {
    family: text({ enum: METRIC_FAMILIES }).notNull(),
    agentId: text().notNull(),
    label: text().notNull(),
    value: bigint({ mode: "number" }).notNull(),
    lastAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.family, t.agentId, t.label] })],
);

/** Findings per agent, hour and type, for the dashboard's ranges. */
export const findingsHourly = pgTable(
  "findings_hourly",
  {
    agentId: text().notNull(),
    hour: timestamp({ withTimezone: true }).notNull(),
    type: text().notNull(),
    count: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.hour, t.type] }), index().on(t.hour)],
);
