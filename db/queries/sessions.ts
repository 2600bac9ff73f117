import { desc, eq } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { sessions } from "@/db/schema";

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
