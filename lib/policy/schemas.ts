import { z } from "zod";
import { agentIdSchema } from "@/lib/agents/schemas";
import { isoTime, nullableTime } from "@/lib/schema-kit";
import { agentPolicySchema } from "./policy";

/** Body of DELETE /api/v1/agents/{agentId}/policy and DELETE /api/v1/capabilities/{capabilityId}. */
export const removePolicyBody = z.object({
  reason: z.string().trim().min(1, "reason: say why it goes").max(2000),
});

export const capabilityIdSchema = z.uuid();

export const capabilityViewSchema = z.object({
  id: z.uuid(),
  source_agent: z.string(),
  target_agent: z.string(),
  allowed_actions: z.array(z.string()),
  max_requests_per_minute: z.number().int(),
  expires_at: nullableTime,
  expired: z.boolean().meta({ description: "Past expires_at: requests under it are judged unauthorized" }),
  created_by: z.string(),
  created_at: isoTime,
  revoked_by: z.string().nullable(),
  revoked_at: nullableTime,
  revoke_reason: z.string().nullable(),
});

export const capabilityListQuery = z.object({
  agent_id: agentIdSchema.optional().meta({ description: "Grants where the agent is the source or the target" }),
  include_revoked: z.enum(["true", "false"]).optional(),
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

export const fleetPoliciesSchema = z.object({
  policies: z
    .array(
      z.object({
        agent_id: z.string(),
        display_name: z.string(),
        policy: storedPolicySchema,
        version: z.number().int(),
        updated_by: z.string(),
        updated_at: isoTime,
      }),
    )
    .meta({ description: "Every agent with a policy, by agent id (at most 1000)" }),
  without_policy: z.array(z.string()).meta({ description: "Agents without a policy, by id (at most 500): their tool calls are not judged against one" }),
  without_policy_total: z.number().int(),
});

/** Query of GET /api/v1/agents/{agentId}/policy/draft. */
export const policyDraftQuery = z.object({
  days: z.coerce.number().int().min(1, "days: at least 1").max(30, "days: at most 30").default(7),
});

export const policyDraftSchema = z.object({
  agent_id: z.string(),
  policy: agentPolicySchema.meta({ description: "The proposal: PUT it to adopt it, as is or edited" }),
  notes: z.record(z.string(), z.array(z.string())).meta({ description: 'Per tool (and "session"): the evidence behind its line' }),
  skipped_tools: z.array(z.string()).meta({ description: "Tools seen whose names a policy cannot hold" }),
  excluded_tools: z.array(z.string()).meta({
    description: "Tools called only in sessions with a high or critical alert: not granted (the notes say how often). Up to 50, busiest first",
  }),
  evidence: z.object({
    window_days: z.number().int(),
    sessions: z.number().int().meta({ description: "Sessions the draft stands on: those in the window without a high or critical alert" }),
    excluded_sessions_with_high_alerts: z.number().int().meta({
      description: "Sessions in the window with a high or critical alert, left out of every line: a policy drafted from an attack would grant it",
    }),
    max_session_seconds: z.number().nullable(),
    max_tool_calls_per_session: z.number().int().nullable(),
    tools: z.array(
      z.object({
        tool: z.string(),
        calls: z.number().int(),
        sessions: z.number().int(),
        permissions: z.array(z.string()),
        resources: z.array(z.string()),
        resource_count: z.number().int(),
        peak_per_minute: z.number().int(),
        max_rows: z.number().nullable(),
        approved_calls: z.number().int(),
      }),
    ),
    excluded_tools: z
      .array(z.object({ tool: z.string(), calls: z.number().int(), sessions: z.number().int() }))
      .meta({ description: "Tools called only in the left-out sessions, up to 50, busiest first" }),
  }),
});
