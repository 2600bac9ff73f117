import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import {
  announceToConsoles,
  KILLSWITCH_LOCK,
  type KillSwitchSettings,
  killedByOf,
  recordChange,
  requireRedis,
  revokeTokensOfKill,
  writeRedis,
} from "./apply-change";
import { EVENTS_CHANNEL, eventMessage, GLOBAL_KEY, globalKillValue } from "./contract";
import { killInput } from "./schemas";

/** Stops every agent at once through the global key; Redis first, as for a single kill (see killAgent). */
export async function killAll({ ctx, settings, input }: { ctx: Ctx; settings: KillSwitchSettings; input: { reason: unknown } }) {
  authorize(ctx, "responder", "kill all agents");
  const { reason } = parseOrThrow(killInput, input);
  const redis = requireRedis(settings);
  const killedBy = killedByOf(ctx);
  const atMs = Date.now();
  await ctx.db.transaction(async (tx) => {
    await tx.execute(KILLSWITCH_LOCK);
    await writeRedis(tx, redis, (m) =>
      m
        .set(GLOBAL_KEY, globalKillValue({ reason, killedBy, killedAtMs: atMs }))
        .publish(EVENTS_CHANNEL, eventMessage({ action: "kill_all", reason, killed_by: killedBy })),
    );
    await recordChange(tx, ctx, { scope: "global", agentId: "*", killed: true, reason, killedBy, atMs, source: "console", action: "kill_all" });
  });
  await revokeTokensOfKill(ctx, null, reason, killedBy);
  await announceToConsoles(redis, { action: "kill_all" });
  return { global: true as const, killed: true as const, reason, killed_by: killedBy, killed_at: new Date(atMs).toISOString() };
}
