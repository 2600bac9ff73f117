import { sql } from "drizzle-orm";
import { killSwitchHistory } from "@/db/schema";
import type { EventRow } from "@/lib/ingest/prepare-event-rows";
import { recordAudit } from "@/lib/audit";
import { actorId, type Ctx } from "@/lib/context";
import { KILLSWITCH_LOCK } from "./apply-change";
import { ACK_ACTION } from "./contract";

/**
 * After a batch is stored: an agent's killswitch_ack marks its kill acknowledged. (What a killed
 * agent did after its kill is counted by the insert statement itself.)
 */
export async function noteAgentActivity(ctx: Ctx, agentId: string, rows: EventRow[]): Promise<void> {
  const acks = rows.filter((r) => r.actionType === "security" && r.actionName === ACK_ACTION).map((r) => r.tsMicros);
  if (acks.length > 0) await acknowledgeKill({ ctx, input: { agentId, atMs: Math.min(...acks) / 1000 } });
}

/**
 * The first acknowledgement after the kill counts, with its history and audit rows; later ones change
 * nothing. A kill reaches Redis (and the agent) before its record commits, so an agent quick to stop
 * can answer first: the kill-switch lock makes its acknowledgement wait for that record.
 */
export async function acknowledgeKill({ ctx, input }: { ctx: Ctx; input: { agentId: string; atMs: number } }): Promise<boolean> {
  const at = new Date(input.atMs).toISOString();
  return ctx.db.transaction(async (tx) => {
    await tx.execute(KILLSWITCH_LOCK);
    const updated = await tx.execute<{ killed_at: Date | string }>(sql`
      UPDATE kill_switches SET acknowledged_at = ${at}::timestamptz
      WHERE scope = 'agent' AND agent_id = ${input.agentId} AND killed AND acknowledged_at IS NULL
        AND killed_at <= ${at}::timestamptz + interval '5 seconds'
      RETURNING killed_at`);
    const [row] = updated.rows;
    if (!row) return false;
    const stopSeconds = (input.atMs - new Date(row.killed_at).getTime()) / 1000;
    await tx.insert(killSwitchHistory).values({
      action: "ack",
      agentId: input.agentId,
      reason: `stopped ${stopSeconds.toFixed(1)} s after the kill`,
      actor: actorId(ctx.actor),
      source: "console",
      at: new Date(input.atMs),
    });
    await recordAudit(tx, ctx, {
      action: "killswitch.ack",
      targetType: "agent",
      targetId: input.agentId,
      after: { acknowledged_at: at, time_to_stop_s: Number(stopSeconds.toFixed(3)) },
    });
    return true;
  });
}
