import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { appDb, createDb } from "@/db/client";
import { applyRetention, ensureDayPartitions, listPartitions, maintainPartitions } from "@/lib/ingest";
import { insertEventRows } from "@/lib/ingest/insert-event-rows";
import { forgetKnownPartitions, partitionName } from "@/lib/ingest/partitions";
import { prepareEventRow } from "@/lib/ingest/prepare-event-rows";
import { makeEvent, testCtx, withOwnerDb } from "@/scripts/testing/fixtures";
import { TEST_RETENTION_DAYS } from "@/scripts/testing/infra";

const DAY = 86_400_000;

describe("day partitions of the events table", () => {
  it("puts each event in its day's partition, created on demand", async () => {
    const db = appDb();
    const eightDaysAgo = Date.now() - 8 * DAY;
    const row = prepareEventRow(makeEvent("partition-agent", { timestamp: eightDaysAgo / 1000, session_id: `s-${randomUUID()}` }));
    expect(await insertEventRows(db, [row])).toBe(1);
    const where = await db.execute<{ partition: string }>(sql`SELECT tableoid::regclass::text AS partition FROM events WHERE event_id = ${row.eventId}`);
    expect(where.rows[0]?.partition).toBe(partitionName(eightDaysAgo - (eightDaysAgo % DAY)));
  });

  it("drops whole partitions past the retention window and keeps the rest", async () => {
    const db = appDb();
    const now = Date.now();
    const old = Math.floor((now - 40 * DAY) / DAY) * DAY;
    const recent = Math.floor((now - 2 * DAY) / DAY) * DAY;
    await ensureDayPartitions(db, [old, recent]);
    const oldName = partitionName(old);
    const recentName = partitionName(recent);
    expect(await listPartitions(db)).toEqual(expect.arrayContaining([oldName, recentName]));

    const ctx = testCtx();
    const staleSession = `s-${randomUUID()}`;
    await db.execute(sql`INSERT INTO sessions (session_id, agent_id, started_at, last_event_at, event_count)
      VALUES (${staleSession}, 'partition-agent', now() - interval '40 days', now() - interval '40 days', 1)`);
    const { droppedPartitions: dropped, deletedSessions } = await maintainPartitions(ctx, { nowMs: now, retentionDays: 30 });
    expect(dropped).toContain(oldName);
    expect(dropped).not.toContain(recentName);
    expect(deletedSessions).toBeGreaterThanOrEqual(1);
    const left = await db.execute(sql`SELECT 1 FROM sessions WHERE session_id = ${staleSession}`);
    expect(left.rows).toHaveLength(0);
    const remaining = await listPartitions(db);
    expect(remaining).not.toContain(oldName);
    expect(remaining).toContain(recentName);
    const audit = await db.execute<{ action: string; target_id: string }>(sql`SELECT action, target_id FROM audit_log WHERE request_id = ${ctx.requestId}`);
    expect(audit.rows).toEqual([{ action: "events.retention", target_id: expect.stringMatching(/^before /) }]);
  });

  it("keeps the retention floor the owner set when the console asks for a shorter window", async () => {
    const db = appDb();
    const now = Date.now();
    const tenDaysAgo = Math.floor((now - 10 * DAY) / DAY) * DAY;
    await ensureDayPartitions(db, [tenDaysAgo]);
    const session = `s-${randomUUID()}`;
    await db.execute(sql`INSERT INTO sessions (session_id, agent_id, started_at, last_event_at, event_count)
      VALUES (${session}, 'partition-agent', now() - interval '10 days', now() - interval '10 days', 1)`);

    const result = await maintainPartitions(testCtx(), { nowMs: now, retentionDays: 5 });
    expect(result).toMatchObject({ retentionDays: TEST_RETENTION_DAYS, floorDays: TEST_RETENTION_DAYS });
    expect(result.droppedPartitions).not.toContain(partitionName(tenDaysAgo));
    expect(await listPartitions(db)).toContain(partitionName(tenDaysAgo));
    expect((await db.execute(sql`SELECT 1 FROM sessions WHERE session_id = ${session}`)).rows).toHaveLength(1);

    // Asking to go below the floor is the owner's to do, not the console's.
    await expect(applyRetention({ ctx: testCtx(), input: { nowMs: now, retentionDays: 5, belowFloor: true } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await listPartitions(db)).toContain(partitionName(tenDaysAgo));
  });

  it("drops below the floor when the owner's login asks for it explicitly, audited as such", async () => {
    const db = appDb();
    const now = Date.now();
    const tenDaysAgo = Math.floor((now - 10 * DAY) / DAY) * DAY;
    const threeDaysAgo = Math.floor((now - 3 * DAY) / DAY) * DAY;
    await ensureDayPartitions(db, [tenDaysAgo, threeDaysAgo]);
    const ctx = testCtx();
    const result = await withOwnerDb((owner) => applyRetention({ ctx: { ...ctx, db: owner }, input: { nowMs: now, retentionDays: 5, belowFloor: true } }));
    expect(result).toMatchObject({ retentionDays: 5, floorDays: TEST_RETENTION_DAYS });
    expect(result.droppedPartitions).toContain(partitionName(tenDaysAgo));
    expect(result.droppedPartitions).not.toContain(partitionName(threeDaysAgo));
    expect(await listPartitions(db)).not.toContain(partitionName(tenDaysAgo));
    const audit = await db.execute<{ action: string; reason: string; after: unknown }>(
      sql`SELECT action, reason, after FROM audit_log WHERE request_id = ${ctx.requestId}`,
    );
    expect(audit.rows).toEqual([
      {
        action: "events.retention_below_floor",
        reason: `older than 5 days, below the retention floor of ${TEST_RETENTION_DAYS} days, on the operator's explicit request`,
        after: { retention_days: 5, floor_days: TEST_RETENTION_DAYS },
      },
    ]);
  });

  it("refuses a retention window under one day, which would drop today's events", async () => {
    for (const retentionDays of [0, -1, 1.5]) {
      await expect(applyRetention({ ctx: testCtx(), input: { nowMs: Date.now(), retentionDays } })).rejects.toMatchObject({
        code: "VALIDATION",
      });
    }
    expect(await listPartitions(appDb())).toContain(partitionName(Date.now() - (Date.now() % DAY)));
  });

  it("creates partitions without blocking readers of the events table", async () => {
    const db = appDb();
    const day = Math.floor((Date.now() - 20 * DAY) / DAY) * DAY;
    const name = partitionName(day);
    await withOwnerDb((owner) => owner.execute(sql.raw(`DROP TABLE IF EXISTS ${name}`)));
    await db.transaction(async (reader) => {
      await reader.execute(sql`SELECT count(*) FROM events`);
      // The reader holds its lock on events until it commits; CREATE TABLE … PARTITION OF would wait here.
      const other = createDb(inject("databaseUrl"), 1);
      try {
        forgetKnownPartitions();
        await ensureDayPartitions(other.db, [day]);
      } finally {
        await other.close();
      }
    });
    expect(await listPartitions(db)).toContain(name);
  });

  it("recreates a partition that another instance dropped while this one still believed in it", async () => {
    const db = appDb();
    const day = Math.floor((Date.now() - 5 * DAY) / DAY) * DAY;
    await ensureDayPartitions(db, [day]);
    await withOwnerDb((owner) => owner.execute(sql.raw(`DROP TABLE ${partitionName(day)}`)));
    const row = prepareEventRow(makeEvent("partition-agent", { timestamp: (day + 3600_000) / 1000 }));
    expect(await insertEventRows(db, [row])).toBe(1);
  });
});
