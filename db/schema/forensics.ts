import { bigint, bigserial, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { alertSeverity } from "./detection";

const bytea = customType<{ data: Buffer }>({ dataType: () => "bytea" });

/**
 * Every finding, one row per event that raised it: the per-event evidence behind an alert's count,
 * which the forensic timeline marks in place. Kept as long as the events are.
 */
export const findings = pgTable(
  "findings",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    /** The alert this finding counts towards. Not a foreign key: findings are written with their alert in one statement, alerts are never deleted, and a key check per finding would lock the alert row for every batch that adds to it. */
    alertId: bigint({ mode: "number" }).notNull(),
    agentId: text().notNull(),
    /** The event's session (an agent-wide alert's findings still point at the session they came from). */
    sessionId: text().notNull(),
    eventId: uuid().notNull(),
    eventAt: timestamp({ withTimezone: true, precision: 6 }).notNull(),
    type: text().notNull(),
    severity: alertSeverity().notNull(),
    detail: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.sessionId, t.agentId, t.eventAt), index().on(t.alertId), index().on(t.eventAt)],
);

/**
 * Who talked to whom, per hour, from events whose metadata names a peer agent. `reportedBy` is the
 * agent whose event named the peer, so both sides of one exchange show up when both log it.
 */
export const agentCommunicationsHourly = pgTable(
  "agent_communications_hourly",
  {
    agentId: text().notNull(),
    peerAgentId: text().notNull(),
    /** "sent" when the agent's event names the peer as recipient, "received" when as sender. */
    direction: text({ enum: ["sent", "received"] }).notNull(),
    hour: timestamp({ withTimezone: true }).notNull(),
    count: integer().notNull(),
    firstAt: timestamp({ withTimezone: true, precision: 6 }).notNull(),
    lastAt: timestamp({ withTimezone: true, precision: 6 }).notNull(),
    lastSessionId: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.peerAgentId, t.direction, t.hour] }), index().on(t.peerAgentId, t.hour), index().on(t.hour)],
);

/**
 * A frozen session: the NDJSON of its events and alerts, and the signed manifest naming its hash.
 * Never updated or deleted (a trigger refuses both) and exempt from retention.
 */
export const evidenceSnapshots = pgTable(
  "evidence_snapshots",
  {
    id: uuid().primaryKey(),
    sessionId: text().notNull(),
    agentId: text().notNull(),
    takenBy: text().notNull(),
    takenAt: timestamp({ withTimezone: true }).notNull(),
    eventCount: integer().notNull(),
    alertCount: integer().notNull(),
    ndjsonSha256: text().notNull(),
    ndjson: bytea().notNull(),
    /** The manifest file exactly as signed and served. */
    manifest: text().notNull(),
    manifestFields: jsonb().notNull(),
  },
  (t) => [index().on(t.sessionId, t.agentId, t.takenAt)],
);
