import type { Queryable } from "@/db/client";
import { getSessionSummaries, type SessionSummary } from "@/db/queries/sessions";
import { AppError } from "@/lib/errors";

/** One agent's part of a session; its time span bounds every query, so only its days' partitions are read. */
export interface SessionScope {
  sessionId: string;
  agentId: string;
  from: Date;
  to: Date;
}

/**
 * Which agent's part of a session: the one asked for, or the only one. A session id that several
 * agents wrote under needs the caller to choose, and the error names them.
 */
export async function resolveSessionScope(
  db: Queryable,
  sessionId: string,
  agentId: string | undefined,
): Promise<{ scope: SessionScope; summary: SessionSummary; others: string[] }> {
  const summaries = await getSessionSummaries(db, sessionId);
  if (summaries.length === 0) throw new AppError("NOT_FOUND", `Session ${sessionId} does not exist: no events are stored under that id`);
  const agents = summaries.map((s) => s.agent_id);
  const summary = agentId ? summaries.find((s) => s.agent_id === agentId) : summaries.length === 1 ? summaries[0] : undefined;
  if (!summary) {
    const errors = [{ path: "agent_id", message: `one of ${agents.join(", ")}` }];
    if (agentId)
      throw new AppError("NOT_FOUND", `Agent ${agentId} wrote no events in session ${sessionId} (agents: ${agents.join(", ")})`, {
        details: { errors, agents },
      });
    throw new AppError("VALIDATION", `Session ${sessionId} has events from several agents (${agents.join(", ")}); pass agent_id to choose one`, {
      details: { errors, agents },
    });
  }
  // The summary's times are milliseconds; events keep microseconds, so the bounds give a millisecond either side.
  const scope: SessionScope = {
    sessionId,
    agentId: summary.agent_id,
    from: new Date(Date.parse(summary.started_at) - 1),
    to: new Date(Date.parse(summary.last_event_at) + 1),
  };
  return { scope, summary, others: agents.filter((a) => a !== summary.agent_id) };
}
