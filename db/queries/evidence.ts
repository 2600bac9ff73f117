import { and, asc, count, desc, eq, inArray, or } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { alerts, events, evidenceSnapshots, findings } from "@/db/schema";
import type { FindingRecordSource } from "@/lib/forensics/evidence/build-ndjson";
import type { EvidenceManifest } from "@/lib/forensics/evidence/manifest";
import type { SnapshotLinks, SnapshotView } from "@/lib/forensics/evidence/views";
import type { SessionScope } from "@/lib/forensics/session-scope";
import type { EventView } from "@/lib/ingest/views";
import { type AlertView, getAlert } from "./detection";
import { toView } from "./events";
import { type EventPageCursor, inScope, readEventsInOrder } from "./timeline";

export type { EventPageCursor };

export async function countScopeEvents(db: Queryable, scope: SessionScope): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(events)
    .where(and(...inScope(scope)));
  return row?.n ?? 0;
}

/** One page of the scope's events in timeline order, after `after`. */
export async function readEvidenceEventPage(
  db: Queryable,
  scope: SessionScope,
  after: EventPageCursor | null,
  limit: number,
): Promise<{ events: EventView[]; next: EventPageCursor | null }> {
  const { rows, next } = await readEventsInOrder(db, scope, { after, limit });
  return { events: rows.map(toView), next };
}

/** The findings raised on the scope's events, by event time then id. */
export async function readEvidenceFindings(db: Queryable, scope: SessionScope): Promise<FindingRecordSource[]> {
  return db
    .select({
      eventId: findings.eventId,
      type: findings.type,
      severity: findings.severity,
      detail: findings.detail,
      alertId: findings.alertId,
      eventAt: findings.eventAt,
    })
    .from(findings)
    .where(and(eq(findings.sessionId, scope.sessionId), eq(findings.agentId, scope.agentId)))
    .orderBy(asc(findings.eventAt), asc(findings.id));
}

/** The session's alerts for this agent, and any agent-wide alert one of its findings belongs to, by id. */
export async function readEvidenceAlerts(db: Queryable, scope: SessionScope, findingAlertIds: number[]): Promise<AlertView[]> {
  const ownSession = and(eq(alerts.agentId, scope.agentId), eq(alerts.sessionId, scope.sessionId));
  const ids = await db
    .select({ id: alerts.id })
    .from(alerts)
    .where(findingAlertIds.length > 0 ? or(ownSession, inArray(alerts.id, [...new Set(findingAlertIds)])) : ownSession)
    .orderBy(asc(alerts.id));
  const views: AlertView[] = [];
  for (const { id } of ids) {
    const view = await getAlert(db, id);
    if (view) views.push(view);
  }
  return views;
}

export const snapshotLinks = (snapshotId: string): SnapshotLinks => ({
  ndjson: `/api/v1/snapshots/${snapshotId}/ndjson`,
  manifest: `/api/v1/snapshots/${snapshotId}/manifest`,
});

/** A session's snapshots, newest first; one agent's only when `agentId` is given. */
export async function listSessionSnapshots(db: Queryable, params: { sessionId: string; agentId?: string }): Promise<SnapshotView[]> {
  const rows = await db
    .select({ id: evidenceSnapshots.id, manifest: evidenceSnapshots.manifest })
    .from(evidenceSnapshots)
    .where(and(eq(evidenceSnapshots.sessionId, params.sessionId), params.agentId ? eq(evidenceSnapshots.agentId, params.agentId) : undefined))
    .orderBy(desc(evidenceSnapshots.takenAt), desc(evidenceSnapshots.id));
  return rows.map((r) => ({ ...(JSON.parse(r.manifest) as EvidenceManifest), links: snapshotLinks(r.id) }));
}

/** The snapshot of this agent's part of the session whose NDJSON has this hash, if one was taken already. */
export async function findSnapshotByContent(db: Queryable, params: { sessionId: string; agentId: string; ndjsonSha256: string }): Promise<SnapshotView | null> {
  const [row] = await db
    .select({ id: evidenceSnapshots.id, manifest: evidenceSnapshots.manifest })
    .from(evidenceSnapshots)
    .where(
      and(
        eq(evidenceSnapshots.sessionId, params.sessionId),
        eq(evidenceSnapshots.agentId, params.agentId),
        eq(evidenceSnapshots.ndjsonSha256, params.ndjsonSha256),
      ),
    )
    .orderBy(evidenceSnapshots.takenAt, evidenceSnapshots.id)
    .limit(1);
  return row ? { ...(JSON.parse(row.manifest) as EvidenceManifest), links: snapshotLinks(row.id) } : null;
}

export interface SnapshotFileRow {
  id: string;
  sessionId: string;
  agentId: string;
  ndjsonSha256: string;
}

/** What every snapshot download needs besides its file: which session and agent, and the NDJSON's hash. */
const fileColumns = {
  id: evidenceSnapshots.id,
  sessionId: evidenceSnapshots.sessionId,
  agentId: evidenceSnapshots.agentId,
  ndjsonSha256: evidenceSnapshots.ndjsonSha256,
};

export async function readSnapshotNdjson(db: Queryable, snapshotId: string): Promise<(SnapshotFileRow & { ndjson: Buffer }) | null> {
  const [row] = await db
    .select({ ...fileColumns, ndjson: evidenceSnapshots.ndjson })
    .from(evidenceSnapshots)
    .where(eq(evidenceSnapshots.id, snapshotId));
  return row ?? null;
}

export async function readSnapshotManifest(db: Queryable, snapshotId: string): Promise<(SnapshotFileRow & { manifest: string }) | null> {
  const [row] = await db
    .select({ ...fileColumns, manifest: evidenceSnapshots.manifest })
    .from(evidenceSnapshots)
    .where(eq(evidenceSnapshots.id, snapshotId));
  return row ?? null;
}
