import { respond } from "@/lib/api/operation";
import { policyApi } from "@/lib/api/operations";
import { parseQuery } from "@/lib/auth/authorize";
import { authedRoute } from "@/lib/http/authed-route";
import { proposePolicy } from "@/lib/policy";
import { policyDraftQuery } from "@/lib/policy/schemas";

export const dynamic = "force-dynamic";

export const GET = authedRoute<{ agentId: string }>(policyApi.draft, async ({ req, ctx, params }) => {
  const { days } = parseQuery(policyDraftQuery, new URL(req.url).searchParams);
  return respond(policyApi.draft, 200, await proposePolicy({ ctx, input: { agentId: params.agentId, days } }));
});
