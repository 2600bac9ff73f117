import { dashboardRangeSchema, getDashboard } from "@/db/queries/dashboard";
import { parseOrThrow } from "@/lib/auth/authorize";
import { authedRoute } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** `?range=1h|24h|7d` */
export const GET = authedRoute("viewer", async ({ req, ctx }) => {
  const range = parseOrThrow(dashboardRangeSchema, new URL(req.url).searchParams.get("range") ?? undefined, "range");
  return json(await getDashboard(ctx.db, range));
});
