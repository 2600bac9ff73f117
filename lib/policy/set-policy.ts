import { eq, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { agentPolicies, agentPolicyVersions, agents } from "@/db/schema";
import { agentIdSchema } from "@/lib/agents/schemas";
import { recordAudit } from "@/lib/audit";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import { actorId, type Ctx } from "@/lib/context";
import { forgetDetectionProfile } from "@/lib/detect/profile-cache";
import { AppError, fieldError } from "@/lib/errors";
import { type AgentPolicy, agentPolicySchema, diffPolicies, storedPolicy } from "./policy";
import { removePolicyBody } from "./schemas";

/**
 * Writes a new version of an agent's policy (`null` removes it), with the change it made, in the
 * version history and the audit log. Changes to one agent's policy take turns, so versions have no gaps.
 */
async function writeVersion(tx: Tx, ctx: Ctx, agentId: string, next: AgentPolicy | null, reason: string | null): Promise<number> {
  const [agent] = await tx.select({ id: agents.id }).from(agents).where(eq(agents.id, agentId));
  if (!agent) throw new AppError("NOT_FOUND", `Agent ${agentId} is not registered`);
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('agentsoc:policy'), hashtext(${agentId}))`);
  const [current] = await tx
    .select({ policy: agentPolicies.policy, version: agentPolicies.version })
    .from(agentPolicies)
    .where(eq(agentPolicies.agentId, agentId));
  const before = storedPolicy(current?.policy ?? null);
  if (next === null && !current) throw new AppError("NOT_FOUND", `Agent ${agentId} has no policy to remove`);
  const [last] = await tx
    .select({ version: sql<number>`coalesce(max(${agentPolicyVersions.version}), 0)::int` })
    .from(agentPolicyVersions)
    .where(eq(agentPolicyVersions.agentId, agentId));
  const version = (last?.version ?? 0) + 1;
  const change = diffPolicies(before, next);
  const by = actorId(ctx.actor);
  await tx.insert(agentPolicyVersions).values({ agentId, version, policy: next, change: { ...change }, changedBy: by, reason });
  if (next === null) await tx.delete(agentPolicies).where(eq(agentPolicies.agentId, agentId));
  else {
    const values = { policy: next, version, updatedBy: by, updatedAt: sql`now()` };
    await tx
      .insert(agentPolicies)
      .values({ agentId, ...values })
      .onConflictDoUpdate({ target: agentPolicies.agentId, set: values });
  }
  await recordAudit(tx, ctx, {
    action: next === null ? "policy.remove" : "policy.set",
    targetType: "agent",
    targetId: agentId,
    reason,
    before: { version: current?.version ?? null, policy: before },
    after: { version, policy: next, change },
  });
  return version;
}

/** Replaces an agent's security policy (admin): the guide's AgentSecurityPolicy fields, its defaults filled in. */
export async function setPolicy({ ctx, input }: { ctx: Ctx; input: { agentId: string; policy: unknown } }): Promise<{ version: number; policy: AgentPolicy }> {
  authorize(ctx, "admin", "change agent policies");
  const agentId = parseOrThrow(agentIdSchema, input.agentId);
  const policy = parseOrThrow(agentPolicySchema, input.policy);
  if (policy.agent_id !== undefined && policy.agent_id !== agentId) {
    throw fieldError("agent_id", `the policy names another agent; it must be ${agentId} or left out`);
  }
  const { agent_id: _named, ...stored } = policy;
  const version = await ctx.db.transaction((tx) => writeVersion(tx, ctx, agentId, stored, null)).finally(() => forgetDetectionProfile(agentId));
  return { version, policy: stored };
}

/** Removes an agent's policy (admin, with a reason): its tool calls are no longer judged against one. */
export async function removePolicy({ ctx, input }: { ctx: Ctx; input: { agentId: string; reason: unknown } }): Promise<{ version: number }> {
  authorize(ctx, "admin", "change agent policies");
  const agentId = parseOrThrow(agentIdSchema, input.agentId);
  const reason = parseOrThrow(removePolicyBody.shape.reason, input.reason, "reason");
  const version = await ctx.db.transaction((tx) => writeVersion(tx, ctx, agentId, null, reason)).finally(() => forgetDetectionProfile(agentId));
  return { version };
}
