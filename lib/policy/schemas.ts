import { z } from "zod";
import { isoTime, nullableTime } from "@/lib/schema-kit";
import { agentPolicySchema } from "./policy";

/** Body of DELETE /api/v1/agents/{agentId}/policy. */
export const removePolicyBody = z.object({
  reason: z.string().trim().min(1, "reason: say why the agent may now call any tool unjudged").max(2000),
});

const policyChangeSchema = z.object({
  added_tools: z.array(z.string()),
  removed_tools: z.array(z.string()),
  changed: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })),
});

const storedPolicySchema = agentPolicySchema;

export const policyViewSchema = z.object({
  agent_id: z.string(),
  policy: storedPolicySchema.nullable().meta({ description: "The policy in effect, every default filled in; null when the agent has none" }),
  version: z.number().int().nullable(),
  updated_by: z.string().nullable(),
  updated_at: nullableTime,
  versions: z
    .array(
      z.object({
        version: z.number().int(),
        policy: storedPolicySchema.nullable(),
        changed_by: z.string(),
        changed_at: isoTime,
        reason: z.string().nullable(),
        change: policyChangeSchema.meta({ description: "What this version changed from the one before" }),
      }),
    )
    .meta({ description: "The last 20 versions, newest first" }),
});
