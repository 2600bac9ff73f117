import { z } from "zod";
import { agentIdSchema } from "@/lib/agents/schemas";

export const rotationIdSchema = z.uuid({ message: "rotation id: expected a UUID" });
export const rotationItemIdSchema = z.uuid({ message: "item id: expected a UUID" });

/** `{agent_id}`, `{credential_ids}`, or an incident alone (all its agents' credentials); `incident_id` links the run to it. */
export const startRotationInput = z
  .strictObject({
    agent_id: agentIdSchema.optional(),
    credential_ids: z
      .array(z.uuid({ message: "credential_ids: expected credential ids (UUIDs)" }))
      .min(1)
      .max(200)
      .optional(),
    incident_id: z.number().int().positive().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.agent_id !== undefined && v.credential_ids !== undefined) {
      ctx.addIssue({ code: "custom", path: ["credential_ids"], message: "give agent_id or credential_ids, not both" });
    }
    if (v.agent_id === undefined && v.credential_ids === undefined && v.incident_id === undefined) {
      ctx.addIssue({ code: "custom", path: ["agent_id"], message: "say what to rotate: agent_id, credential_ids, or incident_id" });
    }
  });

export const resolveItemInput = z.strictObject({ note: z.string().trim().min(1, "note: say how the credential was dealt with").max(4000) });

const listQuery = z.strictObject({
  agent_id: agentIdSchema.optional(),
  incident_id: z.coerce.number().int().positive().optional(),
});
export type RotationListQuery = z.infer<typeof listQuery>;
export { listQuery as rotationListQuery };
