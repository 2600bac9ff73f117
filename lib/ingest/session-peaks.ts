import { type SQL, sql } from "drizzle-orm";

/**
 * Raises the sessions' peak tool calls per minute (as detection measured them) where the new peak is
 * higher. It is a part of detection's own statement (a CTE body), in the batch's transaction.
 */
export function raiseSessionPeaks(agentId: string, peaks: [sessionId: string, peak: number][]): SQL {
  return sql`UPDATE sessions s SET peak_tool_calls_per_minute = p.peak
      FROM unnest(${sql.param(peaks.map(([id]) => id))}::text[], ${sql.param(peaks.map(([, n]) => n))}::int4[]) AS p(session_id, peak)
      WHERE s.agent_id = ${agentId} AND s.session_id = p.session_id AND s.peak_tool_calls_per_minute < p.peak`;
}
