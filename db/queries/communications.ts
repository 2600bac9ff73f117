import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";

/** One peer of an agent, with both sides' accounts of their exchanges since a time. */
export interface PeerCommunication {
  agent_id: string;
  /** Messages the agent sent the peer, as the agent logged them and as the peer logged receiving them. */
  sent: { reported_by_agent: number; reported_by_peer: number };
  received: { reported_by_agent: number; reported_by_peer: number };
  first_at: string;
  last_at: string;
  last_session_id: string;
}

export async function listCommunications(db: Queryable, agentId: string, since: Date): Promise<PeerCommunication[]> {
  const result = await db.execute<{
    peer: string;
    sent_self: string;
    sent_peer: string;
    received_self: string;
    received_peer: string;
    first_at: Date | string;
    last_at: Date | string;
    last_session_id: string;
  }>(sql`
    WITH sides AS (
      SELECT peer_agent_id AS peer, direction, 'agent' AS reporter, count, first_at, last_at, last_session_id
      FROM agent_communications_hourly WHERE agent_id = ${agentId} AND hour >= date_trunc('hour', ${since.toISOString()}::timestamptz, 'UTC')
      UNION ALL
      -- The peer's own log of the same exchange: its "sent" is this agent's "received".
      SELECT agent_id, CASE direction WHEN 'sent' THEN 'received' ELSE 'sent' END, 'peer', count, first_at, last_at, last_session_id
      FROM agent_communications_hourly WHERE peer_agent_id = ${agentId} AND hour >= date_trunc('hour', ${since.toISOString()}::timestamptz, 'UTC')
    )
    SELECT peer,
      coalesce(sum(count) FILTER (WHERE direction = 'sent' AND reporter = 'agent'), 0) AS sent_self,
      coalesce(sum(count) FILTER (WHERE direction = 'sent' AND reporter = 'peer'), 0) AS sent_peer,
      coalesce(sum(count) FILTER (WHERE direction = 'received' AND reporter = 'agent'), 0) AS received_self,
      coalesce(sum(count) FILTER (WHERE direction = 'received' AND reporter = 'peer'), 0) AS received_peer,
      min(first_at) AS first_at, max(last_at) AS last_at,
      (array_agg(last_session_id ORDER BY last_at DESC))[1] AS last_session_id
    FROM sides GROUP BY peer ORDER BY max(last_at) DESC, peer`);
  const iso = (v: Date | string) => new Date(v).toISOString();
  return result.rows.map((r) => ({
    agent_id: r.peer,
    sent: { reported_by_agent: Number(r.sent_self), reported_by_peer: Number(r.sent_peer) },
    received: { reported_by_agent: Number(r.received_self), reported_by_peer: Number(r.received_peer) },
    first_at: iso(r.first_at),
    last_at: iso(r.last_at),
    last_session_id: r.last_session_id,
  }));
}
