import { and, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { KILL_POLICY_RULES, killPolicies, killSwitches, sessions } from "@/db/schema";
import { agentIdSchema } from "@/lib/agents/schemas";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import type { KillSwitchSettings } from "./apply-change";
import { killAgent } from "./kill-agent";
import { automaticKillReason } from "./schemas";

export type KillPolicyRule = (typeof KILL_POLICY_RULES)[number];

export interface KillPolicy {
  rule: KillPolicyRule;
  enabled: boolean;
  /** For session_cost_above: the hard limit in USD. */
  threshold_usd: number | null;
}

export type KillSignal =
  | { kind: "canary_leak"; agentId: string; detail: string }
  | { kind: "critical_alert"; agentId: string; detail: string }
  | { kind: "session_cost"; agentId: string; sessionId: string; costUsd: number };

/** Which enabled policies a signal trips, with the reason the kill will carry. Pure. */
export function policiesThatFire(policies: KillPolicy[], signal: KillSignal): { rule: KillPolicyRule; reason: string }[] {
  return policies
    .filter((p) => p.enabled)
    .flatMap((p): { rule: KillPolicyRule; reason: string }[] => {
      if (signal.kind === "canary_leak" && p.rule === "canary_leak") return [{ rule: p.rule, reason: `automatic: canary leaked (${signal.detail})` }];
      if (signal.kind === "critical_alert" && p.rule === "critical_alert") return [{ rule: p.rule, reason: `automatic: critical alert (${signal.detail})` }];
      if (signal.kind === "session_cost" && p.rule === "session_cost_above" && p.threshold_usd !== null && signal.costUsd > p.threshold_usd) {
        return [
          {
            rule: p.rule,
            reason: `automatic: session ${signal.sessionId} cost $${signal.costUsd.toFixed(2)}, above the hard limit of $${p.threshold_usd.toFixed(2)}`,
          },
        ];
      }
      return [];
    });
}

const policyInput = z.object({
  rule: z.enum(KILL_POLICY_RULES),
  enabled: z.boolean(),
  threshold_usd: z.number().positive().max(1_000_000).nullable().optional(),
});
export const policiesInput = z
  .array(policyInput)
  .max(KILL_POLICY_RULES.length)
  .refine((list) => new Set(list.map((p) => p.rule)).size === list.length, { message: "each rule at most once" })
  .refine((list) => list.every((p) => p.rule !== "session_cost_above" || !p.enabled || (p.threshold_usd ?? 0) > 0), {
    message: "session_cost_above needs threshold_usd",
  });

const cache = new Map<string, { at: number; policies: KillPolicy[] }>();
const CACHE_MS = 5_000;

export async function loadKillPolicies(db: Db, agentId: string, fresh = false): Promise<KillPolicy[]> {
  const hit = cache.get(agentId);
  if (!fresh && hit && Date.now() - hit.at < CACHE_MS) return hit.policies;
  const rows = await db.select().from(killPolicies).where(eq(killPolicies.agentId, agentId));
  const policies = rows.map((r) => ({ rule: r.rule, enabled: r.enabled, threshold_usd: r.threshold === null ? null : Number(r.threshold) }));
  cache.set(agentId, { at: Date.now(), policies });
  return policies;
}

/** Replaces an agent's automatic kill policies (admin), audited with before and after. */
export async function setKillPolicies({ ctx, input }: { ctx: Ctx; input: { agentId: string; policies: unknown } }): Promise<KillPolicy[]> {
  authorize(ctx, "admin", "set automatic kill policies");
  const agentId = parseOrThrow(agentIdSchema, input.agentId);
  const policies = parseOrThrow(policiesInput, input.policies, "policies");
  const before = await loadKillPolicies(ctx.db, agentId, true);
  await ctx.db.transaction(async (tx) => {
    await tx.delete(killPolicies).where(eq(killPolicies.agentId, agentId));
    if (policies.length > 0) {
      await tx.insert(killPolicies).values(
        policies.map((p) => ({
          agentId,
          rule: p.rule,
          enabled: p.enabled,
          threshold: p.threshold_usd == null ? null : String(p.threshold_usd),
          updatedBy: actorId(ctx.actor),
        })),
      );
    }
    await recordAudit(tx, ctx, { action: "killswitch.policies", targetType: "agent", targetId: agentId, before: { policies: before }, after: { policies } });
  });
  cache.delete(agentId);
  return loadKillPolicies(ctx.db, agentId, true);
}

/**
 * Acts on a signal: each policy it trips kills the agent, named by its rule as killed_by and audited
 * like a person's kill. An agent already killed is left as it is. Returns the rules that fired.
 */
export async function applyKillPolicies({ db, settings, signal }: { db: Db; settings: KillSwitchSettings; signal: KillSignal }): Promise<KillPolicyRule[]> {
  const firing = policiesThatFire(await loadKillPolicies(db, signal.agentId), signal);
  const [first] = firing;
  if (!first) return [];
  const [state] = await db
    .select({ killed: killSwitches.killed })
    .from(killSwitches)
    .where(and(eq(killSwitches.scope, "agent"), eq(killSwitches.agentId, signal.agentId)));
  if (state?.killed) return [];
  const ctx: Ctx = { db, actor: { type: "system", id: `policy:${first.rule}` }, requestId: `policy-${Date.now()}`, sourceIp: null };
  // The reason carries an alert's detail, which the agent chose: it must never be what stops the kill.
  await killAgent({ ctx, settings, input: { agentId: signal.agentId, reason: automaticKillReason(first.reason) } });
  return [first.rule];
}

/** After a batch is stored: the sessions it touched are checked against a session-cost policy. */
export async function checkSessionCostPolicies(db: Db, settings: KillSwitchSettings, agentId: string, sessionIds: string[]): Promise<void> {
  const policies = await loadKillPolicies(db, agentId);
  if (!policies.some((p) => p.enabled && p.rule === "session_cost_above") || sessionIds.length === 0) return;
  const [costliest] = await db
    .select({ sessionId: sessions.sessionId, costUsd: sessions.costUsd })
    .from(sessions)
    .where(and(eq(sessions.agentId, agentId), inArray(sessions.sessionId, [...new Set(sessionIds)])))
    .orderBy(sql`${sessions.costUsd} DESC`)
    .limit(1);
  if (costliest) await applyKillPolicies({ db, settings, signal: { kind: "session_cost", agentId, ...costliest } });
}
