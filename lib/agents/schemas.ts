import { z } from "zod";
import { isoTime, nullableTime } from "@/lib/schema-kit";

export const agentIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "agent id: 1–128 characters, letters, digits, '.', '_', ':' or '-', starting with a letter or digit")
  // agent:killswitch:global and agent:killswitch:events are not agents' keys.
  .refine((id) => id !== "global" && id !== "events", { message: 'agent id: "global" and "events" are reserved' });

export const registerAgentInput = z.object({
  agentId: agentIdSchema,
  displayName: z.string().min(1).max(200).optional(),
  ingestRateLimitPerMin: z.number().int().positive().optional(),
});

export type RegisterAgentInput = z.input<typeof registerAgentInput>;

/** Body of POST /api/v1/agents: registerAgentInput as the API spells it. */
export const registerAgentBody = z.object({
  agent_id: registerAgentInput.shape.agentId,
  display_name: registerAgentInput.shape.displayName,
  ingest_rate_limit_per_min: registerAgentInput.shape.ingestRateLimitPerMin,
});

/** Body of POST /api/v1/agents/{agentId}/keys. */
export const issueIngestKeyBody = z.object({
  rotate: z.boolean().optional().meta({ description: "true: also revoke the agent's other keys" }),
  reason: z.string().optional(),
});

/** Body of PUT /api/v1/agents/{agentId}/keys/{keyId}: the further agents the key may speak for (replaces the list). */
export const setKeyAgentsBody = z.object({
  speaks_for: z.array(agentIdSchema).max(100, "speaks_for: at most 100 agents per key"),
  reason: z.string().optional(),
});

// What the API answers.

export const agentViewSchema = z
  .object({
    agent_id: z.string(),
    display_name: z.string(),
    created_at: isoTime,
    last_seen_at: nullableTime,
    events_24h: z.number().int(),
    sessions_24h: z.number().int(),
    active_keys: z.number().int(),
  })
  .meta({ id: "Agent" });

export const registeredAgentSchema = z.object({
  agent_id: z.string(),
  ingest_key: z.string().meta({ description: "The ingest key itself, shown this once" }),
  ingest_key_id: z.uuid().meta({ description: "The key's id, by which it can be revoked" }),
});

export const ingestKeyViewSchema = z
  .object({
    id: z.uuid(),
    prefix: z.string(),
    speaks_for: z.array(z.string()).meta({ description: "Further agents this key may speak for" }),
    created_at: isoTime,
    last_used_at: nullableTime,
    revoked_at: nullableTime,
  })
  .meta({ id: "IngestKey" });

export const keyAgentsSchema = z.object({ agent_id: z.string(), key_id: z.uuid(), speaks_for: z.array(z.string()) });
export const revokedIngestKeySchema = z.object({ agent_id: z.string(), key_id: z.uuid(), revoked: z.literal(true) });
