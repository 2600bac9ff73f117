import { and, asc, desc, eq, gte, lte, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { eventSearchDocument, eventSearchQuery, events, findings, retentionPolicy } from "@/db/schema";
import { AppError } from "@/lib/errors";
import type { EventFilters } from "@/lib/events/filters";
import type { EventFinding, EventView, ListedEvent } from "@/lib/ingest/views";

const MAX_TIME_MS = Date.UTC(9999, 11, 31);
const MAX_CURSOR_MICROS = BigInt(MAX_TIME_MS) * 1000n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A time in a query: ISO 8601 or epoch seconds, between 1970 and 9999. */
export const timeParam = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: "custom", message: "expected ISO 8601 time or epoch seconds" });
      return z.NEVER;
    }
    if (ms < 0 || ms > MAX_TIME_MS) {
      ctx.addIssue({ code: "custom", message: "time out of range (1970 to 9999)" });
      return z.NEVER;
    }
    return new Date(ms);
  });

/** Position after the last row of a page, in the primary key's order: time, agent, event id. */
interface Cursor {
  epochMicros: bigint;
  eventId: string;
  agentId: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.epochMicros}:${c.eventId}:${c.agentId}`).toString("base64url");
}

export function decodeCursor(raw: string): Cursor {
  const m = /^(\d{1,17}):(.{36}):(.{1,128})$/s.exec(Buffer.from(raw, "base64url").toString("utf8"));
  const epochMicros = m?.[1] ? BigInt(m[1]) : null;
  const eventId = m?.[2] ?? "";
  const agentId = m?.[3] ?? "";
  if (epochMicros === null || epochMicros > MAX_CURSOR_MICROS || !UUID.test(eventId) || agentId === "" || agentId.includes("\u0000")) {
    throw new AppError("VALIDATION", "Invalid query: cursor: not a cursor returned by this API", {
      details: { errors: [{ path: "cursor", message: "not a cursor returned by this API" }] },
    });
  }
  return { epochMicros, eventId, agentId };
}

const epochMicros = sql<string>`(extract(epoch from ${events.ts}) * 1000000)::bigint::text`;
const fromMicros = (micros: bigint) => sql`(timestamptz 'epoch' + ${micros.toString()}::bigint * interval '1 microsecond')`;

const eventColumns = {
  eventId: events.eventId,
  ts: events.ts,
  micros: epochMicros,
  agentId: events.agentId,
  sessionId: events.sessionId,
  actionType: events.actionType,
  actionName: events.actionName,
  inputSummary: events.inputSummary,
  outputSummary: events.outputSummary,
  durationMs: events.durationMs,
  tokenCount: events.tokenCount,
  costUsd: events.costUsd,
  toolName: events.toolName,
  toolArgsHash: events.toolArgsHash,
  error: events.error,
  securityFlags: events.securityFlags,
  metadata: events.metadata,
  actionSequence: events.actionSequence,
  sessionElapsedS: events.sessionElapsedS,
  sessionTotalCostUsd: events.sessionTotalCostUsd,
  redactions: events.redactions,
  receivedAt: events.receivedAt,
};

export function selectEvents(db: Queryable) {
  return db.select(eventColumns).from(events);
}

type SelectedEvent = Awaited<ReturnType<typeof selectEvents>>[number];

export function toView(r: SelectedEvent): EventView {
  return {
    event_id: r.eventId,
    timestamp: Number(r.micros) / 1e6,
    time: r.ts.toISOString(),
    agent_id: r.agentId,
    session_id: r.sessionId,
    action_type: r.actionType,
    action_name: r.actionName,
    input_summary: r.inputSummary,
    output_summary: r.outputSummary,
    duration_ms: r.durationMs,
    token_count: r.tokenCount,
    cost_usd: r.costUsd,
    tool_name: r.toolName,
    tool_args_hash: r.toolArgsHash,
    error: r.error,
    security_flags: r.securityFlags,
    metadata: r.metadata,
    action_sequence: r.actionSequence,
    session_elapsed_s: r.sessionElapsedS,
    session_total_cost_usd: r.sessionTotalCostUsd,
    redactions: r.redactions,
    received_at: r.receivedAt.toISOString(),
  };
}

/** Newest first, paged by a (time, agent, id) cursor so pages stay stable while events keep arriving. */
export async function listEvents(db: Queryable, filters: EventFilters): Promise<{ events: ListedEvent[]; next_cursor: string | null }> {
  const where: (SQL | undefined)[] = [
    filters.agent_id ? eq(events.agentId, filters.agent_id) : undefined,
    filters.session_id ? eq(events.sessionId, filters.session_id) : undefined,
    filters.action_type ? eq(events.actionType, filters.action_type) : undefined,
    filters.tool_name ? eq(events.toolName, filters.tool_name) : undefined,
    filters.since ? gte(events.ts, filters.since) : undefined,
    filters.until ? lte(events.ts, filters.until) : undefined,
    filters.q ? sql`${eventSearchDocument(events)} @@ ${eventSearchQuery(filters.q)}` : undefined,
  ];
  if (filters.cursor) {
    const c = decodeCursor(filters.cursor);
    const at = fromMicros(c.epochMicros);
    where.push(sql`(${events.ts}, ${events.agentId}, ${events.eventId}) < (${at}, ${c.agentId}, ${c.eventId}::uuid)`);
  }
  const rows = await selectEvents(db)
    .where(and(...where))
    .orderBy(desc(events.ts), desc(events.agentId), desc(events.eventId))
    .limit(filters.limit + 1);

  const page = rows.slice(0, filters.limit);
  const last = page.at(-1);
  const byEvent = await readFindingsOf(db, page);
  return {
    events: page.map((r) => ({ ...toView(r), alerts: byEvent.get(`${r.agentId}:${r.eventId}`) ?? [] })),
    next_cursor: rows.length > filters.limit && last ? encodeCursor({ epochMicros: BigInt(last.micros), eventId: last.eventId, agentId: last.agentId }) : null,
  };
}

/** The findings raised on these events, most severe first, keyed by agent and event id. The time bounds let the index on event time narrow the read. */
export async function readFindingsOf(db: Queryable, rows: readonly Pick<SelectedEvent, "eventId" | "agentId" | "ts">[]): Promise<Map<string, EventFinding[]>> {
  const byEvent = new Map<string, EventFinding[]>();
  if (rows.length === 0) return byEvent;
  const times = rows.map((r) => r.ts.getTime());
  const marks = await db
    .select({
      eventId: findings.eventId,
      agentId: findings.agentId,
      alertId: findings.alertId,
      type: findings.type,
      severity: findings.severity,
      detail: findings.detail,
    })
    .from(findings)
    .where(
      and(
        gte(findings.eventAt, new Date(Math.min(...times))),
        // Event times keep microseconds; a Date has milliseconds, so the upper bound rounds up.
        lte(findings.eventAt, new Date(Math.max(...times) + 1)),
        sql`${findings.eventId} = ANY(${sql.param(rows.map((r) => r.eventId))}::uuid[])`,
      ),
    )
    .orderBy(desc(findings.severity), asc(findings.id));
  for (const m of marks) {
    const key = `${m.agentId}:${m.eventId}`;
    const list = byEvent.get(key) ?? [];
    list.push({ alert_id: m.alertId, type: m.type, severity: m.severity, detail: m.detail });
    byEvent.set(key, list);
  }
  return byEvent;
}

export const SESSION_EVENTS_LIMIT = 5000;

/** One session's events in the order they happened: time, then the agent's own sequence number. */
export async function listSessionEvents(db: Queryable, sessionId: string, limit = SESSION_EVENTS_LIMIT): Promise<{ events: EventView[]; truncated: boolean }> {
  const rows = await selectEvents(db)
    .where(eq(events.sessionId, sessionId))
    .orderBy(events.ts, sql`${events.actionSequence} NULLS LAST`, events.agentId, events.eventId)
    .limit(limit + 1);
  return { events: rows.slice(0, limit).map(toView), truncated: rows.length > limit };
}

/** The retention floor in days, as the owner set it at the last migration. */
export async function readRetentionFloor(db: Queryable): Promise<number> {
  const [row] = await db.select({ days: retentionPolicy.retentionDays }).from(retentionPolicy);
  if (!row) throw new Error("the retention_policy table has no row: run the migrations (npm run soc -- migrate)");
  return row.days;
}
