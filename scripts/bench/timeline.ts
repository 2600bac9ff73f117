import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import os from "node:os";
import { closeAppDb, createDb } from "@/db/client";
import { registerAgent } from "@/lib/agents";
import { createApiToken } from "@/lib/auth";
import { setBaseline } from "@/lib/detect";
import { benchEnv } from "@/lib/env";
import { ingestEvents } from "@/lib/ingest";
import { findAgentByIngestKey } from "@/lib/ingest/ingest-keys";
import { cliContext } from "../lib/script-context";
import { startTestInfra } from "../testing/infra";
import { type BenchApp, runBench, startBenchApp } from "./bench-app";
import { buildAppForBench } from "./build-app";
import { explainTimeline } from "./timeline-explain";
import { fleetAgentId, fleetSessionCount, seedFleetEvents } from "./timeline-fleet";
import { PEER_AGENT, TIMELINE_BASELINE, targetSessionEvents } from "./timeline-session";

/**
 * bench:timeline — GET /api/v1/sessions/{id}/timeline of one agent's 10,000-event session (ingested
 * through the real ingest path, so detection ran on it) with millions of other events in the table,
 * against the built app: first page latency, and paging through the whole session.
 */
const knobs = benchEnv();
const OTHER_EVENTS = knobs.BENCH_OTHER_EVENTS ?? 5_000_000;
const OTHER_AGENTS = 50;
const SEED_CHUNK = 500_000;
const SEED_WRITERS = knobs.BENCH_SEED_WRITERS ?? 2;
const TARGET_EVENTS = 10_000;
const INGEST_BATCH = 500;
const INJECTION_AT = 4_000;
const FIRST_PAGE = 1_000;
const WARMUP = 10;
const REQUESTS = knobs.BENCH_REQUESTS ?? 200;
const WHOLE_FETCHES = knobs.BENCH_WHOLE_FETCHES ?? 20;
const GOAL_P95_MS = 150;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const log = (m: string) => console.error(`[bench] ${m}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => Number((ms / 1000).toFixed(1));
const round = (v: number) => Number(v.toFixed(1));

/** Nearest rank. */
const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
function summary(values: number[], ps: number[]): Record<string, number> {
  const sorted = [...values].sort((a, b) => a - b);
  return { ...Object.fromEntries(ps.map((p) => [`p${p}`, round(percentile(sorted, p))])), max: round(sorted.at(-1) ?? NaN) };
}

/** Two builds at once on two cores starve each other, and one may overwrite the other's .next. */
async function waitForOtherBuilds(): Promise<void> {
  const running = () => spawnSync("pgrep", ["-f", "next build"]).status === 0;
  for (let waited = 0; running(); waited += 10) {
    if (waited % 60 === 0) log(`another "next build" is running; waiting for it (${waited} s so far)`);
    await sleep(10_000);
  }
}

interface TimelineBody {
  agent_id: string;
  session_id: string;
  event_count: number;
  events: { event_id: string; timestamp: number }[];
  next_cursor: string | null;
  anomalies: { type: string }[];
  affected_resources: unknown[];
  injection_point: { event_id: string; rule: string } | null;
  blast_radius: { agents_contacted: { agent_id: string }[]; unexpected_tools: unknown[] | null } | null;
}

async function main(): Promise<void> {
  const started = performance.now();
  if (!knobs.BENCH_SKIP_BUILD) await waitForOtherBuilds();
  const buildStarted = performance.now();
  buildAppForBench();
  const buildMs = performance.now() - buildStarted;

  // The prefix the other benches use: each cleans up only databases of dead processes under it.
  const infra = await startTestInfra("agentsoc_bench");
  // Ingest runs in this process, and parts of it read the app's configuration.
  process.env.DATABASE_URL = infra.databaseUrl;
  process.env.REDIS_URL = infra.redisUrl;
  // The owner's rights: VACUUM and ANALYZE of the seeded tables (the app under test runs as the console's role).
  const db = createDb(infra.ownerDatabaseUrl, 4);
  let app: BenchApp | null = null;
  try {
    const ctx = cliContext(db.db);
    const { token } = await createApiToken({ ctx, input: { name: "bench-timeline", role: "analyst" } });
    for (let i = 0; i < OTHER_AGENTS; i++) await registerAgent({ ctx, input: { agentId: fleetAgentId(i) } });
    await registerAgent({ ctx, input: { agentId: PEER_AGENT } });
    const agentId = "support-agent-timeline";
    const { ingest_key: ingestKey } = await registerAgent({ ctx, input: { agentId } });
    await setBaseline({ ctx, input: { agentId, baseline: TIMELINE_BASELINE } });

    const now = Date.now();
    const fromMs = now - 3 * DAY_MS;
    log(`seeding ${OTHER_EVENTS.toLocaleString("en-US")} other events with ${SEED_WRITERS} writer(s)`);
    const seedStarted = performance.now();
    await seedFleetEvents(
      db.db,
      infra.databaseUrl,
      { events: OTHER_EVENTS, agents: OTHER_AGENTS, fromMs, toMs: now - 60_000, chunk: SEED_CHUNK, writers: SEED_WRITERS },
      log,
    );
    const seedMs = performance.now() - seedStarted;
    log(`seeded in ${seconds(seedMs)} s; VACUUM ANALYZE events, sessions`);
    // Done now rather than by autovacuum in the middle of the measurement.
    const vacuumStarted = performance.now();
    await db.pool.query("VACUUM (ANALYZE) events");
    await db.pool.query("VACUUM (ANALYZE) sessions");
    const vacuumMs = performance.now() - vacuumStarted;

    // One hour, a day and a half ago, among the fleet's events of that hour.
    const sessionId = `sess_${randomUUID()}`;
    const target = targetSessionEvents({
      agentId,
      sessionId,
      count: TARGET_EVENTS,
      startSeconds: (now - 36 * HOUR_MS) / 1000,
      spanSeconds: 3600,
      injectionAt: INJECTION_AT,
    });
    const identity = await findAgentByIngestKey(db.db, ingestKey);
    if (!identity) throw new Error(`the ingest key of ${agentId} was not found`);
    const agentCtx = {
      db: db.db,
      actor: { type: "agent" as const, agentId, keyId: identity.keyId },
      requestId: `bench-${randomUUID()}`,
      sourceIp: "127.0.0.1",
    };
    log(`ingesting the ${TARGET_EVENTS.toLocaleString("en-US")}-event session ${sessionId} through ingestEvents`);
    const ingestStarted = performance.now();
    for (let i = 0; i < target.events.length; i += INGEST_BATCH) {
      const batch = target.events.slice(i, i + INGEST_BATCH);
      const result = await ingestEvents({
        ctx: agentCtx,
        settings: { redis: null, retentionDays: 30, defaultRateLimitPerMin: 100_000_000 },
        input: { records: batch.map((value, index) => ({ index, value })), rateLimitPerMin: null },
      });
      if (result.accepted !== batch.length)
        throw new Error(`ingest accepted ${result.accepted} of ${batch.length}: ${JSON.stringify(result.rejected.slice(0, 3))}`);
    }
    const ingestMs = performance.now() - ingestStarted;
    await db.pool.query("ANALYZE events");
    const stats = await db.pool.query<{ events: string; sessions: string; partitions: string; heap: string; indexes: string; avg_summary: string }>(`
      SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM sessions) AS sessions,
        (SELECT count(*) FROM pg_inherits WHERE inhparent = 'events'::regclass) AS partitions,
        pg_size_pretty((SELECT sum(pg_table_size(inhrelid)) FROM pg_inherits WHERE inhparent = 'events'::regclass)) AS heap,
        pg_size_pretty((SELECT sum(pg_indexes_size(inhrelid)) FROM pg_inherits WHERE inhparent = 'events'::regclass)) AS indexes,
        (SELECT round(avg(length(input_summary) + length(output_summary)) / 2) FROM events TABLESAMPLE SYSTEM (0.1)) AS avg_summary`);
    const findings = await db.pool.query<{ type: string; n: string }>(
      "SELECT type, count(*) AS n FROM findings WHERE session_id = $1 GROUP BY type ORDER BY type",
      [sessionId],
    );
    const version = await db.pool.query<{ v: string; sb: string }>("SELECT current_setting('server_version') AS v, current_setting('shared_buffers') AS sb");

    app = await startBenchApp({ DATABASE_URL: infra.databaseUrl, REDIS_URL: infra.redisUrl }, 120_000);
    const url = app.url;

    const timelineUrl = (cursor?: string) =>
      `${url}/api/v1/sessions/${encodeURIComponent(sessionId)}/timeline?agent_id=${encodeURIComponent(agentId)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const get = async (cursor?: string) => {
      const t0 = performance.now();
      const res = await fetch(timelineUrl(cursor), { headers: { authorization: `Bearer ${token}` } });
      const text = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`timeline answered ${res.status}: ${text.slice(0, 500)}`);
      return { ms, text, encoding: res.headers.get("content-encoding") };
    };
    const wholeSession = async () => {
      const t0 = performance.now();
      const ids: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = JSON.parse((await get(cursor)).text) as TimelineBody;
        pages++;
        for (const e of page.events) ids.push(e.event_id);
        cursor = page.next_cursor ?? undefined;
        if (pages > TARGET_EVENTS) throw new Error("next_cursor never ends");
      } while (cursor);
      return { ms: performance.now() - t0, pages, ids };
    };

    const loadBefore = os.loadavg()[0] ?? NaN;
    log(`measuring: ${WARMUP} warm-up requests, ${REQUESTS} first-page requests, ${WHOLE_FETCHES} whole-session fetches`);
    for (let i = 0; i < WARMUP; i++) await get();
    const firstPage: number[] = [];
    let sample = await get();
    for (let i = 0; i < REQUESTS; i++) {
      sample = await get();
      firstPage.push(sample.ms);
    }
    const whole: number[] = [];
    let pages = 0;
    let wholeIds: string[] = [];
    for (let i = 0; i < WHOLE_FETCHES; i++) {
      const r = await wholeSession();
      whole.push(r.ms);
      pages = r.pages;
      wholeIds = r.ids;
    }

    const body = JSON.parse(sample.text) as TimelineBody;
    const anomalyTypes: Record<string, number> = {};
    for (const a of body.anomalies) anomalyTypes[a.type] = (anomalyTypes[a.type] ?? 0) + 1;
    const checks = {
      event_count_is_10000: body.event_count === TARGET_EVENTS,
      first_page_has_1000_events: body.events.length === FIRST_PAGE,
      first_page_in_order: body.events.every((e, i) => i === 0 || (body.events[i - 1]?.timestamp ?? Infinity) <= e.timestamp),
      injection_point_found: body.injection_point !== null,
      injection_point_is_the_poisoned_fetch: body.injection_point?.event_id === target.injectionEventId,
      whole_session_has_every_event_once: wholeIds.length === TARGET_EVENTS && new Set(wholeIds).size === TARGET_EVENTS,
      peer_agent_in_blast_radius: body.blast_radius?.agents_contacted.some((a) => a.agent_id === PEER_AGENT) ?? false,
    };
    const firstPageSummary = summary(firstPage, [50, 95, 99]);
    const p95 = firstPageSummary.p95 ?? NaN;
    const goalMet = p95 < GOAL_P95_MS;

    let explain: Record<string, unknown> | undefined;
    if (!goalMet || knobs.BENCH_EXPLAIN) {
      // The same page without gzip, to tell compression from the rest of the HTTP path.
      const identity: number[] = [];
      for (let i = 0; i < 50; i++) {
        const t0 = performance.now();
        const res = await fetch(timelineUrl(), { headers: { authorization: `Bearer ${token}`, "accept-encoding": "identity" } });
        await res.text();
        identity.push(performance.now() - t0);
      }
      explain = { first_page_without_gzip_ms: summary(identity, [50, 95]), ...(await explainTimeline(infra.databaseUrl, { sessionId, agentId }, log)) };
    }

    const row = stats.rows[0];
    const report = {
      machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model ?? "unknown cpu"}`,
      load_avg_1m_before_measuring: round(loadBefore),
      postgres: `${version.rows[0]?.v ?? "?"}, shared_buffers ${version.rows[0]?.sb ?? "?"}`,
      data: {
        events_in_table: Number(row?.events),
        other_events: OTHER_EVENTS,
        other_agents: OTHER_AGENTS,
        other_sessions: fleetSessionCount(OTHER_EVENTS),
        sessions_rows: Number(row?.sessions),
        day_partitions: Number(row?.partitions),
        events_heap: row?.heap,
        events_indexes: row?.indexes,
        avg_summary_chars: Number(row?.avg_summary),
        target_session: { events: TARGET_EVENTS, findings_by_type: Object.fromEntries(findings.rows.map((f) => [f.type, Number(f.n)])), ...target.marks },
      },
      seed_s: {
        build: seconds(buildMs),
        other_events_insert: seconds(seedMs),
        other_events_rows_per_s: Math.round(OTHER_EVENTS / (seedMs / 1000)),
        vacuum_analyze: seconds(vacuumMs),
        target_ingest: seconds(ingestMs),
      },
      first_page: {
        requests: REQUESTS,
        events_per_page: body.events.length,
        latency_ms: firstPageSummary,
        response_bytes: Buffer.byteLength(sample.text),
        content_encoding: sample.encoding ?? "identity",
      },
      whole_session: { fetches: WHOLE_FETCHES, pages, latency_ms: summary(whole, [50, 95]) },
      analysis: {
        anomalies_by_type: anomalyTypes,
        affected_resources: body.affected_resources.length,
        injection_point_rule: body.injection_point?.rule ?? null,
        agents_contacted: body.blast_radius?.agents_contacted.map((a) => a.agent_id) ?? [],
      },
      checks,
      ...(explain ? { server_side: explain } : {}),
      goal: `p95 < ${GOAL_P95_MS} ms`,
      goal_met: goalMet,
      bench_total_s: seconds(performance.now() - started),
    };
    console.log(JSON.stringify(report, null, 2));
    const failed = Object.entries(checks)
      .filter(([, ok]) => !ok)
      .map(([name]) => name);
    if (failed.length > 0) throw new Error(`wrong answer: ${failed.join(", ")}`);
  } finally {
    app?.stop();
    await db.close();
    await closeAppDb();
    await infra.stop();
  }
}

runBench(main);
