import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import type { EventRow } from "@/lib/ingest/prepare-event-rows";
import { ACK_ACTION } from "./contract";

/**
 * After a batch is stored: an agent's killswitch_ack marks its kill acknowledged. (What a killed
 * agent did after its kill is counted by the insert statement itself.)
 */
export async function noteAgentActivity(db: Db, agentId: string, rows: EventRow[]): Promise<void> {
  const acks = rows.filter((r) => r.actionType === "security" && r.actionName === ACK_ACTION).map((r) => r.tsMicros);
  if (acks.length > 0) await acknowledgeKill(db, agentId, Math.min(...acks) / 1000);
}
/** The first acknowledgement after the kill counts; later ones change nothing. */
export async function acknowledgeKill(db: Db, agentId: string, atMs: number): Promise<boolean> {
  const result = await db.execute(sql`
    UPDATE kill_switches SET acknowledged_at = ${new Date(atMs).toISOString()}::timestamptz
    WHERE scope = 'agent' AND agent_id = ${agentId} AND killed AND acknowledged_at IS NULL
      AND killed_at <= ${new Date(atMs).toISOString()}::timestamptz + interval '5 seconds'`);
  return (result.rowCount ?? 0) > 0;
}
