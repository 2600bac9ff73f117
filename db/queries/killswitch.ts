import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { killSwitches, killSwitchHistory } from "@/db/schema";
import type { KillSwitchView } from "@/lib/killswitch/views";

type Row = typeof killSwitches.$inferSelect;

function toView(r: Row): KillSwitchView {
  return {
    agent_id: r.agentId,
    killed: r.killed,
    reason: r.reason,
    killed_by: r.killedBy,
    killed_at: r.killedAt?.toISOString() ?? null,
    source: r.source,
    acknowledged_at: r.acknowledgedAt?.toISOString() ?? null,
    time_to_stop_s: r.killedAt && r.acknowledgedAt ? (r.acknowledgedAt.getTime() - r.killedAt.getTime()) / 1000 : null,
    actions_after_kill: r.actionsAfterKill,
    last_action_after_kill_at: r.lastActionAfterKillAt?.toISOString() ?? null,
    updated_at: r.updatedAt.toISOString(),
  };
}

/** PostgreSQL's record of every kill switch: the global one, and each agent that was ever killed. */
export async function listKillSwitches(db: Queryable): Promise<{ global: KillSwitchView | null; agents: KillSwitchView[] }> {
  const rows = await db.select().from(killSwitches).orderBy(asc(killSwitches.agentId));
  const global = rows.find((r) => r.scope === "global");
  return { global: global ? toView(global) : null, agents: rows.filter((r) => r.scope === "agent").map(toView) };
}

/** Taken by every change to the kill-switch record: one change at a time, in every instance. */
export const KILLSWITCH_LOCK = sql`SELECT pg_advisory_xact_lock(hashtext('agentsoc:killswitch'))`;
/** What the record says about one agent, for the agent door when Redis cannot be asked. */
export async function recordedKillState(db: Queryable, agentId: string): Promise<{ killed: boolean; reason: string | null }> {
  const rows = await db
    .select()
    .from(killSwitches)
    .where(and(eq(killSwitches.killed, true)));
  const global = rows.find((r) => r.scope === "global");
  if (global) return { killed: true, reason: `Global kill switch active: ${global.reason ?? "no reason recorded"}` };
  const own = rows.find((r) => r.scope === "agent" && r.agentId === agentId);
  return own ? { killed: true, reason: `Agent killed: ${own.reason ?? "no reason recorded"}` } : { killed: false, reason: null };
}

export interface KillHistoryView {
  at: string;
  action: string;
  reason: string | null;
  actor: string;
  source: string;
}

export async function listKillHistory(db: Queryable, agentId: string, limit = 20): Promise<KillHistoryView[]> {
  const rows = await db.select().from(killSwitchHistory).where(eq(killSwitchHistory.agentId, agentId)).orderBy(desc(killSwitchHistory.id)).limit(limit);
  return rows.map((r) => ({ at: r.at.toISOString(), action: r.action, reason: r.reason, actor: r.actor, source: r.source }));
}
