import { agentExists } from "@/db/queries/ingest-keys";
import { readPolicyEvidence } from "@/db/queries/policies";
import { agentIdSchema } from "@/lib/agents/schemas";
import { authorize, parseOrThrow } from "@/lib/auth/authorize";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { draftPolicy, MAX_RESOURCES, type PolicyDraft, type PolicyEvidence } from "./draft-policy";
import { policyDraftQuery } from "./schemas";

/** A least-privilege policy drafted from the agent's last `days` days, with its evidence. Changes nothing: an admin adopts it with PUT. */
export async function proposePolicy({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: { agentId: string; days: number };
}): Promise<PolicyDraft & { agent_id: string; evidence: PolicyEvidence }> {
  authorize(ctx, "analyst", "draft agent policies");
  const agentId = parseOrThrow(agentIdSchema, input.agentId);
  const { days } = parseOrThrow(policyDraftQuery, { days: input.days });
  if (!(await agentExists(ctx.db, agentId))) throw new AppError("NOT_FOUND", `Agent ${agentId} is not registered`);
  const evidence = await readPolicyEvidence(ctx.db, agentId, { days, maxResources: MAX_RESOURCES });
  return { agent_id: agentId, evidence, ...draftPolicy(evidence) };
}
