import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { credentials, ingestKeys, rotationItems } from "@/db/schema";
import { credentialLocation, displayConfig, KIND_LABELS, PROVIDER_LABELS } from "@/lib/credentials/describe";
import type { CredentialKind } from "@/lib/credentials/providers/provider";

export type CredentialRow = typeof credentials.$inferSelect;

/** A credential as the API and the console show it: never its secret. */
export interface CredentialView {
  id: string;
  agent_id: string;
  name: string;
  kind: CredentialKind;
  kind_label: string;
  provider: string;
  location: string;
  config: Record<string, unknown>;
  /** Whether the console holds the secret in use, and so can prove it refused after the next rotation. */
  secret_known: boolean;
  rotation_state: CredentialRow["rotationState"];
  last_rotated_at: string | null;
  /** The run rotating it now, if any. */
  live_rotation_id: string | null;
  created_by: string;
  created_at: string;
  /** Ingest keys only: requests refused because they carried one of the agent's revoked keys (none should come). */
  revoked_key_use: { attempts: number; last_at: string | null } | null;
}

export function credentialView(row: CredentialRow, liveRunId: string | null, revokedKeyUse: CredentialView["revoked_key_use"]): CredentialView {
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
    rotation_state: row.rotationState,
    last_rotated_at: row.lastRotatedAt?.toISOString() ?? null,
    live_rotation_id: liveRunId,
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
  return viewsOf(db, rows);
}

export async function getCredentialRow(db: Queryable, id: string): Promise<CredentialRow | null> {
  const [row] = await db.select().from(credentials).where(eq(credentials.id, id));
  return row ?? null;
}

export async function getCredential(db: Queryable, id: string): Promise<CredentialView | null> {
  const row = await getCredentialRow(db, id);
  return row ? ((await viewsOf(db, [row]))[0] ?? null) : null;
}

async function viewsOf(db: Queryable, rows: CredentialRow[]): Promise<CredentialView[]> {
  if (rows.length === 0) return [];
  const live = await db
    .select({ credentialId: rotationItems.credentialId, runId: rotationItems.runId })
    .from(rotationItems)
    .where(and(inArray(rotationItems.credentialId, rows.map((r) => r.id)), inArray(rotationItems.state, ["pending", "retrying"])));
  const liveRun = new Map(live.map((l) => [l.credentialId, l.runId]));
  const ingestAgents = rows.filter((r) => r.kind === "ingest_key").map((r) => r.agentId);
  const keyUse = ingestAgents.length === 0 ? [] : await revokedKeyUse(db, ingestAgents);
  const useOf = new Map(keyUse.map((u) => [u.agentId, { attempts: u.attempts, last_at: u.lastAt }]));
  return rows.map((r) => credentialView(r, liveRun.get(r.id) ?? null, r.kind === "ingest_key" ? (useOf.get(r.agentId) ?? { attempts: 0, last_at: null }) : null));
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
