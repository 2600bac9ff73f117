import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";
import { killAll, liftAll } from "@/lib/killswitch";
import { appRedis } from "@/lib/redis";

export const dynamic = "force-dynamic";

/** `{"reason"}`: kill every agent (responder or higher). */
export const PUT = authedRoute("responder", async ({ req, ctx }) =>
  json(await killAll({ ctx, settings: { redis: appRedis() }, input: { reason: (await readJson(req)).reason } })),
);

/** `{"reason"}`: lift the global kill (admin). */
export const DELETE = authedRoute("admin", async ({ req, ctx }) =>
  json(await liftAll({ ctx, settings: { redis: appRedis() }, input: { reason: (await readJson(req)).reason } })),
);
