import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as getEvents } from "@/app/api/v1/events/route";
import { appDb } from "@/db/client";
import { AppError } from "@/lib/errors";
import { searchProblem } from "@/lib/http/respond";
import { applyRetention } from "@/lib/ingest";
import { bearer, testCtx, withOwnerDb } from "@/scripts/testing/fixtures";

// Each test file runs in a process of its own: here the console cancels any statement after 300 ms.
process.env.SOC_DB_STATEMENT_TIMEOUT_MS = "300";

let viewer: Record<string, string> = {};
beforeAll(async () => {
  viewer = await bearer("viewer");
});

/** Runs `run` while the owner holds `lock`, released once `run` settles or after `holdMs`, whichever comes first. */
async function whileLocked<T>(lock: string, holdMs: number, run: () => Promise<T>): Promise<T> {
  return withOwnerDb(async (owner) => {
    const { running } = await owner.transaction(async (tx) => {
      await tx.execute(sql.raw(lock));
      const started = run();
      await Promise.race([
        started.then(
          () => undefined,
          () => undefined,
        ),
        new Promise((r) => setTimeout(r, holdMs).unref()),
      ]);
      return { running: started };
    });
    return running;
  });
}

describe("the console's statement time limit", () => {
  it("holds for every connection of the console's pool", async () => {
    const shown = await appDb().execute<{ statement_timeout: string }>(sql`SHOW statement_timeout`);
    expect(shown.rows[0]?.statement_timeout).toBe("300ms");
  });

  it("cuts a search that cannot finish and answers 503 saying how to narrow it, not 500", async () => {
    const started = Date.now();
    // The events table is held by someone else: the search waits, as a scan of every partition would run, until the limit.
    const res = await whileLocked("LOCK TABLE events IN ACCESS EXCLUSIVE MODE", 10_000, () =>
      getEvents(new Request("http://soc.test/api/v1/events?tool_name=nobody-calls-this", { headers: viewer })),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string; request_id: string } };
    expect(body.error).toMatchObject({ code: "UNAVAILABLE", request_id: res.headers.get("x-request-id") });
    expect(body.error.message).toBe(
      "The database stopped this request at the console's limit of 0.3 s per query (SOC_DB_STATEMENT_TIMEOUT_MS); nothing from it was stored. " +
        "If it was a search, narrow it: a shorter time window (since/until), or a filter by agent or session.",
    );
  });

  it("is what the search pages show in place of results, beside a bad filter; anything else is not theirs to show", async () => {
    const cancelled = await appDb()
      .execute(sql`SELECT pg_sleep(2)`)
      .then(
        () => null,
        (err: unknown) => err,
      );
    expect(searchProblem(cancelled)).toContain("narrow it: a shorter time window");
    expect(searchProblem(new AppError("VALIDATION", "Invalid query: since: expected ISO 8601 time"))).toBe("Invalid query: since: expected ISO 8601 time");
    expect(searchProblem(new AppError("FORBIDDEN", "no"))).toBeNull();
    expect(searchProblem(new Error("boom"))).toBeNull();
  });

  it("gives retention, a write path, a longer limit of its own: it waits out a lock and completes", async () => {
    const started = Date.now();
    // Retention deletes expired session rollups; a SHARE lock on sessions makes that wait about a second.
    const result = await whileLocked("LOCK TABLE sessions IN SHARE MODE", 1_000, () =>
      applyRetention({ ctx: testCtx(), input: { nowMs: Date.now(), retentionDays: 30 } }),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(result).toMatchObject({ droppedPartitions: expect.any(Array) });
  });
});
