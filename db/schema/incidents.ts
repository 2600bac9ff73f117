import { bigint, bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { RunbookDefinition } from "../../lib/runbooks/parse-runbook";
import { alertSeverity } from "./detection";

export const INCIDENT_STATUSES = ["open", "contained", "eradicated", "recovered", "closed"] as const;
export const STEP_STATES = ["pending", "running", "done", "failed", "skipped"] as const;

/** A runbook by name; its text lives in versions, and an incident keeps the version it started with. */
export const runbooks = pgTable("runbooks", {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull().unique(),
  latestVersion: integer().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const runbookVersions = pgTable(
  "runbook_versions",
  {
    runbookId: uuid()
      .notNull()
      .references(() => runbooks.id),
    version: integer().notNull(),
    /** The YAML exactly as uploaded. */
    source: text().notNull(),
    definition: jsonb().$type<RunbookDefinition>().notNull(),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex().on(t.runbookId, t.version)],
);

export const incidents = pgTable(
  "incidents",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    title: text().notNull(),
    severity: alertSeverity().notNull(),
    status: text({ enum: INCIDENT_STATUSES }).notNull().default("open"),
    agentIds: text().array().notNull(),
    sessionIds: text().array().notNull(),
    alertIds: bigint({ mode: "number" }).array().notNull(),
    runbookId: uuid()
      .notNull()
      .references(() => runbooks.id),
    runbookVersion: integer().notNull(),
    ownerId: text().notNull(),
    ownerName: text().notNull(),
    /** The runbook's escalation path, with who paged each role and when, and the last page's deliveries: [{role, paged_at, paged_by, delivery_ids?}]. */
    escalation: jsonb().$type<{ role: string; paged_at: string | null; paged_by: string | null; delivery_ids?: number[] }[]>().notNull(),
    postIncidentNotes: text().notNull().default(""),
    openedBy: text().notNull(),
    openedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** When the trouble began: the earliest event of its alerts, else the opening. `{incident_start}` in commands. */
    startedAt: timestamp({ withTimezone: true, precision: 6 }).notNull(),
    closedAt: timestamp({ withTimezone: true }),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.status, t.openedAt), index("incidents_agent_ids_idx").using("gin", t.agentIds)],
);

/** One runbook step of one incident, in the runbook's order. */
export const incidentSteps = pgTable(
  "incident_steps",
  {
    incidentId: bigint({ mode: "number" })
      .notNull()
      .references(() => incidents.id),
    stepId: text().notNull(),
    position: integer().notNull(),
    phase: text().notNull(),
    title: text().notNull(),
    state: text({ enum: STEP_STATES }).notNull().default("pending"),
    attempts: integer().notNull().default(0),
    actor: text(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    note: text(),
    /** What an automated step produced (snapshot links, peers found, …), or why it failed. */
    output: jsonb(),
    error: text(),
  },
  (t) => [uniqueIndex().on(t.incidentId, t.stepId), index().on(t.incidentId, t.position)],
);

/** Everything that happened to an incident, in order: the page's activity timeline. */
export const incidentActivity = pgTable(
  "incident_activity",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    incidentId: bigint({ mode: "number" })
      .notNull()
      .references(() => incidents.id),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    actor: text().notNull(),
    kind: text().notNull(),
    summary: text().notNull(),
    detail: jsonb(),
  },
  (t) => [index().on(t.incidentId, t.id)],
);
