import os from "node:os";
import pg from "pg";
import { createDb } from "@/db/client";
import { benchEnv } from "@/lib/env";
import { dayStart, ensureDayPartitions } from "@/lib/ingest/partitions";
import { type EventRow, prepareEventRow } from "@/lib/ingest/prepare-event-rows";
import { startTestInfra } from "../testing/infra";
import { type BenchApp, runBench, startBenchApp } from "./bench-app";
import { benchEvents } from "./bench-events";
import { buildAppForBench } from "./build-app";
import { runLoad, setUpBenchAgents } from "./ingest-load-run";

/**
 * bench:ingest — end-to-end ingest over HTTP against the built app (redaction, validation, every
 * detector against a configured baseline and canaries, the transaction, rollups and alerts
 * included), compared with a raw batched INSERT of the same rows.
 */
const BATCH = 500;
const knobs = benchEnv();
const REQUESTS = knobs.BENCH_REQUESTS ?? 400;
const CONNECTIONS = knobs.BENCH_CONNECTIONS ?? 8;
const AGENTS = 8;

async function rawInsertRate(databaseUrl: string, rows: EventRow[], writers: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: writers });
  // The bench database is dropped at the end; a connection the pool still holds must not crash the report.
  pool.on("error", (err) => console.error(`[bench] raw insert pool: ${err.message}`));
  const batches: EventRow[][] = [];
  for (let i = 0; i < rows.length; i += BATCH) batches.push(rows.slice(i, i + BATCH));
  const json = (v: unknown) => (v == null ? null : JSON.stringify(v));
  const insert = (b: EventRow[]) =>
    pool.query(
      `INSERT INTO events (ts, event_id, agent_id, session_id, action_type, action_name, input_summary, output_summary,
        duration_ms, token_count, cost_usd, tool_name, tool_args_hash, error, security_flags, metadata, action_sequence,
        session_elapsed_s, session_total_cost_usd, redactions)
       SELECT timestamptz 'epoch' + ts_us * interval '1 microsecond', event_id, agent_id, session_id, action_type, action_name, input_summary, output_summary,
        duration_ms, token_count, cost_usd, tool_name, tool_args_hash, error, security_flags, metadata, action_sequence,
        session_elapsed_s, session_total_cost_usd, redactions
       FROM unnest($1::int8[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
        $9::float8[], $10::int4[], $11::float8[], $12::text[], $13::text[], $14::text[], $15::jsonb[], $16::jsonb[],
        $17::int4[], $18::float8[], $19::float8[], $20::jsonb[])
        AS u(ts_us, event_id, agent_id, session_id, action_type, action_name, input_summary, output_summary, duration_ms,
        token_count, cost_usd, tool_name, tool_args_hash, error, security_flags, metadata, action_sequence,
        session_elapsed_s, session_total_cost_usd, redactions)`,
      [
        b.map((r) => r.tsMicros),
        b.map(() => crypto.randomUUID()),
        b.map((r) => r.agentId),
        b.map((r) => r.sessionId),
        b.map((r) => r.actionType),
        b.map((r) => r.actionName),
        b.map((r) => r.inputSummary),
        b.map((r) => r.outputSummary),
        b.map((r) => r.durationMs),
        b.map((r) => r.tokenCount),
        b.map((r) => r.costUsd),
        b.map((r) => r.toolName),
        b.map((r) => r.toolArgsHash),
        b.map((r) => r.error),
        b.map((r) => json(r.securityFlags)),
        b.map((r) => json(r.metadata)),
        b.map((r) => r.actionSequence),
        b.map((r) => r.sessionElapsedS),
        b.map((r) => r.sessionTotalCostUsd),
        b.map((r) => json(r.redactions)),
      ],
    );
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < batches.length) {
        const batch = batches[next++];
        if (batch) await insert(batch);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.end();
  return rows.length / seconds;
}

async function main(): Promise<void> {
  buildAppForBench();
  const infra = await startTestInfra("agentsoc_bench");
  const db = createDb(infra.databaseUrl, 2);
  let app: BenchApp | null = null;
  try {
    app = await startBenchApp({ DATABASE_URL: infra.databaseUrl, REDIS_URL: infra.redisUrl, SOC_INGEST_RATE_LIMIT_PER_MIN: "100000000" });
    const url = app.url;
    const keys = await setUpBenchAgents(db.db, AGENTS);
    await ensureDayPartitions(db.db, [dayStart(Date.now() - 600_000), dayStart(Date.now())]);

    // Warm-up: JIT, connection pools, partition cache.
    await runLoad({ url, keys, requests: 20, batch: BATCH, connections: CONNECTIONS });
    const load = await runLoad({ url, keys, requests: REQUESTS, batch: BATCH, connections: CONNECTIONS });
    const events = load.requests2xx * BATCH;
    const eventsPerSecond = events / load.duration;
    const stored = await db.pool.query<{ n: string }>("SELECT count(*) AS n FROM events");
    const alerts = await db.pool.query<{ type: string; findings: string }>("SELECT type, sum(count)::text AS findings FROM alerts GROUP BY type ORDER BY type");

    const rows = Array.from({ length: 100 }, (_, i) => benchEvents(`raw-agent-${i % AGENTS}`, BATCH, i))
      .flat()
      .map(prepareEventRow);
    const raw1 = await rawInsertRate(infra.databaseUrl, rows, 1);
    const raw2 = await rawInsertRate(infra.databaseUrl, rows, 2);
    const best = Math.max(raw1, raw2);

    const report = {
      machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model ?? "unknown cpu"}`,
      requests: load.requests2xx,
      non_2xx: load.non2xx,
      batch_size: BATCH,
      connections: CONNECTIONS,
      events_accepted: events,
      events_stored_total: Number(stored.rows[0]?.n),
      findings_by_type: Object.fromEntries(alerts.rows.map((r) => [r.type, Number(r.findings)])),
      ingest_events_per_s: Math.round(eventsPerSecond),
      request_latency_ms: { p50: load.p50, p99: load.p99 },
      raw_insert_rows_per_s: { one_writer: Math.round(raw1), two_writers: Math.round(raw2) },
      ratio_vs_best_raw: Number((eventsPerSecond / best).toFixed(2)),
    };
    console.log(JSON.stringify(report, null, 2));
    if (load.non2xx > 0) throw new Error(`${load.non2xx} requests did not get a 2xx answer`);
  } finally {
    app?.stop();
    await db.close();
    await infra.stop();
  }
}

runBench(main);
