import { isDeepStrictEqual } from "node:util";
import { eq, sql } from "drizzle-orm";
import type { Db, Queryable } from "@/db/client";
import { TAINTING_ALERT } from "@/db/queries/detection";
import { agentBaselines } from "@/db/schema";
import { agentIdSchema } from "@/lib/agents/schemas";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import type { Baseline } from "./baseline";
import { forgetDetectionProfile } from "./profile-cache";

export const LEARNING = { windowDays: 7, quantile: 0.99, margin: 1.5, minSessions: 10 } as const;

/** What an agent's recent history shows, per session, at the learning quantile. */
export interface HistoryStats {
  sessions: number;
  excludedSessions: number;
  toolCalls: number;
  llmCalls: number;
  durationS: number;
  costUsd: number;
  peakToolCallsPerMinute: number;
  tools: { name: string; calls: number; lastSeen: string }[];
}

export interface LearnedBaseline {
  baseline: Baseline | null;
  evidence: Record<string, unknown>;
}

/**
 * Proposes a baseline from history: the tools actually used, and each per-session measure's high
 * quantile with a margin. Too little history proposes nothing rather than a guess. Pure.
 */
export function proposeBaseline(stats: HistoryStats): LearnedBaseline {
  const { windowDays, quantile, margin, minSessions } = LEARNING;
  const evidence = {
    window_days: windowDays,
    sessions: stats.sessions,
    excluded_sessions_with_high_alerts: stats.excludedSessions,
    quantile,
    margin,
    min_sessions: minSessions,
    observed: {
      tool_calls_per_session: stats.toolCalls,
      llm_calls_per_session: stats.llmCalls,
      session_duration_seconds: Math.round(stats.durationS * 10) / 10,
      cost_per_session_usd: Math.round(stats.costUsd * 10_000) / 10_000,
      tool_calls_per_minute: stats.peakToolCallsPerMinute,
    },
    tools: stats.tools.map((t) => ({ name: t.name, calls: t.calls, last_seen: t.lastSeen })),
  };
  if (stats.sessions < minSessions) return { baseline: null, evidence };
  const up = (value: number, floor: number) => Math.max(floor, Math.ceil(value * margin));
  return {
    baseline: {
      expected_tools: stats.tools.map((t) => t.name).sort(),
      max_tool_calls_per_session: up(stats.toolCalls, 1),
      max_llm_calls_per_session: up(stats.llmCalls, 1),
      max_session_duration_seconds: up(stats.durationS, 60),
      max_cost_per_session_usd: stats.costUsd > 0 ? Math.ceil(stats.costUsd * margin * 100) / 100 : null,
      max_tool_call_rate_per_minute: up(stats.peakToolCallsPerMinute, 1),
    },
    evidence,
  };
}

/** Sessions with a tainting alert (TAINTING_ALERT) are left out: a baseline learned from an attack would excuse the next one. */
export async function readHistoryStats(db: Queryable, agentId: string): Promise<HistoryStats> {
  const since = sql`now() - ${`${LEARNING.windowDays} days`}::interval`;
  const q = LEARNING.quantile;
  const [stats] = (
    await db.execute<{
      sessions: number;
      excluded: number;
      tool_calls: number | null;
      llm_calls: number | null;
      duration_s: number | null;
      cost_usd: number | null;
      peak: number | null;
    }>(sql`
      WITH recent AS (
        SELECT s.*, EXISTS (
          SELECT 1 FROM alerts a WHERE a.agent_id = s.agent_id AND a.session_id = s.session_id AND ${TAINTING_ALERT}
        ) AS flagged
        FROM sessions s WHERE s.agent_id = ${agentId} AND s.last_event_at > ${since}
      )
      SELECT count(*) FILTER (WHERE NOT flagged)::int AS sessions, count(*) FILTER (WHERE flagged)::int AS excluded,
        percentile_cont(${q}) WITHIN GROUP (ORDER BY tool_calls) FILTER (WHERE NOT flagged) AS tool_calls,
        percentile_cont(${q}) WITHIN GROUP (ORDER BY llm_calls) FILTER (WHERE NOT flagged) AS llm_calls,
        percentile_cont(${q}) WITHIN GROUP (ORDER BY extract(epoch FROM last_event_at - started_at)) FILTER (WHERE NOT flagged) AS duration_s,
        percentile_cont(${q}) WITHIN GROUP (ORDER BY cost_usd) FILTER (WHERE NOT flagged) AS cost_usd,
        percentile_cont(${q}) WITHIN GROUP (ORDER BY peak_tool_calls_per_minute) FILTER (WHERE NOT flagged) AS peak
      FROM recent`)
  ).rows;
  // The tool counters hold every call, an attack's too. A tool called in a tainted session of the
  // window is learned only if a clean session of the window called it as well (found through the
  // agent's (agent_id, ts) index; only such tools are looked up).
  const tools = await db.execute<{ label: string; value: string; last_at: Date | string }>(sql`
    WITH flagged AS MATERIALIZED (
      SELECT s.session_id FROM sessions s
      WHERE s.agent_id = ${agentId} AND s.last_event_at > ${since}
        AND EXISTS (SELECT 1 FROM alerts a WHERE a.agent_id = s.agent_id AND a.session_id = s.session_id AND ${TAINTING_ALERT})
    ), attack AS (
      SELECT DISTINCT coalesce(e.tool_name, e.action_name) AS tool FROM events e JOIN flagged f ON f.session_id = e.session_id
      WHERE e.agent_id = ${agentId} AND e.action_type = 'tool_call' AND e.ts > ${since}
    )
    SELECT m.label, m.value, m.last_at FROM metric_counters m
    WHERE m.family = 'tool_calls' AND m.agent_id = ${agentId} AND m.last_at > ${since}
      AND (m.label NOT IN (SELECT tool FROM attack) OR EXISTS (
        SELECT 1 FROM events e WHERE e.agent_id = ${agentId} AND e.action_type = 'tool_call' AND e.ts > ${since}
          AND coalesce(e.tool_name, e.action_name) = m.label AND e.session_id NOT IN (SELECT session_id FROM flagged)
      ))
    ORDER BY m.value DESC, m.label`);
  return {
    sessions: stats?.sessions ?? 0,
    excludedSessions: stats?.excluded ?? 0,
    toolCalls: Number(stats?.tool_calls ?? 0),
    llmCalls: Number(stats?.llm_calls ?? 0),
    durationS: Number(stats?.duration_s ?? 0),
    costUsd: Number(stats?.cost_usd ?? 0),
    peakToolCallsPerMinute: Number(stats?.peak ?? 0),
    tools: tools.rows.map((t) => ({ name: t.label, calls: Number(t.value), lastSeen: new Date(t.last_at).toISOString() })),
  };
}

/**
 * Recomputes an agent's learned baseline and stores it with its evidence. A change in the learned
 * baseline changes what the detectors judge by, so it is audited; an unchanged one is not.
 */
export async function learnBaseline({ ctx, input }: { ctx: Ctx; input: { agentId: string } }): Promise<LearnedBaseline> {
  authorize(ctx, "analyst", "recompute learned baselines");
  const agentId = parseOrThrow(agentIdSchema, input.agentId);
  const proposal = proposeBaseline(await readHistoryStats(ctx.db, agentId));
  await ctx.db.transaction(async (tx) => {
    const [before] = await tx.select({ learned: agentBaselines.learned }).from(agentBaselines).where(eq(agentBaselines.agentId, agentId)).for("update");
    const values = { learned: proposal.baseline, learnedEvidence: proposal.evidence, learnedAt: sql`now()` };
    await tx
      .insert(agentBaselines)
      .values({ agentId, ...values })
      .onConflictDoUpdate({ target: agentBaselines.agentId, set: values });
    const previous = before?.learned ?? null;
    if (!isDeepStrictEqual(previous, proposal.baseline)) {
      await recordAudit(tx, ctx, {
        action: "baseline.learn",
        targetType: "agent",
        targetId: agentId,
        before: { learned: previous },
        after: { learned: proposal.baseline },
      });
    }
  });
  forgetDetectionProfile(agentId);
  return proposal;
}

/** The periodic pass: every agent active within the learning window, one instance at a time. */
export async function refreshLearnedBaselines(db: Db): Promise<number> {
  return db.transaction(async (tx) => {
    const lock = await tx.execute<{ ok: boolean }>(sql`SELECT pg_try_advisory_xact_lock(hashtext('agentsoc:learn_baselines')) AS ok`);
    if (!lock.rows[0]?.ok) return 0;
    const active = await tx.execute<{ id: string }>(sql`
      SELECT a.id FROM agents a WHERE a.last_seen_at > now() - ${`${LEARNING.windowDays} days`}::interval ORDER BY a.id`);
    for (const { id } of active.rows) {
      await learnBaseline({
        ctx: { db, actor: { type: "system", id: "baseline-learner" }, requestId: `learn-${Date.now()}`, sourceIp: null },
        input: { agentId: id },
      });
    }
    return active.rows.length;
  });
}
