import { and, asc, eq, gte, lte, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { ACTION_TYPES, events, findings } from "@/db/schema";
import { parseQuery } from "@/lib/auth/authorize";
import { AppError } from "@/lib/errors";
import { ANALYZED_METADATA_KEYS, type OutlineEvent, type StoredFinding } from "@/lib/forensics/analyze-session";
import type { SessionScope } from "@/lib/forensics/session-scope";
import type { TimelineEvent } from "@/lib/forensics/views";
import { selectEvents, toView } from "./events";

export const TIMELINE_PAGE_DEFAULT = 1000;
export const TIMELINE_PAGE_MAX = 5000;

export const timelineQuerySchema = z.strictObject({
  agent_id: z.string().min(1).max(128).optional(),
  action_type: z.enum(ACTION_TYPES).optional(),
  limit: z.coerce.number().int().min(1).max(TIMELINE_PAGE_MAX).default(TIMELINE_PAGE_DEFAULT),
  cursor: z.string().max(200).optional(),
});
export type TimelineQuery = z.infer<typeof timelineQuerySchema>;

export function parseTimelineQuery(params: URLSearchParams): TimelineQuery {
  return parseQuery(timelineQuerySchema, params);
}

/**
 * Timeline order: time, then the agent's own sequence (missing last), then id. ORDER BY names the
 * sequence column itself (ascending puts nulls last) so the session index (session_id, ts,
 * action_sequence) delivers rows in order and a page stops after its limit; the cursor compares
 * with the same order through coalesce.
 */
const NO_SEQUENCE = 2147483648; // one past the largest int4 sequence, so a real sequence never ties with a missing one
const sequence = sql`coalesce(${events.actionSequence}::int8, ${NO_SEQUENCE}::int8)`;
const timelineOrder = [asc(events.ts), asc(events.actionSequence), asc(events.eventId)];

/** Where a page of a session's events ends, in timeline order. */
export interface EventPageCursor {
  micros: string;
  sequence: number;
  eventId: string;
}

function encodeCursor(c: EventPageCursor): string {
  return Buffer.from(`${c.micros}:${c.sequence}:${c.eventId}`).toString("base64url");
}

function decodeCursor(raw: string): EventPageCursor {
  const m = /^(\d{1,17}):(\d{1,10}):([0-9a-f-]{36})$/.exec(Buffer.from(raw, "base64url").toString("utf8"));
  if (!m?.[1] || !m[2] || !m[3] || Number(m[2]) > NO_SEQUENCE) {
    throw new AppError("VALIDATION", "Invalid query: cursor: not a cursor returned by this API", {
      details: { errors: [{ path: "cursor", message: "not a cursor returned by this API" }] },
    });
  }
  return { micros: m[1], sequence: Number(m[2]), eventId: m[3] };
}

/** One agent's part of a session, bounded in time so only its days' partitions are read. */
export const inScope = (s: SessionScope): SQL[] => [
  eq(events.sessionId, s.sessionId),
  eq(events.agentId, s.agentId),
  gte(events.ts, s.from),
  lte(events.ts, s.to),
];

/**
 * Up to `limit` of the scope's events in timeline order after `after` (keyset, so a long session
 * pages in constant time), and the cursor of the next page when there is one. The timeline and
 * evidence snapshots both read through here.
 */
export async function readEventsInOrder(
  db: Queryable,
  scope: SessionScope,
  { after, limit, actionType }: { after: EventPageCursor | null; limit: number; actionType?: TimelineQuery["action_type"] },
) {
  const where: (SQL | undefined)[] = [...inScope(scope), actionType ? eq(events.actionType, actionType) : undefined];
  if (after) {
    const at = sql`(timestamptz 'epoch' + ${after.micros}::int8 * interval '1 microsecond')`;
    where.push(sql`${events.ts} >= ${at}`, sql`(${events.ts}, ${sequence}, ${events.eventId}) > (${at}, ${after.sequence}::int8, ${after.eventId}::uuid)`);
  }
  const rows = await selectEvents(db)
    .where(and(...where))
    .orderBy(...timelineOrder)
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const next: EventPageCursor | null =
    rows.length > limit && last ? { micros: last.micros, sequence: last.actionSequence ?? NO_SEQUENCE, eventId: last.eventId } : null;
  return { rows: page, next };
}

/** One page of the session's events in timeline order, each with the findings raised on it. */
export async function readTimelinePage(
  db: Queryable,
  scope: SessionScope,
  query: Pick<TimelineQuery, "action_type" | "limit" | "cursor">,
): Promise<{ events: TimelineEvent[]; next_cursor: string | null }> {
  const { rows: page, next } = await readEventsInOrder(db, scope, {
    after: query.cursor ? decodeCursor(query.cursor) : null,
    limit: query.limit,
    actionType: query.action_type,
  });
  const ids = page.map((r) => r.eventId);
  const marks =
    ids.length === 0
      ? []
      : await db
          .select({ eventId: findings.eventId, alertId: findings.alertId, type: findings.type, severity: findings.severity, detail: findings.detail })
          .from(findings)
          .where(and(eq(findings.sessionId, scope.sessionId), eq(findings.agentId, scope.agentId), sql`${findings.eventId} = ANY(${sql.param(ids)}::uuid[])`))
          .orderBy(asc(findings.id));
  const byEvent = new Map<string, TimelineEvent["alerts"]>();
  for (const m of marks) {
    const list = byEvent.get(m.eventId) ?? [];
    list.push({ alert_id: m.alertId, type: m.type, severity: m.severity, detail: m.detail });
    byEvent.set(m.eventId, list);
  }
  return { events: page.map((r) => ({ ...toView(r), alerts: byEvent.get(r.eventId) ?? [] })), next_cursor: next ? encodeCursor(next) : null };
}

/** Every event of the session, without summaries, in timeline order: what the analysis reads. */
export async function readSessionOutline(db: Queryable, scope: SessionScope, limit: number): Promise<OutlineEvent[]> {
  const keys = sql`${sql.param([...ANALYZED_METADATA_KEYS])}::text[]`;
  const rows = await db
    .select({
      eventId: events.eventId,
      ts: events.ts,
      actionType: events.actionType,
      actionName: events.actionName,
      toolName: events.toolName,
      securityFlags: events.securityFlags,
      // Only the keys the analysis reads, and redactions only where they count (tool calls): a
      // long session's outline stays small to send and to parse.
      metadata: sql<Record<string, unknown> | null>`CASE WHEN ${events.metadata} ?| ${keys} THEN
        (SELECT jsonb_object_agg(m.key, m.value) FROM jsonb_each(${events.metadata}) AS m WHERE m.key = ANY(${keys})) END`,
      redactions: sql<Record<string, number> | null>`CASE WHEN ${events.actionType} = 'tool_call' THEN ${events.redactions} END`,
    })
    .from(events)
    .where(and(...inScope(scope)))
    .orderBy(...timelineOrder)
    .limit(limit);
  return rows.map((r) => ({
    eventId: r.eventId,
    timestamp: r.ts.toISOString(),
    actionType: r.actionType,
    actionName: r.actionName,
    toolName: r.toolName,
    securityFlags: r.securityFlags,
    metadata: r.metadata,
    redactions: r.redactions,
  }));
}

export async function readSessionFindings(db: Queryable, scope: SessionScope): Promise<StoredFinding[]> {
  return db
    .select({ eventId: findings.eventId, alertId: findings.alertId, type: findings.type, severity: findings.severity, detail: findings.detail })
    .from(findings)
    .where(and(eq(findings.sessionId, scope.sessionId), eq(findings.agentId, scope.agentId)))
    .orderBy(asc(findings.eventAt), asc(findings.id));
}
