import { z } from "zod";
import { SEVERITIES } from "@/lib/detect/types";
import { eventFindingSchema, eventViewSchema } from "@/lib/ingest/schemas";
import { isoTime } from "@/lib/schema-kit";
import { MANIFEST_FORMAT } from "./evidence/manifest";
import { SIGNATURE_ALGORITHM } from "./evidence/signing-key";

// What the API answers about sessions, their forensics and their evidence.

const severity = z.enum(SEVERITIES);

export const sessionSummarySchema = z.object({
  session_id: z.string(),
  agent_id: z.string(),
  started_at: isoTime,
  last_event_at: isoTime,
  event_count: z.number().int(),
  cost_usd: z.number(),
  tokens: z.number().int(),
  error_count: z.number().int(),
});

export const sessionSchema = z.object({
  session_id: z.string(),
  agents: z.array(sessionSummarySchema).meta({ description: "One summary per agent that wrote under this session id" }),
  events: z.array(eventViewSchema),
  events_truncated: z.boolean(),
});

export const timelineEventSchema = eventViewSchema.extend({ alerts: z.array(eventFindingSchema) }).meta({ id: "TimelineEvent" });

const toolUse = z.object({ tool: z.string(), count: z.number().int(), first_event_id: z.string() });

export const sessionTimelineSchema = z.object({
  agent_id: z.string(),
  session_id: z.string(),
  start_time: isoTime,
  end_time: isoTime,
  event_count: z.number().int(),
  cost_usd: z.number(),
  tokens: z.number().int(),
  other_agents: z.array(z.string()).meta({ description: "Other agents that wrote under the same session id (a hand-off)" }),
  events: z.array(timelineEventSchema),
  next_cursor: z.string().nullable(),
  // The analysis of the whole session, with the first page only.
  anomalies: z.array(z.object({ event_id: z.string(), type: z.string(), severity, detail: z.string(), alert_id: z.number().int().nullable() })).optional(),
  affected_resources: z
    .array(
      z.object({
        kind: z.enum(["tool", "resource"]),
        key: z.string().nullable(),
        name: z.string(),
        count: z.number().int(),
        first_at: z.string(),
        last_at: z.string(),
      }),
    )
    .optional(),
  injection_point: z
    .object({
      event_id: z.string(),
      timestamp: z.string(),
      rule: z.enum(["content_finding", "event_before_first_anomaly", "first_anomaly"]),
      reason: z.string(),
      preceding_events: z.array(z.string()),
    })
    .nullable()
    .optional(),
  blast_radius: z
    .object({
      from_event_id: z.string(),
      events_after: z.number().int(),
      tools_used: z.array(toolUse),
      unexpected_tools: z.array(toolUse).nullable(),
      resources_touched: z.array(z.object({ key: z.string(), name: z.string(), count: z.number().int(), first_event_id: z.string() })),
      exfiltration: z.array(z.object({ event_id: z.string(), type: z.string(), tool: z.string().nullable(), detail: z.string() })),
      credentials_read: z.array(z.object({ event_id: z.string(), tool: z.string().nullable(), reason: z.string(), names: z.array(z.string()) })),
      agents_contacted: z.array(
        z.object({ agent_id: z.string(), direction: z.enum(["sent", "received"]), count: z.number().int(), first_event_id: z.string() }),
      ),
    })
    .nullable()
    .optional(),
  analysis_truncated: z.boolean().optional().meta({ description: "True when the session is longer than the analysis reads" }),
});

const messageCounts = z.object({ reported_by_agent: z.number().int(), reported_by_peer: z.number().int() });

export const communicationsSchema = z.object({
  agent_id: z.string(),
  since: isoTime,
  peers: z.array(
    z.object({ agent_id: z.string(), sent: messageCounts, received: messageCounts, first_at: z.string(), last_at: z.string(), last_session_id: z.string() }),
  ),
});

const takenBySchema = z.union([
  z.object({ type: z.literal("user"), user_id: z.string(), email: z.string() }),
  z.object({ type: z.literal("api_token"), token_id: z.string(), name: z.string() }),
  z.object({ type: z.enum(["cli", "system"]), id: z.string() }),
]);

export const evidenceManifestSchema = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    snapshot_id: z.uuid(),
    session_id: z.string(),
    agent_id: z.string(),
    start_time: z.string(),
    end_time: z.string(),
    event_count: z.number().int(),
    finding_count: z.number().int(),
    alert_count: z.number().int(),
    ndjson_sha256: z.string(),
    ndjson_bytes: z.number().int(),
    taken_by: takenBySchema,
    taken_at: isoTime,
    signature_algorithm: z.literal(SIGNATURE_ALGORITHM),
    public_key_id: z.string(),
    signature: z.string().meta({ description: "Base64 Ed25519 signature over the canonical JSON of every other field" }),
  })
  .meta({ id: "EvidenceManifest" });

export const snapshotViewSchema = evidenceManifestSchema
  .extend({ links: z.object({ ndjson: z.string(), manifest: z.string() }) })
  .meta({ id: "EvidenceSnapshot" });

export const takenSnapshotSchema = snapshotViewSchema.extend({
  existing: z.boolean().meta({ description: "true: a snapshot of exactly this content already existed, and this is it" }),
});

export const evidencePublicKeySchema = z.object({ algorithm: z.literal(SIGNATURE_ALGORITHM), public_key_pem: z.string(), public_key_id: z.string() });
