import { respond } from "@/lib/api/operation";
import { killSwitchApi } from "@/lib/api/operations";
import { authedRoute, readJson } from "@/lib/http/authed-route";
import { killAgent, reviveAgent } from "@/lib/killswitch";
import { appRedis } from "@/lib/redis";

export const dynamic = "force-dynamic";

/** `{"reason"}`: kill one agent (responder or higher). */
export const PUT = authedRoute<{ agentId: string }>(killSwitchApi.kill, async ({ req, ctx, params }) =>
  respond(
    killSwitchApi.kill,
    200,
    await killAgent({ ctx, settings: { redis: appRedis() }, input: { agentId: params.agentId, reason: (await readJson(req)).reason } }),
  ),
);

/** `{"reason"}`: revive one agent (admin). */
export const DELETE = authedRoute<{ agentId: string }>(killSwitchApi.revive, async ({ req, ctx, params }) =>
  respond(
    killSwitchApi.revive,
    200,
    await reviveAgent({ ctx, settings: { redis: appRedis() }, input: { agentId: params.agentId, reason: (await readJson(req)).reason } }),
  ),
);
