import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { credentials, ingestKeys, rotationItems, rotationRuns } from "@/db/schema";
import { credentialLocation, displayConfig, KIND_LABELS, PROVIDER_LABELS } from "@/lib/credentials/describe";
import type { CredentialRotationState, CredentialView } from "@/lib/credentials/views";

export type CredentialRow = typeof credentials.$inferSelect;

interface RotationHistory {
  state: CredentialRotationState;
  lastRotatedAt: Date | null;
  liveRunId: string | null;
}

const NEVER_ROTATED: RotationHistory = { state: "never_rotated", lastRotatedAt: null, liveRunId: null };

function credentialView(row: CredentialRow, history: RotationHistory, revokedKeyUse: CredentialView["revoked_key_use"]): CredentialView {
  return {
    id: row.id,
    agent_id: row.agentId,
    name: row.name,
    kind: row.kind,
    kind_label: KIND_LABELS[row.kind],
    provider: PROVIDER_LABELS[row.kind],
    location: credentialLocation(row.kind, row.config),
    config: displayConfig(row.kind, row.config),
    secret_known: row.secretSealed !== null,
    rotation_state: history.state,
    last_rotated_at: history.lastRotatedAt?.toISOString() ?? null,
    live_rotation_id: history.liveRunId,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    revoked_key_use: revokedKeyUse,
  };
}

/** The inventory (retired credentials left out), one agent's or everyone's, by agent then name. */
export async function listCredentials(db: Queryable, agentId: string | null): Promise<CredentialView[]> {
  const rows = await db
    .select()
    .from(credentials)
    .where(and(isNull(credentials.retiredAt), agentId === null ? undefined : eq(credentials.agentId, agentId)))
    .orderBy(asc(credentials.agentId), asc(credentials.name));
  return credentialViews(db, rows);
}

export async function getCredentialRow(db: Queryable, id: string): Promise<CredentialRow | null> {
  const [row] = await db.select().from(credentials).where(eq(credentials.id, id));
  return row ?? null;
}

export async function getCredential(db: Queryable, id: string): Promise<CredentialView | null> {
  const row = await getCredentialRow(db, id);
  return row ? ((await credentialViews(db, [row]))[0] ?? null) : null;
}

/** Each credential's rotation history, from its items: the latest run's item, and its last successful rotation. */
async function rotationHistory(db: Queryable, ids: string[]): Promise<Map<string, RotationHistory>> {
  const result = await db.execute<{ credential_id: string; state: string; run_id: string; last_rotated_at: Date | string | null }>(sql`
    SELECT DISTINCT ON (i.credential_id) i.credential_id, i.state, i.run_id,
      (SELECT max(j.finished_at) FROM ${rotationItems} j WHERE j.credential_id = i.credential_id AND j.state = 'rotated') AS last_rotated_at
    FROM ${rotationItems} i JOIN ${rotationRuns} r ON r.id = i.run_id
    WHERE i.credential_id = ANY(${sql.param(ids)}::uuid[])
    ORDER BY i.credential_id, r.created_at DESC`);
  return new Map(
    result.rows.map((r) => {
      const live = r.state === "pending" || r.state === "retrying";
      const state: CredentialRotationState = live ? "rotating" : r.state === "rotated" ? "rotated" : "failed";
      return [r.credential_id, { state, lastRotatedAt: r.last_rotated_at === null ? null : new Date(r.last_rotated_at), liveRunId: live ? r.run_id : null }];
    }),
  );
}

/** Credentials as the API shows them: rotation history and, for ingest keys, use of revoked keys. */
export async function credentialViews(db: Queryable, rows: CredentialRow[]): Promise<CredentialView[]> {
  if (rows.length === 0) return [];
  const history = await rotationHistory(
    db,
    rows.map((r) => r.id),
  );
  const ingestAgents = rows.filter((r) => r.kind === "ingest_key").map((r) => r.agentId);
  const keyUse = ingestAgents.length === 0 ? [] : await revokedKeyUse(db, ingestAgents);
  const useOf = new Map(keyUse.map((u) => [u.agentId, { attempts: u.attempts, last_at: u.lastAt }]));
  return rows.map((r) =>
    credentialView(r, history.get(r.id) ?? NEVER_ROTATED, r.kind === "ingest_key" ? (useOf.get(r.agentId) ?? { attempts: 0, last_at: null }) : null),
  );
}

/** Per agent: refused requests that carried one of its revoked ingest keys. */
export async function revokedKeyUse(db: Queryable, agentIds: string[]): Promise<{ agentId: string; attempts: number; lastAt: string | null }[]> {
  const rows = await db
    .select({
      agentId: ingestKeys.agentId,
      attempts: sql<number>`coalesce(sum(${ingestKeys.refusedAfterRevokeCount}), 0)::int`,
      lastAt: sql<Date | null>`max(${ingestKeys.lastRefusedAt})`,
    })
    .from(ingestKeys)
    .where(inArray(ingestKeys.agentId, agentIds))
    .groupBy(ingestKeys.agentId);
  return rows.map((r) => ({ agentId: r.agentId, attempts: Number(r.attempts), lastAt: r.lastAt ? new Date(r.lastAt).toISOString() : null }));
}
