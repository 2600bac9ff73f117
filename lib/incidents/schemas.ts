import { z } from "zod";
import { INCIDENT_STATUSES } from "@/db/schema/incidents";
import { NOTIFICATION_KINDS } from "@/db/schema/notifications";
import { agentIdSchema } from "@/lib/agents/schemas";
import { parseQuery } from "@/lib/auth/authorize";
import { SEVERITIES } from "@/lib/detect/types";
import { escalationRoleSchema } from "@/lib/notify/schemas";
import { isoTime, jsonObject, nullableTime } from "@/lib/schema-kit";
import { stepOutputSchema } from "./step-output";

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
export const pageInput = z.strictObject({ role: escalationRoleSchema });
export const attachAlertsInput = z.strictObject({
  alert_ids: z.array(z.number().int().positive()).min(1, "name at least one alert").max(50),
});
export const notesInput = z.strictObject({ notes: z.string().max(20_000) });

const listQuery = z.strictObject({ status: z.enum([...INCIDENT_STATUSES, "active"]).optional() });

export function parseIncidentListQuery(params: URLSearchParams): z.infer<typeof listQuery> {
  return parseQuery(listQuery, params);
}

/** Query of GET /api/v1/incidents. */
export { listQuery as incidentListQuery };

// What the API answers (the shapes of ./types.ts).

const severity = z.enum(SEVERITIES);
const stepKind = z.enum(["automated", "command", "manual"]);
const automatedAction = z.enum(["kill_agent", "snapshot", "trace_communications", "build_timeline", "rotate_credentials"]);

export const stepViewSchema = z
  .object({
    step_id: z.string(),
    phase: z.string(),
    position: z.number().int(),
    title: z.string(),
    description: z.string().nullable(),
    kind: stepKind,
    action: automatedAction.nullable(),
    command: z.string().nullable().meta({ description: "The step's command with the incident's values filled in (shell-quoted)" }),
    command_problem: z.string().nullable(),
    timeout_seconds: z.number().nullable(),
    timeout_text: z.string().nullable(),
    state: z.enum(["pending", "running", "done", "failed", "skipped"]),
    attempts: z.number().int(),
    actor: z.string().nullable(),
    started_at: nullableTime,
    finished_at: nullableTime,
    note: z.string().nullable(),
    output: jsonObject.nullable().meta({ description: "What an automated step produced, as stored" }),
    output_view: stepOutputSchema.nullable().meta({ description: "output read into one typed variant per shape; null when the step produced nothing" }),
    error: z.string().nullable(),
    output_withheld: z.string().nullable().meta({ description: "Why output and error are left out: forensics this reader's role may not see" }),
    overdue: z.boolean(),
    runnable: z.boolean().meta({ description: "The caller may run (or retry) it now, or check it off when a person does it" }),
    blocked_reason: z.string().nullable().meta({ description: "Why not, when not runnable: done, skipped, running, the incident closed, the caller's role" }),
    retry: z.boolean().meta({ description: "Running it again retries a run that failed or went silent for 10 minutes" }),
    finish_by_hand: z.boolean().meta({ description: "An automated step that failed may be checked off by hand with a note" }),
    skippable: z.boolean(),
  })
  .meta({ id: "IncidentStep" });

const pageDeliverySchema = z.object({
  id: z.number().int(),
  destination_id: z.uuid(),
  destination_name: z.string(),
  status: z.enum(["pending", "delivered", "failed"]),
  attempts: z.number().int(),
  last_error: z.string().nullable().meta({ description: "Why the last attempt failed; withheld (null) below analyst" }),
  next_attempt_at: nullableTime,
  delivered_at: nullableTime,
});

export const escalationViewSchema = z
  .object({
    role: z.string(),
    paged_at: nullableTime,
    paged_by: z.string().nullable(),
    destinations: z
      .array(z.object({ id: z.uuid(), name: z.string(), kind: z.enum(NOTIFICATION_KINDS), enabled: z.boolean() }))
      .meta({ description: "Where a page to this role goes now; with none enabled, a page is only recorded" }),
    sent: z.boolean().meta({ description: "Whether the last page was sent through destinations; false when it was only recorded" }),
    deliveries: z.array(pageDeliverySchema).meta({ description: "The last page's deliveries; a destination removed since takes its deliveries with it" }),
  })
  .meta({ id: "EscalationRole" });

export const incidentSummarySchema = z
  .object({
    id: z.number().int(),
    ref: z.string().meta({ description: "INC-<id>" }),
    title: z.string(),
    severity,
    status: z.enum(INCIDENT_STATUSES),
    agent_ids: z.array(z.string()),
    session_ids: z.array(z.string()),
    owner: z.object({ id: z.string(), name: z.string() }),
    opened_at: isoTime,
    closed_at: nullableTime,
    steps_done: z.number().int(),
    steps_total: z.number().int(),
  })
  .meta({ id: "IncidentSummary" });

export const incidentViewSchema = incidentSummarySchema
  .extend({
    alert_ids: z.array(z.number().int()),
    runbook: z.object({ id: z.uuid(), name: z.string(), version: z.number().int() }),
    escalation: z.array(escalationViewSchema),
    opened_by: z.string(),
    post_incident_notes: z.string(),
    status_choices: z.array(z.enum(INCIDENT_STATUSES)).meta({ description: "Where the caller may move the status next" }),
    phases: z.array(z.object({ key: z.string(), title: z.string(), steps: z.array(stepViewSchema) })),
    activity: z.array(z.object({ id: z.number().int(), at: isoTime, actor: z.string(), kind: z.string(), summary: z.string(), detail: jsonObject.nullable() })),
  })
  .meta({ id: "Incident" });

export const incidentChangeSchema = z.object({ incident: incidentViewSchema });

export const pageResultSchema = z.object({
  incident: incidentViewSchema,
  page: z.object({
    sent: z.boolean().meta({ description: "false: no enabled destination is mapped to the role, so the page was only recorded" }),
    deliveries: z.array(z.object({ delivery_id: z.number().int(), destination_id: z.uuid(), destination_name: z.string() })),
  }),
});

export const stepRunSchema = z.object({
  incident: incidentViewSchema,
  outcome: z.enum(["done", "failed", "running"]).meta({ description: "running: a rotation step, which finishes with its run" }),
  error: z.string().nullable(),
});

export const runbookViewSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    version: z.number().int(),
    severity,
    escalation_path: z.array(z.string()),
    phases: z.array(
      z.object({
        key: z.string(),
        title: z.string(),
        steps: z.array(
          z.object({
            step_id: z.string(),
            title: z.string(),
            kind: stepKind,
            action: automatedAction.nullable(),
            command: z.string().nullable(),
            timeout_text: z.string().nullable(),
            description: z.string().nullable(),
          }),
        ),
      }),
    ),
    created_by: z.string(),
    created_at: isoTime,
  })
  .meta({ id: "Runbook" });

export const runbookWithSourceSchema = runbookViewSchema.extend({ source: z.string().meta({ description: "The YAML as uploaded" }) });
