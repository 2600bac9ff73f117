import { authedRoute, readJson } from "@/lib/http/authed-route";
import { json } from "@/lib/http/respond";
import { killAgent, reviveAgent } from "@/lib/killswitch";
import { appRedis } from "@/lib/redis";

export const dynamic = "force-dynamic";

/** `{"reason"}`: kill one agent (responder or higher). */
export const PUT = authedRoute<{ agentId: string }>("responder", async ({ req, ctx, params }) =>
  json(await killAgent({ ctx, settings: { redis: appRedis() }, input: { agentId: params.agentId, reason: (await readJson(req)).reason } })),
);

/** `{"reason"}`: revive one agent (admin). */
export const DELETE = authedRoute<{ agentId: string }>("admin", async ({ req, ctx, params }) =>
  json(await reviveAgent({ ctx, settings: { redis: appRedis() }, input: { agentId: params.agentId, reason: (await readJson(req)).reason } })),
);
