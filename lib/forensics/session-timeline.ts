import { loadDetectionProfile } from "@/db/queries/detection";
import { getSessionSummaries } from "@/db/queries/sessions";
import { readSessionFindings, readSessionOutline, readTimelinePage, type SessionScope, type TimelineEvent, type TimelineQuery } from "@/db/queries/timeline";
import { authorize } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import { effectiveBaseline, storedBaseline } from "@/lib/detect/baseline";
import { AppError } from "@/lib/errors";
import { analyzeSession, type SessionAnalysis } from "./analyze-session";

export interface SessionTimeline extends SessionAnalysis {
  agent_id: string;
  session_id: string;
  start_time: string;
  end_time: string;
  event_count: number;
  cost_usd: number;
  tokens: number;
  /** Other agents that wrote events under the same session id (a hand-off); each has its own timeline. */
  other_agents: string[];
  events: TimelineEvent[];
  next_cursor: string | null;
}

/**
 * Which agent's part of a session: the one asked for, or the only one. A session id that several
 * agents wrote under needs the caller to choose.
 */
export async function resolveSessionScope(ctx: Ctx, sessionId: string, agentId: string | undefined) {
  const summaries = await getSessionSummaries(ctx.db, sessionId);
  if (summaries.length === 0) throw new AppError("NOT_FOUND", `No events for session ${sessionId}`);
  const summary = agentId ? summaries.find((s) => s.agent_id === agentId) : summaries.length === 1 ? summaries[0] : undefined;
  if (!summary) {
    const agents = summaries.map((s) => s.agent_id).join(", ");
    if (agentId) throw new AppError("NOT_FOUND", `Agent ${agentId} wrote no events in session ${sessionId} (agents: ${agents})`);
    throw new AppError("VALIDATION", `Session ${sessionId} has events from several agents (${agents}); pass agent_id`, {
      details: { errors: [{ path: "agent_id", message: `one of ${agents}` }] },
    });
  }
  // The summary's times are milliseconds; events keep microseconds, so the bounds give a millisecond either side.
  const scope: SessionScope = {
    sessionId,
    agentId: summary.agent_id,
    from: new Date(Date.parse(summary.started_at) - 1),
    to: new Date(Date.parse(summary.last_event_at) + 1),
  };
  return { scope, summary, others: summaries.filter((s) => s !== summary).map((s) => s.agent_id) };
}

/** The forensic timeline of one agent's session: one page of events, and the analysis of all of them (analyst+). */
export async function getSessionTimeline({ ctx, input }: { ctx: Ctx; input: { sessionId: string; query: TimelineQuery } }): Promise<SessionTimeline> {
  authorize(ctx, "analyst", "read a session's forensic timeline");
  const { scope, summary, others } = await resolveSessionScope(ctx, input.sessionId, input.query.agent_id);
  const [page, outline, findings, profile] = await Promise.all([
    readTimelinePage(ctx.db, scope, input.query),
    readSessionOutline(ctx.db, scope),
    readSessionFindings(ctx.db, scope),
    loadDetectionProfile(ctx.db, scope.agentId),
  ]);
  const baseline = effectiveBaseline(storedBaseline(profile.configured), storedBaseline(profile.learned));
  const analysis = analyzeSession({ agentId: scope.agentId, events: outline, findings, expectedTools: baseline?.baseline.expected_tools ?? null });
  return {
    agent_id: scope.agentId,
    session_id: scope.sessionId,
    start_time: summary.started_at,
    end_time: summary.last_event_at,
    event_count: summary.event_count,
    cost_usd: summary.cost_usd,
    tokens: summary.tokens,
    other_agents: others,
    ...analysis,
    events: page.events,
    next_cursor: page.next_cursor,
  };
}
