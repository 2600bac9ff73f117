import { z } from "zod";
import { dashboardRangeSchema } from "@/db/queries/dashboard";
import { SEVERITIES } from "@/lib/detect/types";
import { isoTime, nullableTime } from "@/lib/schema-kit";

const severity = z.enum(SEVERITIES);

/** What GET /api/v1/dashboard answers: the overview page's figures for one time range. */
export const dashboardSchema = z.object({
  range: dashboardRangeSchema.unwrap(),
  since: isoTime,
  generated_at: isoTime,
  bucket_seconds: z.number().int(),
  activity: z
    .array(
      z.object({
        t: z.number().meta({ description: "Bucket start, epoch ms" }),
        llm_call: z.number().int(),
        tool_call: z.number().int(),
        decision: z.number().int(),
        error: z.number().int(),
        security: z.number().int(),
      }),
    )
    .meta({ description: "Events per bucket by action type; buckets without events are absent" }),
  findings_by_type: z
    .array(z.object({ type: z.string(), count: z.number().int(), worst_severity: severity }))
    .meta({ description: "Most severe first (the worst severity an alert of the type reached in the range), then most frequent" }),
  active_incidents: z
    .array(z.object({ status: z.enum(["open", "contained", "eradicated", "recovered"]), count: z.number().int() }))
    .meta({ description: "Incidents not closed, by status" }),
  open_alerts_by_severity: z.array(z.object({ severity, count: z.number().int() })),
  cost_by_agent: z.array(z.object({ agent_id: z.string(), cost_usd: z.number() })),
  top_sessions: z.array(
    z.object({
      agent_id: z.string(),
      session_id: z.string(),
      risk: z.number(),
      alerts: z.number().int(),
      findings: z.number().int(),
      worst_severity: severity,
      last_seen_at: isoTime,
    }),
  ),
  agents: z.array(z.object({ agent_id: z.string(), killed: z.boolean(), reason: z.string().nullable(), killed_at: nullableTime, last_seen_at: nullableTime })),
  global_kill: z.object({ killed: z.boolean(), reason: z.string().nullable(), killed_at: nullableTime }),
});
