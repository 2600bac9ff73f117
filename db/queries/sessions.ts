import { desc, eq, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { sessions } from "@/db/schema";
import type { SpanEvent } from "@/lib/otlp/span-tree";

export interface SessionSummary {
  session_id: string;
  agent_id: string;
  started_at: string;
  last_event_at: string;
  event_count: number;
  cost_usd: number;
  tokens: number;
  error_count: number;
}

function toSummary(r: typeof sessions.$inferSelect): SessionSummary {
  return {
    session_id: r.sessionId,
    agent_id: r.agentId,
    started_at: r.startedAt.toISOString(),
    last_event_at: r.lastEventAt.toISOString(),
    event_count: r.eventCount,
    cost_usd: r.costUsd,
    tokens: r.tokens,
    error_count: r.errorCount,
  };
}

/** A session id may be shared by several agents (a hand-off); each agent's part is one summary. */
export async function getSessionSummaries(db: Queryable, sessionId: string): Promise<SessionSummary[]> {
  const rows = await db.select().from(sessions).where(eq(sessions.sessionId, sessionId)).orderBy(sessions.startedAt);
  return rows.map(toSummary);
}

/** An agent's most recent sessions, newest first, from the rollup. */
export async function listAgentSessions(db: Queryable, agentId: string, limit = 20): Promise<SessionSummary[]> {
  const rows = await db.select().from(sessions).where(eq(sessions.agentId, agentId)).orderBy(desc(sessions.lastEventAt)).limit(limit);
  return rows.map(toSummary);
}

/** The session's events that came from OpenTelemetry spans (metadata trace_id/span_id), oldest first. */
export async function listSessionSpans(db: Queryable, sessionId: string, limit = 500): Promise<SpanEvent[]> {
  const rows = await db.execute<{
    event_id: string;
    agent_id: string;
    action_type: string;
    action_name: string;
    at: Date | string;
    trace_id: string;
    span_id: string;
    parent_span_id: string | null;
  }>(sql`
    SELECT event_id, agent_id, action_type, action_name, ts AS at, metadata->>'trace_id' AS trace_id, metadata->>'span_id' AS span_id,
      metadata->>'parent_span_id' AS parent_span_id
    FROM events
    WHERE session_id = ${sessionId} AND metadata ? 'trace_id' AND metadata ? 'span_id'
    ORDER BY ts, action_sequence NULLS LAST, event_id
    LIMIT ${limit}`);
  return rows.rows.map((r) => ({
    eventId: r.event_id,
    agentId: r.agent_id,
    actionType: r.action_type,
    actionName: r.action_name,
    at: new Date(r.at).toISOString(),
    traceId: r.trace_id,
    spanId: r.span_id,
    parentSpanId: r.parent_span_id,
  }));
}
