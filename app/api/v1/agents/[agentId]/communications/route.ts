import { respond } from "@/lib/api/operation";
import { sessionsApi } from "@/lib/api/operations";
import { getCommunications } from "@/lib/forensics/communications";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** `?since=` (ISO 8601 or epoch seconds; default 7 days ago). */
export const GET = authedRoute<{ agentId: string }>(sessionsApi.communications, async ({ req, ctx, params }) =>
  respond(sessionsApi.communications, 200, await getCommunications({ ctx, input: { agentId: params.agentId, params: new URL(req.url).searchParams } })),
);
