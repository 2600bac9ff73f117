import { listKillSwitches } from "@/db/queries/killswitch";
import { respond } from "@/lib/api/operation";
import { killSwitchApi } from "@/lib/api/operations";
import { authedRoute } from "@/lib/http/authed-route";
import { redisHealth, redisSharingStatus } from "@/lib/killswitch";
import { appRedis } from "@/lib/redis";

export const dynamic = "force-dynamic";

/** The record of every kill switch, Redis's health, and whether another installation shares this Redis (`redis_sharing.problem`). */
export const GET = authedRoute(killSwitchApi.state, async ({ ctx }) => {
  const [redis, redisSharing, state] = await Promise.all([redisHealth(appRedis()), redisSharingStatus(ctx.db, appRedis()), listKillSwitches(ctx.db)]);
  return respond(killSwitchApi.state, 200, { redis, redis_sharing: redisSharing, ...state });
});
