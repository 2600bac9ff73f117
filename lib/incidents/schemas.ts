import { z } from "zod";
import { parseQuery } from "@/lib/auth/authorize";
import { INCIDENT_STATUSES } from "@/db/schema/incidents";
import { agentIdSchema } from "@/lib/agents/schemas";
import { SEVERITIES } from "@/lib/detect/types";

export const incidentIdSchema = z.coerce.number({ message: "incident id: expected a number (INC-<n> without the prefix)" }).int().positive();

export const openIncidentInput = z.strictObject({
  title: z.string().trim().min(1).max(200).optional(),
  severity: z.enum(SEVERITIES).optional(),
  agent_ids: z.array(agentIdSchema).max(20).default([]),
  session_ids: z.array(z.string().min(1).max(256)).max(20).default([]),
  alert_ids: z.array(z.number().int().positive()).max(50).default([]),
  runbook_id: z.uuid().optional(),
});

export const noteInput = z.strictObject({ note: z.string().trim().max(4000).optional() });
export const reasonInput = z.strictObject({ reason: z.string().trim().min(1, "say why the step is skipped").max(4000) });
export const statusInput = z.strictObject({ status: z.enum(INCIDENT_STATUSES), note: z.string().trim().max(4000).optional() });
export const commentInput = z.strictObject({ text: z.string().trim().min(1, "a comment needs text").max(4000) });
export const pageInput = z.strictObject({ role: z.string().trim().min(1).max(100) });
export const notesInput = z.strictObject({ notes: z.string().max(20_000) });

const listQuery = z.strictObject({ status: z.enum([...INCIDENT_STATUSES, "active"]).optional() });

export function parseIncidentListQuery(params: URLSearchParams): z.infer<typeof listQuery> {
  return parseQuery(listQuery, params);
}
