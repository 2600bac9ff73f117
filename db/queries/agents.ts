import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";

export interface AgentView {
  agent_id: string;
  display_name: string;
  created_at: string;
  last_seen_at: string | null;
  events_24h: number;
  sessions_24h: number;
  active_keys: number;
}

/** Counts come from the hourly and session rollups, never from raw events: the last 24 whole-or-partial hours. */
export async function listAgents(db: Queryable, nowMs = Date.now(), onlyAgentId: string | null = null): Promise<AgentView[]> {
  const since = new Date(Math.floor((nowMs - 86_400_000) / 3_600_000) * 3_600_000 + 3_600_000).toISOString();
  const result = await db.execute<{
    agent_id: string;
    display_name: string;
    created_at: Date | string;
    last_seen_at: Date | string | null;
    events_24h: number;
    sessions_24h: number;
    active_keys: number;
  }>(sql`
    SELECT a.id AS agent_id, a.display_name, a.created_at, a.last_seen_at,
      coalesce((SELECT sum(h.events)::int FROM agent_activity_hourly h WHERE h.agent_id = a.id AND h.hour >= ${since}::timestamptz), 0) AS events_24h,
      (SELECT count(*)::int FROM sessions s WHERE s.agent_id = a.id AND s.last_event_at >= ${since}::timestamptz) AS sessions_24h,
      (SELECT count(*)::int FROM ingest_keys k WHERE k.agent_id = a.id AND k.revoked_at IS NULL) AS active_keys
    FROM agents a
    WHERE (${onlyAgentId}::text IS NULL OR a.id = ${onlyAgentId})
    ORDER BY a.last_seen_at DESC NULLS LAST, a.id`);
  return result.rows.map((r) => ({
    ...r,
    created_at: new Date(r.created_at).toISOString(),
    last_seen_at: r.last_seen_at === null ? null : new Date(r.last_seen_at).toISOString(),
  }));
}

export async function getAgent(db: Queryable, agentId: string): Promise<AgentView | null> {
  return (await listAgents(db, Date.now(), agentId))[0] ?? null;
}
