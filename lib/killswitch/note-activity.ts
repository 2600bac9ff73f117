import { type SQL, sql } from "drizzle-orm";
import { killSwitchHistory } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { actorId, type Ctx } from "@/lib/context";
import type { EventRow } from "@/lib/ingest/prepare-event-rows";
import { KILLSWITCH_LOCK } from "./apply-change";
import { ACK_ACTION } from "./contract";

/**
 * A killed agent that still acts is the worst case: counts what it did after its kill, from `stored`
 * (the stored events' agent_id, ts, action_type, action_name). It is a part of the ingest statement
 * (a CTE body), so a batch and this count commit together in one round trip.
 */
export function countActionsAfterKill(stored: SQL): SQL {
  return sql`UPDATE kill_switches k SET
        actions_after_kill = k.actions_after_kill + a.n,
        last_action_after_kill_at = greatest(k.last_action_after_kill_at, a.last_at)
      FROM (
        SELECT e.agent_id, count(*)::int AS n, max(e.ts) AS last_at
        FROM ${stored} e JOIN kill_switches ks ON ks.scope = 'agent' AND ks.agent_id = e.agent_id AND ks.killed AND e.ts > ks.killed_at
        WHERE NOT (e.action_type = 'security' AND e.action_name = ${ACK_ACTION})
        GROUP BY e.agent_id
      ) a
      WHERE k.scope = 'agent' AND k.agent_id = a.agent_id`;
}

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
