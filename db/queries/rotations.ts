import { and, asc, desc, eq, isNull, or, type SQL, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { credentials, incidents, ingestKeys, rotationItems, rotationRuns } from "@/db/schema";
import { credentialLocation, KIND_LABELS, newSecretIsShownOnce } from "@/lib/credentials/describe";
import type { CredentialKind } from "@/lib/credentials/providers/provider";
import type { RotationItemView, RotationRunView } from "@/lib/rotation/views";

type ItemRow = typeof rotationItems.$inferSelect;

const iso = (d: Date | null) => d?.toISOString() ?? null;

function newSecretState(i: ItemRow, kind: CredentialKind): RotationItemView["new_secret"] {
  if (!newSecretIsShownOnce(kind)) return i.state === "rotated" ? "delivered_by_provider" : "not_yet";
  if (i.revealedAt) return "revealed";
  if (i.supersededByRunId) return "superseded";
  if (i.newSecretSealed === null) return i.state === "failed" ? "none" : "not_yet";
  // A failed item's new secret may already be in place in the target: it can be revealed to finish by hand.
  return i.state === "rotated" || (i.state === "failed" && i.step !== "create" && i.step !== "revoke_old") ? "ready_to_reveal" : "not_yet";
}

type KeyUse = RotationItemView["old_key_use"];

/**
 * For each rotated ingest-key item, in one query: refusals of the keys it revoked (those revoked
 * while it ran). A revoked key is only ever refused, so every refusal counted on them came after.
 */
async function oldKeyUse(db: Queryable, itemIds: string[]): Promise<Map<string, KeyUse>> {
  if (itemIds.length === 0) return new Map();
  const result = await db.execute<{ id: string; attempts: number; last_at: Date | string | null }>(sql`
    SELECT i.id, coalesce(sum(k.refused_after_revoke_count), 0)::int AS attempts, max(k.last_refused_at) AS last_at
    FROM ${rotationItems} i
    JOIN ${credentials} c ON c.id = i.credential_id AND c.kind = 'ingest_key'
    LEFT JOIN ${ingestKeys} k ON k.agent_id = c.agent_id AND k.revoked_at BETWEEN i.started_at AND i.finished_at
    WHERE i.id = ANY(${sql.param(itemIds)}::uuid[]) AND i.state = 'rotated'
    GROUP BY i.id`);
  return new Map(result.rows.map((r) => [r.id, { attempts: Number(r.attempts), last_at: r.last_at === null ? null : new Date(r.last_at).toISOString() }]));
}

function itemView(i: ItemRow, c: typeof credentials.$inferSelect, now: Date, keyUse: KeyUse = null): RotationItemView {
  const held = (i.state === "pending" || i.state === "retrying") && i.leaseUntil !== null && i.leaseUntil > now;
  return {
    id: i.id,
    credential_id: c.id,
    credential_name: c.name,
    kind: c.kind,
    kind_label: KIND_LABELS[c.kind],
    agent_id: c.agentId,
    location: credentialLocation(c.kind, c.config),
    step: i.step,
    state: held ? "running" : i.state,
    attempts: i.attempts,
    next_attempt_at: i.state === "retrying" && !held ? iso(i.nextAttemptAt) : null,
    last_error: i.lastError,
    revoked_old: i.revokedOld,
    old_refused: i.oldRefused,
    new_secret: newSecretState(i, c.kind),
    superseded_by: i.supersededByRunId,
    revealed_at: iso(i.revealedAt),
    revealed_by: i.revealedBy,
    started_at: iso(i.startedAt),
    finished_at: iso(i.finishedAt),
    resolved_at: iso(i.resolvedAt),
    resolved_by: i.resolvedBy,
    resolution_note: i.resolutionNote,
    old_key_use: keyUse,
  };
}

async function runViews(db: Queryable, where: SQL | undefined, limit: number): Promise<RotationRunView[]> {
  const runs = await db.select().from(rotationRuns).where(where).orderBy(desc(rotationRuns.createdAt)).limit(limit);
  if (runs.length === 0) return [];
  const rows = await db
    .select({ item: rotationItems, credential: credentials })
    .from(rotationItems)
    .innerJoin(credentials, eq(credentials.id, rotationItems.credentialId))
    .where(sql`${rotationItems.runId} = ANY(${sql.param(runs.map((r) => r.id))}::uuid[])`)
    .orderBy(asc(rotationItems.position));
  const now = new Date();
  const keyUse = await oldKeyUse(
    db,
    rows.map((x) => x.item.id),
  );
  return runs.map((r) => {
    const items = rows.filter((x) => x.item.runId === r.id).map((x) => itemView(x.item, x.credential, now, keyUse.get(x.item.id) ?? null));
    return {
      id: r.id,
      status: r.status,
      agent_ids: r.agentIds,
      incident_id: r.incidentId,
      requested_by: r.requestedBy,
      created_at: r.createdAt.toISOString(),
      finished_at: iso(r.finishedAt),
      summary: r.summary,
      counts: {
        total: items.length,
        rotated: items.filter((i) => i.state === "rotated").length,
        failed: items.filter((i) => i.state === "failed").length,
        unresolved_failures: items.filter((i) => i.state === "failed" && i.resolved_at === null).length,
      },
      items,
    };
  });
}

export async function getRotationRun(db: Queryable, id: string): Promise<RotationRunView | null> {
  return (await runViews(db, eq(rotationRuns.id, id), 1))[0] ?? null;
}

/** Newest first: an agent's runs (any that covered it) or an incident's. */
export async function listRotationRuns(db: Queryable, filter: { agentId?: string; incidentId?: number }, limit = 50): Promise<RotationRunView[]> {
  const where = and(
    filter.agentId === undefined ? undefined : sql`${filter.agentId} = ANY(${rotationRuns.agentIds})`,
    filter.incidentId === undefined ? undefined : eq(rotationRuns.incidentId, filter.incidentId),
  );
  return runViews(db, where, limit);
}

/**
 * Failed credentials nobody has dealt with yet, from the incident's runs and from any run over its
 * agents' credentials (one started on an agent's page fails just as dangerously): the top of its page.
 */
export async function unresolvedFailures(db: Queryable, incidentId: number): Promise<(RotationItemView & { rotation_id: string })[]> {
  const rows = await db
    .select({ item: rotationItems, credential: credentials })
    .from(rotationItems)
    .innerJoin(credentials, eq(credentials.id, rotationItems.credentialId))
    .innerJoin(rotationRuns, eq(rotationRuns.id, rotationItems.runId))
    .where(
      and(
        eq(rotationItems.state, "failed"),
        isNull(rotationItems.resolvedAt),
        or(
          eq(rotationRuns.incidentId, incidentId),
          sql`${credentials.agentId} IN (SELECT unnest(${incidents.agentIds}) FROM ${incidents} WHERE ${incidents.id} = ${incidentId})`,
        ),
      ),
    )
    .orderBy(asc(rotationItems.finishedAt));
  const now = new Date();
  return rows.map((x) => ({ ...itemView(x.item, x.credential, now), rotation_id: x.item.runId }));
}
