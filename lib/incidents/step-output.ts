import { z } from "zod";
import type { AutomatedActionName } from "@/lib/runbooks";

// What an automated step stores in incident_steps.output (run-step.ts, and rotation's finish-run.ts
// through report-rotation.ts), read back into one typed variant per shape. Rows written before a
// shape settled, or by hand, come back as "unrecognised" with their JSON: the page never guesses.

const text = z.union([z.string(), z.number().transform(String)]);

const killedAgent = z.object({ agent_id: z.string(), reason: z.string().nullish().default(null), killed_at: z.string().nullish().default(null) });
// The first kill steps stored the agent ids alone.
const killedEntry = z.union([killedAgent, z.string().transform((agent_id) => ({ agent_id, reason: null, killed_at: null }))]);

const snapshot = z.object({
  session_id: z.string(),
  agent_id: z.string().nullish().default(null),
  snapshot_id: text,
  event_count: z.number().nullish().default(null),
  // Only the console's own download paths become links: output is data, never a place to send the browser.
  links: z
    .object({ ndjson: z.string().nullish(), manifest: z.string().nullish() })
    .nullish()
    .transform((l) => ({ ndjson: consolePath(l?.ndjson), manifest: consolePath(l?.manifest) })),
});

const sideCounts = z.object({ reported_by_agent: z.number(), reported_by_peer: z.number() });
const peer = z.object({ agent_id: z.string(), sent: sideCounts.nullish().default(null), received: sideCounts.nullish().default(null) });
const trace = z.object({ agent_id: z.string().nullish().default(null), since: z.string().nullish().default(null), peers: z.array(peer) });

const timeline = z.object({
  session_id: z.string().nullish().default(null),
  agent_id: z.string().nullish().default(null),
  event_count: z.number().nullish().default(null),
  anomalies: z
    .union([z.number(), z.array(z.unknown()).transform((a) => a.length)])
    .nullish()
    .default(null),
  injection_point: z
    .object({
      event_id: text,
      timestamp: z.string().nullish().default(null),
      reason: z.string().nullish().default(null),
      rule: z.string().nullish().default(null),
    })
    .nullable(),
});

const credentialRef = { credential_id: z.string(), name: z.string(), agent_id: z.string() };
const rotatedCredential = z.object(credentialRef);
const failedCredential = z.object({
  ...credentialRef,
  step: z.string().nullish().default(null),
  attempts: z.number().nullish().default(null),
  error: z.string().nullish().default(null),
});
const alreadyRotated = z.object({ ...credentialRef, rotation_id: z.string().nullish().default(null) });

const nullableText = z.string().nullable();
const counts = z.object({ reported_by_agent: z.number(), reported_by_peer: z.number() }).nullable();

export const stepOutputSchema = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("killed"), killed: z.array(z.object({ agent_id: z.string(), reason: nullableText, killed_at: nullableText })) }),
    z.object({
      type: z.literal("snapshots"),
      snapshots: z.array(
        z.object({
          session_id: z.string(),
          agent_id: nullableText,
          snapshot_id: z.string(),
          event_count: z.number().nullable(),
          links: z.object({ ndjson: nullableText, manifest: nullableText }).meta({ description: "The console's own download paths only" }),
        }),
      ),
    }),
    z.object({
      type: z.literal("traces"),
      traces: z.array(
        z.object({ agent_id: nullableText, since: nullableText, peers: z.array(z.object({ agent_id: z.string(), sent: counts, received: counts })) }),
      ),
    }),
    z.object({
      type: z.literal("timelines"),
      timelines: z.array(
        z.object({
          session_id: nullableText,
          agent_id: nullableText,
          event_count: z.number().nullable(),
          anomalies: z.number().nullable(),
          injection_point: z.object({ event_id: z.string(), timestamp: nullableText, reason: nullableText, rule: nullableText }).nullable(),
        }),
      ),
    }),
    z.object({ type: z.literal("rotation_running"), rotation_id: z.string() }),
    z.object({
      type: z.literal("rotation_finished"),
      rotation_id: z.string(),
      rotated: z.array(z.object({ credential_id: z.string(), name: z.string(), agent_id: z.string() })),
      failed: z.array(
        z.object({
          credential_id: z.string(),
          name: z.string(),
          agent_id: z.string(),
          step: nullableText,
          attempts: z.number().nullable(),
          error: nullableText,
        }),
      ),
    }),
    z.object({
      type: z.literal("already_rotated"),
      already_rotated: z.array(z.object({ credential_id: z.string(), name: z.string(), agent_id: z.string(), rotation_id: nullableText })),
    }),
    z.object({ type: z.literal("unrecognised"), raw: z.string().meta({ description: "The stored output as JSON text" }) }),
  ])
  .meta({ id: "IncidentStepOutput", description: "What an automated step produced, one variant per shape; unrecognised keeps the stored JSON as text" });

export type StepOutputView = z.infer<typeof stepOutputSchema>;

function consolePath(value: string | null | undefined): string | null {
  return value?.startsWith("/api/v1/") ? value : null;
}

// Each action's stored shapes, newest first; a failed run keeps what it did before failing.
const readers: Record<AutomatedActionName, z.ZodType<unknown>[]> = {
  kill_agent: [z.object({ killed: z.array(killedEntry) }).transform((o) => ({ type: "killed" as const, killed: o.killed }))],
  snapshot: [z.object({ snapshots: z.array(snapshot) }).transform((o) => ({ type: "snapshots" as const, snapshots: o.snapshots }))],
  trace_communications: [
    z.object({ traces: z.array(trace) }).transform((o) => ({ type: "traces" as const, traces: o.traces })),
    // Before one trace per agent, the output was the one trace itself.
    trace.transform((t) => ({ type: "traces" as const, traces: [t] })),
  ],
  build_timeline: [
    z.object({ timelines: z.array(timeline) }).transform((o) => ({ type: "timelines" as const, timelines: o.timelines })),
    // Before one timeline per session, the output was the one timeline itself.
    timeline.transform((t) => ({ type: "timelines" as const, timelines: [t] })),
  ],
  rotate_credentials: [
    z.object({ already_rotated: z.array(alreadyRotated) }).transform((o) => ({ type: "already_rotated" as const, already_rotated: o.already_rotated })),
    z
      .object({ rotation_id: z.string(), rotated: z.array(rotatedCredential), failed: z.array(failedCredential) })
      .transform((o) => ({ type: "rotation_finished" as const, rotation_id: o.rotation_id, rotated: o.rotated, failed: o.failed })),
    z.object({ rotation_id: z.string() }).transform((o) => ({ type: "rotation_running" as const, rotation_id: o.rotation_id })),
  ],
};

/**
 * The typed form of a step's stored output: null when it produced nothing (not automated, not run, or
 * failed before doing anything), else the first shape its action is known to store, else "unrecognised".
 */
export function readStepOutput(action: AutomatedActionName | null, stored: unknown): StepOutputView | null {
  if (stored === null || stored === undefined) return null;
  if (typeof stored === "object" && !Array.isArray(stored) && Object.keys(stored).length === 0) return null;
  for (const reader of action ? readers[action] : []) {
    const parsed = reader.safeParse(stored);
    if (parsed.success) return stepOutputSchema.parse(parsed.data);
  }
  return { type: "unrecognised", raw: JSON.stringify(stored, null, 2) };
}
