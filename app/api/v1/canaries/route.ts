import { listCanaries } from "@/db/queries/detection";
import { respond } from "@/lib/api/operation";
import { canariesApi } from "@/lib/api/operations";
import { parseQuery } from "@/lib/auth/authorize";
import { issueCanary } from "@/lib/detect";
import { canaryListQuery } from "@/lib/detect/schemas";
import { authedRoute, readJson } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** Tokens are readable from analyst up: a viewer who knew them could help an attacker strip them from what leaks. */
export const GET = authedRoute(canariesApi.list, async ({ req, ctx }) => {
  const query = parseQuery(canaryListQuery, new URL(req.url).searchParams);
  return respond(canariesApi.list, 200, { canaries: await listCanaries(ctx.db, query.agent_id ?? null, query.include_retired === "true") });
});

/** `{"agent_id", "placement": "system_prompt"|"document"|"tool", "label"}` → the new canary with its token. */
export const POST = authedRoute(canariesApi.issue, async ({ req, ctx }) =>
  respond(canariesApi.issue, 201, await issueCanary({ ctx, input: await readJson(req) })),
);
