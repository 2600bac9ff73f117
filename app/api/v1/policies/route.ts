import { listFleetPolicies } from "@/db/queries/policies";
import { respond } from "@/lib/api/operation";
import { policyApi } from "@/lib/api/operations";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const GET = authedRoute(policyApi.list, async ({ ctx }) => respond(policyApi.list, 200, await listFleetPolicies(ctx.db)));
