import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import type { Db } from "@/db/client";
import { loadDetectionProfile } from "@/db/queries/detection";
import { parseTimelineQuery, readSessionFindings, readSessionOutline, readTimelinePage } from "@/db/queries/timeline";
import * as schema from "@/db/schema";
import { effectiveBaseline, storedBaseline } from "@/lib/detect/baseline";
import { analyzeSession } from "@/lib/forensics/analyze-session";
import { resolveSessionScope } from "@/lib/forensics/session-scope";
import { ANALYSIS_MAX_EVENTS, getSessionTimeline } from "@/lib/forensics/session-timeline";
import { cliContext } from "../lib/script-context";

const RUNS = 20;
const median = (v: number[]) => Number(([...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN).toFixed(1));

async function timed<T>(times: number[], f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await f();
  times.push(performance.now() - t0);
  return result;
}

/**
 * Where a timeline request spends its time without HTTP: the service called in-process, each of its
 * steps on its own (query plus row mapping in Node), its answer serialised, and each SQL statement it
 * sent run again under EXPLAIN (ANALYZE, BUFFERS). The plans go to stderr; the figures into the report.
 */
export async function explainTimeline(databaseUrl: string, target: { sessionId: string; agentId: string }, log: (m: string) => void) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  const captured: { query: string; params: unknown[] }[] = [];
  let capturing = false;
  const db: Db = drizzle({
    client: pool,
    schema,
    casing: "snake_case",
    logger: { logQuery: (query, params) => void (capturing && captured.push({ query, params })) },
  });
  try {
    const ctx = cliContext(db);
    const query = parseTimelineQuery(new URLSearchParams({ agent_id: target.agentId }));
    const run = () => getSessionTimeline({ ctx, input: { sessionId: target.sessionId, query } });
    for (let i = 0; i < 5; i++) await run();
    const whole: number[] = [];
    const serialise: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      capturing = i === 0;
      const result = await timed(whole, run);
      capturing = false;
      const t0 = performance.now();
      JSON.stringify(result);
      serialise.push(performance.now() - t0);
    }

    // The same steps one after another, so each is timed alone.
    const steps = {
      resolve_scope: [] as number[],
      page_query: [] as number[],
      outline_query: [] as number[],
      findings_query: [] as number[],
      profile_query: [] as number[],
      analyze: [] as number[],
    };
    for (let i = 0; i < RUNS; i++) {
      const { scope } = await timed(steps.resolve_scope, () => resolveSessionScope(ctx.db, target.sessionId, target.agentId));
      await timed(steps.page_query, () => readTimelinePage(db, scope, query));
      const outline = await timed(steps.outline_query, () => readSessionOutline(db, scope, ANALYSIS_MAX_EVENTS + 1));
      const findings = await timed(steps.findings_query, () => readSessionFindings(db, scope));
      const profile = await timed(steps.profile_query, () => loadDetectionProfile(db, scope.agentId));
      const baseline = effectiveBaseline(storedBaseline(profile.configured), storedBaseline(profile.learned));
      await timed(steps.analyze, async () =>
        analyzeSession({ agentId: scope.agentId, events: outline, findings, expectedTools: baseline?.baseline.expected_tools ?? null }),
      );
    }

    const statements = [];
    for (const { query: text, params } of captured) {
      const plan = await pool.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, params);
      const lines = plan.rows.map((r) => r["QUERY PLAN"]);
      const short = (l: string) => (l.length > 300 ? `${l.slice(0, 300)}…` : l);
      log(`EXPLAIN ANALYZE ${short(text)}\n  ${lines.map(short).join("\n  ")}`);
      const at = (label: string) => Number(/([\d.]+) ms/.exec(lines.find((l) => l.startsWith(label)) ?? "")?.[1] ?? NaN);
      statements.push({ sql: text.replace(/\s+/g, " ").slice(0, 120), planning_ms: at("Planning Time"), execution_ms: at("Execution Time") });
    }
    return {
      in_process_service_ms_p50: median(whole),
      in_process_steps_ms_p50: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, median(v)])),
      json_stringify_ms_p50: median(serialise),
      statements,
    };
  } finally {
    await pool.end();
  }
}
