import os from "node:os";
import { createDb } from "@/db/client";
import { benchEnv } from "@/lib/env";
import { dayStart, ensureDayPartitions } from "@/lib/ingest/partitions";
import { startTestInfra } from "../testing/infra";
import { type BenchApp, runBench, startBenchApp } from "./bench-app";
import { buildAppForBench } from "./build-app";
import { type LoadResult, runLoad, setUpBenchAgents } from "./ingest-load-run";
import { postgresBackendsCpuSeconds, processTreeCpuSeconds } from "./process-cpu";

/**
 * bench:otlp — spans per second through the OTLP door (protobuf, 500 spans per request, the GenAI
 * spans of bench:ingest's events) next to events per second through the native door, against the
 * same built app in the same run. The goal: the OTLP door reaches at least 0.8 of the native door's
 * rate.
 *
 * The machine may be shared with other work that comes and goes within a minute, so the doors take
 * turns: each round runs both, in alternating order, and the ratio reported is the median of the
 * rounds' ratios. The CPU the app server and the bench database's PostgreSQL backends used per event
 * (read from /proc) is reported beside it: it moves much less with the machine's other load.
 */
const BATCH = 500;
const AGENTS = 8;
const GOAL_RATIO = 0.8;
const knobs = benchEnv();
const ROUNDS = knobs.BENCH_ROUNDS ?? 6;
const REQUESTS = knobs.BENCH_REQUESTS ?? 600;
const CONNECTIONS = knobs.BENCH_CONNECTIONS ?? 8;

type Door = "native" | "otlp";

interface Run extends LoadResult {
  /** CPU seconds over the run: the app server (process tree) and the bench database's PostgreSQL backends. */
  appCpu: number | null;
  postgresCpu: number | null;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};
const round2 = (n: number) => Number(n.toFixed(2));
const loadAverage = () => round2(os.loadavg()[0] ?? 0);

async function main(): Promise<void> {
  buildAppForBench();
  // Not "agentsoc_bench_…": the other benches' prefix, whose start-up drops every database under it that is not a live run of theirs.
  const infra = await startTestInfra("agentsoc_otlpbench");
  const database = new URL(infra.databaseUrl).pathname.slice(1);
  const db = createDb(infra.databaseUrl, 2);
  let app: BenchApp | null = null;
  try {
    app = await startBenchApp({ DATABASE_URL: infra.databaseUrl, REDIS_URL: infra.redisUrl, SOC_INGEST_RATE_LIMIT_PER_MIN: "100000000" });
    const appPid = app.pid;
    const doors = {
      native: { keys: await setUpBenchAgents(db.db, AGENTS, "bench-native"), runs: [] as Run[] },
      otlp: { keys: await setUpBenchAgents(db.db, AGENTS, "bench-otlp"), runs: [] as Run[] },
    };
    await ensureDayPartitions(db.db, [dayStart(Date.now() - 600_000), dayStart(Date.now())]);
    const cpuNow = () => ({
      app: appPid === undefined ? null : processTreeCpuSeconds(appPid),
      postgres: postgresBackendsCpuSeconds(database),
    });
    const load = async (door: Door, requests: number): Promise<Run> => {
      const before = cpuNow();
      const result = await runLoad({ url: app?.url ?? "", keys: doors[door].keys, requests, batch: BATCH, connections: CONNECTIONS, door });
      const after = cpuNow();
      const used = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);
      return { ...result, appCpu: used(before.app, after.app), postgresCpu: used(before.postgres, after.postgres) };
    };

    // Warm-up: JIT, connection pools, partition and profile caches, for both doors.
    await load("native", 40);
    await load("otlp", 40);
    const loadBefore = loadAverage();
    for (let round = 0; round < ROUNDS; round++) {
      for (const door of round % 2 === 0 ? (["native", "otlp"] as const) : (["otlp", "native"] as const)) {
        doors[door].runs.push(await load(door, Math.ceil(REQUESTS / ROUNDS)));
      }
    }
    const loadAfter = loadAverage();

    const perSecond = (r: LoadResult) => (r.requests2xx * BATCH) / r.duration;
    const cpuMsPer1000 = (runs: Run[], pick: (r: Run) => number | null) => {
      const used = runs.map(pick);
      if (used.some((u) => u === null)) return null;
      const events = runs.reduce((n, r) => n + r.requests2xx * BATCH, 0);
      return round2((used.reduce<number>((n, u) => n + (u ?? 0), 0) * 1000 * 1000) / events);
    };
    const summary = (runs: Run[]) => {
      const requests = runs.reduce((n, r) => n + r.requests2xx, 0);
      const seconds = runs.reduce((n, r) => n + r.duration, 0);
      return {
        requests,
        non_2xx: runs.reduce((n, r) => n + r.non2xx, 0),
        per_s: Math.round((requests * BATCH) / seconds),
        per_s_by_round: runs.map((r) => Math.round(perSecond(r))),
        latency_ms_p50: Math.max(...runs.map((r) => r.p50)),
        latency_ms_p99: Math.max(...runs.map((r) => r.p99)),
        cpu_ms_per_1000: { app: cpuMsPer1000(runs, (r) => r.appCpu), postgres: cpuMsPer1000(runs, (r) => r.postgresCpu) },
      };
    };
    const native = summary(doors.native.runs);
    const otlp = summary(doors.otlp.runs);
    const roundRatios = doors.otlp.runs.map((r, i) => {
      const other = doors.native.runs[i];
      return other ? round2(perSecond(r) / perSecond(other)) : NaN;
    });
    const ratio = median(roundRatios);
    const cpuRatio = (pick: (c: typeof native.cpu_ms_per_1000) => number | null) => {
      const n = pick(native.cpu_ms_per_1000);
      const o = pick(otlp.cpu_ms_per_1000);
      return n === null || o === null ? null : round2(n / o);
    };
    const stored = await db.pool.query<{ door: string; n: string }>(
      "SELECT split_part(agent_id, '-', 2) AS door, count(*) AS n FROM events WHERE agent_id LIKE 'bench-%' GROUP BY 1 ORDER BY 1",
    );
    console.log(
      JSON.stringify(
        {
          machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model ?? "unknown cpu"}`,
          load_average_1min: { before: loadBefore, after: loadAfter },
          batch_size: BATCH,
          connections: CONNECTIONS,
          rounds: ROUNDS,
          native_door: { ...native, events_per_s: native.per_s },
          otlp_door: { ...otlp, spans_per_s: otlp.per_s, encoding: "application/x-protobuf" },
          stored_events: Object.fromEntries(stored.rows.map((r) => [r.door, Number(r.n)])),
          otlp_to_native_ratio_by_round: roundRatios,
          otlp_to_native_ratio: round2(ratio),
          otlp_to_native_ratio_overall: round2(otlp.per_s / native.per_s),
          // The native door's CPU per event over the OTLP door's: the ratio the rates tend to when the CPU is the limit.
          otlp_to_native_cpu_ratio: {
            app: cpuRatio((c) => c.app),
            app_and_postgres: cpuRatio((c) => (c.app === null || c.postgres === null ? null : c.app + c.postgres)),
          },
          goal: `median of the rounds' ratios >= ${GOAL_RATIO}`,
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
