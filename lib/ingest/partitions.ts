import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { recordAudit } from "@/lib/audit";
import type { Ctx } from "@/lib/context";

const DAY_MS = 86_400_000;
const PARTITION_NAME = /^events_p(\d{4})(\d{2})(\d{2})$/;

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

export async function ensureDayPartitions(db: Db, dayStartsMs: Iterable<number>): Promise<void> {
  const missing = [...new Set(dayStartsMs)].filter((d) => !knownDays.has(d));
  if (missing.length === 0) return;
  await db.transaction(async (tx) => {
    // Serialises partition DDL between app instances; CREATE ... IF NOT EXISTS alone can still race.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('agentsoc:events_partitions'))`);
    for (const day of missing) {
      const from = new Date(day).toISOString();
      const to = new Date(day + DAY_MS).toISOString();
      await tx.execute(
        sql.raw(
          `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF events FOR VALUES FROM ('${from}') TO ('${to}')`,
        ),
      );
    }
  });
  for (const day of missing) knownDays.add(day);
}

/** Creates today's partition and the next `daysAhead` days'. */
export async function createUpcomingPartitions(db: Db, nowMs: number, daysAhead = 3): Promise<void> {
  const today = dayStart(nowMs);
  await ensureDayPartitions(
    db,
    Array.from({ length: daysAhead + 1 }, (_, i) => today + i * DAY_MS),
  );
}

export async function listPartitions(db: Db): Promise<string[]> {
  const result = await db.execute<{ name: string }>(sql`
    SELECT c.relname AS name FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname = 'events' ORDER BY c.relname`);
  return result.rows.map((r) => r.name);
}

/** Retention: whole partitions whose every row is older than the window are dropped, and the drop audited. */
export async function dropExpiredPartitions(ctx: Ctx, nowMs: number, retentionDays: number): Promise<string[]> {
  const cutoff = nowMs - retentionDays * DAY_MS;
  const expired = (await listPartitions(ctx.db)).filter((name) => {
    const day = partitionDay(name);
    return day !== null && day + DAY_MS <= cutoff;
  });
  if (expired.length === 0) return [];
  await ctx.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('agentsoc:events_partitions'))`);
    for (const name of expired) await tx.execute(sql.raw(`DROP TABLE IF EXISTS ${name}`));
    await recordAudit(tx, ctx, {
      action: "events.retention_drop",
      targetType: "events_partition",
      targetId: expired.join(","),
      reason: `older than the retention window of ${retentionDays} days`,
      before: { partitions: expired },
    });
  });
  for (const name of expired) {
    const day = partitionDay(name);
    if (day !== null) knownDays.delete(day);
  }
  return expired;
}

/** Run at start-up and hourly by every app instance; the advisory lock keeps them from colliding. */
export async function maintainPartitions(ctx: Ctx, nowMs: number, retentionDays: number): Promise<string[]> {
  await createUpcomingPartitions(ctx.db, nowMs);
  return dropExpiredPartitions(ctx, nowMs, retentionDays);
}
