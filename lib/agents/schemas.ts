import { z } from "zod";

export const agentIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/,
    "agent id: 1–128 characters, letters, digits, '.', '_', ':' or '-', starting with a letter or digit",
  )
  // agent:killswitch:global and agent:killswitch:events are not agents' keys.
  .refine((id) => id !== "global" && id !== "events", { message: 'agent id: "global" and "events" are reserved' });

export const registerAgentInput = z.object({
  agentId: agentIdSchema,
  displayName: z.string().min(1).max(200).optional(),
  ingestRateLimitPerMin: z.number().int().positive().optional(),
});

export type RegisterAgentInput = z.input<typeof registerAgentInput>;
