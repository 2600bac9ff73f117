import { z } from "zod";
import { KILL_POLICY_RULES } from "@/db/schema";
import { isoTime, nullableTime } from "@/lib/schema-kit";

export const KILL_REASON_MAX = 500;
export const KILLED_BY_MAX = 200;

// C0 controls other than tab, newline and carriage return, DEL, and C1 controls (terminal escapes when agents print them).
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const CONTROLS = new RegExp(CONTROL.source, "g");

/**
 * Why a text cannot be written as it is into Redis and PostgreSQL's record, or null when it can.
 * PostgreSQL refuses NUL; a lone surrogate has no UTF-8 form, so Redis and the record would each
 * hold something other than what was sent.
 */
export function unstorableTextProblem(text: string): string | null {
  const nul = text.indexOf("\u0000");
  if (nul >= 0) return `holds a NUL character (at position ${nul}), which cannot be stored`;
  if (!text.isWellFormed()) return "holds a lone surrogate (not valid Unicode), which cannot be stored";
  const control = CONTROL.exec(text);
  if (control) return `holds a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}), which cannot be stored`;
  return null;
}

export const killReasonSchema = z
  .string()
  .trim()
  .min(3, "say why (at least 3 characters)")
  .max(KILL_REASON_MAX)
  .superRefine((text, ctx) => {
    const problem = unstorableTextProblem(text);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
export const killInput = z.object({ reason: killReasonSchema });

/**
 * Text the console did not choose (Redis written by hand, an alert's detail) made fit for the
 * record: NUL, lone surrogates and control characters become U+FFFD, and it is cut to `max`
 * characters, so recording it can never fail and it can never slip a kill past validation.
 */
export function recordableText(text: string, max: number): string {
  const clean = text.toWellFormed().replace(CONTROLS, "\uFFFD").trim();
  if (clean.length <= max) return clean;
  // Lengths count UTF-16 units, as the schema does; a pair cut in half is dropped, not left lone.
  const cut = /[\ud800-\udbff]/.test(clean.charAt(max - 2)) ? max - 2 : max - 1;
  return `${clean.slice(0, cut).trimEnd()}…`;
}

/** A reason composed by the console itself (automatic kills, runbooks) that always passes killReasonSchema. */
export function automaticKillReason(text: string): string {
  const reason = recordableText(text, KILL_REASON_MAX);
  return reason.length >= 3 ? reason : `automatic kill (${reason || "no reason given"})`;
}

// What the API answers.

export const killResultSchema = z.object({ agent_id: z.string(), killed: z.literal(true), reason: z.string(), killed_by: z.string(), killed_at: isoTime });
export const reviveResultSchema = z.object({ agent_id: z.string(), killed: z.literal(false), revived_by: z.string(), revived_at: isoTime });
export const killAllResultSchema = z.object({
  global: z.literal(true),
  killed: z.literal(true),
  reason: z.string(),
  killed_by: z.string(),
  killed_at: isoTime,
});
export const liftAllResultSchema = z.object({ global: z.literal(true), killed: z.literal(false), lifted_by: z.string(), lifted_at: isoTime });

export const agentStatusSchema = z
  .object({
    alive: z.boolean().meta({ description: "false: stop now" }),
    reason: z.string(),
    source: z.enum(["redis", "record"]).meta({ description: "Redis, as agents read it, or PostgreSQL's record when Redis cannot be asked" }),
  })
  .meta({ id: "AgentStatus" });

export const killSwitchViewSchema = z
  .object({
    agent_id: z.string(),
    killed: z.boolean(),
    reason: z.string().nullable(),
    killed_by: z.string().nullable(),
    killed_at: nullableTime,
    source: z.enum(["console", "redis"]).meta({ description: "redis: the change was made straight in Redis (redis-cli)" }),
    acknowledged_at: nullableTime,
    time_to_stop_s: z.number().nullable().meta({ description: "Seconds from the kill to the agent's acknowledgement" }),
    actions_after_kill: z.number().int(),
    last_action_after_kill_at: nullableTime,
    updated_at: isoTime,
  })
  .meta({ id: "KillSwitch" });

export const redisSharingViewSchema = z.object({
  shared: z.boolean(),
  installation_id: z.string(),
  marker: z.enum(["absent", "ours", "foreign", "unnamed"]),
  marker_installation_id: z.string().nullable(),
  other_installations: z.array(z.object({ installation_id: z.string(), seen_at: z.string() })),
  problem: z.string().nullable(),
});

export const killSwitchStateSchema = z.object({
  redis: z.enum(["ok", "unreachable", "not_configured"]),
  redis_sharing: redisSharingViewSchema.nullable(),
  global: killSwitchViewSchema.nullable(),
  agents: z.array(killSwitchViewSchema),
});

export const killPolicySchema = z.object({
  rule: z.enum(KILL_POLICY_RULES),
  enabled: z.boolean(),
  threshold_usd: z.number().nullable().meta({ description: "session_cost_above: the hard limit in USD" }),
});
export const killPoliciesSchema = z.object({ agent_id: z.string(), policies: z.array(killPolicySchema) });

/** A server-sent-event stream; each event's `data` is one JSON object. */
export const eventStreamSchema = z.string().meta({ description: "text/event-stream" });
