import { listCapabilities } from "@/db/queries/policies";
import { respond } from "@/lib/api/operation";
import { capabilitiesApi } from "@/lib/api/operations";
import { parseQuery } from "@/lib/auth/authorize";
import { AppError } from "@/lib/errors";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { grantCapability } from "@/lib/policy";
import { capabilityListQuery } from "@/lib/policy/schemas";

export const dynamic = "force-dynamic";

export const GET = authedRoute(capabilitiesApi.list, async ({ req, ctx }) => {
  const query = parseQuery(capabilityListQuery, new URL(req.url).searchParams);
  return respond(capabilitiesApi.list, 200, {
    capabilities: await listCapabilities(ctx.db, { agentId: query.agent_id, includeRevoked: query.include_revoked === "true" }),
  });
});

/** Body: the guide's AgentCapability, `{"source_agent", "target_agent", "allowed_actions", "max_requests_per_minute"?, "expires_at"?}`. */
export const POST = authedRoute(capabilitiesApi.grant, async ({ req, ctx }) => {
  const { id } = await grantCapability({ ctx, input: await readJson(req) });
  const [view] = await listCapabilities(ctx.db, { id, includeRevoked: true });
  if (!view) throw new AppError("NOT_FOUND", `Capability grant ${id} is gone`);
  return respond(capabilitiesApi.grant, 201, view);
});
