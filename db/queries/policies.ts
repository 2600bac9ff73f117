import { desc, eq } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { agentPolicies, agentPolicyVersions } from "@/db/schema";
import type { AgentPolicy, PolicyChange } from "@/lib/policy/policy";
import type { PolicyView } from "@/lib/policy/views";

const VERSIONS_SHOWN = 20;
const noChange: PolicyChange = { added_tools: [], removed_tools: [], changed: [] };

/** An agent's policy in effect and its recent versions, newest first. */
export async function getPolicy(db: Queryable, agentId: string): Promise<PolicyView> {
  const [current, versions] = await Promise.all([
    db.select().from(agentPolicies).where(eq(agentPolicies.agentId, agentId)),
    db.select().from(agentPolicyVersions).where(eq(agentPolicyVersions.agentId, agentId)).orderBy(desc(agentPolicyVersions.version)).limit(VERSIONS_SHOWN),
  ]);
  const row = current[0];
  return {
    agent_id: agentId,
    policy: (row?.policy as AgentPolicy | undefined) ?? null,
    version: row?.version ?? null,
    updated_by: row?.updatedBy ?? null,
    updated_at: row?.updatedAt.toISOString() ?? null,
    versions: versions.map((v) => ({
      version: v.version,
      policy: (v.policy as AgentPolicy | null) ?? null,
      changed_by: v.changedBy,
      changed_at: v.changedAt.toISOString(),
      reason: v.reason,
      change: (v.change as unknown as PolicyChange | null) ?? noChange,
    })),
  };
}
