import { dashboardRangeSchema, getDashboard } from "@/db/queries/dashboard";
import { respond } from "@/lib/api/operation";
import { dashboardApi } from "@/lib/api/operations";
import { parseOrThrow } from "@/lib/auth/authorize";
import { authedRoute } from "@/lib/http/authed-route";

export const dynamic = "force-dynamic";

/** `?range=1h|24h|7d` */
export const GET = authedRoute(dashboardApi.get, async ({ req, ctx }) => {
  const range = parseOrThrow(dashboardRangeSchema, new URL(req.url).searchParams.get("range") ?? undefined, "range");
  return respond(dashboardApi.get, 200, await getDashboard(ctx.db, range));
});
