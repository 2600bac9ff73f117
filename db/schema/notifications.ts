import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { alertSeverity, alerts } from "./detection";

export const NOTIFICATION_KINDS = ["slack", "json"] as const;
export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
/** What the audit log names a destination as (audit_log.target_type). */
export const DESTINATION_TARGET = "notification_destination";
/** What the audit log names a role → destination mapping as; target_id is the role. */
export const ESCALATION_ROLE_TARGET = "escalation_role";
/** What a delivery carries, for the X-AgentSOC-Event header and the deliveries list. */
export const DELIVERY_EVENTS = ["alert.opened", "test", "credential_rotation.failed", "incident.paged"] as const;

/** Webhook destinations. The URL is a credential (Slack's carries its token), so it is stored sealed with SOC_SECRET. */
export const notificationDestinations = pgTable("notification_destinations", {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull(),
  kind: text({ enum: NOTIFICATION_KINDS }).notNull(),
  urlSealed: text().notNull(),
  /** Scheme and host only, for display. */
  urlHint: text().notNull(),
  minSeverity: alertSeverity().notNull(),
  enabled: boolean().notNull().default(true),
  /** Bumped to rotate the HMAC signing key, which is derived from SOC_SECRET and never stored. */
  signingKeyVersion: integer().notNull().default(1),
  createdBy: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** An outbox: rows are written in the transaction that opened the alert, and sent after commit. */
export const notificationDeliveries = pgTable(
  "notification_deliveries",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    destinationId: uuid()
      .notNull()
      .references(() => notificationDestinations.id, { onDelete: "cascade" }),
    alertId: bigint({ mode: "number" }).references(() => alerts.id, { onDelete: "cascade" }),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    /** Null on rows queued before events were recorded: then alert.opened when alert_id is set, else the payload's own `event`, else test. */
    event: text({ enum: DELIVERY_EVENTS }),
    status: text({ enum: DELIVERY_STATUSES }).notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    leaseUntil: timestamp({ withTimezone: true }),
    lastError: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.status, t.nextAttemptAt), index().on(t.destinationId, t.id)],
);

export const notificationAttempts = pgTable(
  "notification_attempts",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    deliveryId: bigint({ mode: "number" })
      .notNull()
      .references(() => notificationDeliveries.id, { onDelete: "cascade" }),
    attempt: integer().notNull(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    statusCode: integer(),
    error: text(),
    durationMs: integer().notNull(),
  },
  (t) => [index().on(t.deliveryId)],
);

/** Where a page to an escalation role (a runbook's `escalation_path` entry, by name) is sent: one row per role and destination. */
export const escalationRoleDestinations = pgTable(
  "escalation_role_destinations",
  {
    id: uuid().primaryKey().defaultRandom(),
    role: text().notNull(),
    destinationId: uuid()
      .notNull()
      .references(() => notificationDestinations.id, { onDelete: "cascade" }),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex().on(t.role, t.destinationId)],
);
