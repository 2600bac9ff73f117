import { incidentRef, openIncidentsCovering } from "@/db/queries/incidents";
import { agentIdSchema } from "@/lib/agents/schemas";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { recordIncidentActivity } from "@/lib/incidents/record";
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
import { agentKey, EVENTS_CHANNEL, eventMessage } from "./contract";
import { killInput } from "./schemas";

const REVIEW_LINK = /https?:\/\/[^\s/]+\.[^\s]+/;

/**
 * Lets a killed agent act again (admin only). Redis is written last, just before the record commits:
 * an agent never runs again unless the record of its revival was written.
 */
export async function reviveAgent({ ctx, settings, input }: { ctx: Ctx; settings: KillSwitchSettings; input: { agentId: string; reason: unknown } }) {
  authorize(ctx, "admin", "revive agents");
  const agentId = parseOrThrow(agentIdSchema, input.agentId);
  const { reason } = parseOrThrow(killInput, { reason: input.reason });
  const redis = requireRedis(settings);
  const revivedBy = killedByOf(ctx);
  const atMs = Date.now();
  await ctx.db.transaction(async (tx) => {
    await tx.execute(KILLSWITCH_LOCK);
    await requireKilled(tx, "agent", agentId, `Agent ${agentId} is not killed`);
    // "Re-enable the agent only after security review": an open incident's agent comes back only with a link to that review.
    const covering = await openIncidentsCovering(tx, agentId);
    if (covering.length > 0 && !REVIEW_LINK.test(reason)) {
      const refs = covering.map(incidentRef).join(", ");
      throw new AppError("VALIDATION", `Agent ${agentId} is covered by open incident ${refs}: reviving it needs a note linking the security review (a URL)`, {
        details: { errors: [{ path: "reason", message: "link the security review (http:// or https://)" }], incidents: refs },
      });
    }
    for (const id of covering) {
      await recordIncidentActivity(tx, ctx, id, {
        kind: "agent_revived",
        summary: `${agentId} revived after review: ${reason}`,
        detail: { agent_id: agentId },
        reason,
      });
    }
    await recordChange(tx, ctx, { scope: "agent", agentId, killed: false, reason, killedBy: revivedBy, atMs, source: "console", action: "revive" });
    await writeRedis(tx, redis, (m) =>
      m.del(agentKey(agentId)).publish(EVENTS_CHANNEL, eventMessage({ action: "revive", agent_id: agentId, reason, revived_by: revivedBy })),
    );
  });
  await announceToConsoles(redis, { action: "revive", agent_id: agentId });
  return { agent_id: agentId, killed: false as const, revived_by: revivedBy, revived_at: new Date(atMs).toISOString() };
}
