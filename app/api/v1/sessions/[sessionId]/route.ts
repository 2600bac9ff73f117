import { listSessionEvents } from "@/db/queries/events";
import { getSessionSummaries } from "@/db/queries/sessions";
import { respond } from "@/lib/api/operation";
import { sessionsApi } from "@/lib/api/operations";
import { AppError } from "@/lib/errors";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const GET = authedRoute<{ sessionId: string }>(sessionsApi.get, async ({ ctx, params }) => {
  const [summaries, { events, truncated }] = await Promise.all([getSessionSummaries(ctx.db, params.sessionId), listSessionEvents(ctx.db, params.sessionId)]);
  if (summaries.length === 0) throw new AppError("NOT_FOUND", `No events for session ${params.sessionId}`);
  return respond(sessionsApi.get, 200, { session_id: params.sessionId, agents: summaries, events, events_truncated: truncated });
});
