import { loadDetectionProfile } from "@/db/queries/detection";
import { readSessionFindings, readSessionOutline, readTimelinePage, type TimelineQuery } from "@/db/queries/timeline";
import { authorize } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import { effectiveBaseline, storedBaseline } from "@/lib/detect/baseline";
import type { TimelineEvent } from "@/lib/forensics/views";
import { analyzeSession, type SessionAnalysis } from "./analyze-session";
import { resolveSessionScope } from "./session-scope";

/** One page of a session's timeline: pages fetched with a cursor carry only this. */
export interface SessionTimelinePage {
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

/** The first page, with the analysis of the whole session. */
export type SessionTimeline = SessionTimelinePage &
  SessionAnalysis & { /** True when the session is longer than the analysis reads. */ analysis_truncated: boolean };

/** The analysis reads at most this many events of a session (a runaway agent's session can hold millions). */
export const ANALYSIS_MAX_EVENTS = 200_000;

/**
 * The forensic timeline of one agent's session (analyst+): one page of events and, with the first
 * page, the analysis of all of them. Later pages skip the analysis; it would be the same.
 */
export async function getSessionTimeline({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: { sessionId: string; query: TimelineQuery };
}): Promise<SessionTimeline | SessionTimelinePage> {
  authorize(ctx, "analyst", "read a session's forensic timeline");
  const { scope, summary, others } = await resolveSessionScope(ctx.db, input.sessionId, input.query.agent_id);
  const page = async (): Promise<SessionTimelinePage> => {
    const { events, next_cursor } = await readTimelinePage(ctx.db, scope, input.query);
    return {
      agent_id: scope.agentId,
      session_id: scope.sessionId,
      start_time: summary.started_at,
      end_time: summary.last_event_at,
      event_count: summary.event_count,
      cost_usd: summary.cost_usd,
      tokens: summary.tokens,
      other_agents: others,
      events,
      next_cursor,
    };
  };
  if (input.query.cursor) return page();
  const [first, outline, findings, profile] = await Promise.all([
    page(),
    readSessionOutline(ctx.db, scope, ANALYSIS_MAX_EVENTS + 1),
    readSessionFindings(ctx.db, scope),
    loadDetectionProfile(ctx.db, scope.agentId),
  ]);
  const baseline = effectiveBaseline(storedBaseline(profile.configured), storedBaseline(profile.learned));
  const analysed = outline.slice(0, ANALYSIS_MAX_EVENTS);
  return {
    ...first,
    ...analyzeSession({ agentId: scope.agentId, events: analysed, findings, expectedTools: baseline?.baseline.expected_tools ?? null }),
    analysis_truncated: outline.length > analysed.length,
  };
}
