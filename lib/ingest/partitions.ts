import { sql } from "drizzle-orm";
import type { Db, Queryable, Tx } from "@/db/client";
import { readRetentionFloor } from "@/db/queries/events";
import { retentionPolicy } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import type { Ctx } from "@/lib/context";
import { forgetFindingsBefore } from "@/lib/detect/forget-findings";
import { AppError, errorCode } from "@/lib/errors";

const DAY_MS = 86_400_000;
const PARTITION_NAME = /^events_p(\d{4})(\d{2})(\d{2})$/;
/** Deleting a long-expired backlog of rollups may take a while; the console's own statement limit is for searches. */
const RETENTION_STATEMENT_TIMEOUT = "10min";

export function dayStart(epochMs: number): number {
  return Math.floor(epochMs / DAY_MS) * DAY_MS;
}

export function partitionName(dayStartMs: number): string {
  return `events_p${new Date(dayStartMs).toISOString().slice(0, 10).replaceAll("-", "")}`;
}

/** Day start (UTC, ms) of a partition from its name, or null for a table that is not a day partition. */
export function partitionDay(name: string): number | null {
  const m = PARTITION_NAME.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

/** Partitions known to exist in this process, so the hot path only touches the catalogue for a new day. */
const knownDays = new Set<number>();

export function forgetKnownPartitions(): void {
  knownDays.clear();
}

export async function listPartitions(db: Queryable): Promise<string[]> {
  const result = await db.execute<{ name: string }>(sql`
    SELECT c.relname AS name FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'public.events'::regclass ORDER BY c.relname`);
  return result.rows.map((r) => r.name);
}

/**
 * Creates the partitions of the given days that do not exist yet, through agentsoc_create_event_partition
 * (migration 0007): the console's own login may not create tables. Partition DDL never waits long on
 * a busy events table (lock_timeout 5 s there): it fails and the caller retries.
 */
export async function ensureDayPartitions(db: Db, dayStartsMs: Iterable<number>): Promise<void> {
  const missing = [...new Set(dayStartsMs)].filter((d) => !knownDays.has(d));
  if (missing.length === 0) return;
  await db.transaction(async (tx) => {
    for (const day of missing) await tx.execute(sql`SELECT agentsoc_create_event_partition(${new Date(day).toISOString().slice(0, 10)}::date)`);
  });
  for (const day of missing) knownDays.add(day);
}

/** Every day an event may be accepted for: the retention window behind, and a few days ahead. */
export async function createWindowPartitions(db: Db, nowMs: number, retentionDays: number, daysAhead = 3): Promise<void> {
  const today = dayStart(nowMs);
  const first = dayStart(nowMs - retentionDays * DAY_MS);
  const days: number[] = [];
  for (let day = first; day <= today + daysAhead * DAY_MS; day += DAY_MS) days.push(day);
  await ensureDayPartitions(db, days);
}

/** Written with the owner's rights at every migration: the console's own login may only read it. */
export async function setRetentionFloor(db: Db, retentionDays: number): Promise<void> {
  await db
    .insert(retentionPolicy)
    .values({ retentionDays })
    .onConflictDoUpdate({ target: retentionPolicy.id, set: { retentionDays, updatedAt: sql`now()` } });
}

export interface RetentionResult {
  droppedPartitions: string[];
  deletedSessions: number;
  /** The window applied: the one asked for, or the retention floor when that is longer and the floor holds. */
  retentionDays: number;
  floorDays: number;
}

export interface RetentionInput {
  nowMs: number;
  retentionDays: number;
  /** An operator's explicit request to drop events younger than the floor; only the owner's login may. */
  belowFloor?: boolean;
}

/** Drops the day partitions older than the cutoff: below the floor through the owner-only function, else through the app's. */
async function dropExpiredPartitions(tx: Tx, cutoffIso: string, belowFloorDays: number | null): Promise<string[]> {
  if (belowFloorDays === null) {
    const dropped = await tx.execute<{ name: string }>(sql`SELECT name FROM agentsoc_drop_event_partitions_before(${cutoffIso}::timestamptz) AS name`);
    return dropped.rows.map((r) => r.name);
  }
  const dropped = await tx
    .execute<{ name: string }>(sql`SELECT name FROM agentsoc_drop_event_partitions_keeping(${belowFloorDays}, ${cutoffIso}::timestamptz) AS name`)
    .catch((err: unknown) => {
      if (errorCode(err) === "42501") {
        throw new AppError("FORBIDDEN", "only the owner's login (DATABASE_URL) may drop events younger than the retention floor set at the last migration");
      }
      throw err;
    });
  return dropped.rows.map((r) => r.name);
}

/**
 * Retention: drops whole partitions whose every row is older than the window, with the session and
 * hourly rollups of that time, in one audited transaction. The window is never shorter than the
 * floor the owner set at the last migration (SOC_RETENTION_DAYS then), unless the owner's login asks
 * for it explicitly (`belowFloor`); the console's own login cannot.
 */
export async function applyRetention({ ctx, input }: { ctx: Ctx; input: RetentionInput }): Promise<RetentionResult> {
  if (!Number.isInteger(input.retentionDays) || input.retentionDays < 1) {
    throw new AppError("VALIDATION", `retention must be a whole number of days, at least 1 (got ${input.retentionDays})`);
  }
  const result = await ctx.db.transaction(async (tx) => {
    await tx.execute(sql.raw(`SET LOCAL statement_timeout = '${RETENTION_STATEMENT_TIMEOUT}'`));
    const floorDays = await readRetentionFloor(tx);
    const belowFloor = input.belowFloor === true && input.retentionDays < floorDays;
    const retentionDays = belowFloor ? input.retentionDays : Math.max(input.retentionDays, floorDays);
    // Same boundary as ingest validation: a partition goes once its newest possible row is older than the window.
    const cutoffIso = new Date(input.nowMs - retentionDays * DAY_MS).toISOString();
    const expired = await dropExpiredPartitions(tx, cutoffIso, belowFloor ? retentionDays : null);
    const sessions = await tx.execute(sql`DELETE FROM sessions WHERE last_event_at < ${cutoffIso}::timestamptz`);
    await tx.execute(sql`DELETE FROM agent_activity_hourly WHERE hour < ${cutoffIso}::timestamptz`);
    const deletedFindings = await forgetFindingsBefore(tx, cutoffIso);
    const communications = await tx.execute(sql`DELETE FROM agent_communications_hourly WHERE hour < ${cutoffIso}::timestamptz`);
    // Evidence snapshots are exempt: they exist to outlive the events they froze.
    // The per-minute rollup serves only the dashboard's 1 h and 24 h ranges.
    await tx.execute(sql`DELETE FROM agent_activity_minutely WHERE minute < ${new Date(input.nowMs - 2 * DAY_MS).toISOString()}::timestamptz`);
    const deletedSessions = sessions.rowCount ?? 0;
    const deletedCommunications = communications.rowCount ?? 0;
    if (expired.length > 0 || deletedSessions > 0 || deletedFindings > 0 || deletedCommunications > 0) {
      await recordAudit(tx, ctx, {
        action: belowFloor ? "events.retention_below_floor" : "events.retention",
        targetType: "events",
        targetId: `before ${cutoffIso}`,
        reason: belowFloor
          ? `older than ${retentionDays} days, below the retention floor of ${floorDays} days, on the operator's explicit request`
          : `older than the retention window of ${retentionDays} days`,
        before: { partitions: expired, sessions: deletedSessions, findings: deletedFindings, communication_hours: deletedCommunications },
        after: { retention_days: retentionDays, floor_days: floorDays },
      });
    }
    return { droppedPartitions: expired, deletedSessions, retentionDays, floorDays };
  });
  for (const name of result.droppedPartitions) {
    const day = partitionDay(name);
    if (day !== null) knownDays.delete(day);
  }
  return result;
}

/** Run at start-up and hourly by every app instance; the advisory lock keeps them from colliding. */
export async function maintainPartitions(ctx: Ctx, input: RetentionInput): Promise<RetentionResult> {
  await createWindowPartitions(ctx.db, input.nowMs, input.retentionDays);
  return applyRetention({ ctx, input });
}
