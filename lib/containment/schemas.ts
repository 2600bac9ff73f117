import { z } from "zod";
import { isoTime, nullableTime } from "@/lib/schema-kit";
import { toolTokenViewSchema } from "@/lib/tool-tokens/schemas";

/** A session with an event this recently is in flight: the agent is working in it. */
export const IN_FLIGHT_MINUTES = 15;
/** Requests between an agent and its peers are counted over this many hours (from the hourly rollup). */
export const REQUEST_WINDOW_HOURS = 24;
/** At most this many rows per list; the counts beside them are whole. */
export const CONTAINMENT_LIST_MAX = 100;

export const sessionInFlightSchema = z.object({
  session_id: z.string(),
  started_at: isoTime,
  last_event_at: isoTime,
  events: z.number().int(),
  tool_calls: z.number().int(),
  cost_usd: z.number(),
});
export type SessionInFlight = z.infer<typeof sessionInFlightSchema>;

export const containmentGrantSchema = z.object({
  grant_id: z.uuid(),
  source_agent: z.string().meta({ description: "The agent that asks" }),
  target_agent: z.string().meta({ description: "The agent that is asked" }),
  allowed_actions: z.array(z.string()),
  max_requests_per_minute: z.number().int(),
  expires_at: nullableTime,
  expired: z.boolean().meta({ description: "The grant's expiry has passed: its requests are refused already" }),
  requests_24h: z.number().int().meta({
    description:
      "Requests from source to target in the window, the larger of the two agents' own accounts (each logs the same exchange; either may not log it)",
  }),
  last_request_at: nullableTime,
});
export type ContainmentGrant = z.infer<typeof containmentGrantSchema>;

export const containmentRotationSchema = z.object({
  credential_id: z.uuid(),
  name: z.string(),
  kind: z.string(),
  automatic: z.boolean().meta({
    description: "A live rotation run the console's worker carries on by itself (the console schedules no rotation of its own)",
  }),
  next_due_at: nullableTime.meta({ description: "When the worker next runs this credential's step; null when no run is live" }),
  step: z.string().nullable().meta({ description: "The live run's next step" }),
  last_run_state: z.enum(["never_rotated", "rotating", "rotated", "failed"]),
  last_run_id: z.uuid().nullable(),
  last_rotated_at: nullableTime,
});
export type ContainmentRotation = z.infer<typeof containmentRotationSchema>;

/** GET /api/v1/agents/{agentId}/containment: what a kill of this agent would stop, computed on request. */
export const containmentSchema = z.object({
  agent_id: z.string(),
  killed: z.boolean().meta({ description: "The agent's own kill switch is on now (the record the sync pass keeps in step with Redis)" }),
  global_kill: z.boolean().meta({ description: "The global kill switch is on now: every agent is stopped already" }),
  windows: z.object({
    sessions_in_flight_minutes: z.literal(IN_FLIGHT_MINUTES),
    requests_hours: z.literal(REQUEST_WINDOW_HOURS),
  }),
  sessions_in_flight_total: z.number().int(),
  sessions_in_flight: z
    .array(sessionInFlightSchema)
    .meta({ description: `Sessions with an event in the last ${IN_FLIGHT_MINUTES} minutes, latest first (at most ${CONTAINMENT_LIST_MAX})` }),
  tool_tokens: z.object({
    live: z.number().int().meta({ description: "Tokens neither expired nor revoked: a kill revokes them at once" }),
    last_expires_at: nullableTime.meta({ description: "When the last live token expires; null when none is live" }),
    revoked_unexpired: z.number().int().meta({ description: "Revoked tokens not yet expired (a kill's revocations, still listed for tools)" }),
    tokens: z.array(toolTokenViewSchema).meta({ description: `The live tokens, latest expiry first (at most ${CONTAINMENT_LIST_MAX})` }),
  }),
  dependents: z
    .array(containmentGrantSchema)
    .meta({ description: "Grants in force where this agent is the target: the source agents depend on it and are refused once it stops" }),
  depends_on: z.array(containmentGrantSchema).meta({ description: "Grants in force where this agent is the source: the peers it asks" }),
  rotations: z
    .array(containmentRotationSchema)
    .nullable()
    .meta({ description: "Its credentials and their rotation runs (analyst or higher; null below). A kill does not stop a rotation" }),
  computed_at: isoTime,
});
export type Containment = z.infer<typeof containmentSchema>;
