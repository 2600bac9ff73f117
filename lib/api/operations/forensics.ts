import { z } from "zod";
import { timelineQuerySchema } from "@/db/queries/timeline";
import { agentIdSchema } from "@/lib/agents/schemas";
import { communicationsQuery } from "@/lib/forensics/communications";
import { snapshotIdSchema, snapshotListQuery, snapshotSessionIdSchema, takeSnapshotBody } from "@/lib/forensics/evidence/schemas";
import {
  communicationsSchema,
  evidenceManifestSchema,
  evidencePublicKeySchema,
  sessionSchema,
  sessionTimelineSchema,
  snapshotViewSchema,
  takenSnapshotSchema,
} from "@/lib/forensics/schemas";
import { jsonBody, operation } from "../operation";

const sessionParams = z.object({ sessionId: snapshotSessionIdSchema });
const snapshotParams = z.object({ snapshotId: snapshotIdSchema });

export const sessionsApi = {
  get: operation({
    method: "GET",
    path: "/api/v1/sessions/{sessionId}",
    tag: "Sessions and forensics",
    summary: "A session: each agent's summary and its events",
    access: "viewer",
    params: sessionParams,
    responses: { 200: { description: "The session", schema: sessionSchema } },
    errors: { 404: "no events under that session id" },
  }),
  timeline: operation({
    method: "GET",
    path: "/api/v1/sessions/{sessionId}/timeline",
    tag: "Sessions and forensics",
    summary: "One agent's session as a forensic timeline",
    description:
      "One page of events with the findings on each; the first page also carries the analysis of the whole session (anomalies, injection point, blast radius).",
    access: "analyst",
    params: sessionParams,
    query: timelineQuerySchema,
    responses: { 200: { description: "The timeline page", schema: sessionTimelineSchema } },
    errors: { 404: "no events under that session id (for that agent)" },
  }),
  communications: operation({
    method: "GET",
    path: "/api/v1/agents/{agentId}/communications",
    tag: "Sessions and forensics",
    summary: "Which agents this agent talked to, and how often",
    description: "`since`: ISO 8601 or epoch seconds; default 7 days ago.",
    access: "analyst",
    params: z.object({ agentId: agentIdSchema }),
    query: communicationsQuery,
    responses: { 200: { description: "Its peers", schema: communicationsSchema } },
    errors: { 404: "no such agent" },
  }),
};

export const evidenceApi = {
  take: operation({
    method: "POST",
    path: "/api/v1/sessions/{sessionId}/snapshot",
    tag: "Evidence",
    summary: "Freeze one agent's session as signed evidence",
    description:
      "NDJSON of its events, findings and alerts, and a manifest signed with the console's Ed25519 key. `agent_id` is needed when several agents share the session id.",
    access: "analyst",
    params: sessionParams,
    body: jsonBody(takeSnapshotBody),
    responses: {
      201: { description: "A new snapshot", schema: takenSnapshotSchema },
      200: { description: "A snapshot of exactly this content already existed: that one", schema: takenSnapshotSchema },
    },
    errors: {
      404: "no stored events for that session (or that agent in it)",
      413: "the session is larger than a snapshot holds",
      429: "too many snapshots a minute from this person or token",
    },
  }),
  list: operation({
    method: "GET",
    path: "/api/v1/sessions/{sessionId}/snapshots",
    tag: "Evidence",
    summary: "A session's snapshots, newest first",
    access: "analyst",
    params: sessionParams,
    query: snapshotListQuery,
    responses: { 200: { description: "Its snapshots", schema: z.object({ snapshots: z.array(snapshotViewSchema) }) } },
  }),
  ndjson: operation({
    method: "GET",
    path: "/api/v1/snapshots/{snapshotId}/ndjson",
    tag: "Evidence",
    summary: "Download a snapshot's NDJSON",
    description: "Each download is recorded in the chain of custody; with a browser session it must start from the console's own pages.",
    access: "analyst",
    params: snapshotParams,
    responses: {
      200: {
        description: "The frozen records, one JSON object per line",
        content: { "application/x-ndjson": z.string() },
        headers: { "Content-Disposition": "attachment; filename=…" },
      },
    },
    errors: { 404: "no such snapshot" },
  }),
  manifest: operation({
    method: "GET",
    path: "/api/v1/snapshots/{snapshotId}/manifest",
    tag: "Evidence",
    summary: "Download a snapshot's signed manifest",
    description: "Each download is recorded in the chain of custody; with a browser session it must start from the console's own pages.",
    access: "analyst",
    params: snapshotParams,
    responses: { 200: { description: "The manifest", schema: evidenceManifestSchema, headers: { "Content-Disposition": "attachment; filename=…" } } },
    errors: { 404: "no such snapshot" },
  }),
  publicKey: operation({
    method: "GET",
    path: "/api/v1/snapshots/public-key",
    tag: "Evidence",
    summary: "The key evidence manifests are signed with",
    description: "Pin it to verify snapshots offline.",
    access: "viewer",
    responses: { 200: { description: "The public key", schema: evidencePublicKeySchema } },
  }),
};
