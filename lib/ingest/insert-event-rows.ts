import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { errorCode } from "@/lib/errors";
import { ACK_ACTION } from "@/lib/killswitch/contract";
import { dayStart, ensureDayPartitions, forgetKnownPartitions } from "./partitions";
import type { EventRow } from "./prepare-event-rows";

const json = (value: unknown) => (value == null ? null : JSON.stringify(value));

/**
 * Inserts the rows and rolls them into their sessions, hourly agent activity and kill-switch
 * after-kill counts in one statement:
 * a batch is stored whole or not at all. Rows already stored (same agent, id and time) are skipped
 * and not counted twice. Returns how many rows were new.
 */
async function insertOnce(db: Db, rows: EventRow[]): Promise<number> {
  const col = <T>(pick: (r: EventRow) => T) => sql.param(rows.map(pick));
  const result = await db.execute<{ inserted: number }>(sql`
    WITH ins AS (
      INSERT INTO events (ts, event_id, agent_id, session_id, action_type, action_name, input_summary,
        output_summary, duration_ms, token_count, cost_usd, tool_name, tool_args_hash, error,
        security_flags, metadata, action_sequence, session_elapsed_s, session_total_cost_usd, redactions)
      SELECT timestamptz 'epoch' + u.ts_us * interval '1 microsecond', u.event_id, u.agent_id, u.session_id,
        u.action_type, u.action_name, u.input_summary, u.output_summary, u.duration_ms, u.token_count,
        u.cost_usd, u.tool_name, u.tool_args_hash, u.error, u.security_flags, u.metadata, u.action_sequence,
        u.session_elapsed_s, u.session_total_cost_usd, u.redactions
      FROM unnest(
        ${col((r) => r.tsMicros)}::int8[], ${col((r) => r.eventId)}::uuid[], ${col((r) => r.agentId)}::text[],
        ${col((r) => r.sessionId)}::text[], ${col((r) => r.actionType)}::text[], ${col((r) => r.actionName)}::text[],
        ${col((r) => r.inputSummary)}::text[], ${col((r) => r.outputSummary)}::text[],
        ${col((r) => r.durationMs)}::float8[], ${col((r) => r.tokenCount)}::int4[], ${col((r) => r.costUsd)}::float8[],
        ${col((r) => r.toolName)}::text[], ${col((r) => r.toolArgsHash)}::text[], ${col((r) => r.error)}::text[],
        ${col((r) => json(r.securityFlags))}::jsonb[], ${col((r) => json(r.metadata))}::jsonb[],
        ${col((r) => r.actionSequence)}::int4[], ${col((r) => r.sessionElapsedS)}::float8[],
        ${col((r) => r.sessionTotalCostUsd)}::float8[], ${col((r) => json(r.redactions))}::jsonb[]
      ) AS u(ts_us, event_id, agent_id, session_id, action_type, action_name, input_summary, output_summary,
        duration_ms, token_count, cost_usd, tool_name, tool_args_hash, error, security_flags, metadata,
        action_sequence, session_elapsed_s, session_total_cost_usd, redactions)
      ON CONFLICT DO NOTHING
      RETURNING ts, agent_id, session_id, action_type, action_name, cost_usd, token_count
    ), session_rollup AS (
      -- Sorted so concurrent batches lock shared rows in one order and cannot deadlock.
      INSERT INTO sessions AS s (session_id, agent_id, started_at, last_event_at, event_count, cost_usd, tokens, error_count)
      SELECT session_id, agent_id, min(ts), max(ts), count(*), coalesce(sum(cost_usd), 0),
        coalesce(sum(token_count::int8), 0), count(*) FILTER (WHERE action_type = 'error')
      FROM ins GROUP BY session_id, agent_id
      ORDER BY session_id, agent_id
      ON CONFLICT (session_id, agent_id) DO UPDATE SET
        started_at = least(s.started_at, excluded.started_at),
        last_event_at = greatest(s.last_event_at, excluded.last_event_at),
        event_count = s.event_count + excluded.event_count,
        cost_usd = s.cost_usd + excluded.cost_usd,
        tokens = s.tokens + excluded.tokens,
        error_count = s.error_count + excluded.error_count
    ), hourly_rollup AS (
      INSERT INTO agent_activity_hourly AS h (agent_id, hour, events, tool_calls, llm_calls, errors, cost_usd, tokens)
      SELECT agent_id, date_trunc('hour', ts, 'UTC'), count(*), count(*) FILTER (WHERE action_type = 'tool_call'),
        count(*) FILTER (WHERE action_type = 'llm_call'), count(*) FILTER (WHERE action_type = 'error'),
        coalesce(sum(cost_usd), 0), coalesce(sum(token_count::int8), 0)
      FROM ins GROUP BY 1, 2
      ORDER BY 1, 2
      ON CONFLICT (agent_id, hour) DO UPDATE SET
        events = h.events + excluded.events,
        tool_calls = h.tool_calls + excluded.tool_calls,
        llm_calls = h.llm_calls + excluded.llm_calls,
        errors = h.errors + excluded.errors,
        cost_usd = h.cost_usd + excluded.cost_usd,
        tokens = h.tokens + excluded.tokens
    ), acted_after_kill AS (
      -- A killed agent that still acts is the worst case: count what it did after its kill.
      UPDATE kill_switches k SET
        actions_after_kill = k.actions_after_kill + a.n,
        last_action_after_kill_at = greatest(k.last_action_after_kill_at, a.last_at)
      FROM (
        SELECT ins.agent_id, count(*)::int AS n, max(ins.ts) AS last_at
        FROM ins JOIN kill_switches ks ON ks.scope = 'agent' AND ks.agent_id = ins.agent_id AND ks.killed AND ins.ts > ks.killed_at
        WHERE NOT (ins.action_type = 'security' AND ins.action_name = ${ACK_ACTION})
        GROUP BY ins.agent_id
      ) a
      WHERE k.scope = 'agent' AND k.agent_id = a.agent_id
    )
    SELECT count(*)::int AS inserted FROM ins`);
  return result.rows[0]?.inserted ?? 0;
}

const NO_PARTITION_FOR_ROW = "23514";

export async function insertEventRows(db: Db, rows: EventRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const days = rows.map((r) => dayStart(Math.floor(r.tsMicros / 1000)));
  await ensureDayPartitions(db, days);
  try {
    return await insertOnce(db, rows);
  } catch (err) {
    // Another instance's retention sweep may have dropped a partition this process still believed in.
    if (errorCode(err) !== NO_PARTITION_FOR_ROW) throw err;
    forgetKnownPartitions();
    await ensureDayPartitions(db, days);
    return insertOnce(db, rows);
  }
}
