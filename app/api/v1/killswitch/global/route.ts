import { respond } from "@/lib/api/operation";
import { killSwitchApi } from "@/lib/api/operations";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { killAll, liftAll } from "@/lib/killswitch";
import { appRedis } from "@/lib/redis";

export const dynamic = "force-dynamic";

/** `{"reason"}`: kill every agent (responder or higher). */
export const PUT = authedRoute(killSwitchApi.killAll, async ({ req, ctx }) =>
  respond(killSwitchApi.killAll, 200, await killAll({ ctx, settings: { redis: appRedis() }, input: { reason: (await readJson(req)).reason } })),
);

/** `{"reason"}`: lift the global kill (admin). */
export const DELETE = authedRoute(killSwitchApi.liftAll, async ({ req, ctx }) =>
  respond(killSwitchApi.liftAll, 200, await liftAll({ ctx, settings: { redis: appRedis() }, input: { reason: (await readJson(req)).reason } })),
);
