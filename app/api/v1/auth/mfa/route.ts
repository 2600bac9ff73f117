import { respond } from "@/lib/api/operation";
import { authApi } from "@/lib/api/operations";
import { secondFactorStatus } from "@/lib/auth";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

export const GET = authedRoute(authApi.secondFactor, async ({ ctx }) => respond(authApi.secondFactor, 200, await secondFactorStatus({ ctx })));
