import { z } from "zod";
import { CANARY_PLACEMENTS } from "@/db/schema/detection";
import { agentIdSchema } from "@/lib/agents/schemas";

export const issueCanaryInput = z.object({
  agent_id: agentIdSchema,
  placement: z.enum(CANARY_PLACEMENTS),
  label: z.string().trim().min(1, "label: say where the canary was planted").max(200),
});

export const alertIdSchema = z.coerce.number().int().positive();

export const resolveAlertInput = z.object({
  note: z.string().trim().min(1, "note: say how the alert was resolved").max(2000),
});

export const acknowledgeAlertInput = z.object({
  note: z.string().trim().max(2000).optional(),
});
