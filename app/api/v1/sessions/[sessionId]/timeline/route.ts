import { parseTimelineQuery } from "@/db/queries/timeline";
import { respond } from "@/lib/api/operation";
import { sessionsApi } from "@/lib/api/operations";
import { getSessionTimeline } from "@/lib/forensics/session-timeline";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** `?agent_id=&action_type=&limit=&cursor=`: one page of events, and the whole session's analysis. */
export const GET = authedRoute<{ sessionId: string }>(sessionsApi.timeline, async ({ req, ctx, params }) =>
  respond(
    sessionsApi.timeline,
    200,
    await getSessionTimeline({ ctx, input: { sessionId: params.sessionId, query: parseTimelineQuery(new URL(req.url).searchParams) } }),
  ),
);
