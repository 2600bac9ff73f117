import os from "node:os";
import { createDb } from "@/db/client";
import { benchEnv } from "@/lib/env";
import { dayStart, ensureDayPartitions } from "@/lib/ingest/partitions";
import { startTestInfra } from "../testing/infra";
import { type BenchApp, runBench, startBenchApp } from "./bench-app";
import { buildAppForBench } from "./build-app";
import { type LoadResult, runLoad, setUpBenchAgents } from "./ingest-load-run";

/**
 * bench:otlp — spans per second through the OTLP door (protobuf, 500 spans per request, the GenAI
 * spans of bench:ingest's events) next to events per second through the native door, against the
 * same built app in the same run. Rounds alternate doors so neither gets the quieter minute. The
 * goal: the OTLP door reaches at least 0.8 of the native door's rate.
 */
const BATCH = 500;
const AGENTS = 8;
const ROUNDS = 2;
const GOAL_RATIO = 0.8;
const knobs = benchEnv();
const REQUESTS = knobs.BENCH_REQUESTS ?? 400;
const CONNECTIONS = knobs.BENCH_CONNECTIONS ?? 8;

async function main(): Promise<void> {
  buildAppForBench();
  const infra = await startTestInfra("agentsoc_bench_otlp");
  const db = createDb(infra.databaseUrl, 2);
  let app: BenchApp | null = null;
  try {
    app = await startBenchApp({ DATABASE_URL: infra.databaseUrl, REDIS_URL: infra.redisUrl, SOC_INGEST_RATE_LIMIT_PER_MIN: "100000000" });
    const doors = {
      native: { keys: await setUpBenchAgents(db.db, AGENTS, "bench-native"), runs: [] as LoadResult[] },
      otlp: { keys: await setUpBenchAgents(db.db, AGENTS, "bench-otlp"), runs: [] as LoadResult[] },
    };
    await ensureDayPartitions(db.db, [dayStart(Date.now() - 600_000), dayStart(Date.now())]);
    const load = (door: "native" | "otlp", requests: number) =>
      runLoad({ url: app?.url ?? "", keys: doors[door].keys, requests, batch: BATCH, connections: CONNECTIONS, door });

    // Warm-up: JIT, connection pools, partition and profile caches, for both doors.
    await load("native", 20);
    await load("otlp", 20);
    for (let round = 0; round < ROUNDS; round++) {
      for (const door of round % 2 === 0 ? (["native", "otlp"] as const) : (["otlp", "native"] as const)) {
        doors[door].runs.push(await load(door, Math.ceil(REQUESTS / ROUNDS)));
      }
    }

    const summary = (runs: LoadResult[]) => {
      const requests = runs.reduce((n, r) => n + r.requests2xx, 0);
      const seconds = runs.reduce((n, r) => n + r.duration, 0);
      return {
        requests,
        non_2xx: runs.reduce((n, r) => n + r.non2xx, 0),
        per_s: Math.round((requests * BATCH) / seconds),
        latency_ms_p50: Math.max(...runs.map((r) => r.p50)),
        latency_ms_p99: Math.max(...runs.map((r) => r.p99)),
      };
    };
    const native = summary(doors.native.runs);
    const otlp = summary(doors.otlp.runs);
    const stored = await db.pool.query<{ door: string; n: string }>(
      "SELECT split_part(agent_id, '-', 2) AS door, count(*) AS n FROM events WHERE agent_id LIKE 'bench-%' GROUP BY 1 ORDER BY 1",
    );
    const ratio = otlp.per_s / native.per_s;
    console.log(
      JSON.stringify(
        {
          machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model ?? "unknown cpu"}`,
          batch_size: BATCH,
          connections: CONNECTIONS,
          native_door: { ...native, events_per_s: native.per_s },
          otlp_door: { ...otlp, spans_per_s: otlp.per_s, encoding: "application/x-protobuf" },
          stored_events: Object.fromEntries(stored.rows.map((r) => [r.door, Number(r.n)])),
          otlp_to_native_ratio: Number(ratio.toFixed(2)),
          goal: `>= ${GOAL_RATIO}`,
          goal_met: ratio >= GOAL_RATIO,
        },
        null,
        2,
      ),
    );
    if (native.non_2xx + otlp.non_2xx > 0) throw new Error(`${native.non_2xx + otlp.non_2xx} requests did not get a 2xx answer`);
  } finally {
    app?.stop();
    await db.close();
    await infra.stop();
  }
}

runBench(main);
