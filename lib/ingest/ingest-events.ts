import type Redis from "ioredis";
import type { SpokenForAgent } from "@/db/queries/ingest-keys";
import type { Ctx } from "@/lib/context";
import { detectionProfile } from "@/lib/detect/profile-cache";
import { type DetectionProfile, recordFindings, saveFindings } from "@/lib/detect/record-findings";
import { respondToAlerts } from "@/lib/detect/respond-to-alerts";
import type { Finding, OpenedAlert } from "@/lib/detect/types";
import { AppError, describeError } from "@/lib/errors";
import { noteAgentActivity } from "@/lib/killswitch/note-activity";
import { checkSessionCostPolicies } from "@/lib/killswitch/policies";
import { type StoredRows, storeEventRows } from "./insert-event-rows";
import { type BodyRecord, isObject } from "./parse-body";
import { type EventRow, prepareEventRow } from "./prepare-event-rows";
import { returnIngestQuota, takeIngestQuota } from "./rate-limit";
import { redactText } from "./redact-pii";
import type { AgentEvent, IngestResult } from "./schemas";
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
  /** Further agents the key may speak for (each with its own limit): records may name any of them. */
  alsoSpeaksFor?: SpokenForAgent[];
}

/**
 * Stores an agent's batch. Resolves only after the transaction committed, so an acknowledged
 * event is never lost; throws AppError for a request refused whole.
 */
export async function ingestEvents({ ctx, settings, input }: { ctx: Ctx; settings: IngestSettings; input: IngestInput }): Promise<IngestResult> {
  if (ctx.actor.type !== "agent") throw new AppError("FORBIDDEN", "Only an agent's ingest key may send events");
  const agentId = ctx.actor.agentId;
  const nowMs = Date.now();
  const limits = new Map<string, number>([[agentId, input.rateLimitPerMin ?? settings.defaultRateLimitPerMin]]);
  for (const other of input.alsoSpeaksFor ?? []) limits.set(other.agentId, other.rateLimitPerMin ?? settings.defaultRateLimitPerMin);

  const counts = recordsPerAgent(input.records, agentId, limits);
  for (const [id, count] of counts) {
    const limit = limits.get(id) ?? settings.defaultRateLimitPerMin;
    if (count > limit) {
      throw new AppError(
        "PAYLOAD_TOO_LARGE",
        `This batch of ${count} events is larger than agent ${id}'s limit of ${limit} events per minute; send smaller batches`,
        { details: { rate_limit_per_min: limit } },
      );
    }
  }
  await takeQuotas(settings.redis, counts, limits, nowMs);

  const impersonations = findImpersonations(input.records, new Set(limits.keys()));
  if (impersonations.length > 0) {
    await recordImpersonation(ctx, settings, agentId, impersonations, nowMs);
    const speaksFor = limits.size > 1 ? ` and speaks for ${[...limits.keys()].slice(1).join(", ")}` : "";
    throw new AppError(
      "FORBIDDEN",
      `This ingest key belongs to agent ${agentId}${speaksFor}; records naming another agent were refused and the attempt was recorded`,
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
  const consoleMetadata = new Map<number, Record<string, unknown>>();
  for (const r of input.records) if ("consoleMetadata" in r && r.consoleMetadata) consoleMetadata.set(r.index, r.consoleMetadata);
  const rows = valid.map(({ index, event }) => {
    const row = prepareEventRow(event);
    const added = consoleMetadata.get(index);
    // The console's own derivations, not the sender's text: added after redaction, as source_ip is to an impersonation record.
    if (added) row.metadata = Object.assign(row.metadata ?? {}, added);
    return row;
  });
  const perAgent: AgentBatch[] = [];
  for (const [id, batch] of byAgent(events, rows)) perAgent.push({ agentId: id, ...batch, profile: await detectionProfile(ctx.db, id) });
  const { stored, result: opened } = await storeEventRows(ctx.db, rows, async (tx, stored) => {
    const alerts: OpenedAlert[] = [];
    for (const batch of perAgent)
      alerts.push(...(await recordFindings(tx, { ...batch, stored: storedOf(stored, batch.agentId), sourceAddress: ctx.sourceIp })));
    return alerts;
  });
  const inserted = stored.inserted.length;
  for (const batch of perAgent) await noteAgentActivity(ctx, batch.agentId, batch.rows);
  if (inserted > 0) {
    for (const { agentId: id, rows: agentRows } of perAgent) {
      // The batch is committed; a failed automatic response must not turn its acknowledgement into an error.
      await checkSessionCostPolicies(
        ctx.db,
        { redis: settings.redis },
        id,
        agentRows.map((r) => r.sessionId),
      ).catch((err: unknown) => console.error(`[policy] session-cost check for ${id} failed: ${describeError(err)}`));
    }
    await respondToAlerts(ctx.db, { redis: settings.redis }, opened);
  }
  return { accepted: inserted, duplicates: rows.length - inserted, rejected };
}

interface AgentBatch {
  agentId: string;
  events: AgentEvent[];
  rows: EventRow[];
  profile: DetectionProfile;
}

/** Records per agent they name; a record naming no agent the key speaks for counts against the key's own. */
function recordsPerAgent(records: BodyRecord[], keyAgentId: string, limits: Map<string, number>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of records) {
    const named = "value" in record && isObject(record.value) ? record.value.agent_id : undefined;
    const id = typeof named === "string" && limits.has(named) ? named : keyAgentId;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Takes every agent's quota or none: a refusal gives back what this request already took. */
async function takeQuotas(redis: Redis | null, counts: Map<string, number>, limits: Map<string, number>, nowMs: number): Promise<void> {
  const taken: [string, number][] = [];
  for (const [id, count] of counts) {
    const limit = limits.get(id) ?? count;
    const quota = await takeIngestQuota(redis, id, count, limit, nowMs);
    if (quota.allowed) {
      if (quota.enforced) taken.push([id, count]);
      continue;
    }
    for (const [takenId, n] of taken) await returnIngestQuota(redis, takenId, n, nowMs);
    throw new AppError("RATE_LIMITED", `Agent ${id} exceeded its ingest rate limit of ${limit} events per minute; retry later`, {
      headers: { "Retry-After": String(quota.retryAfterSeconds) },
      details: { retry_after_seconds: quota.retryAfterSeconds, rate_limit_per_min: limit },
    });
  }
}

/** The batch split by the agent each event names, in batch order; one agent's batch is the whole batch. */
function byAgent(events: AgentEvent[], rows: EventRow[]): Map<string, { events: AgentEvent[]; rows: EventRow[] }> {
  const first = rows[0]?.agentId;
  if (rows.every((r) => r.agentId === first)) return new Map(first === undefined ? [] : [[first, { events, rows }]]);
  const batches = new Map<string, { events: AgentEvent[]; rows: EventRow[] }>();
  rows.forEach((row, i) => {
    const event = events[i];
    if (!event) return;
    const batch = batches.get(row.agentId) ?? { events: [], rows: [] };
    batch.events.push(event);
    batch.rows.push(row);
    batches.set(row.agentId, batch);
  });
  return batches;
}

/** What the insert stored for one agent: detection runs per agent, on its own sessions' totals. */
function storedOf(stored: StoredRows, agentId: string): StoredRows {
  return { inserted: stored.inserted.filter((r) => r.agentId === agentId), sessions: stored.sessions.filter((s) => s.agentId === agentId) };
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
  const { result: opened } = await storeEventRows(ctx.db, [row], (tx) => saveFindings(tx, agentId, [impersonationFinding(agentId, claimed)], [row]));
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
