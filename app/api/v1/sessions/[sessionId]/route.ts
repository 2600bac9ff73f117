import { appDb } from "@/db/client";
import { listSessionEvents } from "@/db/queries/events";
import { getSessionSummaries } from "@/db/queries/sessions";
import { AppError } from "@/lib/errors";
import { handle, json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export async function GET(req: Request, ctx: { params: Promise<{ sessionId: string }> }): Promise<Response> {
  return handle(req, async () => {
    const { sessionId } = await ctx.params;
    const db = appDb();
    const [summaries, { events, truncated }] = await Promise.all([
      getSessionSummaries(db, sessionId),
      listSessionEvents(db, sessionId),
    ]);
    if (summaries.length === 0) throw new AppError("NOT_FOUND", `No events for session ${sessionId}`);
    return json({ session_id: sessionId, agents: summaries, events, events_truncated: truncated });
  });
}
