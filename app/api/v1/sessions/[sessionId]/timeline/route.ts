import { parseTimelineQuery } from "@/db/queries/timeline";
import { getSessionTimeline } from "@/lib/forensics/session-timeline";
import { authedRoute } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** `?agent_id=&action_type=&limit=&cursor=`: one page of events, and the whole session's analysis. */
export const GET = authedRoute<{ sessionId: string }>("analyst", async ({ req, ctx, params }) =>
  json(await getSessionTimeline({ ctx, input: { sessionId: params.sessionId, query: parseTimelineQuery(new URL(req.url).searchParams) } })),
);
