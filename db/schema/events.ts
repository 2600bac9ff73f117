import { type SQL, sql } from "drizzle-orm";
import { type AnyPgColumn, bigint, check, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const ACTION_TYPES = ["llm_call", "tool_call", "decision", "error", "security"] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

type SearchedColumns = Record<"actionName" | "toolName" | "inputSummary" | "outputSummary" | "error" | "securityFlags" | "metadata", AnyPgColumn>;

/**
 * The words an event search matches: names, summaries, error, flags and metadata string values. The
 * `simple` configuration keeps identifiers and words as written (no stemming, no stop words), and is
 * named explicitly so the expression is immutable. `<` and `>` become spaces
 * first: PostgreSQL's parser drops whatever looks like markup, and an injection hidden in an HTML
 * comment (`<!-- ignore all previous instructions -->`) must be found. Not indexed: see docs/storage.md.
 */
export function eventSearchDocument(t: SearchedColumns) {
  const words = (text: SQL) => sql`to_tsvector('simple'::regconfig, translate(${text}, '<>', '  '))`;
  const values = (json: SQL) => sql`jsonb_to_tsvector('simple'::regconfig, translate(${json}::text, '<>', '  ')::jsonb, '["string"]'::jsonb)`;
  return sql`(${words(sql`${t.actionName} || ' ' || coalesce(${t.toolName}, '') || ' ' || ${t.inputSummary} || ' ' || ${t.outputSummary} || ' ' || coalesce(${t.error}, '')`)} || ${values(sql`coalesce(${t.metadata}, '{}'::jsonb)`)} || ${values(sql`${t.securityFlags}`)})`;
}

/** What a search looks for, read as the document is: websearch syntax (words, "phrases", -excluded), markup characters as spaces. */
export function eventSearchQuery(q: string) {
  return sql`websearch_to_tsquery('simple'::regconfig, translate(${q}, '<>', '  '))`;
}

/**
 * Partitioned by day on `ts` (the migration adds PARTITION BY RANGE, which drizzle cannot express).
 * A unique key must hold the partition key, so a retry is recognised as the same agent, id and time;
 * the agent is part of it so that one agent's ids can never suppress another agent's events.
 */
export const events = pgTable(
  "events",
  {
    ts: timestamp({ withTimezone: true, precision: 6 }).notNull(),
    eventId: uuid().notNull(),
    agentId: text().notNull(),
    sessionId: text().notNull(),
    actionType: text({ enum: ACTION_TYPES }).notNull(),
    actionName: text().notNull(),
    inputSummary: text().notNull(),
    outputSummary: text().notNull(),
    durationMs: doublePrecision().notNull(),
    tokenCount: integer(),
    costUsd: doublePrecision(),
    toolName: text(),
    toolArgsHash: text(),
    error: text(),
    securityFlags: jsonb().$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    metadata: jsonb().$type<Record<string, unknown>>(),
    actionSequence: integer(),
    sessionElapsedS: doublePrecision(),
    sessionTotalCostUsd: doublePrecision(),
    /** What redaction removed, as counts per type; never the values. */
    redactions: jsonb().$type<Record<string, number>>(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.ts, t.agentId, t.eventId] }),
    index("events_session_idx").on(t.sessionId, t.ts, t.actionSequence),
    index("events_agent_ts_idx").on(t.agentId, t.ts),
  ],
);

/**
 * The floor under event retention, in days: SOC_RETENTION_DAYS as the owner's login wrote it at the
 * last migration. The console's own login may only read it, and the retention function it calls
 * (agentsoc_drop_event_partitions_before) never drops a partition younger than this.
 */
export const retentionPolicy = pgTable(
  "retention_policy",
  {
    id: integer().primaryKey().default(1),
    retentionDays: integer().notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("retention_policy_one_row", sql`${t.id} = 1`), check("retention_policy_at_least_a_day", sql`${t.retentionDays} >= 1`)],
);

export const sessions = pgTable(
  "sessions",
  {
    sessionId: text().notNull(),
    agentId: text().notNull(),
    startedAt: timestamp({ withTimezone: true, precision: 6 }).notNull(),
    lastEventAt: timestamp({ withTimezone: true, precision: 6 }).notNull(),
    eventCount: integer().notNull(),
    costUsd: doublePrecision().notNull().default(0),
    tokens: bigint({ mode: "number" }).notNull().default(0),
    errorCount: integer().notNull().default(0),
    toolCalls: integer().notNull().default(0),
    llmCalls: integer().notNull().default(0),
    /** The most tool calls seen in any 60-second window: evidence for learned baselines. */
    peakToolCallsPerMinute: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.agentId] }), index().on(t.agentId, t.lastEventAt), index().on(t.lastEventAt)],
);

/** Per agent and UTC hour, rolled up in the ingest statement so that dashboards never scan raw events. */
export const agentActivityHourly = pgTable(
  "agent_activity_hourly",
  {
    agentId: text().notNull(),
    hour: timestamp({ withTimezone: true }).notNull(),
    events: integer().notNull(),
    toolCalls: integer().notNull(),
    llmCalls: integer().notNull(),
    errors: integer().notNull(),
    decisions: integer().notNull().default(0),
    securityEvents: integer().notNull().default(0),
    costUsd: doublePrecision().notNull(),
    tokens: bigint({ mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.hour] }), index().on(t.hour)],
);

/** Per agent and UTC minute, for the dashboard's short ranges; kept for two days. */
export const agentActivityMinutely = pgTable(
  "agent_activity_minutely",
  {
    agentId: text().notNull(),
    minute: timestamp({ withTimezone: true }).notNull(),
    llmCalls: integer().notNull(),
    toolCalls: integer().notNull(),
    decisions: integer().notNull(),
    errors: integer().notNull(),
    securityEvents: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.minute] }), index().on(t.minute)],
);
