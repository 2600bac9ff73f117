import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import type { EventRow } from "@/lib/ingest/prepare-event-rows";

export const ACK_ACTION = "killswitch_ack";

/**
 * After a batch is stored: an agent's killswitch_ack marks its kill acknowledged, and anything else it
 * did after being killed is counted, because a killed agent that still acts is the worst case.
 */
export async function noteAgentActivity(db: Db, agentId: string, rows: EventRow[]): Promise<void> {
  const acks = rows.filter((r) => r.actionType === "security" && r.actionName === ACK_ACTION).map((r) => r.tsMicros);
  const acts = rows.filter((r) => !(r.actionType === "security" && r.actionName === ACK_ACTION)).map((r) => r.tsMicros);
  if (acks.length > 0) await acknowledgeKill(db, agentId, Math.min(...acks) / 1000);
  if (acts.length === 0) return;
  await db.execute(sql`
    UPDATE kill_switches k SET
      actions_after_kill = k.actions_after_kill + a.n,
      last_action_after_kill_at = greatest(k.last_action_after_kill_at, a.last_at)
    FROM (
      SELECT count(*)::int AS n, max(timestamptz 'epoch' + t * interval '1 microsecond') AS last_at
      FROM unnest(${sql.param(acts)}::int8[]) AS t
      WHERE timestamptz 'epoch' + t * interval '1 microsecond' > (
        SELECT killed_at FROM kill_switches WHERE scope = 'agent' AND agent_id = ${agentId} AND killed)
    ) a
    WHERE k.scope = 'agent' AND k.agent_id = ${agentId} AND k.killed AND a.n > 0`);
}

/** The first acknowledgement after the kill counts; later ones change nothing. */
export async function acknowledgeKill(db: Db, agentId: string, atMs: number): Promise<boolean> {
  const result = await db.execute(sql`
    UPDATE kill_switches SET acknowledged_at = ${new Date(atMs).toISOString()}::timestamptz
    WHERE scope = 'agent' AND agent_id = ${agentId} AND killed AND acknowledged_at IS NULL
      AND killed_at <= ${new Date(atMs).toISOString()}::timestamptz + interval '5 seconds'`);
  return (result.rowCount ?? 0) > 0;
}
