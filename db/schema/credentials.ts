import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { CREDENTIAL_KINDS, ROTATION_ITEM_STEPS } from "../../lib/credentials/providers/provider";
import { agents } from "./agents";
import { incidents } from "./incidents";

export const ROTATION_RUN_STATUSES = ["running", "succeeded", "failed"] as const;
export const ROTATION_ITEM_STATES = ["pending", "retrying", "rotated", "failed"] as const;

/** What an agent can reach. Secret values are never returned by the API after creation. */
export const credentials = pgTable(
  "credentials",
  {
    id: uuid().primaryKey().defaultRandom(),
    agentId: text()
      .notNull()
      .references(() => agents.id),
    name: text().notNull(),
    kind: text({ enum: CREDENTIAL_KINDS }).notNull(),
    /** Non-secret settings: role and server, ACL user, secret manager URL. */
    config: jsonb().$type<Record<string, unknown>>().notNull(),
    /**
     * The secret in use, sealed with SOC_SECRET (AES-256-GCM), when the console knows it: kept only
     * so that the next rotation can prove the old secret is refused. Never returned.
     */
    secretSealed: text(),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** Removed from the inventory; kept because rotation runs refer to it. */
    retiredAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("credentials_agent_name_idx").on(t.agentId, t.name).where(sql`${t.retiredAt} IS NULL`),
    uniqueIndex("credentials_one_ingest_key_idx").on(t.agentId).where(sql`${t.kind} = 'ingest_key' AND ${t.retiredAt} IS NULL`),
  ],
);

/** One rotation of a set of credentials, started by a person (or an incident's runbook step). */
export const rotationRuns = pgTable(
  "rotation_runs",
  {
    id: uuid().primaryKey().defaultRandom(),
    agentIds: text().array().notNull(),
    /** The incident it works for; a runbook step it started names it in its output and completes when it ends. */
    incidentId: bigint({ mode: "number" }).references(() => incidents.id),
    status: text({ enum: ROTATION_RUN_STATUSES }).notNull().default("running"),
    requestedBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp({ withTimezone: true }),
    /** `{rotated: [...], failed: [{credential_id, name, step, error}]}` once finished. */
    summary: jsonb().$type<Record<string, unknown>>(),
  },
  (t) => [index().on(t.incidentId), index().on(t.createdAt)],
);

/**
 * One credential in one run: the next step to run and how the last attempt went. Written after
 * every step, so a console that restarts resumes at `step` and never repeats a recorded one.
 */
export const rotationItems = pgTable(
  "rotation_items",
  {
    id: uuid().primaryKey().defaultRandom(),
    runId: uuid()
      .notNull()
      .references(() => rotationRuns.id),
    credentialId: uuid()
      .notNull()
      .references(() => credentials.id),
    position: integer().notNull(),
    step: text({ enum: ROTATION_ITEM_STEPS }).notNull().default("revoke_old"),
    state: text({ enum: ROTATION_ITEM_STATES }).notNull().default("pending"),
    /** Attempts at the current step; back-off and the failure limit count these. */
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** Held by the worker running a step; a worker that died loses it when it runs out. */
    leaseUntil: timestamp({ withTimezone: true }),
    lastError: text(),
    revokedOld: boolean(),
    oldRefused: boolean(),
    /** What the provider's steps reported (ids of revoked keys, …), never a secret. */
    facts: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** The secret in use when the run started, sealed (null when the console did not know it): what `verify` proves refused. */
    oldSecretSealed: text(),
    /** The new secret, sealed, from `create` until the responder has seen it once (or the provider holds it). */
    newSecretSealed: text(),
    revealedAt: timestamp({ withTimezone: true }),
    revealedBy: text(),
    /** A later run rotated the credential again before this one's new secret was shown: it is dead, and no longer kept. */
    supersededByRunId: uuid(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    /** A failed credential stays at the top of its incident until someone says how it was dealt with. */
    resolvedAt: timestamp({ withTimezone: true }),
    resolvedBy: text(),
    resolutionNote: text(),
  },
  (t) => [
    uniqueIndex().on(t.runId, t.credentialId),
    // One live rotation per credential, whoever starts it and however often.
    uniqueIndex("rotation_items_one_live_idx").on(t.credentialId).where(sql`${t.state} IN ('pending', 'retrying')`),
    index().on(t.state, t.nextAttemptAt),
    // A credential's rotation state and last rotation are read from its items.
    index().on(t.credentialId),
  ],
);
