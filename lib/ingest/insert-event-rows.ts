import { sql } from "drizzle-orm";
import type { Db, Queryable, Tx } from "@/db/client";
import { errorCode } from "@/lib/errors";
import { peersOf } from "@/lib/forensics/peers";
import { ACK_ACTION } from "@/lib/killswitch/contract";
import { countActionsAfterKill } from "@/lib/killswitch/note-activity";
import { addToMetricCounters } from "@/lib/metrics/counters";
import { dayStart, ensureDayPartitions, forgetKnownPartitions } from "./partitions";
import type { EventRow } from "./prepare-event-rows";

const json = (value: unknown) => (value == null ? null : JSON.stringify(value));

/** What one insert stored: the new rows (retries of stored ones excluded) and their sessions' totals afterwards. */
export interface StoredRows {
  inserted: { agentId: string; eventId: string; tsMicros: number }[];
  sessions: { agentId: string; sessionId: string; startedAtUs: number; eventCount: number; toolCalls: number; llmCalls: number; costUsd: number }[];
}

/**
 * Inserts the rows and rolls them into their sessions, hourly and per-minute agent activity, the
 * /metrics counters, agent-to-agent communications and kill-switch after-kill counts in one
 * statement. Rows already stored (same agent, id and time) are skipped and not counted twice. The
 * session rows stay locked until the transaction ends, so detection that follows sees a session's
 * totals without a concurrent batch of the same session slipping in between.
 */
async function insertOnce(db: Queryable, rows: EventRow[]): Promise<StoredRows> {
  const col = <T>(pick: (r: EventRow) => T) => sql.param(rows.map(pick));
  const mentions = rows.flatMap((r) => peersOf(r.agentId, r.metadata).map((p) => ({ eventId: r.eventId, tsMicros: r.tsMicros, ...p })));
  const mention = <T>(pick: (m: (typeof mentions)[number]) => T) => sql.param(mentions.map(pick));
  const result = await db.execute<{ inserted: [string, string, number][]; sessions: [string, string, number, number, number, number, number][] }>(sql`
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
      RETURNING ts, event_id, agent_id, session_id, action_type, action_name, tool_name, cost_usd, token_count
    ), session_rollup AS (
      -- Sorted so concurrent batches lock shared rows in one order and cannot deadlock.
      INSERT INTO sessions AS s (session_id, agent_id, started_at, last_event_at, event_count, cost_usd, tokens, error_count,
        tool_calls, llm_calls)
      SELECT session_id, agent_id, min(ts), max(ts), count(*), coalesce(sum(cost_usd), 0),
        coalesce(sum(token_count::int8), 0), count(*) FILTER (WHERE action_type = 'error'),
        count(*) FILTER (WHERE action_type = 'tool_call'), count(*) FILTER (WHERE action_type = 'llm_call')
      FROM ins GROUP BY session_id, agent_id
      ORDER BY session_id, agent_id
      ON CONFLICT (session_id, agent_id) DO UPDATE SET
        started_at = least(s.started_at, excluded.started_at),
        last_event_at = greatest(s.last_event_at, excluded.last_event_at),
        event_count = s.event_count + excluded.event_count,
        cost_usd = s.cost_usd + excluded.cost_usd,
        tokens = s.tokens + excluded.tokens,
        error_count = s.error_count + excluded.error_count,
        tool_calls = s.tool_calls + excluded.tool_calls,
        llm_calls = s.llm_calls + excluded.llm_calls
      RETURNING session_id, agent_id, (extract(epoch FROM started_at) * 1000000)::int8 AS started_us, event_count, tool_calls,
        llm_calls, cost_usd
    ), hourly_rollup AS (
      INSERT INTO agent_activity_hourly AS h (agent_id, hour, events, tool_calls, llm_calls, errors, decisions,
        security_events, cost_usd, tokens)
      SELECT agent_id, date_trunc('hour', ts, 'UTC'), count(*), count(*) FILTER (WHERE action_type = 'tool_call'),
        count(*) FILTER (WHERE action_type = 'llm_call'), count(*) FILTER (WHERE action_type = 'error'),
        count(*) FILTER (WHERE action_type = 'decision'), count(*) FILTER (WHERE action_type = 'security'),
        coalesce(sum(cost_usd), 0), coalesce(sum(token_count::int8), 0)
      FROM ins GROUP BY 1, 2
      ORDER BY 1, 2
      ON CONFLICT (agent_id, hour) DO UPDATE SET
        events = h.events + excluded.events,
        tool_calls = h.tool_calls + excluded.tool_calls,
        llm_calls = h.llm_calls + excluded.llm_calls,
        errors = h.errors + excluded.errors,
        decisions = h.decisions + excluded.decisions,
        security_events = h.security_events + excluded.security_events,
        cost_usd = h.cost_usd + excluded.cost_usd,
        tokens = h.tokens + excluded.tokens
    ), minutely_rollup AS (
      INSERT INTO agent_activity_minutely AS m (agent_id, minute, llm_calls, tool_calls, decisions, errors, security_events)
      SELECT agent_id, date_trunc('minute', ts), count(*) FILTER (WHERE action_type = 'llm_call'),
        count(*) FILTER (WHERE action_type = 'tool_call'), count(*) FILTER (WHERE action_type = 'decision'),
        count(*) FILTER (WHERE action_type = 'error'), count(*) FILTER (WHERE action_type = 'security')
      FROM ins GROUP BY 1, 2
      ORDER BY 1, 2
      ON CONFLICT (agent_id, minute) DO UPDATE SET
        llm_calls = m.llm_calls + excluded.llm_calls,
        tool_calls = m.tool_calls + excluded.tool_calls,
        decisions = m.decisions + excluded.decisions,
        errors = m.errors + excluded.errors,
        security_events = m.security_events + excluded.security_events
    ), counters AS (
      -- What /metrics reports as agent_tool_calls_total and the agents' own agent_security_events_total.
      ${addToMetricCounters(sql`
      SELECT CASE WHEN action_type = 'tool_call' THEN 'tool_calls' ELSE 'security_reported' END, agent_id,
        CASE WHEN action_type = 'tool_call' THEN coalesce(tool_name, action_name) ELSE action_name END, count(*), max(ts)
      FROM ins
      WHERE action_type = 'tool_call' OR (action_type = 'security' AND action_name <> ${ACK_ACTION})
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3`)}
    ), communications AS (
      -- Agents this batch's new events name as recipient or sender: who talked to whom, per hour.
      INSERT INTO agent_communications_hourly AS c (agent_id, peer_agent_id, direction, hour, count, first_at, last_at, last_session_id)
      SELECT ins.agent_id, p.peer, p.direction, date_trunc('hour', ins.ts, 'UTC'), count(*), min(ins.ts), max(ins.ts),
        (array_agg(ins.session_id ORDER BY ins.ts DESC))[1]
      FROM unnest(${mention((m) => m.eventId)}::uuid[], ${mention((m) => m.tsMicros)}::int8[], ${mention((m) => m.peerAgentId)}::text[],
        ${mention((m) => m.direction)}::text[]) AS p(event_id, ts_us, peer, direction)
      -- The event's whole key: a stored duplicate (not in ins) or a same-id event at another time must not count.
      JOIN ins ON ins.event_id = p.event_id AND ins.ts = timestamptz 'epoch' + p.ts_us * interval '1 microsecond'
      GROUP BY 1, 2, 3, 4
      ORDER BY 1, 2, 3, 4
      ON CONFLICT (agent_id, peer_agent_id, direction, hour) DO UPDATE SET
        count = c.count + excluded.count,
        first_at = least(c.first_at, excluded.first_at),
        last_at = greatest(c.last_at, excluded.last_at),
        last_session_id = CASE WHEN excluded.last_at >= c.last_at THEN excluded.last_session_id ELSE c.last_session_id END
    ), acted_after_kill AS (
      ${countActionsAfterKill(sql`ins`)}
    )
    SELECT
      (SELECT coalesce(json_agg(json_build_array(agent_id, event_id, (extract(epoch FROM ts) * 1000000)::int8)), '[]') FROM ins) AS inserted,
      (SELECT coalesce(json_agg(json_build_array(agent_id, session_id, started_us, event_count, tool_calls, llm_calls, cost_usd)), '[]')
        FROM session_rollup) AS sessions`);
  const row = result.rows[0];
  return {
    inserted: (row?.inserted ?? []).map(([agentId, eventId, tsMicros]) => ({ agentId, eventId, tsMicros })),
    sessions: (row?.sessions ?? []).map(([agentId, sessionId, startedAtUs, eventCount, toolCalls, llmCalls, costUsd]) => ({
      agentId,
      sessionId,
      startedAtUs,
      eventCount,
      toolCalls,
      llmCalls,
      costUsd,
    })),
  };
}

const NO_PARTITION_FOR_ROW = "23514";

/**
 * Stores the rows in one transaction, then runs `within` in the same transaction (detection and
 * its alerts), so that a batch and what it raised commit together or not at all.
 */
export async function storeEventRows<T>(
  db: Db,
  rows: EventRow[],
  within: (tx: Tx, stored: StoredRows) => Promise<T>,
): Promise<{ stored: StoredRows; result: T }> {
  const days = rows.map((r) => dayStart(Math.floor(r.tsMicros / 1000)));
  const attempt = () =>
    db.transaction(async (tx) => {
      const stored = rows.length === 0 ? { inserted: [], sessions: [] } : await insertOnce(tx, rows);
      return { stored, result: await within(tx, stored) };
    });
  await ensureDayPartitions(db, days);
  try {
    return await attempt();
  } catch (err) {
    // Another instance's retention sweep may have dropped a partition this process still believed in.
    if (errorCode(err) !== NO_PARTITION_FOR_ROW) throw err;
    forgetKnownPartitions();
    await ensureDayPartitions(db, days);
    return attempt();
  }
}

/** Stores rows without detection (tests, tooling); returns how many were new. */
export async function insertEventRows(db: Db, rows: EventRow[]): Promise<number> {
  const { stored } = await storeEventRows(db, rows, async () => undefined);
  return stored.inserted.length;
}
