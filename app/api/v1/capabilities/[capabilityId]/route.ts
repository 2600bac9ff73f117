import { listCapabilities } from "@/db/queries/policies";
import { respond } from "@/lib/api/operation";
import { capabilitiesApi } from "@/lib/api/operations";
import { AppError } from "@/lib/errors";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { revokeCapability } from "@/lib/policy";

export const dynamic = "force-dynamic";

/** Body: `{"reason": "…"}`. */
export const DELETE = authedRoute<{ capabilityId: string }>(capabilitiesApi.revoke, async ({ req, ctx, params }) => {
  await revokeCapability({ ctx, input: { id: params.capabilityId, reason: (await readJson(req)).reason } });
  const [view] = await listCapabilities(ctx.db, { id: params.capabilityId, includeRevoked: true });
  if (!view) throw new AppError("NOT_FOUND", `Capability grant ${params.capabilityId} is gone`);
  return respond(capabilitiesApi.revoke, 200, view);
});
