import { listKillSwitches } from "@/db/queries/killswitch";
import { authedRoute } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";
import { redisHealth, redisSharingStatus } from "@/lib/killswitch";
import { appRedis } from "@/lib/redis";

export const dynamic = "force-dynamic";

/** The record of every kill switch, Redis's health, and whether another installation shares this Redis (`redis_sharing.problem`). */
export const GET = authedRoute("viewer", async ({ ctx }) => {
  const [redis, redisSharing, state] = await Promise.all([redisHealth(appRedis()), redisSharingStatus(ctx.db, appRedis()), listKillSwitches(ctx.db)]);
  return json({ redis, redis_sharing: redisSharing, ...state });
});
