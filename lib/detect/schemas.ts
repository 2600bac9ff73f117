import { z } from "zod";
import { ALERT_STATUSES, CANARY_PLACEMENTS } from "@/db/schema/detection";
import { agentIdSchema } from "@/lib/agents/schemas";
import { isoTime, jsonObject, nullableTime } from "@/lib/schema-kit";
import { ALERT_TYPES, SEVERITIES } from "./types";

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

// What the API answers.

export const alertViewSchema = z
  .object({
    id: z.number().int(),
    agent_id: z.string(),
    session_id: z.string().nullable(),
    type: z.string().meta({ description: `One of ${ALERT_TYPES.join(", ")}` }),
    severity: z.enum(SEVERITIES),
    status: z.enum(ALERT_STATUSES),
    detail: z.string(),
    count: z.number().int().meta({ description: "How many times it was seen; repeats update one alert" }),
    baseline_source: z.string().nullable(),
    first_event_id: z.string().nullable(),
    first_event_at: nullableTime,
    last_event_id: z.string().nullable(),
    last_event_at: nullableTime,
    created_at: isoTime,
    last_seen_at: isoTime,
    acknowledged_by: z.string().nullable(),
    acknowledged_at: nullableTime,
    resolved_by: z.string().nullable(),
    resolved_at: nullableTime,
    resolution_note: z.string().nullable(),
    incident_id: z.number().int().nullable().meta({ description: "The incident that holds this alert" }),
    covering_incident_id: z.number().int().nullable().meta({
      description:
        "An open incident covering this alert's agent (one working its session first) that does not hold it yet: add the alert there rather than open another",
    }),
  })
  .meta({ id: "Alert" });

export const alertPageSchema = z.object({
  alerts: z.array(alertViewSchema),
  next_before_id: z.number().int().nullable().meta({ description: "Pass as `before_id` for the next page; null on the last (or when sorted by severity)" }),
  next_offset: z.number().int().nullable().meta({ description: "With sort=severity: pass as `offset` for the next page; null on the last" }),
});

export const baselineViewSchema = z.object({
  agent_id: z.string(),
  configured: jsonObject.nullable().meta({ description: "The baseline an admin set (AgentBehaviorBaseline fields)" }),
  configured_by: z.string().nullable(),
  configured_at: nullableTime,
  learned: jsonObject.nullable().meta({ description: "The baseline learned from the last 7 days, once there were enough sessions" }),
  learned_evidence: jsonObject.nullable(),
  learned_at: nullableTime,
  in_effect: z.enum(["configured", "learned"]).nullable().meta({ description: "Which one the detectors use now" }),
});

export const canaryViewSchema = z
  .object({
    id: z.uuid(),
    agent_id: z.string(),
    token: z.string(),
    placement: z.enum(CANARY_PLACEMENTS),
    label: z.string(),
    created_by: z.string(),
    created_at: isoTime,
    retired_at: nullableTime,
  })
  .meta({ id: "Canary" });

/** Query of GET /api/v1/canaries. */
export const canaryListQuery = z.object({
  agent_id: agentIdSchema.optional(),
  include_retired: z.enum(["true", "false"]).optional(),
});
