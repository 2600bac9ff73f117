import { getCommunications } from "@/lib/forensics/communications";
import { authedRoute } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** `?since=` (ISO 8601 or epoch seconds; default 7 days ago). */
export const GET = authedRoute<{ agentId: string }>("analyst", async ({ req, ctx, params }) =>
  json(await getCommunications({ ctx, input: { agentId: params.agentId, params: new URL(req.url).searchParams } })),
);
