import { listKillSwitches } from "@/db/queries/killswitch";
import { authedRoute } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";
import { redisHealth } from "@/lib/killswitch";
import { appRedis } from "@/lib/redis";

export const dynamic = "force-dynamic";

export const GET = authedRoute("viewer", async ({ ctx }) => {
  const [redis, state] = await Promise.all([redisHealth(appRedis()), listKillSwitches(ctx.db)]);
  return json({ redis, ...state });
});
