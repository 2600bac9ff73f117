import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import {
  announceToConsoles,
  KILLSWITCH_LOCK,
  type KillSwitchSettings,
  killedByOf,
  recordChange,
  requireKilled,
  requireRedis,
  writeRedis,
} from "./apply-change";
import { EVENTS_CHANNEL, eventMessage, GLOBAL_KEY } from "./contract";
import { killInput } from "./schemas";

/** Lifts the global kill (admin only); agents killed one by one stay killed. */
export async function liftAll({ ctx, settings, input }: { ctx: Ctx; settings: KillSwitchSettings; input: { reason: unknown } }) {
  authorize(ctx, "admin", "lift the global kill");
  const { reason } = parseOrThrow(killInput, input);
  const redis = requireRedis(settings);
  const liftedBy = killedByOf(ctx);
  const atMs = Date.now();
  await ctx.db.transaction(async (tx) => {
    await tx.execute(KILLSWITCH_LOCK);
    await requireKilled(tx, "global", "*", "There is no global kill to lift");
    await recordChange(tx, ctx, { scope: "global", agentId: "*", killed: false, reason, killedBy: liftedBy, atMs, source: "console", action: "lift_all" });
    await writeRedis(tx, redis, (m) => m.del(GLOBAL_KEY).publish(EVENTS_CHANNEL, eventMessage({ action: "lift_all", reason, lifted_by: liftedBy })));
  });
  await announceToConsoles(redis, { action: "lift_all" });
  return { global: true as const, killed: false as const, lifted_by: liftedBy, lifted_at: new Date(atMs).toISOString() };
}
