import { loadDetectionProfile } from "@/db/queries/detection";
import { readSessionFindings, readSessionOutline, readTimelinePage, type TimelineEvent, type TimelineQuery } from "@/db/queries/timeline";
import { authorize } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import { effectiveBaseline, storedBaseline } from "@/lib/detect/baseline";
import { analyzeSession, type SessionAnalysis } from "./analyze-session";
import { resolveSessionScope } from "./session-scope";

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

/** The forensic timeline of one agent's session: one page of events, and the analysis of all of them (analyst+). */
export async function getSessionTimeline({ ctx, input }: { ctx: Ctx; input: { sessionId: string; query: TimelineQuery } }): Promise<SessionTimeline> {
  authorize(ctx, "analyst", "read a session's forensic timeline");
  const { scope, summary, others } = await resolveSessionScope(ctx.db, input.sessionId, input.query.agent_id);
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
