import { and, desc, eq, getTableColumns, isNull, lt, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { ALERT_STATUSES, agentBaselines, alerts, canaries } from "@/db/schema";
import { agentIdSchema } from "@/lib/agents/schemas";
import { parseOrThrow } from "@/lib/auth/authorize";
import type { DetectionProfile } from "@/lib/detect/record-findings";
import { ALERT_TYPES, SEVERITIES } from "@/lib/detect/types";
import type { BaselineView, CanaryView } from "@/lib/detect/views";
import { queryBounds, timeRangeQueryShape } from "@/lib/time-range-query";

/**
 * An alert (alias `a`) that keeps its session out of what is learned from history, learned baselines
 * and policy drafts: a high or critical one (an attack), or an unexpected tool at any severity (a
 * learned baseline reports it a level lower). A request the session's agent was sent, or sent,
 * without a grant is judged on its own and does not count: otherwise any agent could void another's
 * history by sending it requests.
 */
export const TAINTING_ALERT = sql`((a.severity >= 'high' AND a.type <> 'unauthorized_agent_request') OR a.type = 'unexpected_tool')`;

export async function loadDetectionProfile(db: Queryable, agentId: string): Promise<DetectionProfile> {
  const result = await db.execute<{
    configured: unknown;
    learned: unknown;
    policy: unknown;
    grants: DetectionProfile["grants"] | null;
    canaries: DetectionProfile["canaries"] | null;
  }>(sql`
    SELECT b.configured, b.learned, (SELECT p.policy FROM agent_policies p WHERE p.agent_id = ${agentId}) AS policy,
      (SELECT json_agg(json_build_object('source', g.source_agent, 'target', g.target_agent, 'actions', g.allowed_actions,
          'expiresAtUs', (extract(epoch FROM g.expires_at) * 1000000)::int8, 'maxPerMinute', g.max_requests_per_minute))
        FROM capability_grants g WHERE g.revoked_at IS NULL AND (g.source_agent = ${agentId} OR g.target_agent = ${agentId})) AS grants,
      (SELECT json_agg(json_build_object('token', c.token, 'placement', c.placement, 'label', c.label))
        FROM canaries c WHERE c.agent_id = ${agentId} AND c.retired_at IS NULL) AS canaries
    FROM (SELECT 1) one LEFT JOIN agent_baselines b ON b.agent_id = ${agentId}`);
  const row = result.rows[0];
  return {
    configured: row?.configured ?? null,
    learned: row?.learned ?? null,
    policy: row?.policy ?? null,
    grants: row?.grants ?? [],
    canaries: row?.canaries ?? [],
  };
}

/** An alert as the API and the console show it. */
export interface AlertView {
  id: number;
  agent_id: string;
  session_id: string | null;
  type: string;
  severity: (typeof SEVERITIES)[number];
  status: (typeof ALERT_STATUSES)[number];
  detail: string;
  count: number;
  baseline_source: string | null;
  first_event_id: string | null;
  first_event_at: string | null;
  last_event_id: string | null;
  last_event_at: string | null;
  created_at: string;
  last_seen_at: string;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
  resolution_note: string | null;
  /** The incident that holds this alert (an open one before a closed one). */
  incident_id: number | null;
  /** An open incident that covers this alert's agent (preferring one working its session) but does not hold the alert yet. */
  covering_incident_id: number | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

type AlertRow = typeof alerts.$inferSelect & { incidentId: number | null; coveringIncidentId: number | null };

// The outer columns are written out (alerts.id): drizzle renders a column in a one-table select's sql as a bare
// "id", which inside these subqueries would be the incident's.
const alertColumns = {
  ...getTableColumns(alerts),
  incidentId: sql<number | null>`(SELECT i.id FROM incidents i WHERE i.alert_ids @> ARRAY[alerts.id]::int8[]
    ORDER BY (i.status = 'closed'), i.id DESC LIMIT 1)`.mapWith(Number),
  // A session is one agent's (two agents may use the same id): an incident covers only its own agents' alerts.
  coveringIncidentId: sql<number | null>`(SELECT i.id FROM incidents i WHERE i.status <> 'closed'
    AND i.agent_ids @> ARRAY[alerts.agent_id]
    ORDER BY (i.session_ids @> ARRAY[alerts.session_id]) IS TRUE DESC, i.id DESC LIMIT 1)`.mapWith(Number),
};

function toAlertView(r: AlertRow): AlertView {
  return {
    id: r.id,
    agent_id: r.agentId,
    session_id: r.sessionId,
    type: r.type,
    severity: r.severity,
    status: r.status,
    detail: r.detail,
    count: r.count,
    baseline_source: r.baselineSource,
    first_event_id: r.firstEventId,
    first_event_at: iso(r.firstEventAt),
    last_event_id: r.lastEventId,
    last_event_at: iso(r.lastEventAt),
    created_at: r.createdAt.toISOString(),
    last_seen_at: r.lastSeenAt.toISOString(),
    acknowledged_by: r.acknowledgedBy,
    acknowledged_at: iso(r.acknowledgedAt),
    resolved_by: r.resolvedBy,
    resolved_at: iso(r.resolvedAt),
    resolution_note: r.resolutionNote,
    incident_id: r.incidentId,
    covering_incident_id: r.incidentId === null ? r.coveringIncidentId : null,
  };
}

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" || v === null ? undefined : v), schema.optional());

export const alertFiltersSchema = z.object({
  agent_id: optional(agentIdSchema),
  session_id: optional(z.string().min(1).max(512)),
  type: optional(z.enum(ALERT_TYPES)),
  severity: optional(z.enum(SEVERITIES)),
  status: optional(z.enum([...ALERT_STATUSES, "unresolved"])),
  before_id: optional(z.coerce.number().int().positive()),
  limit: optional(z.coerce.number().int().min(1).max(500)),
  sort: optional(
    z
      .enum(["newest", "severity"])
      .meta({ description: "newest (default): by id, paged with before_id; severity: worst first, then latest event, paged with offset" }),
  ),
  offset: optional(z.coerce.number().int().min(0).max(10_000)),
  range: optional(timeRangeQueryShape.range.unwrap()).meta({
    description: "Alerts whose events fall in a window ending now (15m, 1h, 24h, 7d). Not together with since/until.",
  }),
  since: optional(timeRangeQueryShape.since.unwrap()).meta({ description: "Alerts with an event at or after this time (ISO 8601 or epoch seconds)" }),
  until: optional(timeRangeQueryShape.until.unwrap()).meta({ description: "Alerts with an event at or before this time (ISO 8601 or epoch seconds)" }),
});
/** The filters with the range read as instants: an alert is in the window when its first-to-last events overlap it. */
export type AlertFilters = Omit<z.infer<typeof alertFiltersSchema>, "range" | "since" | "until"> & { since?: Date | undefined; until?: Date | undefined };

export function parseAlertFilters(params: URLSearchParams | Record<string, string | undefined>, nowMs = Date.now()): AlertFilters {
  const { range, since, until, ...rest } = parseOrThrow(alertFiltersSchema, params instanceof URLSearchParams ? Object.fromEntries(params) : params);
  return { ...rest, ...queryBounds({ range, since, until }, nowMs) };
}

/** Newest first, `before_id` paging back; or (`sort=severity`) worst first, then by when its last event happened, paged by `offset`. */
export async function listAlerts(db: Queryable, f: AlertFilters): Promise<{ alerts: AlertView[]; next_before_id: number | null; next_offset: number | null }> {
  const limit = f.limit ?? 100;
  const where: (SQL | undefined)[] = [
    f.agent_id ? eq(alerts.agentId, f.agent_id) : undefined,
    f.session_id ? eq(alerts.sessionId, f.session_id) : undefined,
    f.type ? eq(alerts.type, f.type) : undefined,
    f.severity ? eq(alerts.severity, f.severity) : undefined,
    f.status === "unresolved" ? sql`${alerts.status} <> 'resolved'` : f.status ? eq(alerts.status, f.status) : undefined,
    f.before_id ? lt(alerts.id, f.before_id) : undefined,
    f.since ? sql`coalesce(${alerts.lastEventAt}, ${alerts.lastSeenAt}) >= ${f.since}` : undefined,
    f.until ? sql`coalesce(${alerts.firstEventAt}, ${alerts.createdAt}) <= ${f.until}` : undefined,
  ];
  const bySeverity = f.sort === "severity";
  const offset = bySeverity ? (f.offset ?? 0) : 0;
  const rows = await db
    .select(alertColumns)
    .from(alerts)
    .where(and(...where))
    .orderBy(...(bySeverity ? [desc(alerts.severity), sql`coalesce(${alerts.lastEventAt}, ${alerts.lastSeenAt}) DESC`, desc(alerts.id)] : [desc(alerts.id)]))
    .limit(limit + 1)
    .offset(offset);
  const page = rows.slice(0, limit).map(toAlertView);
  const more = rows.length > limit;
  return {
    alerts: page,
    next_before_id: more && !bySeverity ? (page.at(-1)?.id ?? null) : null,
    next_offset: more && bySeverity ? offset + limit : null,
  };
}

export async function getAlert(db: Queryable, id: number): Promise<AlertView | null> {
  const [row] = await db.select(alertColumns).from(alerts).where(eq(alerts.id, id));
  return row ? toAlertView(row) : null;
}

export async function getBaseline(db: Queryable, agentId: string): Promise<BaselineView> {
  const [row] = await db.select().from(agentBaselines).where(eq(agentBaselines.agentId, agentId));
  return {
    agent_id: agentId,
    configured: row?.configured ?? null,
    configured_by: row?.configuredBy ?? null,
    configured_at: iso(row?.configuredAt ?? null),
    learned: row?.learned ?? null,
    learned_evidence: row?.learnedEvidence ?? null,
    learned_at: iso(row?.learnedAt ?? null),
    in_effect: row?.configured ? "configured" : row?.learned ? "learned" : null,
  };
}

export async function listCanaries(db: Queryable, agentId: string | null, includeRetired = false): Promise<CanaryView[]> {
  const rows = await db
    .select()
    .from(canaries)
    .where(and(agentId ? eq(canaries.agentId, agentId) : undefined, includeRetired ? undefined : isNull(canaries.retiredAt)))
    .orderBy(desc(canaries.createdAt));
  return rows.map((r) => ({
    id: r.id,
    agent_id: r.agentId,
    token: r.token,
    placement: r.placement,
    label: r.label,
    created_by: r.createdBy,
    created_at: r.createdAt.toISOString(),
    retired_at: iso(r.retiredAt),
  }));
}
