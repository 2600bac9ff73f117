import type Redis from "ioredis";
import type { Ctx } from "@/lib/context";
import { detectionProfile } from "@/lib/detect/profile-cache";
import { respondToAlerts } from "@/lib/detect/respond-to-alerts";
import { recordFindings, saveFindings } from "@/lib/detect/record-findings";
import { AppError, describeError } from "@/lib/errors";
import { noteAgentActivity } from "@/lib/killswitch/note-activity";
import { checkSessionCostPolicies } from "@/lib/killswitch/policies";
import { storeEventRows } from "./insert-event-rows";
import type { BodyRecord } from "./parse-body";
import { prepareEventRow } from "./prepare-event-rows";
import { redactText } from "./redact-pii";
import { takeIngestQuota } from "./rate-limit";
import type { IngestResult } from "./schemas";
import type { Finding } from "@/lib/detect/types";
import { findImpersonations, validateEvents } from "./validate-events";

export interface IngestSettings {
  /** Null when Redis is not configured: rate limits are then not enforced. */
  redis: Redis | null;
  retentionDays: number;
  defaultRateLimitPerMin: number;
  maxFutureSeconds?: number;
}

export interface IngestInput {
  records: BodyRecord[];
  rateLimitPerMin: number | null;
}

/**
 * Stores an agent's batch. Resolves only after the transaction committed, so an acknowledged
 * event is never lost; throws AppError for a request refused whole.
 */
export async function ingestEvents({
  ctx,
  settings,
  input,
}: {
  ctx: Ctx;
  settings: IngestSettings;
  input: IngestInput;
}): Promise<IngestResult> {
  if (ctx.actor.type !== "agent") throw new AppError("FORBIDDEN", "Only an agent's ingest key may send events");
  const agentId = ctx.actor.agentId;
  const nowMs = Date.now();
  const limit = input.rateLimitPerMin ?? settings.defaultRateLimitPerMin;

  if (input.records.length > limit) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `This batch of ${input.records.length} events is larger than agent ${agentId}'s limit of ${limit} events per minute; send smaller batches`,
      { details: { rate_limit_per_min: limit } },
    );
  }
  const quota = await takeIngestQuota(settings.redis, agentId, input.records.length, limit, nowMs);
  if (!quota.allowed) {
    throw new AppError("RATE_LIMITED", `Agent ${agentId} exceeded its ingest rate limit of ${limit} events per minute; retry later`, {
      headers: { "Retry-After": String(quota.retryAfterSeconds) },
      details: { retry_after_seconds: quota.retryAfterSeconds, rate_limit_per_min: limit },
    });
  }

  const impersonations = findImpersonations(input.records, agentId);
  if (impersonations.length > 0) {
    await recordImpersonation(ctx, settings, agentId, impersonations, nowMs);
    throw new AppError(
      "FORBIDDEN",
      `This ingest key belongs to agent ${agentId}; records naming another agent were refused and the attempt was recorded`,
      { details: { records: impersonations } },
    );
  }

  const { valid, rejected } = validateEvents(input.records, {
    nowSeconds: nowMs / 1000,
    retentionDays: settings.retentionDays,
    maxFutureSeconds: settings.maxFutureSeconds ?? 86_400,
  });
  if (valid.length === 0) {
    throw new AppError("VALIDATION", "No valid event in the body", { details: { rejected } });
  }

  const events = valid.map((v) => v.event);
  const rows = events.map(prepareEventRow);
  const profile = await detectionProfile(ctx.db, agentId);
  const { stored, result: opened } = await storeEventRows(ctx.db, rows, (tx, stored) =>
    recordFindings(tx, { agentId, events, rows, stored, profile }),
  );
  const inserted = stored.inserted.length;
  await noteAgentActivity(ctx, agentId, rows);
  if (inserted > 0) {
    // The batch is committed; a failed automatic response must not turn its acknowledgement into an error.
    await checkSessionCostPolicies(ctx.db, { redis: settings.redis }, agentId, rows.map((r) => r.sessionId)).catch((err: unknown) =>
      console.error(`[policy] session-cost check for ${agentId} failed: ${describeError(err)}`),
    );
    await respondToAlerts(ctx.db, { redis: settings.redis }, opened);
  }
  return { accepted: inserted, duplicates: rows.length - inserted, rejected };
}

async function recordImpersonation(
  ctx: Ctx,
  settings: IngestSettings,
  agentId: string,
  impersonations: { index: number; agent_id: string }[],
  nowMs: number,
): Promise<void> {
  const claimed = [...new Set(impersonations.map((i) => i.agent_id))];
  const row = prepareEventRow({
    timestamp: nowMs / 1000,
    agent_id: agentId,
    session_id: `ingest:${ctx.requestId}`,
    action_type: "security",
    action_name: "impersonation_attempt",
    input_summary: `Ingest key of ${agentId} sent ${impersonations.length} record(s) claiming agent_id ${claimed.join(", ")}`,
    output_summary: "",
    duration_ms: 0,
    security_flags: ["impersonation"],
    metadata: {
      claimed_agent_ids: claimed,
      record_indexes: impersonations.slice(0, 100).map((i) => i.index),
      request_id: ctx.requestId,
    },
  });
  // Added after redaction: the caller's address is the console's own evidence, not agent-supplied content.
  row.metadata = { ...row.metadata, source_ip: ctx.sourceIp };
  const { result: opened } = await storeEventRows(ctx.db, [row], (tx) =>
    saveFindings(tx, agentId, [impersonationFinding(agentId, claimed)], [row]),
  );
  await respondToAlerts(ctx.db, { redis: settings.redis }, opened);
}

function impersonationFinding(agentId: string, claimed: string[]): Finding {
  return {
    type: "impersonation",
    severity: "high",
    // The claimed ids are the sender's text: redacted like any other before they reach an alert or a webhook.
    detail: `The ingest key of ${agentId} sent records claiming to be ${redactText(claimed.join(", "), {})}; they were refused`,
    eventIndex: 0,
    // One alert per agent, however many requests try: the attempts are its count.
    sessionId: null,
    baselineSource: null,
    metric: null,
  };
}
